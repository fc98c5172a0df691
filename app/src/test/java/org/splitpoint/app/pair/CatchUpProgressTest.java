package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.jobs.JobRow;
import org.splitpoint.app.jobs.JobsViewModel;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolOptions;

/**
 * Defect 7: while an unprotected restore catches up (copies the tracks hosts wrote meanwhile to the
 * BCV), the console and the Jobs row show less than 100% and an ETA that is not 0:00.
 */
class CatchUpProgressTest {

    private static final String PAIR = "prod-pair";

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();

    @Test
    void theConsoleAndTheJobsRowStayBelowAHundredPercentWhileTheCatchUpHasTracksLeft() throws Exception {
        Pool pool = Pool.open(TestPools.demo(tmp, TestPools.PAIR_DRIVE_SIZE), StorageFactory.real(), new PoolOptions(false));
        try (PoolBridge bridge = new PoolBridge(pool, new CurrentThreadTaskExecutor(), ui)) {
            ActionStatus status = new ActionStatus();
            PairConsoleViewModel console = new PairConsoleViewModel(bridge, status, new Expectations(), PAIR);
            JobsViewModel jobs = new JobsViewModel(bridge, status);
            bridge.onPairs(console::apply);
            bridge.onSnapshot(jobs::apply);
            pool.pairs().split(List.of(PAIR));
            pool.device("prod-bcv").write(0, ByteBuffer.allocate(65536)); // one track to restore
            Job restore = pool.pairs().restore(PAIR, false, false);
            for (long t = 10; t < 500; t += 2) { // hosts write 245 scattered tracks: the STD only, to catch up
                pool.device("prod").write(t * 65536, ByteBuffer.allocate(512));
            }
            int steps = 0;
            while (pool.pairs().get(PAIR).state() != PairState.SyncInProg && restore.stepOnce()) {
                steps++;
            }
            restore.stepOnce(); // one step of the catch-up: 32 of its tracks (PairCopyWork's runs at once)
            long left = pool.pairs().get(PAIR).stdInvalidTracks();
            assertThat(left).as("tracks still to catch up after %d steps", steps).isGreaterThan(100);

            bridge.refresh();
            ui.drain();
            assertThat(console.copy().progressProperty().get()).isLessThan(0.5);
            assertThat(console.copy().progressTextProperty().get()).doesNotStartWith("100").doesNotContain("ETA 0:00");
            JobRow row = jobs.rows().get(0);
            assertThat(row.fractionProperty().get()).isLessThan(0.5);
            var p = restore.progress();
            assertThat(p.totalTracks() - p.doneTracks()).as("what the job says is left").isEqualTo(left);
            assertThat(row.lineProperty().get()).contains(p.doneTracks() + "/" + p.totalTracks() + " tracks");

            // pair query's PROGRESS column (from a shell the command runs in this holder)
            String line = pool.pairs().query(PAIR).get(0).job().line();
            assertThat(line).doesNotContain("100.0%").doesNotContain("ETA 0:00").contains(p.doneTracks() + "/" + p.totalTracks() + " tracks");
        }
    }
}
