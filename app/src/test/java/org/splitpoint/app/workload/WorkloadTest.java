package org.splitpoint.app.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Pool;

/** The verifying host workload across split, restore and establish: nothing is lost, and a lost write is caught. */
class WorkloadTest {

    @TempDir
    Path tmp;

    private static WorkloadSettings mix(int readPercent) {
        return new WorkloadSettings(readPercent, 16 << 10, 0, true, true);
    }

    private static void steps(Workload w, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            w.step();
        }
    }

    @Test
    void aProtectedRestoreUnderLoadLosesNothing() throws Exception {
        try (Pool pool = Pool.open(TestPools.demo(tmp, TestPools.PAIR_DRIVE_SIZE))) {
            Expectations e = new Expectations();
            pool.pairs().guard(e);
            Workload w = new Workload("prod", pool::device, e, mix(50));
            steps(w, 400);
            pool.pairs().split(List.of("prod-pair"));
            steps(w, 800); // these writes are undone by the restore: the workload must expect the BCV's image
            Job job = pool.pairs().restore("prod-pair", false, true, 2_000_000);
            while (!job.state().isFinished()) {
                steps(w, 20);
            }
            steps(w, 400);

            WorkloadStats s = w.stats();
            assertThat(s.errors()).as(s.lastProblem()).isZero();
            assertThat(s.verifiedBlocks()).isGreaterThan(200);
            assertThat(pool.pairs().get("prod-pair").onDemandReads()).as("reads hit unrestored tracks").isPositive();
            assertThat(s.verifyLine()).matches("verified [\\d,]+ blocks, 0 errors");
        }
    }

    @Test
    void theSplitBcvKeepsItsImageAndAnEstablishBringsTheStdsBack() throws Exception {
        try (Pool pool = Pool.open(TestPools.demo(tmp))) {
            Expectations e = new Expectations();
            pool.pairs().guard(e);
            e.observe(pool.pairs().query(null)); // found Synchronized: both sides share expectations
            Workload std = new Workload("prod", pool::device, e, mix(40));
            Workload bcv = new Workload("prod-bcv", pool::device, e, mix(40));
            steps(std, 300);
            steps(bcv, 100); // reads only succeed: the established BCV refuses writes
            assertThat(bcv.stats().refused()).isPositive();
            pool.pairs().split(List.of("prod-pair"));
            steps(std, 300);
            steps(bcv, 300);
            Job job = pool.pairs().establish("prod-pair", false);
            job.await(30_000);
            e.observe(pool.pairs().query(null));
            steps(bcv, 300);

            assertThat(std.stats().errors()).as(std.stats().lastProblem()).isZero();
            assertThat(bcv.stats().errors()).as(bcv.stats().lastProblem()).isZero();
            assertThat(bcv.stats().verifiedBlocks()).isGreaterThan(100);
        }
    }

    /**
     * Defect 1 of issue 13: a split and a protected restore the workload did not start (the CLI
     * forwarded to the app, another thread) while it runs on its own thread: 0 errors.
     */
    @Test
    void aSplitAndProtectedRestoreFromElsewhereUnderRunningLoadLoseNothing() throws Exception {
        try (Pool pool = Pool.open(TestPools.demo(tmp, TestPools.PAIR_DRIVE_SIZE))) {
            Expectations e = new Expectations();
            pool.pairs().guard(e);
            e.observe(pool.pairs().query(null));
            Workload w = new Workload("prod", pool::device, e, new WorkloadSettings(50, 16 << 10, 8_000_000, true, true));
            w.start();
            try {
                awaitWrites(w, 300);
                Thread other = new Thread(() -> {
                    try {
                        pool.pairs().split(List.of("prod-pair")); // as `pair split POOL prod-pair` does in the holder
                    } catch (Exception x) {
                        throw new AssertionError(x);
                    }
                });
                other.start();
                other.join();
                awaitWrites(w, w.stats().writes() + 300);
                Job job = pool.pairs().restore("prod-pair", false, true, 4_000_000);
                job.await(60_000);
                awaitWrites(w, w.stats().writes() + 300);
            } finally {
                w.stop();
            }
            WorkloadStats s = w.stats();
            assertThat(s.errors()).as(s.lastProblem()).isZero();
            assertThat(s.verifiedBlocks()).isGreaterThan(300);
        }
    }

    /** The same flow without the guard is what the defect showed: the restore undoes writes the workload still expects. */
    @Test
    void aRestoreTheExpectationsDoNotFollowIsCaught() throws Exception {
        try (Pool pool = Pool.open(TestPools.demo(tmp))) {
            Expectations e = new Expectations();
            e.observe(pool.pairs().query(null));
            Workload w = new Workload("prod", pool::device, e, mix(50));
            steps(w, 200);
            pool.pairs().split(List.of("prod-pair"));
            steps(w, 400);
            pool.pairs().restore("prod-pair", false, true).await(30_000);
            steps(w, 400);
            assertThat(w.stats().errors()).isPositive();
        }
    }

    private static void awaitWrites(Workload w, long writes) throws InterruptedException {
        assertThat(TestPools.await(java.time.Duration.ofSeconds(60), () -> { },
                () -> w.stats().writes() >= writes)).as("the workload wrote " + writes + " blocks").isTrue();
    }

    @Test
    void aWriteLostBehindTheWorkloadsBackIsCounted() throws Exception {
        try (Pool pool = Pool.open(TestPools.demo(tmp))) {
            Expectations e = new Expectations();
            Workload writer = new Workload("prod", pool::device, e, new WorkloadSettings(0, 4 << 20, 0, false, true));
            writer.step(); // one write of the first 4 MiB
            pool.device("prod").write(4096, ByteBuffer.allocate(4096)); // a block silently zeroed
            Workload reader = new Workload("prod", pool::device, e, new WorkloadSettings(100, 4 << 20, 0, false, true));
            reader.step();

            assertThat(reader.stats().errors()).isEqualTo(1);
            assertThat(reader.stats().lastProblem())
                    .isEqualTo("the block at 4096 holds no workload stamp (expected generation 1)");
        }
    }
}
