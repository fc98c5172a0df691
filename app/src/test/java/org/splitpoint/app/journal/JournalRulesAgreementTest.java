package org.splitpoint.app.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.backup.KnownStores;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.EngineCall;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.JournalPools;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;

/**
 * One source of truth for the journal card: a disabled verb's tooltip is the sentence the engine
 * (and so {@code volume journal enable|ship|disable}) answers when the verb is called anyway.
 */
class JournalRulesAgreementTest {

    private static final String V = JournalPools.VOLUME;

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private JournalPools.Made made;
    private PoolBridge bridge;
    private JournalCardViewModel vm;

    @BeforeEach
    void open() throws Exception {
        made = JournalPools.fresh(tmp);
        bridge = PoolBridge.open(made.pool(), new CurrentThreadTaskExecutor(), ui);
        vm = new JournalCardViewModel(bridge, new ActionStatus(), new KnownStores(KnownStores.Memory.inMemory(List.of())), V);
        bridge.onSnapshot(vm::apply);
        bridge.onJournals(vm::apply);
        refresh();
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    private void refresh() {
        bridge.refresh();
        ui.drain();
    }

    /** Runs {@code c} with the pool here (the test's executor) and returns what it returned. */
    private <T> T call(EngineCall<T> c) {
        AtomicReference<T> out = new AtomicReference<>();
        bridge.run(c, out::set, why -> {
            throw new AssertionError(why);
        });
        ui.drain();
        return out.get();
    }

    private int agree() {
        refresh();
        int refused = 0;
        refused += agree("enable", vm.enableBlockedProperty().get(), () -> call(pool ->
                pool.journals().enable(V, List.of("d7", "d8"), made.store(), 0, 0)));
        refused += agree("ship", vm.shipBlockedProperty().get(), () -> call(pool -> pool.journals().ship(V)));
        refused += agree("disable", vm.disableBlockedProperty().get(), () -> call(pool -> {
            pool.journals().disable(V);
            return null;
        }));
        return refused;
    }

    private static int agree(String verb, String tooltip, ThrowingCallable call) {
        if (tooltip.isEmpty()) {
            return 0; // allowed here
        }
        assertThatThrownBy(call).as(verb).hasMessage(tooltip);
        return 1;
    }

    @Test
    void everyDisabledJournalVerbSaysWhatTheEngineAnswers() throws Exception {
        assertThat(agree()).as("ship and disable refused without a journal").isEqualTo(2);
        assertThat(vm.shipBlockedProperty().get()).isEqualTo("volume data has no journal; enable one with 'Enable journal…'"
                + " on the volume's page");

        call(pool -> pool.journals().enable(V, List.of("d6", "d7"), made.store(), 0, 0));
        // (while the base backup runs the state moves under the test: compared once it is done)
        assertThat(TestPools.await(Duration.ofSeconds(30), this::refresh, () -> vm.shipBlockedProperty().get()
                .equals("the journal of data holds no entry to ship"))).as("the base backup completes").isTrue();
        assertThat(agree()).as("enable refused (a journal already), ship refused (no entry)").isEqualTo(2);
    }
}
