package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;

/**
 * A repository on a SPARE is cleaned as it fills (DeltaLog: its oldest records' live pieces
 * appended again, forced, then the ring's tail moved past them) while host writers go on. The
 * power goes at write indexes spread over two openings of the window, the second with the drive's
 * return beside the writers; unforced writes land or not, torn for odd seeds, and directory
 * entries not synced are lost (the injector). Reopened, every acknowledged write reads back in the
 * window, and again once the return gave the drive back; the members agree.
 *
 * <p>The SPARE starts with 704 KiB of records of its 1 MiB: two live 64 KiB ranges first (the first
 * cleaning copies them forward), then one range written 9 times (dead but its last), so the
 * writers' records make it clean from the first opening on; every cut of its first 40 writes is
 * run with 4 seeds (the first cleaning is there). {@code -Dsplitpoint.longTests=true}
 * cuts at every write index, with more seeds; {@code -Dcleaning.only=CUT:SEED} runs one cut.
 */
@QuickServiceSteps
class SpareCleaningCrashTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;
    private static final int WRITERS = 3;

    @TempDir
    Path tmp;

    private byte[] template(Path dir) throws Exception {
        TestPools.create(dir, Layout.RAID5, 3, DRIVE, TRACK);
        try (Pool pool = Pool.open(dir)) {
            pool.admin().addDrive(DRIVE);
            byte[] image = new byte[(int) pool.volume("v").size()];
            new Random(5).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
            pool.service().offline("d2", OfflineReason.RESET, LogMode.REPOSITORY);
            pool.awaitJobs(null);
            assertThat(pool.snapshot().drive("d2").service().repository()).isEqualTo("d4");
            Random r = new Random(6);
            for (int i = 0; i < 11; i++) { // the SPARE's oldest records live (copied forward), then dead ones
                byte[] d = new byte[64 * 1024];
                r.nextBytes(d);
                int at = (i < 2 ? 8 + i : 4) * 64 * 1024;
                pool.device("v").write(at, ByteBuffer.wrap(d));
                System.arraycopy(d, 0, image, at, d.length);
                pool.device("v").flush();
            }
            assertThat(pool.windows.get("v").log.segmentCount()).as("the SPARE alone").isEqualTo(1);
            return image;
        }
    }

    @Test
    void aPowerCutAnywhereWhileTheSpareIsCleanedLosesNothingAcknowledged() throws Exception {
        Path template = tmp.resolve("template");
        byte[] image = template(template);
        String only = System.getProperty("cleaning.only", "");
        if (!only.isEmpty()) {
            String[] a = only.split(":");
            run(template, image, tmp.resolve("only"), Long.parseLong(a[0]), Long.parseLong(a[1]), new AtomicLong());
            return;
        }
        AtomicLong cleaned = new AtomicLong();
        long total = run(template, image, tmp.resolve("count"), 0, 1, cleaned);
        assertThat(cleaned.get()).as("records cleaned in the counting run").isPositive();
        boolean all = Boolean.getBoolean("splitpoint.longTests");
        int points = all ? (int) total : 30;
        int seeds = all ? 4 : 2;
        for (int i = 1; i <= points; i++) {
            long cut = all ? i : Math.max(1, total * i / points);
            for (int seed = 1; seed <= seeds; seed++) {
                run(template, image, tmp.resolve("cut-" + cut + "-" + seed), cut, cut * 10 + seed, new AtomicLong());
            }
        }
        if (!all) { // every cut of the first opening's first writes, where its first cleaning copies, forces and retires
            for (long cut = 1; cut <= 40; cut++) {
                for (int seed = 1; seed <= 4; seed++) {
                    run(template, image, tmp.resolve("early-" + cut + "-" + seed), cut, cut * 10 + seed, new AtomicLong());
                }
            }
        }
    }

    /** One run, cut after write {@code cut} (0: none, counting); returns the writes it made. */
    private long run(Path template, byte[] image, Path runDir, long cut, long seed, AtomicLong cleaned) throws Exception {
        Path dir = runDir.resolve("pool");
        TestPools.copyDir(template, dir);
        FaultInjector inj = CutRuns.injector(cut, seed);
        HostWriters w = new HostWriters(WRITERS, TRACK, image);
        String what = "cut " + cut + " seed " + seed;
        Pool pool = null;
        try {
            pool = Pool.open(dir, inj);
            w.start(pool, seed, 12, inj::isCut);
            w.join();
            cleaned.addAndGet(pool.windows.get("v").log.cleanedRecords());
            w.closed(pool); // inside the window
            pool = Pool.open(dir, inj);
            assertThat(pool.snapshot().drive("d2").state()).as(what).isEqualTo(DriveState.OFFLINE);
            w.start(pool, seed + 1, 12, inj::isCut);
            w.join();
            cleaned.addAndGet(pool.windows.get("v").log.cleanedRecords());
            w.returnBeside(pool, seed + 2, 8, inj::isCut);
            w.closed(pool);
            pool = null;
        } catch (Exception e) {
            CutRuns.cutOrFail(inj, e, what);
        }
        long writes = CutRuns.crash(inj, w, pool, what);
        ServiceCrashTest.check(dir, w, what);
        TestPools.deleteDir(runDir);
        return writes;
    }
}
