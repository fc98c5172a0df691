package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;

/**
 * A data window's forced marks (RingLog) across several openings cut one after the other, with
 * its log compacting whenever a flush finds it due (a new generation, its '.next' renamed over the
 * log, the directory entry lost unless synced): no power cut may be taken for damage. Each run:
 * three openings, each open (the first takes d2 OFFLINE logging by data), three host writers
 * (writes, zeroings, flushes, exact read-backs), a clean close (the close's mark), a reopen that
 * must say nothing of damage and read as the acknowledged writes allow, writers again, and the
 * power cut at a random write index of that opening (unforced writes land or not, torn for odd
 * seeds, unsynced names lost). At the end d2 returns (ServiceCrashTest.check: no damage said,
 * every acknowledged write kept, the members agree). ServiceLogTornTailTest cuts every index of
 * one window without compaction; this one cuts again what a cut left, with compaction on.
 */
@QuickServiceSteps(compactOften = true)
class ServiceLogMarksCutAgainTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void cutAgainWithCompactionNeverTakesACutForDamage() throws Exception {
        Path template = tmp.resolve("template");
        TestPools.create(template, Layout.RAID5, 3, DRIVE, TRACK);
        byte[] image;
        try (Pool pool = Pool.open(template)) {
            image = new byte[(int) pool.volume("v").size()];
            new Random(11).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
        }
        CutRuns.multiCut("ServiceLogMarksCutAgainTest", "splitpoint.marksCutAgain", "", tmp, 3, 30, 120,
                (dir, cuts, seed) -> run(template, image, dir, cuts, seed));
    }

    private long[] run(Path template, byte[] image, Path runDir, long[] cuts, long seed) throws Exception {
        Path dir = runDir.resolve("pool");
        TestPools.copyDir(template, dir);
        AckOracle[] v = {new AckOracle(image)}; // the model of the session that wrote last
        long[] writes = new long[cuts.length];
        String name = "cuts " + java.util.Arrays.toString(cuts) + " seed " + seed;
        for (int k = 0; k < cuts.length; k++) {
            String what = name + " opening " + (k + 1);
            FaultInjector inj = CutRuns.injector(cuts[k], seed * 10 + k);
            Pool pool = null;
            try {
                pool = Pool.open(dir, inj);
                reopened(pool, v[0], what + " (open)");
                if (pool.snapshot().drive("d2").state() == DriveState.ONLINE) { // (a cut may come before it is on record)
                    pool.service().offline("d2", OfflineReason.RESET, LogMode.DATA);
                }
                session(pool, v, inj, seed * 100 + 2 * k, what);
                pool.close();
                v[0].allAcknowledged();
                pool = Pool.open(dir, inj);
                reopened(pool, v[0], what + " (reopen after a clean close)");
                session(pool, v, inj, seed * 100 + 2 * k + 1, what + " (after the clean close)");
            } catch (Exception e) {
                CutRuns.cutOrFail(inj, e, what);
            }
            writes[k] = CutRuns.cutAndCrash(inj, pool);
            v[0].crashed();
        }
        try (Pool pool = Pool.open(dir)) {
            reopened(pool, v[0], name + " finished");
            ServiceCrashTest.bringBack(pool, "d2", name);
            assertThat(pool.volume("v").state()).as(name).isEqualTo(VolumeState.OPTIMAL);
            assertThat(v[0].check(TestPools.readAll(pool.volume("v")))).as(name + ": with the drive back").isNull();
            assertThat(pool.admin().verify("v", false, null)).as(name + ": the members agree").isZero();
        }
        TestPools.deleteDir(runDir);
        return writes;
    }

    /** Three writers beside one another, their model taking over from the last one once v reads as it allows. */
    private static void session(Pool pool, AckOracle[] v, FaultInjector inj, long seed, String what) throws Exception {
        HostWriters w = new HostWriters(3, TRACK, TestPools.readAll(pool.volume("v")));
        assertThat(v[0].check(w.model.currentCopy())).as(what + ": v before the writers").isNull();
        v[0] = w.model;
        w.start(pool, seed, 20, inj::isCut);
        w.join();
        assertThat(w.failure.get()).as(what + ": the writers").isNull();
        if (inj.isCut()) {
            throw new java.io.IOException("cut"); // ends the opening: said by cutOrFail
        }
    }

    /** A reopening after a cut or a clean close: no damage said, the volume as the acknowledged writes allow. */
    private static void reopened(Pool pool, AckOracle v, String what) throws Exception {
        assertThat(pool.openNotes()).as(what + ": a power cut is not damage").noneMatch(n -> n.contains("damaged or cut short"));
        assertThat(v.check(TestPools.readAll(pool.volume("v")))).as(what).isNull();
    }
}
