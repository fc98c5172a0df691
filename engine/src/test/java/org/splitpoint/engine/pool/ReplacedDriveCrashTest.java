package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;

/**
 * A drive replaced during a service window holds nothing of the volume: its return rebuilds it
 * whole (in a REPOSITORY window, after the repository's replay). A power cut in the window or in
 * the return must not let its blank image count as the drive's data: not in the recovery at open,
 * which took the drive as holding every track its delta does not name and resynced the crash's
 * dirty tracks from it (their parity recomputed from its zeros, every mode), and not when a
 * repository return resumes (it took the drive for current once the replay ended, the samples no
 * longer telling, as the replay had written it).
 *
 * <p>The run: d2 of a RAID 5 goes OFFLINE for replacement, hosts write, the pool is closed and d2's
 * image swapped for a blank one (the new drive); then, under the injector, host writers in the
 * window, {@code drive online} with host writers beside its return, the whole rebuild, and a close.
 * Reopened after the cut and finished: every acknowledged write reads back, d2 is ONLINE, the
 * members agree. Per mode, cuts at the first 20 write indexes and 20 spread over the rest, two
 * seeds each; every index with {@code -Dsplitpoint.longTests=true};
 * {@code -Dreplacement.only=MODE:CUT:SEED} runs one.
 */
class ReplacedDriveCrashTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    private byte[] expected;

    /** The volume's layout over d1..d3, and the drive replaced (RAID 3's d3: its parity drive). */
    private Layout layout = Layout.RAID5;
    private String drive = "d2";

    private Path template(LogMode mode) throws Exception {
        Path dir = TestPools.create(tmp.resolve("template"), layout, 3, DRIVE, TRACK);
        try (Pool pool = Pool.open(dir)) {
            pool.admin().addDrive(2 * DRIVE); // the repository's SPARE
            expected = new byte[(int) pool.volume("v").size()];
            new Random(5).nextBytes(expected);
            pool.device("v").write(0, ByteBuffer.wrap(expected));
            Job steps = pool.service().offline(drive, OfflineReason.REPLACEMENT, mode);
            if (steps != null) {
                steps.await(10_000);
            }
            BackupTest.randomWrites(pool, expected, new Random(6), 20); // in the window: the repository takes them
        }
        // the drive is replaced: a new, blank one in its place
        Path image = dir.resolve("drives").resolve(drive + ".img");
        Files.delete(image);
        try (var ch = java.nio.channels.FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1), DRIVE - 1);
        }
        return dir;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"repository, RAID5, d2", "data, RAID5, d2", "pointers, RAID5, d2",
            "repository, RAID3, d3", "pointers, RAID3, d3"}) // RAID 3's d3: its parity drive
    void aPowerCutInTheWindowOrTheReturnOfAReplacedDriveNeverTakesItsBlankImageForData(String modeWord, Layout layout,
                                                                                       String drive) throws Exception {
        this.layout = layout;
        this.drive = drive;
        Path template = template(LogMode.parse(modeWord));
        String only = System.getProperty("replacement.only", ""); // "MODE:CUT:SEED" runs one cut
        if (!only.isEmpty()) {
            String[] a = only.split(":");
            if (a[0].equals(modeWord)) {
                run(template, tmp.resolve("only"), Long.parseLong(a[1]), Long.parseLong(a[2]));
            }
            return;
        }
        long total = run(template, tmp.resolve("count"), 0, 1);
        boolean all = Boolean.getBoolean("splitpoint.longTests");
        int points = all ? (int) total + 2 : "true".equals(System.getenv("CI")) ? 16 : 40;
        System.out.println("ReplacedDriveCrashTest " + modeWord + " " + layout + " " + drive + ": a run writes " + total + " times; cutting at " + points
                + " of them, 2 seeds each");
        for (int i = 1; i <= points; i++) {
            // the first writes densely (the window's writes, the return's start), then spread over the rest
            long cut = all || i <= points / 2 ? i : Math.max(1, total * i / points - (i % 3));
            for (int seed = 1; seed <= 2; seed++) {
                run(template, tmp.resolve("cut-" + cut + "-" + seed), cut, cut * 10 + seed);
            }
        }
    }

    /**
     * No crash: the return of the replaced drive fails part way (the repository cannot be read once
     * the replay wrote some of the drive), and the window takes new samples of the drive as the
     * return left it; the next {@code drive online} must still rebuild it whole (those samples now
     * match a drive that is mostly blank).
     */
    @Test
    void aReplacedDriveWhoseReturnFailedIsStillRebuiltWholeAtTheNextReturn() throws Exception {
        Path template = template(LogMode.REPOSITORY);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(template, inj)) {
            // the repository's 8th read from now fails: the replay has written some pieces by then
            inj.eio(p -> p.endsWith("d4.img"), FaultInjector.Op.READ, FaultInjector.Mode.NTH, 8, 1);
            Job back = pool.service().online("d2");
            assertThat(back.await(30_000)).isTrue();
            assertThat(back.state()).isEqualTo(org.splitpoint.engine.job.JobState.FAILED);
            assertThat(pool.snapshot().drive("d2").state()).isEqualTo(DriveState.OFFLINE);
            Job again = pool.service().online("d2");
            assertThat(again.await(30_000)).isTrue();
            pool.awaitJobs(null);
            CutRuns.assertWholeWithD2(pool, expected, "the second return");
        }
    }

    private long run(Path template, Path runDir, long cut, long seed) throws Exception {
        Path dir = runDir.resolve("pool");
        TestPools.copyDir(template, dir);
        FaultInjector inj = CutRuns.injector(cut, seed);
        HostWriters w = new HostWriters(2, TRACK, expected);
        String what = layout + " " + drive + " cut " + cut + " seed " + seed;
        Pool pool = null;
        try {
            pool = Pool.open(dir, inj);
            w.start(pool, seed, 6, inj::isCut); // in the window, with the new drive in place
            w.join();
            w.returnBeside(pool, drive, seed + 1, 8, inj::isCut);
            pool.awaitJobs(null); // and the whole rebuild that follows the replay
            w.closed(pool);
            pool = null;
        } catch (Exception e) {
            CutRuns.cutOrFail(inj, e, what);
        }
        long writes = CutRuns.crash(inj, w, pool, what);
        if (cut > 0) {
            try (Pool p = Pool.open(dir)) {
                ServiceCrashTest.bringBack(p, drive, what);
                assertThat(w.model.check(TestPools.readAll(p.volume("v")))).as(what + ": with " + drive + " back").isNull();
                assertThat(p.admin().verify("v", false, null)).as(what + ": the members agree").isZero();
            }
        }
        TestPools.deleteDir(runDir);
        return writes;
    }
}
