package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A power cut after every write index of a scripted scenario (writes and zeroings, fail, degraded
 * writes, replace, rebuild, writes), with the last unflushed write torn at 512 B and at 4 KiB. Reopening
 * must recover: every write acknowledged by a flush reads back, and verify finds 0 mismatches.
 */
class PowerCutTest {

    @TempDir
    Path tmp;

    /** What the scenario has done: the durable model and the ranges written since the last flush. */
    private static final class Model {
        byte[] current;
        byte[] durable;
        final List<long[]> unacked = new ArrayList<>();

        Model(int size) {
            current = new byte[size];
            durable = new byte[size];
        }

        void flushed() {
            durable = current.clone();
            unacked.clear();
        }

        boolean acknowledged(int i) {
            for (long[] r : unacked) {
                if (i >= r[0] && i < r[1]) {
                    return false;
                }
            }
            return true;
        }
    }

    private static void scenario(Pool pool, Model m, long seed) throws Exception {
        RaidVolume v = pool.volume("v");
        Random rnd = new Random(seed);
        for (int step = 0; step < 14; step++) {
            if (step == 4) {
                pool.admin().failDrive("d2");
            }
            if (step == 9) {
                Job job = pool.admin().replaceDrive("d2");
                job.await(30_000);
            }
            int len = 1 + rnd.nextInt(step % 3 == 0 ? 40_000 : 5000);
            int off = rnd.nextInt(m.current.length - len);
            byte[] data = new byte[len];
            m.unacked.add(new long[] {off, off + len});
            if (step % 5 == 2) {
                // a zeroing, before the failure, degraded and after the rebuild: acknowledged like a write
                v.writeZeroes(off, len, step != 7);
            } else {
                rnd.nextBytes(data);
                v.write(off, ByteBuffer.wrap(data));
            }
            System.arraycopy(data, 0, m.current, off, len);
            if (step % 2 == 1) {
                v.flush();
                m.flushed();
            }
        }
        v.flush();
        m.flushed();
    }

    @ParameterizedTest(name = "{0} over {1} drives, tear {2} B")
    @CsvSource({"RAID1, 2, 512", "RAID1, 2, 4096", "RAID3, 3, 512", "RAID3, 3, 4096",
            "RAID5, 4, 512", "RAID5, 4, 4096"})
    void everyAcknowledgedWriteSurvivesAPowerCutAtAnyWrite(Layout layout, int drives, int tear) throws Exception {
        Path template = tmp.resolve("template");
        TestPools.create(template, layout, drives, 1 << 20, 4096);
        long total = countWrites(template, layout);
        assertThat(total).isGreaterThan(20);
        for (long cutAt = 1; cutAt <= total; cutAt++) {
            Path dir = tmp.resolve("cut-" + cutAt);
            TestPools.copyDir(template, dir);
            FaultInjector inj = new FaultInjector(StorageFactory.real())
                    .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"))
                    .powerCutAfterWrite(cutAt, tear, cutAt);
            Model m = new Model((int) TestPools.readAllSize(template));
            Pool pool = null;
            try {
                pool = Pool.open(dir, inj); // opening writes too (a new journal epoch): the cut may fall there
                scenario(pool, m, 42);
            } catch (Exception expected) {
                // the power went out somewhere inside the scenario
            }
            inj.crash();
            if (pool != null) {
                pool.abandon();
            }
            try (Pool reopened = Pool.open(dir)) {
                reopened.awaitJobs(null);
                RaidVolume v = reopened.volume("v");
                byte[] got = TestPools.readAll(v);
                for (int i = 0; i < got.length; i++) {
                    if (m.acknowledged(i) && got[i] != m.durable[i]) {
                        throw new AssertionError("cut after write " + cutAt + " of " + total + ": byte " + i
                                + " is " + got[i] + ", acknowledged " + m.durable[i]);
                    }
                }
                if (VolumeRules.verify(reopened.snapshot(), "v") == null) { // with d2 failed there is nothing to compare
                    assertThat(reopened.admin().verify("v", false, null)).as("mismatches after cut %d", cutAt).isZero();
                }
            }
            TestPools.deleteDir(dir);
        }
    }

    private long countWrites(Path template, Layout layout) throws Exception {
        Path dir = tmp.resolve("count");
        TestPools.copyDir(template, dir);
        FaultInjector inj = new FaultInjector(StorageFactory.real())
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"))
                .powerCutAfterWrite(0, 0, 0);
        Pool pool = Pool.open(dir, inj);
        Model m = new Model((int) TestPools.readAllSize(template));
        scenario(pool, m, 42);
        long n = inj.writeCount();
        inj.crash();
        pool.abandon();
        TestPools.deleteDir(dir);
        return n;
    }
}
