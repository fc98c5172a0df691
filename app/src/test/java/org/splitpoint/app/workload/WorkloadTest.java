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
            Workload w = new Workload("prod", pool::device, e, mix(50));
            steps(w, 400);
            e.change(Expectations.Change.SPLIT, "prod", "prod-bcv", () -> {
                pool.pairs().split(List.of("prod-pair"));
                return null;
            });
            steps(w, 800); // these writes are undone by the restore: the workload must expect the BCV's image
            Job job = e.change(Expectations.Change.RESTORE_PROTECTED, "prod", "prod-bcv", () -> {
                Job j = pool.pairs().restore("prod-pair", false, true);
                j.setThrottle(2_000_000);
                return j;
            });
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
            e.observe(pool.pairs().query(null)); // found Synchronized: both sides share expectations
            Workload std = new Workload("prod", pool::device, e, mix(40));
            Workload bcv = new Workload("prod-bcv", pool::device, e, mix(40));
            steps(std, 300);
            steps(bcv, 100); // reads only succeed: the established BCV refuses writes
            assertThat(bcv.stats().refused()).isPositive();
            e.change(Expectations.Change.SPLIT, "prod", "prod-bcv", () -> {
                pool.pairs().split(List.of("prod-pair"));
                return null;
            });
            steps(std, 300);
            steps(bcv, 300);
            Job job = e.change(Expectations.Change.ESTABLISH, "prod", "prod-bcv",
                    () -> pool.pairs().establish("prod-pair", false));
            job.await(30_000);
            e.observe(pool.pairs().query(null));
            steps(bcv, 300);

            assertThat(std.stats().errors()).as(std.stats().lastProblem()).isZero();
            assertThat(bcv.stats().errors()).as(bcv.stats().lastProblem()).isZero();
            assertThat(bcv.stats().verifiedBlocks()).isGreaterThan(100);
        }
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
