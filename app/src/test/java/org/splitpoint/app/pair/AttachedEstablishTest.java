package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.Attached;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pool.BcvWrites;

/**
 * The pair console's establish while the app is attached to serve, no toolkit: the holder runs 'pair
 * establish' off a terminal, where a bare one overwrites the BCV's writes (a script's); the app's answer
 * travels with the command, so a one-click answer over a BCV written since is refused as it is here.
 */
class AttachedEstablishTest {

    @TempDir
    Path tmp;
    private final ActionStatus status = new ActionStatus();
    private Attached app;
    private PairConsoleViewModel vm;

    @BeforeEach
    void attach() throws Exception {
        app = new Attached(TestPools.demo(tmp, TestPools.PAIR_DRIVE_SIZE));
        vm = new PairConsoleViewModel(app.bridge, status, new Expectations(), "prod-pair");
        app.bridge.onPairs(vm::apply);
        app.bridge.onSnapshot(vm::apply);
        app.bridge.start();
        app.holder.pool.pairs().split(List.of("prod-pair"));
        app.shows(() -> vm.stateProperty().get() == PairState.Split && vm.establishBlockedProperty().get().isEmpty());
    }

    @AfterEach
    void close() throws Exception {
        app.close();
    }

    private void writeBcvTrack(int track) throws Exception {
        app.holder.pool.device("prod-bcv").write(track * 65536L, ByteBuffer.wrap(new byte[] {0x5A, 0x5A}));
    }

    private PairState stateInTheHolder() {
        try {
            return app.holder.pool.pairs().get("prod-pair").state();
        } catch (org.splitpoint.engine.pool.PoolException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aOneClickEstablishIsRefusedByTheHolderWhenTheBcvWasWrittenAfterTheClick() throws Exception {
        writeBcvTrack(9); // after the one-click answer
        vm.establish(BcvWrites.REFUSE_IF_ANY);
        app.shows(() -> status.kindProperty().get() == ActionStatus.Kind.ERROR);
        assertThat(status.messageProperty().get()).contains("prod-bcv was written since the split (1 track) and the"
                + " establish of pair prod-pair was not confirmed to overwrite them");
        assertThat(app.holder.pool.pairs().get("prod-pair").state()).isEqualTo(PairState.Split);
        assertThat(app.holder.pool.pairs().get("prod-pair").bcvInvalidTracks()).isEqualTo(1);
    }

    @Test
    void aTypedEstablishIsCarriedOutByTheHolderOverTheBcvsWrites() throws Exception {
        writeBcvTrack(9);
        vm.establish(BcvWrites.MAY_BE_OVERWRITTEN);
        app.shows(() -> stateInTheHolder() != PairState.Split);
        assertThat(status.kindProperty().get()).isNotEqualTo(ActionStatus.Kind.ERROR);
    }
}
