package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolOptions;

/**
 * Crashes during a restore (issue 8: defect 2, items 14 and 16): a restored track's bit is cleared
 * durably only after its data is, a host write survives a process crash, and recovery marks only
 * what really differs.
 */
class RestoreCrashTest {

    private static final int TRACK = 4096;

    @TempDir
    Path dir;

    private byte[] stdImage;
    private byte[] bcvImage;

    /** A split pair whose sides hold different random images (acknowledged). */
    private void splitPairWithDifferentSides(Layout layout) throws Exception {
        PairFixture.create(dir, layout, 1 << 20, TRACK, 1);
        try (Pool pool = Pool.open(dir)) {
            pool.pairs().establish("p1", true).await(30_000);
            pool.pairs().split(List.of("p1"));
            BlockDevice s = pool.device("std");
            BlockDevice b = pool.device("bcv");
            stdImage = new byte[(int) s.size()];
            bcvImage = new byte[(int) s.size()];
            new Random(1).nextBytes(stdImage);
            new Random(2).nextBytes(bcvImage);
            s.write(0, ByteBuffer.wrap(stdImage));
            b.write(0, ByteBuffer.wrap(bcvImage));
            s.flush();
            b.flush();
        }
    }

    private static byte[] track(byte[] image, long t) {
        return Arrays.copyOfRange(image, (int) (t * TRACK), (int) ((t + 1) * TRACK));
    }

    private static byte[] readTrack(BlockDevice dev, long t) throws Exception {
        byte[] b = new byte[TRACK];
        dev.read(t * TRACK, ByteBuffer.wrap(b));
        return b;
    }

    @Test
    void aFlushCommitsOnlyRestoredTracksWhoseDataItMadeDurable() throws Exception {
        splitPairWithDifferentSides(Layout.RAID1);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, 1).unforcedWritesLost();
        Pool pool = Pool.open(dir, inj, new PoolOptions(false)); // the copier does not run: reads hydrate
        Pair pair = pool.pairs().get("p1");
        pool.pairs().restore("p1", true, true);
        long b = 40;
        // the host's flush stops after forcing the STD's first member (d1), before its second (d2)
        inj.holdForces(f -> f.getFileName().toString().equals("d2.img"), t -> t.getName().endsWith("test-flusher"), 3000);
        Thread flusher = new Thread(() -> {
            try {
                pair.stdView().flush();
            } catch (Exception e) {
                // the crash comes later
            }
        }, "test-flusher");
        flusher.start();
        Awaitility.await().until(() -> inj.waitingOnHolds() > 0);
        // meanwhile a host read of an unrestored track is served from the BCV and restored behind it
        assertThat(readTrack(pair.stdView(), b)).isEqualTo(track(bcvImage, b));
        Awaitility.await().until(() -> !pair.bcvInvalid().isSet(b));
        inj.releaseHolds();
        flusher.join();
        inj.cutNow();
        inj.crash();
        pool.abandon();
        try (Pool reopened = Pool.open(dir)) {
            reopened.awaitJobs(null);
            TestPools.assertSameBytes(readTrack(reopened.device("std"), b), track(bcvImage, b),
                    "track " + b + " of the STD after the restore resumed");
        }
    }

    @Test
    void aProcessCrashDuringARestoreKeepsEveryWriteTheProcessMade() throws Exception {
        splitPairWithDifferentSides(Layout.RAID1);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, 1);
        Pool pool = Pool.open(dir, inj, new PoolOptions(false));
        Job job = pool.pairs().restore("p1", true, false, 4L * TRACK); // a quarter second: one track a step
        assertThat(job.stepOnce()).as("step: %s", job.progress()).isTrue(); // the copier restores track 0 (not committed yet)
        Pair pair = pool.pairs().get("p1");
        assertThat(pair.bcvInvalid().isSet(0)).isFalse();
        BlockDevice std = pair.stdView();
        byte[] w0 = new byte[TRACK];
        byte[] w10 = new byte[TRACK];
        byte[] w20 = new byte[100];
        new Random(3).nextBytes(w0);
        new Random(4).nextBytes(w10);
        new Random(5).nextBytes(w20);
        std.write(0, ByteBuffer.wrap(w0));              // a restored track
        std.write(10L * TRACK, ByteBuffer.wrap(w10));   // an unrestored track, whole
        std.write(20L * TRACK + 50, ByteBuffer.wrap(w20)); // an unrestored track, in part
        // kill -9: no flush, but what the process wrote is in the page cache
        inj.processCrash();
        pool.abandon();
        try (Pool reopened = Pool.open(dir)) {
            reopened.jobs().forEach(j -> j.setThrottle(0)); // the resumed restore keeps its limit: lift it
            reopened.awaitJobs(null);
            BlockDevice s = reopened.device("std");
            TestPools.assertSameBytes(readTrack(s, 0), w0, "track 0 (written after it was restored)");
            TestPools.assertSameBytes(readTrack(s, 10), w10, "track 10 (written before it was restored)");
            byte[] t20 = track(bcvImage, 20);
            System.arraycopy(w20, 0, t20, 50, w20.length);
            TestPools.assertSameBytes(readTrack(s, 20), t20, "track 20 (the BCV's track with the host's 100 bytes)");
            TestPools.assertSameBytes(readTrack(s, 30), track(bcvImage, 30), "track 30 (restored after the crash)");
        }
    }

    @Test
    void aCrashDuringAProtectedRestoreLeavesOnlyTheHostsTracksInvalid() throws Exception {
        splitPairWithDifferentSides(Layout.RAID5);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, 1);
        Pool pool = Pool.open(dir, inj);
        long tracks = stdImage.length / TRACK;
        Job job = pool.pairs().restore("p1", true, true, tracks * TRACK / 2); // about two seconds
        BlockDevice std = pool.device("std");
        Set<Long> written = new TreeSet<>(List.of(3L, 77L, tracks - 2));
        for (long t : written) {
            std.write(t * TRACK + 10, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        }
        std.flush(); // acknowledged: these tracks changed on the STD and must stay recorded
        Thread.sleep(1200); // past a checkpoint of the copy
        assertThat(job.progress().doneTracks()).as("%s", job.progress()).isLessThan(tracks);
        inj.cutNow();
        inj.crash();
        pool.abandon();
        try (Pool reopened = Pool.open(dir)) {
            reopened.jobs().forEach(j -> j.setThrottle(0));
            reopened.awaitJobs(null);
            Pair p = reopened.pairs().get("p1");
            assertThat(p.state()).isEqualTo(PairState.Split);
            Set<Long> invalid = new TreeSet<>();
            for (long t = p.stdInvalid().live().nextSetBit(0); t >= 0; t = p.stdInvalid().live().nextSetBit(t + 1)) {
                invalid.add(t);
            }
            assertThat(invalid).as("STD tracks invalid after the restore finished").isEqualTo(written);
            assertThat(p.bcvInvalidTracks()).isZero();
        }
    }

    @Test
    void readsServedOnDemandAreCountedOverThePairsLife() throws Exception {
        splitPairWithDifferentSides(Layout.RAID1);
        long served;
        try (Pool pool = Pool.open(dir, StorageFactory.real(), new PoolOptions(false))) {
            pool.pairs().restore("p1", true, true);
            Pair pair = pool.pairs().get("p1");
            for (long t = 5; t < 9; t++) {
                readTrack(pair.stdView(), t);
            }
            served = pair.onDemandReads();
            assertThat(served).isEqualTo(4);
        }
        try (Pool pool = Pool.open(dir, StorageFactory.real(), new PoolOptions(false))) {
            assertThat(pool.pairs().get("p1").onDemandReads()).isEqualTo(served);
        }
    }
}
