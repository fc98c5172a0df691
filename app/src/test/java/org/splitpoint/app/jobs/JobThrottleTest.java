package org.splitpoint.app.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.pair.PairConsoleViewModel;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.cli.Splitpoint;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolOptions;

/** One limit per job: the Jobs row, the pair console's slider and {@code job throttle} show and set the same value. */
class JobThrottleTest {

    private static final String PAIR = "prod-pair";

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();

    /** A demo pool whose pair is establishing (its job not run, so it stays as long as the test needs). */
    private Pool establishing() throws Exception {
        Pool pool = Pool.open(TestPools.demo(tmp, TestPools.PAIR_DRIVE_SIZE), StorageFactory.real(), new PoolOptions(false));
        pool.pairs().split(List.of(PAIR));
        pool.device("prod").write(0, ByteBuffer.allocate(65536 * 4));
        pool.pairs().establish(PAIR, false, 5_000_000);
        return pool;
    }

    @Test
    void aSampleTakenBeforeTheUsersChangeButDeliveredAfterItDoesNotPutTheOldLimitBack() throws Exception {
        Pool pool = establishing();
        try (PoolBridge bridge = new PoolBridge(pool, new CurrentThreadTaskExecutor(), ui)) {
            Job job = pool.job("establish-" + PAIR);
            JobThrottle throttle = new JobThrottle(bridge, new ActionStatus());
            throttle.follow(job.progress());
            assertThat(throttle.limit()).isEqualTo(5_000_000);

            JobProgress stale = job.progress(); // sampled now, delivered after the user's change
            throttle.limitProperty().set(20_000_000); // the user moves the slider
            assertThat(job.progress().throttle()).as("applied to the job").isEqualTo(20_000_000);

            throttle.follow(stale); // arrives while the change's answer is still on its way
            assertThat(throttle.limit()).isEqualTo(20_000_000);
            ui.drain(); // the answer
            throttle.follow(stale); // and once more after it (the pair query's coalescer lagging the snapshot's)
            assertThat(throttle.limit()).isEqualTo(20_000_000);
            assertThat(job.progress().throttle()).isEqualTo(20_000_000);

            job.setThrottle(7_000_000); // from elsewhere (job throttle, another view): news, shown
            throttle.follow(job.progress());
            assertThat(throttle.limit()).isEqualTo(7_000_000);
        }
    }

    /**
     * Attached to a holder, the answer to the user's change carried no stamp ('job throttle' prints
     * none), so the newest stamp known stayed the old limit's and a sample taken before the change,
     * delivered after the answer, put the old limit back: the slider jumped back, then forward at the
     * next sample. The answer's stamp is now the job's in the holder's snapshot after the command.
     */
    @Test
    void attachedASampleTakenBeforeTheUsersChangeButDeliveredAfterItsAnswerDoesNotPutTheOldLimitBack() throws Exception {
        Path dir = TestPools.demo(tmp, TestPools.PAIR_DRIVE_SIZE);
        try (org.splitpoint.app.testing.Attached a = new org.splitpoint.app.testing.Attached(dir)) {
            Pool holder = a.holder.pool;
            holder.pairs().split(List.of(PAIR));
            holder.device("prod").write(0, ByteBuffer.allocate(65536 * 4));
            holder.pairs().establish(PAIR, true, 1_000_000); // full, slow: it runs for the whole test
            Job job = holder.job("establish-" + PAIR);
            job.pause(); // and stays
            List<org.splitpoint.engine.pool.PoolSnapshot> shown = new java.util.concurrent.CopyOnWriteArrayList<>();
            a.bridge.onSnapshot(shown::add);
            a.bridge.start(); // the holder's stream, as the window starts it
            a.shows(() -> !shown.isEmpty());
            JobThrottle throttle = new JobThrottle(a.bridge, new ActionStatus());
            throttle.follow(job.progress());
            assertThat(throttle.limit()).isEqualTo(1_000_000);

            JobProgress stale = job.progress(); // sampled now, delivered after the answer
            throttle.limitProperty().set(20_000_000); // the user moves the slider
            a.shows(() -> job.progress().throttle() == 20_000_000);
            a.ui.drain(); // the answer
            throttle.follow(stale);
            assertThat(throttle.limit()).as("the old limit is not put back").isEqualTo(20_000_000);

            job.setThrottle(7_000_000); // from elsewhere: news, shown
            throttle.follow(job.progress());
            assertThat(throttle.limit()).isEqualTo(7_000_000);
        }
    }

    @Test
    void aChoiceMadeWhileASampleMissedTheJobStandsButNotOnAJobStartedElsewhere() throws Exception {
        Pool pool = establishing();
        try (PoolBridge bridge = new PoolBridge(pool, new CurrentThreadTaskExecutor(), ui)) {
            Job job = pool.job("establish-" + PAIR);
            JobThrottle throttle = new JobThrottle(bridge, new ActionStatus());
            throttle.follow(job.progress());
            throttle.follow(null); // a sample without the job, for a moment
            throttle.limitProperty().set(50_000_000);
            ui.drain();
            throttle.follow(job.progress()); // it shows again: the choice is applied, not undone
            ui.drain();
            assertThat(job.progress().throttle()).isEqualTo(50_000_000);
            assertThat(throttle.limit()).isEqualTo(50_000_000);

            throttle.ended(); // that copy finished; the user picks a limit for the next one
            throttle.limitProperty().set(1_000_000);
            job.setThrottle(7_000_000); // a copy started elsewhere with its own limit (job throttle, --throttle)
            throttle.follow(job.progress());
            ui.drain();
            assertThat(throttle.limit()).as("the job's own limit shows").isEqualTo(7_000_000);
            assertThat(job.progress().throttle()).as("and is not overwritten").isEqualTo(7_000_000);
        }
    }

    @Test
    void theJobsRowAndThePairConsoleShowAndSetTheSameLimit() throws Exception {
        Pool pool = establishing();
        try (PoolBridge bridge = new PoolBridge(pool, new CurrentThreadTaskExecutor(), ui)) {
            ActionStatus status = new ActionStatus();
            JobsViewModel jobs = new JobsViewModel(bridge, status);
            PairConsoleViewModel console = new PairConsoleViewModel(bridge, status, new Expectations(), PAIR);
            bridge.onSnapshot(jobs::apply);
            bridge.onPairs(console::apply);
            refresh(bridge);
            JobRow row = jobs.rows().get(0);
            assertThat(row.limitProperty().get()).isEqualTo(5_000_000);
            assertThat(console.copy().throttleProperty().get()).isEqualTo(5_000_000);

            row.limitProperty().set(10_000_000); // the Jobs row
            refresh(bridge);
            assertThat(console.copy().throttleProperty().get()).isEqualTo(10_000_000);

            console.copy().throttleProperty().set(50_000_000); // the console's slider
            refresh(bridge);
            assertThat(row.limitProperty().get()).isEqualTo(50_000_000);
            assertThat(pool.job("establish-" + PAIR).progress().throttle()).isEqualTo(50_000_000);
        }
    }

    private void refresh(PoolBridge bridge) {
        bridge.refresh();
        ui.drain();
    }

    @Test
    void aLimitSetWithJobThrottleFromAShellShowsInTheConsoleWithinASecond() throws Exception {
        Path dir = TestPools.demo(tmp, TestPools.PAIR_DRIVE_SIZE);
        try (PoolBridge bridge = PoolBridge.open(dir, new CurrentThreadTaskExecutor(), ui)) {
            ActionStatus status = new ActionStatus();
            PairConsoleViewModel console = new PairConsoleViewModel(bridge, status, new Expectations(), PAIR);
            bridge.onPairs(console::apply);
            bridge.start();
            assertThat(TestPools.await(Duration.ofSeconds(20), ui::drain, () -> console.splitBlockedProperty().get().isEmpty()))
                    .isTrue();
            console.split();
            assertThat(TestPools.await(Duration.ofSeconds(20), ui::drain, () -> console.establishBlockedProperty().get()
                    .isEmpty())).as(console.establishBlockedProperty().get()).isTrue();
            // a full establish at 1 MB/s: the 64 MiB copy outlives the test
            console.fullProperty().set(true);
            console.copy().throttleProperty().set(1_000_000);
            console.establish();
            ui.drain();
            assertThat(TestPools.await(Duration.ofSeconds(20), ui::drain, () -> console.copy().runningProperty().get()))
                    .as("the establish shows as running").isTrue();
            assertThat(console.copy().throttleProperty().get()).isEqualTo(1_000_000);

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Splitpoint.run(new String[] {"job", "throttle", dir.toString(), "establish-" + PAIR, "2"},
                    new PrintWriter(out, true), new PrintWriter(err, true));
            assertThat(code).as(err.toString()).isZero();
            long asked = System.nanoTime();
            assertThat(TestPools.await(Duration.ofSeconds(10), ui::drain,
                    () -> console.copy().throttleProperty().get() == 2_000_000)).isTrue();
            // the bridge's refresh period is 500 ms: the change shows at the next one (a loaded box may lag it)
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(5));
        }
    }
}
