package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.WritesLostException;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * Host writers on several threads, each writing its own tracks and flushing, while one member's
 * flush fails for want of space at a random moment (the kernel then drops that image's unforced
 * pages), then a power cut: after the reopen every track reads what its last acknowledged flush
 * covered, or something written later, never older, and the members agree. Two openings per run:
 * the first writes and closes cleanly, the second writes, loses its pages and is cut. A flush that
 * succeeded after the failed one (the defect MemberFlushNoSpaceTest pins) let the reopen's resync
 * copy a member's old bytes over an acknowledged write. Two more cases run a rebuild, and a
 * service window's return, beside the writers ({@code -Dsplitpoint.longTests=true}: 40 seeds per
 * layout each). For seeds 2 and 3 of every 4 the images also force themselves in the background as
 * RealStorage's do ({@link CutRuns#writesBackEarly}), so the failing force may be one of those,
 * its error owed to the image's next force.
 */
class MemberFlushNoSpaceCrashTest {

    @TempDir
    Path tmp;

    private static final int TRACK = ServicePools.TRACK;
    private static final int THREADS = 3;
    private static final int TRACKS_EACH = 10;
    private static final int WRITES_EACH = 30;
    private static final int BLOCK = 4096;

    static List<Object[]> runs() {
        return seeds(8);
    }

    /** Seeds 1..n of each layout. */
    private static List<Object[]> seeds(int n) {
        List<Object[]> out = new ArrayList<>();
        for (Layout layout : new Layout[] {Layout.RAID1, Layout.RAID3, Layout.RAID5}) {
            for (long seed = 1; seed <= n; seed++) {
                out.add(new Object[] {layout, seed});
            }
        }
        return out;
    }

    /** The first opening: every track written once ({@code durable} says so), closed cleanly. */
    private static void writtenOnce(Path dir, long[] durable) throws Exception {
        try (Pool first = Pool.open(dir)) {
            for (int k = 0; k < durable.length; k++) {
                first.volume("v").write((long) k * TRACK, ByteBuffer.wrap(track(1)));
                durable[k] = 1;
            }
        }
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("runs")
    void noTrackReadsOlderThanItsLastAcknowledgedFlush(Layout layout, long seed) throws Exception {
        Path dir = ServicePools.pool(tmp, "p" + seed, layout, 3);
        Random rnd = new Random(seed);
        long[] durable = new long[THREADS * TRACKS_EACH];
        writtenOnce(dir, durable);
        FaultInjector inj = CutRuns.writesBackEarly(new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, seed), seed);
        Pool p = Pool.open(dir, inj);
        RaidVolume v = p.volume("v");
        String lossy = "d" + (1 + rnd.nextInt(3));
        Path image = p.paths.image(lossy).toAbsolutePath();
        // late in the run, so that some tracks written before it are not written again after it
        int failAt = THREADS * WRITES_EACH - 3 - rnd.nextInt(THREADS * 6);
        boolean flushFailed = writeAndFlush(v, inj, image, failAt, rnd, durable, 0, false, false);
        assertFailedAndCounted(inj, v, flushFailed, layout + " seed " + seed);
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            checkAgainstAcknowledged(q, durable, layout + " seed " + seed + " (lost drive " + lossy + ")");
        }
    }

    /**
     * The scene's check that it tested something: the injected force failed, and the engine counted
     * the loss. Most often a host's flush fails on it; but a failed background write-back may be
     * counted first by a parity write's read of the strips it keeps (Member.settledLosses forces
     * the image then), and the next flush heals the lost writes from the other drives and rightly
     * succeeds: then no flush failed, and the member's count says the loss was seen (the CI of
     * 2026-12-07 failed RAID 5 seed 3 on "a flush failed" so; here RAID 5 seeds 3, 6 and 7 ran so in 9
     * of 40 runs of the class, every track checked good).
     */
    private static void assertFailedAndCounted(FaultInjector inj, RaidVolume v, boolean flushFailed, String run) {
        assertThat(inj.forcesLeftToFail()).as("%s: the injected force failure happened", run).isZero();
        assertThat(flushFailed || v.memberLosses() > 0).as("%s: a flush failed, or the loss was counted", run).isTrue();
    }

    /** Seeds of a 3-way mirror with a drive out: four; 40 with {@code -Dsplitpoint.longTests=true}. */
    static List<Long> mirrorOutRuns() {
        List<Long> out = new ArrayList<>();
        for (long seed = 1; seed <= (Boolean.getBoolean("splitpoint.longTests") ? 40 : 4); seed++) {
            out.add(seed);
        }
        return out;
    }

    /**
     * As {@link #noTrackReadsOlderThanItsLastAcknowledgedFlush}, on a 3-way mirror with a drive
     * FAILED: the flush that fails is one of the two others', and once the writers are done a
     * flush with room again succeeds (the heal takes the lost writes from the other holder) and is
     * checked before the cut. Before, the heal asked for every member, and every flush failed until
     * the pool was reopened (MemberFlushNoSpaceTest.aMirrorWithAThirdDriveOutHealsFromTheOtherHolder).
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("mirrorOutRuns")
    void aThreeWayMirrorWithADriveOutHealsAndKeepsEveryAcknowledgedWrite(long seed) throws Exception {
        Path dir = ServicePools.pool(tmp, "m" + seed, Layout.RAID1, 3);
        Random rnd = new Random(seed);
        long[] durable = new long[THREADS * TRACKS_EACH];
        writtenOnce(dir, durable);
        FaultInjector inj = CutRuns.writesBackEarly(new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, seed), seed);
        Pool p = Pool.open(dir, inj);
        RaidVolume v = p.volume("v");
        int out = 1 + rnd.nextInt(3);
        p.admin().failDrive("d" + out);
        String lossy = "d" + (1 + (out + rnd.nextInt(2)) % 3);
        Path image = p.paths.image(lossy).toAbsolutePath();
        int failAt = 1 + rnd.nextInt(THREADS * WRITES_EACH - 3);
        String run = "seed " + seed + " (d" + out + " FAILED, lost writes " + lossy + ")";
        assertFailedAndCounted(inj, v, writeAndFlush(v, inj, image, failAt, rnd, durable, 0, false, false), run);
        v.flush(); // room again: the heal, from the other holder
        checkAgainstAcknowledged(p, durable, run + ", before the cut");
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            checkAgainstAcknowledged(q, durable, run);
        }
    }

    /** Rebuild runs: two per layout; 40 with {@code -Dsplitpoint.longTests=true}. */
    static List<Object[]> rebuildRuns() {
        return seeds(Boolean.getBoolean("splitpoint.longTests") ? 40 : 2);
    }

    /**
     * As {@link #noTrackReadsOlderThanItsLastAcknowledgedFlush}, with a rebuild beside the writers:
     * a drive is replaced and rebuilt (throttled, so that it runs through the writes), the flush
     * that fails is most often that drive's, at any moment, and a third opening lets a rebuild the
     * cut interrupted finish. The rebuild's copies a failed flush dropped are never recorded as
     * rebuilt (MemberFlushNoSpaceDuringRebuildTest pins the cases one by one).
     */
    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("rebuildRuns")
    void noTrackReadsOlderThanItsLastAcknowledgedFlushWhileADriveIsRebuilt(Layout layout, long seed) throws Exception {
        Path dir = ServicePools.pool(tmp, "r" + seed, layout, 3);
        Random rnd = new Random(seed);
        long[] durable = new long[THREADS * TRACKS_EACH];
        writtenOnce(dir, durable);
        FaultInjector inj = CutRuns.writesBackEarly(new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, seed), seed);
        Pool p = Pool.open(dir, inj);
        RaidVolume v = p.volume("v");
        String rebuilt = "d" + (1 + rnd.nextInt(3));
        p.admin().failDrive(rebuilt);
        org.splitpoint.engine.job.Job rebuild = p.admin().replaceDrive(rebuilt, (3L << 20) + rnd.nextInt(2 << 20));
        String lossy = rnd.nextInt(3) > 0 ? rebuilt : "d" + (1 + rnd.nextInt(3));
        Path image = p.paths.image(lossy).toAbsolutePath();
        writeAndFlush(v, inj, image, 1 + rnd.nextInt(THREADS * WRITES_EACH - 3), rnd, durable, 0, true,
                mayRefuse(layout, lossy, rebuilt));
        rebuild.await(30_000); // DONE, or FAILED (its drive then FAILED)
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            ServicePools.awaitJobs(q); // a rebuild the cut interrupted resumes
            checkAgainstAcknowledged(q, durable, layout + " seed " + seed + " (rebuilt " + rebuilt + ", lost writes "
                    + lossy + ", " + rebuild.state() + ")");
        }
    }

    /**
     * As {@link #noTrackReadsOlderThanItsLastAcknowledgedFlush}, with a pointers window's return
     * beside the writers: a drive is taken OFFLINE before any write, so every track it lacks is in
     * its delta, the whole volume written in its window and closed cleanly; the next opening brings
     * it back (throttled, so that the return runs through the writes: its checkpoints force it and
     * clear tracks from the delta), the flush that fails is most often the returning drive's (the
     * return's own checkpoint's force, or a host's), at any moment. Once the return ended, a flush
     * that succeeds (room again) is checked before the cut: the return's failures show in the
     * session (a drive left REBUILDING holding tracks it lacks), not only after it. Then a cut;
     * the reopen finishes the return (it resumes, or is given again when the return had stopped
     * back in its window). ReturnFlushNoSpaceTest pins the cases one by one.
     */
    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("rebuildRuns")
    void noTrackReadsOlderThanItsLastAcknowledgedFlushWhileADriveComesBackFromItsWindow(Layout layout, long seed)
            throws Exception {
        Path dir = ServicePools.pool(tmp, "s" + seed, layout, 3);
        Random rnd = new Random(seed);
        String back = "d" + (1 + rnd.nextInt(3));
        long[] durable;
        try (Pool first = Pool.open(dir)) {
            first.service().offline(back, OfflineReason.RESET, LogMode.POINTERS);
            ServicePools.awaitJobs(first);
            RaidVolume v = first.volume("v");
            durable = new long[(int) (v.size() / TRACK)]; // the writers' tracks, and more for the return to copy
            for (int k = 0; k < durable.length; k++) {
                v.write((long) k * TRACK, ByteBuffer.wrap(track(1))); // what the drive lacks reads 0 (older)
                durable[k] = 1;
            }
        }
        FaultInjector inj = CutRuns.writesBackEarly(new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, seed), seed);
        Pool p = Pool.open(dir, inj);
        RaidVolume v = p.volume("v");
        org.splitpoint.engine.job.Job returning = p.service().online(back);
        returning.setThrottle((1L << 20) + rnd.nextInt(5 << 20));
        String lossy = rnd.nextInt(3) > 0 ? back : "d" + (1 + rnd.nextInt(3));
        Path image = p.paths.image(lossy).toAbsolutePath();
        // the writers' tracks first or last: the return copies tracks in order, so it passes them
        // early (a failed flush then drops copies of tracks no host writes again) or late (their
        // host writes are to tracks it has not copied yet)
        int writersFrom = rnd.nextBoolean() ? 0 : durable.length - THREADS * TRACKS_EACH;
        writeAndFlush(v, inj, image, 1 + rnd.nextInt(THREADS * WRITES_EACH - 3), rnd, durable, writersFrom, true,
                mayRefuse(layout, lossy, back));
        returning.await(30_000); // DONE, or FAILED (back in its window)
        String run = layout + " seed " + seed + " (" + back + " back, lost writes " + lossy + ", writers from track "
                + writersFrom + ", " + returning.state() + ": " + returning.progress().message() + ")";
        boolean flushed;
        try {
            v.flush(); // room again: a flush that succeeds now covers every write
            flushed = true;
        } catch (IOException e) {
            flushed = false; // still no copy to heal from: flushes fail until the reopen
        }
        if (flushed) {
            checkAgainstAcknowledged(p, durable, run + ", before the cut");
        }
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            ServicePools.awaitJobs(q); // a return the cut interrupted resumes
            if (q.windows.get("v") != null) {
                q.service().online(back).await(30_000); // one that had stopped is given again
            }
            assertThat(q.windows.get("v")).as("%s: the window after the return", run).isNull();
            checkAgainstAcknowledged(q, durable, run);
        }
    }

    /**
     * True when a host's write may be refused ({@link WritesLostException}): a parity layout whose
     * drive {@code partial} holds only some rows (being rebuilt, or back from its window) while
     * another, {@code lossy}, lost writes at a failed flush. A partial stripe's write over rows the
     * partial drive lacks needs its strip, which lives only as the XOR of the others, one of which
     * may hold a dropped write's old bytes there: no drive knows those bytes, and the engine refuses
     * such writes until the reopen (where md would fail the whole array) rather than put garbage into
     * the new parity (DegradedParityLossyWriteTest, LossyStripUnderWholeStripWriteTest pin it). A
     * mirror's writes read nothing, and a drive's own losses are rebuilt from the others.
     */
    private static boolean mayRefuse(Layout layout, String lossy, String partial) {
        return layout != Layout.RAID1 && !lossy.equals(partial);
    }

    /**
     * THREADS host writers, each writing its own tracks (from track {@code firstTrack} on) and
     * flushing after every write; the {@code failAt}-th flush arms one failed force of {@code
     * image}. {@code durable} takes what each acknowledged flush covered. {@code spread}: short
     * random pauses, so that the writes span a job running beside. {@code mayRefuse}: a write
     * refused for lost writes ({@link #mayRefuse}) is not acknowledged and the writer goes on with
     * the next; refused otherwise, it fails the run. True when a flush failed.
     */
    private static boolean writeAndFlush(RaidVolume v, FaultInjector inj, Path image, int failAt, Random rnd,
            long[] durable, int firstTrack, boolean spread, boolean mayRefuse) throws Exception {
        AtomicInteger flushes = new AtomicInteger();
        AtomicBoolean failedOnce = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int me = t;
            long threadSeed = rnd.nextLong();
            threads.add(new Thread(() -> {
                Random r = new Random(threadSeed);
                long[] written = new long[TRACKS_EACH];
                java.util.Arrays.fill(written, 1);
                try {
                    for (long seq = 2; seq < 2 + WRITES_EACH; seq++) {
                        int k = r.nextInt(TRACKS_EACH);
                        try {
                            v.write((long) (firstTrack + me * TRACKS_EACH + k) * TRACK, ByteBuffer.wrap(track(seq)));
                            written[k] = seq;
                        } catch (WritesLostException e) {
                            if (!mayRefuse) {
                                throw e;
                            }
                            continue; // not acknowledged: the track keeps its last sequence in durable
                        }
                        if (flushes.incrementAndGet() == failAt) {
                            inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(image), 1);
                        }
                        try {
                            v.flush();
                            for (int i = 0; i < TRACKS_EACH; i++) {
                                durable[firstTrack + me * TRACKS_EACH + i] = written[i]; // acknowledged durable
                            }
                        } catch (IOException e) {
                            failedOnce.set(true); // flushes fail until the heal; the writes go on
                        }
                        if (spread && r.nextInt(4) == 0) {
                            Thread.sleep(r.nextInt(40)); // spreads the writes over the job beside, hides nothing
                        }
                    }
                } catch (Throwable e) {
                    unexpected.add(e);
                }
            }, "host-writer-" + t));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertThat(unexpected).as("writers' failures other than flushes").isEmpty();
        return failedOnce.get();
    }

    /** Every track reads its last acknowledged sequence or later, and the members agree (when the volume is whole). */
    private static void checkAgainstAcknowledged(Pool q, long[] durable, String run) throws Exception {
        RaidVolume again = q.volume("v");
        for (int k = 0; k < durable.length; k++) {
            byte[] b = ServicePools.read(again, (long) k * TRACK, TRACK);
            for (int at = 0; at < TRACK; at += BLOCK) {
                long seq = ByteBuffer.wrap(b, at, 8).getLong();
                assertThat(seq).as("%s: track %d block %d against its last acknowledged flush", run, k, at / BLOCK)
                        .isGreaterThanOrEqualTo(durable[k]);
            }
        }
        if (again.state() == VolumeState.OPTIMAL) {
            assertThat(q.admin().verify("v", false, null)).as("%s: mismatched sectors", run).isZero();
        }
    }

    /** A track whose every block starts with {@code seq}. */
    private static byte[] track(long seq) {
        ByteBuffer b = ByteBuffer.allocate(TRACK);
        for (int at = 0; at < TRACK; at += BLOCK) {
            b.putLong(at, seq);
        }
        return b.array();
    }
}
