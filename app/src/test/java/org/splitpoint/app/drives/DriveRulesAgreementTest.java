package org.splitpoint.app.drives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.AppWords;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.LogMode;
import org.splitpoint.engine.pool.OfflineReason;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolOptions;

/**
 * One source of truth for the drive bay: in each state, a disabled verb's tooltip is the sentence
 * the engine (and so {@code drive fail|replace|offline|online}) answers when the verb is called
 * anyway, with the app's button where it names a CLI verb. Jobs are not run, so a rebuild or a window stays as the test left it.
 */
class DriveRulesAgreementTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private Pool pool;
    private PoolBridge bridge;
    private DrivesViewModel vm;

    @BeforeEach
    void open() throws Exception {
        pool = Pool.open(TestPools.demo(tmp), StorageFactory.real(), new PoolOptions(false));
        bridge = new PoolBridge(pool, new CurrentThreadTaskExecutor(), ui);
        vm = new DrivesViewModel(bridge, new ActionStatus());
        bridge.onSnapshot(vm::apply);
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    /** The verbs refused on {@code drive} now, each checked against the engine's answer; returns how many. */
    private int agreeOn(String drive) throws Exception {
        bridge.refresh();
        ui.drain();
        vm.selectedDriveProperty().set(drive);
        int refused = 0;
        refused += agree("fail", vm.failBlockedProperty().get(), () -> pool.admin().failDrive(drive));
        refused += agree("replace", vm.replaceBlockedProperty().get(), () -> pool.admin().replaceDrive(drive));
        refused += agree("offline", vm.offlineBlockedProperty().get(),
                () -> pool.service().offline(drive, OfflineReason.REPLACEMENT, LogMode.POINTERS));
        refused += agree("online", vm.onlineBlockedProperty().get(), () -> pool.service().online(drive));
        return refused;
    }

    private static int agree(String verb, String tooltip, ThrowingCallable call) {
        if (tooltip.isEmpty()) {
            return 0; // allowed: the walk below does it when it means to
        }
        // the app names its own button where the engine names the CLI's verb; the rest is the engine's word for word
        assertThatThrownBy(call).as(verb).satisfies(e -> assertThat(AppWords.of(e.getMessage())).isEqualTo(tooltip));
        return 1;
    }

    @Test
    void failReplaceAndTheirRefusalsSayWhatTheEngineSays() throws Exception {
        assertThat(agreeOn("d3")).as("replace and online refused on an ONLINE member").isEqualTo(2);
        assertThat(vm.replaceBlockedProperty().get())
                .isEqualTo("drive d3 is ONLINE; only a FAILED or MISSING drive is replaced (fail it first with 'Fail drive' in the drive bay)");

        pool.admin().failDrive("d3");
        assertThat(agreeOn("d3")).as("all but replace refused on a FAILED drive").isEqualTo(3);
        assertThat(agreeOn("d2")).as("a second member: fail, offline, replace and online refused").isEqualTo(4);
        assertThat(vm.failBlockedProperty().get()).startsWith("failing d2 would make volume prod FAILED");

        pool.admin().replaceDrive("d3"); // its rebuild is not run: d3 stays REBUILDING
        assertThat(agreeOn("d3")).isEqualTo(3);
    }

    @Test
    void aServiceWindowsRefusalsSayWhatTheEngineSays() throws Exception {
        pool.service().offline("d2", OfflineReason.REPLACEMENT, LogMode.POINTERS);
        assertThat(agreeOn("d2")).as("fail, replace and offline refused on the drive in the window").isEqualTo(3);
        assertThat(vm.onlineBlockedProperty().get()).isEmpty();
        assertThat(agreeOn("d1")).as("replace, offline and online refused on another member").isEqualTo(3);
        assertThat(vm.offlineBlockedProperty().get())
                .isEqualTo("volume prod already has a drive in a service window; bring it back first");
        assertThat(agreeOn("d4")).as("a member of another volume: replace and online refused").isEqualTo(2);
    }
}
