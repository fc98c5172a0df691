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
import org.splitpoint.engine.pool.StdWrites;

/**
 * The pair console's restore while the app is attached to serve, no toolkit: the holder runs 'pair restore'
 * off a terminal, where a bare one overwrites the STD's writes (a script's); the app's answer travels with
 * the command, so a restore that asked nothing is refused over an STD written since, as it is here.
 */
class AttachedRestoreTest {

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
        app.shows(() -> vm.stateProperty().get() == PairState.Split && vm.restoreBlockedProperty().get().isEmpty());
    }

    @AfterEach
    void close() throws Exception {
        app.close();
    }

    private void writeStdTrack(int track) throws Exception {
        app.holder.pool.device("prod").write(track * 65536L, ByteBuffer.wrap(new byte[] {0x5A, 0x5A}));
    }

    /** Whether the STD's track holds what the BCV's does (the write restored over), read in the holder. */
    private boolean sameTrack(int track) {
        try {
            ByteBuffer std = ByteBuffer.allocate(65536);
            ByteBuffer bcv = ByteBuffer.allocate(65536);
            app.holder.pool.device("prod").read(track * 65536L, std);
            app.holder.pool.device("prod-bcv").read(track * 65536L, bcv);
            return std.flip().equals(bcv.flip());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private Object runningJobInTheHolder() {
        try {
            return app.holder.pool.pairs().query("prod-pair").get(0).job();
        } catch (org.splitpoint.engine.pool.PoolException e) {
            throw new AssertionError(e);
        }
    }

    private PairState stateInTheHolder() {
        try {
            return app.holder.pool.pairs().get("prod-pair").state();
        } catch (org.splitpoint.engine.pool.PoolException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRestoreThatAskedNothingIsRefusedByTheHolderWhenTheStdWasWrittenAfterTheCount() throws Exception {
        writeStdTrack(9); // after the count that found nothing to ask about
        vm.restore(StdWrites.REFUSE_IF_ANY);
        app.shows(() -> status.kindProperty().get() == ActionStatus.Kind.ERROR);
        assertThat(status.messageProperty().get()).contains("prod was written since the split (1 track) and the"
                + " restore of pair prod-pair was not confirmed to overwrite them");
        assertThat(stateInTheHolder()).isEqualTo(PairState.Split);
        assertThat(app.holder.pool.pairs().get("prod-pair").stdInvalidTracks()).isEqualTo(1);
    }

    @Test
    void aTypedRestoreIsCarriedOutByTheHolderOverTheStdsWrites() throws Exception {
        writeStdTrack(9);
        vm.restore(StdWrites.MAY_BE_OVERWRITTEN); // protected, the app's default: it ends Split again
        app.shows(() -> stateInTheHolder() == PairState.Split && runningJobInTheHolder() == null && sameTrack(9));
        assertThat(status.kindProperty().get()).isNotEqualTo(ActionStatus.Kind.ERROR);
        assertThat(app.holder.pool.pairs().get("prod-pair").isProtected()).isTrue();
    }
}
