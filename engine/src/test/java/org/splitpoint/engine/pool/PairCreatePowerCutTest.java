package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;

/**
 * A power cut at every write of a 'pair create' followed by host writes: the pool opens, the STD
 * holds every acknowledged write, and a pair on record establishes into a BCV equal to its STD
 * (pool.json records the pair before hosts go through it).
 */
class PairCreatePowerCutTest {

    private static final long DRIVE = 2L << 20;
    private static final int TRACK = 64 * 1024;

    @TempDir
    Path tmp;

    @Test
    void aPairCreateCutAtAnyWriteLosesNoWriteAndEstablishesWhole() throws Exception {
        Path template = UnrecordedAdminTest.blankPool(tmp.resolve("template"), 4, DRIVE);
        try (Pool p = Pool.open(template)) {
            p.admin().createVolume("a", Layout.RAID1, List.of("d1", "d2"), 0);
            p.admin().createVolume("b", Layout.RAID1, List.of("d3", "d4"), 0);
            p.volume("a").write(0, ByteBuffer.wrap(TestPools.filled((int) DRIVE, 0x11)));
            p.volume("b").write(0, ByteBuffer.wrap(TestPools.filled((int) DRIVE, 0x22)));
        }
        byte[] expected = TestPools.filled((int) DRIVE, 0x11);
        System.arraycopy(TestPools.filled(TRACK, 0x33), 0, expected, 3 * TRACK, TRACK);
        BackupTest.atEveryWriteIndex(2, (cut, seed) -> {
            String what = "cut " + cut + " seed " + seed;
            Path dir = tmp.resolve("run-" + cut + "-" + seed);
            TestPools.copyDir(template, dir);
            FaultInjector inj = CutRuns.injector(cut, seed);
            Pool p = null;
            boolean acknowledged = false;
            try {
                p = Pool.open(dir, inj);
                p.pairs().create("pr", "a", "b");
                p.device("a").write(3 * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x33)));
                p.device("a").flush();
                acknowledged = true;
            } catch (Exception e) {
                CutRuns.cutOrFail(inj, e, what);
            }
            long writes = CutRuns.crash(inj, p);
            try (Pool q = Pool.open(dir, StorageFactory.real())) {
                byte[] a = TestPools.readAll(q.volume("a"));
                if (acknowledged) {
                    TestPools.assertSameBytes(a, expected, what + ": the STD");
                }
                if (!q.pairs().query(null).isEmpty()) {
                    Job j = q.pairs().establish("pr", false);
                    assertThat(j.await(60_000)).as(what).isTrue();
                    TestPools.assertSameBytes(TestPools.readAll(q.volume("b")), a, what + ": the BCV after establish");
                }
            }
            TestPools.deleteDir(dir);
            return writes;
        });
    }
}
