package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolOptions;

/**
 * One source of truth: in every state the pair console reaches, a disabled verb's tooltip is the
 * very sentence the engine (and so the CLI) answers when the verb is called anyway. The pool's jobs
 * are not run, so a copy holds SyncInProg or RestInProg as long as the test needs.
 */
class PairRulesAgreementTest {

    private static final String PAIR = "prod-pair";

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private Pool pool;
    private PoolBridge bridge;
    private PairConsoleViewModel vm;

    @BeforeEach
    void open() throws Exception {
        Path dir = TestPools.demo(tmp, TestPools.PAIR_DRIVE_SIZE);
        pool = Pool.open(dir, StorageFactory.real(), new PoolOptions(false));
        bridge = new PoolBridge(pool, new CurrentThreadTaskExecutor(), ui);
        vm = new PairConsoleViewModel(bridge, new ActionStatus(), new Expectations(), PAIR);
        bridge.onPairs(vm::apply);
    }

    @AfterEach
    void close() {
        bridge.close();
    }

    /** Each verb the console disables in this state is refused by the engine with its tooltip's sentence. */
    private int assertAgreement(PairState expected) throws Exception {
        bridge.refresh();
        ui.drain();
        assertThat(vm.stateProperty().get()).isEqualTo(expected);
        int refused = 0;
        refused += agree("establish", vm.establishBlockedProperty().get(), () -> pool.pairs().establish(PAIR, false));
        refused += agree("split", vm.splitBlockedProperty().get(), () -> pool.pairs().split(List.of(PAIR)));
        refused += agree("restore", vm.restoreBlockedProperty().get(), () -> pool.pairs().restore(PAIR, false, true));
        assertThat(pool.pairs().get(PAIR).state()).as("refusals change nothing").isEqualTo(expected);
        return refused;
    }

    private static int agree(String verb, String tooltip, org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        if (tooltip.isEmpty()) {
            return 0; // allowed here: the engine would act, which the state walk does on purpose
        }
        assertThatThrownBy(call).as(verb).hasMessage(tooltip);
        return 1;
    }

    private static void finish(Job j) {
        while (j.stepOnce()) {
            // copy on this thread
        }
    }

    @Test
    void everyDisabledVerbSaysWhatTheEngineAnswers() throws Exception {
        assertThat(assertAgreement(PairState.Synchronized)).as("establish and restore refused").isEqualTo(2);
        assertThat(vm.restoreBlockedProperty().get()).isEqualTo("pair prod-pair is Synchronized: split it first; a restore"
                + " copies the split BCV back to the STD");

        pool.pairs().split(List.of(PAIR));
        assertThat(assertAgreement(PairState.Split)).as("split refused").isEqualTo(1);

        pool.device("prod").write(0, ByteBuffer.allocate(65536 * 3));
        Job establish = pool.pairs().establish(PAIR, false);
        assertThat(assertAgreement(PairState.SyncInProg)).as("all three refused while copying").isEqualTo(3);
        assertThat(vm.establishBlockedProperty().get()).endsWith("wait for it or cancel job " + establish.id());
        finish(establish);

        pool.pairs().split(List.of(PAIR));
        pool.device("prod-bcv").write(0, ByteBuffer.allocate(65536 * 2));
        Job restore = pool.pairs().restore(PAIR, false, true);
        assertThat(assertAgreement(PairState.RestInProg)).as("all three refused while restoring").isEqualTo(3);
        finish(restore);
        assertThat(assertAgreement(PairState.Split)).isEqualTo(1);
    }
}
