package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * The power goes at write indexes spread over a whole service window and the drive's return:
 * offline, host writers (three threads, writing, reading and flushing), a clean close and a
 * reopen inside the window, more writes, {@code drive online} with its resync on its own thread
 * while the writers go on, and a close. Unforced writes land or not, and directory entries not
 * synced are lost (the injector). Reopened and finished, every acknowledged write reads back and
 * the members agree (verify finds nothing), whether the cut left the pool in the window, in the
 * resync, or after it; and the reopening never takes the log's torn tail for damage (no note of a
 * log damaged or cut short).
 *
 * <p>{@code -Dsplitpoint.longTests=true} cuts at every write index; {@code -Dservice.only=MODE:CUT:SEED}
 * runs one cut.
 */
@QuickServiceSteps
class ServiceCrashTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;
    private static final int WRITERS = 3;

    @TempDir
    Path tmp;

    private byte[] template(Path dir, Layout layout, long seed) throws Exception {
        TestPools.create(dir, layout, layout == Layout.RAID1 ? 2 : 3, DRIVE, TRACK);
        try (Pool pool = Pool.open(dir)) {
            pool.admin().addDrive(2 * DRIVE); // a SPARE a repository window may take
            byte[] image = new byte[(int) pool.volume("v").size()];
            new Random(seed).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
            return image;
        }
    }

    @ParameterizedTest(name = "{0} {1}, {2} OFFLINE")
    @CsvSource({"RAID5, pointers, d2", "RAID5, data, d2", "RAID5, repository, d2", "RAID1, pointers, d2", "RAID3, data, d2",
            "RAID3, pointers, d3", "RAID3, data, d3", "RAID3, repository, d3"}) // RAID 3's d3: its parity drive
    void aPowerCutAnywhereInAServiceWindowLosesNothingAcknowledged(Layout layout, String modeWord, String drive) throws Exception {
        String cases = System.getProperty("service.cases", ""); // "RAID3/data/d3,..." runs those rows alone
        if (!cases.isEmpty() && !Arrays.asList(cases.split(",")).contains(layout + "/" + modeWord + "/" + drive)) {
            return;
        }
        LogMode mode = LogMode.parse(modeWord);
        Path template = tmp.resolve("template");
        byte[] image = template(template, layout, 5);
        String only = System.getProperty("service.only", "");
        if (only.startsWith(modeWord + ":")) {
            String[] a = only.split(":");
            run(template, image, mode, drive, tmp.resolve("only"), Long.parseLong(a[1]), Long.parseLong(a[2]));
            return;
        } else if (!only.isEmpty()) {
            return;
        }
        String range = System.getProperty("service.range", ""); // "MODE:FROM:TO" runs those cuts, 4 seeds each
        if (range.startsWith(modeWord + ":")) {
            String[] a = range.split(":");
            for (long cut = Long.parseLong(a[1]); cut <= Long.parseLong(a[2]); cut++) {
                for (int seed = 1; seed <= 4; seed++) {
                    run(template, image, mode, drive, tmp.resolve("cut-" + cut + "-" + seed), cut, cut * 10 + seed);
                }
            }
            return;
        } else if (!range.isEmpty()) {
            return;
        }
        long total = run(template, image, mode, drive, tmp.resolve("count"), 0, 1);
        assertThat(total).isGreaterThan(20);
        boolean all = Boolean.getBoolean("splitpoint.longTests");
        boolean quick = "true".equals(System.getenv("CI")) || !"d2".equals(drive); // the parity drive's rows: 40 s, not 60
        int points = all ? (int) total : quick ? 24 : 50;
        for (int i = 1; i <= points; i++) {
            long cut = all ? i : Math.max(1, total * i / points);
            for (int seed = 1; seed <= 2; seed++) {
                run(template, image, mode, drive, tmp.resolve("cut-" + cut + "-" + seed), cut, cut * 10 + seed);
            }
        }
    }

    /** One run, cut after write {@code cut} (0: none, counting); returns the writes it made. */
    private long run(Path template, byte[] image, LogMode mode, String drive, Path runDir, long cut, long seed) throws Exception {
        Path dir = runDir.resolve("pool");
        TestPools.copyDir(template, dir);
        FaultInjector inj = CutRuns.injector(cut, seed);
        HostWriters w = new HostWriters(WRITERS, TRACK, image);
        String what = drive + " " + mode.word() + " cut " + cut + " seed " + seed;
        Pool pool = null;
        try {
            pool = Pool.open(dir, inj);
            pool.service().offline(drive, OfflineReason.RESET, mode);
            w.start(pool, seed, 12, inj::isCut);
            w.join();
            w.closed(pool); // inside the window
            pool = Pool.open(dir, inj);
            assertThat(pool.snapshot().drive(drive).state()).as(what).isEqualTo(DriveState.OFFLINE);
            w.start(pool, seed + 1, 10, inj::isCut);
            w.join();
            for (Job j : pool.jobs()) {
                j.await(10_000); // the reset step
            }
            w.returnBeside(pool, drive, seed + 2, 12, inj::isCut);
            w.closed(pool);
            pool = null;
        } catch (Exception e) {
            CutRuns.cutOrFail(inj, e, what);
        }
        long writes = CutRuns.crash(inj, w, pool, what);
        check(dir, drive, w, what);
        TestPools.deleteDir(runDir);
        return writes;
    }

    /**
     * After a reopen: the drive's return resumed (or started, when the cut left it in its window) and
     * finished, with any rebuild that follows it; the drive is ONLINE.
     */
    static void bringBack(Pool pool, String drive, String what) throws Exception {
        pool.awaitJobs(null);
        var d = pool.snapshot().drive(drive);
        if (d.service() != null && "window".equals(d.service().phase())) {
            Job j = pool.service().online(drive);
            assertThat(j.await(30_000)).isTrue();
            assertThat(j.state()).as(what + ": " + j.progress().message()).isEqualTo(JobState.DONE);
            pool.awaitJobs(null);
        }
        assertThat(pool.snapshot().drive(drive).state()).as(what).isEqualTo(DriveState.ONLINE);
    }

    /** Reopened: the acknowledged writes read back, in the window and after the drive is back. */
    static void check(Path dir, HostWriters w, String what) throws Exception {
        check(dir, "d2", w, what);
    }

    static void check(Path dir, String drive, HostWriters w, String what) throws Exception {
        try (Pool pool = Pool.open(dir)) {
            // a power cut tears a log's tail, never what its flushes acknowledged: taken for damage, the
            // open would log every track of the window again at every crash (RingLog's forced marks)
            assertThat(pool.openNotes()).as(what + ": a power cut is not damage").noneMatch(n -> n.contains("damaged or cut short"));
            assertThat(w.model.check(TestPools.readAll(pool.volume("v")))).as(what + ": after reopening").isNull();
            bringBack(pool, drive, what);
            assertThat(pool.volume("v").state()).as(what).isEqualTo(VolumeState.OPTIMAL);
            assertThat(w.model.check(TestPools.readAll(pool.volume("v")))).as(what + ": with the drive back").isNull();
            assertThat(pool.admin().verify("v", false, null)).as(what + ": the members agree").isZero();
        }
    }
}
