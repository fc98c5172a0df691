package org.splitpoint.app.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.backup.KnownStores;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.BackupPools;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.app.workload.Expectations;

/**
 * The overwrite map's last picture of an ended restore stays: a sample taken earlier that arrives
 * later is not drawn over it. Seen by hand: the app reopened on a pool whose restore resumed, the
 * restore finished in 4 s, and its view said "restore finished · 100%" over a map with 27 tracks
 * "not yet restored" and "997 current" of 1,024, for good (a {@code sampleNow} answer waits for a
 * pool snapshot before it is handed over; the timer's tick had meanwhile given the ended picture,
 * and no tick samples an ended restore again).
 */
class RestoreLastPictureTest {

    /** A stand-in UI thread whose posts the test runs when it likes, in the order it likes. */
    private static final class HeldUi implements Executor {
        private final List<Runnable> posted = new ArrayList<>();

        @Override
        public synchronized void execute(Runnable r) {
            posted.add(r);
        }

        synchronized List<Runnable> take() {
            List<Runnable> out = new ArrayList<>(posted);
            posted.clear();
            return out;
        }

        void drain() {
            for (List<Runnable> batch; !(batch = take()).isEmpty(); ) {
                batch.forEach(Runnable::run);
            }
        }
    }

    @TempDir
    Path tmp;
    private final HeldUi ui = new HeldUi();
    private PoolBridge bridge;

    @AfterEach
    void close() {
        if (bridge != null) {
            bridge.close();
        }
    }

    private boolean restoreEnded() {
        java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
        bridge.run(pool -> pool.instantRestores().restoreOf(BackupPools.VOLUME) == null, ended::set,
                why -> { throw new AssertionError(why); });
        ui.drain();
        return ended.get();
    }

    @Test
    void aSampleTakenMidCopyThatArrivesAfterTheEndedPictureIsNotDrawn() throws Exception {
        BackupPools.Made made = BackupPools.failed(tmp);
        bridge = PoolBridge.open(made.pool(), new CurrentThreadTaskExecutor(), ui);
        InstantRestoreViewModel vm = new InstantRestoreViewModel(bridge, new ActionStatus(), new Expectations(),
                new KnownStores(KnownStores.Memory.inMemory(List.of(made.store()))), BackupPools.VOLUME, () -> { });
        bridge.onSnapshot(vm::apply);
        bridge.refresh();
        ui.drain();
        RestoreForm f = vm.restoreForm(null);
        ui.drain();
        f.throttleProperty().set(1_000_000); // 16 MiB at 1 MB/s: mid-copy for a while
        f.restore();
        ui.drain();

        vm.sampleNow(); // sampled now, mid-copy; its answer held back, as a snapshot under load holds it
        List<Runnable> late = ui.take();

        vm.bulk().throttleProperty().set(0);
        ui.drain();
        assertThat(TestPools.await(Duration.ofSeconds(30), () -> { }, this::restoreEnded)).isTrue();
        vm.sampleNow(); // the ended restore's last picture (as the timer's tick takes it)
        ui.drain();
        RestoreSample last = vm.sampleProperty().get();
        assertThat(last.ended()).isTrue();
        assertThat(last.currentTracks()).isEqualTo(BackupPools.TRACKS);

        late.forEach(Runnable::run); // the mid-copy sample arrives now
        ui.drain();

        RestoreSample shown = vm.sampleProperty().get();
        assertThat(shown.ended()).as("the last picture stays").isTrue();
        assertThat(shown.cells().counts(0, shown.cells().count()).owed()).as("tracks drawn not yet restored").isZero();
    }
}
