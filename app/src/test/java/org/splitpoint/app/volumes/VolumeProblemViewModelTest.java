package org.splitpoint.app.volumes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.backup.KnownStores;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.pool.PoolViewModel;
import org.splitpoint.app.testing.Corruption;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.pool.DriveImageCheck;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.PoolSnapshot.Health;

/**
 * A volume's data problem in the app, against a real pool: a verify's mismatches (found by the CLI,
 * say) mark the volume page and the status bar until Repair clears them; an image truncated under
 * the running app fails its drive.
 */
class VolumeProblemViewModelTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private PoolBridge bridge;
    private PoolViewModel vm;

    @BeforeEach
    void open() throws Exception {
        bridge = PoolBridge.open(TestPools.demo(tmp), new CurrentThreadTaskExecutor(), ui);
        vm = new PoolViewModel(bridge, KnownStores.Memory.inMemory(java.util.List.of()));
        vm.start();
        ui.drain();
    }

    @AfterEach
    void close() {
        vm.close();
    }

    /** Runs {@code c} through the bridge (on this thread) and hands back its result. */
    private <T> T call(org.splitpoint.app.bridge.EngineCall<T> c) {
        java.util.concurrent.atomic.AtomicReference<T> out = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<String> failed = new java.util.concurrent.atomic.AtomicReference<>();
        bridge.run(c, out::set, failed::set);
        ui.drain();
        assertThat(failed.get()).isNull();
        return out.get();
    }

    private void refresh() {
        bridge.refresh();
        ui.drain();
    }

    @Test
    void mismatchesMarkThePageAndStatusBarUntilRepaired() throws Exception {
        VolumeProblemViewModel p = vm.problem("prod");
        assertThat(p.problemProperty().get()).isEmpty();
        long found = call(pool -> {
            Corruption.scribble(pool, "prod", "d1");
            return pool.admin().verify("prod", false, null); // as `volume verify` forwarded to the app does
        });
        assertThat(found).isPositive();
        refresh();

        assertThat(p.problemProperty().get()).contains("verify found " + found + " mismatched sectors",
                "repair it with 'Repair' on the volume's page"); // the banner's button, not the CLI's verb
        assertThat(p.criticalProperty().get()).isFalse();
        assertThat(vm.problemsProperty().get()).contains("mismatched sectors in volume prod");
        assertThat(vm.healthProperty().get()).isEqualTo(Health.WARNING);
        assertThat(p.repairBlockedProperty().get()).isEmpty();

        p.repair();
        refresh();

        assertThat(p.problemProperty().get()).isEmpty();
        assertThat(vm.problemsProperty().get()).isEmpty();
        assertThat(vm.healthProperty().get()).isEqualTo(Health.HEALTHY);
        assertThat(vm.status().messageProperty().get()).contains("Volume prod repaired", "rewritten");
        long after = call(pool -> pool.admin().verify("prod", false, null));
        assertThat(after).isZero();
    }

    @Test
    void anImageTruncatedUnderTheAppFailsItsDrive() throws Exception {
        Corruption.truncate(bridge.poolDir(), "d2");
        call(DriveImageCheck::run); // what the app's timer runs every 2 s
        refresh();

        assertThat(vm.drives().rows()).filteredOn(r -> r.name().equals("d2")).singleElement()
                .satisfies(r -> assertThat(r.getState()).isEqualTo(DriveState.FAILED));
        assertThat(vm.problemsProperty().get()).contains("d2", "changed size");
        assertThat(vm.healthProperty().get()).isEqualTo(Health.WARNING);
        assertThat(TestPools.await(java.time.Duration.ofSeconds(20), ui::drain, () -> vm.events().events().stream()
                .anyMatch(e -> e.severity() == org.splitpoint.engine.event.Severity.CRITICAL
                        && e.message().contains("drive d2 FAILED")))).isTrue();
    }
}
