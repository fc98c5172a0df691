package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;

/**
 * A pair's copies (establish, restore from the BCV) read and write the volumes themselves, and an
 * instant restore (from a backup or to a snapshot) leaves the tracks it has not brought back yet
 * as they were on the volume, answering hosts' reads of them from its source. A pair copy while a
 * side was being restored copied those old tracks: a split BCV was not the STD hosts read (and
 * for a pair made of a volume being restored, whose restore writes below the pair, not even once
 * the restore was done). Each test tries the pair operation while the restore runs (it may be
 * refused), finishes what remains, and compares the sides as hosts read them.
 */
class PairVsVolumeRestoreTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    /** Volumes v and w, of one size; v filled and backed up, then overwritten (every track to restore). */
    private byte[] pool(Path dir, Path store) throws Exception {
        Pool.create(dir, 4, 1 << 20, TRACK, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
            p.admin().createVolume("w", Layout.RAID1, List.of("d3", "d4"), 0);
        }
        return BackedUp.volume(dir, store, 3, true);
    }

    @Test
    void aPairMadeOfAVolumeBeingRestoredIsNotEstablishedFromItsOldTracks() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        pool(dir, store);
        try (Pool pool = Pool.open(dir)) {
            Job restore = pool.instantRestores().restore("v", store, null, false, TRACK); // a track a second
            // the restore would go on writing v itself, below the pair: the pair is made once it ended
            String refused = tryIt(() -> pool.pairs().create("p", "v", "w"));
            assertThat(refused).isEqualTo("volume v (the STD of pair p) is being restored from a backup; wait for that"
                    + " restore or cancel it before creating the pair");
            finish(restore);
            pool.pairs().create("p", "v", "w");
            establishAndSplitDuring(pool, restore, null);
        }
    }

    @Test
    void anEstablishWhileTheStdIsRestoredFromABackupLeavesNoOldTrackOnTheSplitBcv() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        pool(dir, store);
        try (Pool pool = Pool.open(dir)) {
            pool.pairs().create("p", "v", "w");
            Job restore = pool.instantRestores().restore("v", store, null, false, TRACK);
            establishAndSplitDuring(pool, restore, "volume v (the STD of pair p) is being restored from a backup; wait for"
                    + " that restore or cancel it before establishing");
        }
    }

    @Test
    void aRestoreFromTheBcvWhileTheBcvIsRestoredFromABackupCopiesNoOldTrack() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        pool(dir, store);
        try (Pool pool = Pool.open(dir)) {
            pool.pairs().create("p", "w", "v"); // v, backed up, is the BCV
            assertThat(pool.pairs().establish("p", true).await(30_000)).isTrue();
            pool.pairs().split(List.of("p"));
            Job restore = pool.instantRestores().restore("v", store, null, false, TRACK);
            String refused = tryIt(() -> assertThat(pool.pairs().restore("p", false, true).await(30_000)).isTrue());
            if (refused != null) {
                assertThat(refused).isEqualTo("volume v (the BCV of pair p) is being restored from a backup; wait for that"
                        + " restore or cancel it before restoring from the BCV");
            }
            finish(restore);
            if (refused != null) {
                assertThat(pool.pairs().restore("p", false, true).await(30_000)).isTrue();
            }
            TestPools.assertSameBytes(hostsRead(pool, "w"), hostsRead(pool, "v"), "the STD restored from the BCV");
        }
    }

    @Test
    void aSplitDuringARestoreToASnapshotOfAMirroredStdLeavesNoHalfRestoredBcv() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK, 1L << 20);
        try (Pool pool = Pool.open(dir)) {
            pool.snapshots().setSaveArea("save");
            fill(pool, "v", 5);
            pool.snapshots().create("v", "s1");
            fill(pool, "v", 6); // every track changed since
            pool.pairs().create("p", "v", "w");
            assertThat(pool.pairs().establish("p", true).await(30_000)).isTrue();
            Job restore = pool.snapshots().restore("v", "s1", false, TRACK); // the BCV gets each track as it is restored
            String refused = tryIt(() -> {
                pool.pairs().split(List.of("p")); // mid-way
                TestPools.assertSameBytes(TestPools.readAll(pool.volume("w")), hostsRead(pool, "v"), "the BCV split mid-way");
            });
            assertThat(refused).isEqualTo("volume v (the STD of pair p) is being restored from a snapshot; wait for that"
                    + " restore or cancel it before splitting");
            finish(restore);
            pool.pairs().split(List.of("p"));
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("w")), hostsRead(pool, "v"), "the BCV split after");
        }
    }

    /** Establish (and split once Synchronized) while {@code restore} runs, or after it when refused with {@code refusal}. */
    private static void establishAndSplitDuring(Pool pool, Job restore, String refusal) throws Exception {
        String refused = tryIt(() -> {
            assertThat(pool.pairs().establish("p", false).await(30_000)).isTrue();
            pool.pairs().split(List.of("p"));
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("w")), hostsRead(pool, "v"), "the BCV split mid-way");
        });
        if (refused != null) {
            assertThat(refused).isEqualTo(refusal);
            finish(restore);
            assertThat(pool.pairs().establish("p", false).await(30_000)).isTrue();
            pool.pairs().split(List.of("p"));
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("w")), hostsRead(pool, "v"), "the BCV split after");
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Runs {@code step}; the sentence when a rule refused it, else null. */
    private static String tryIt(Step step) throws Exception {
        try {
            step.run();
            return null;
        } catch (PoolException e) {
            return e.getMessage();
        }
    }

    private static void finish(Job restore) throws Exception {
        restore.setThrottle(0);
        assertThat(restore.await(30_000)).isTrue();
    }

    private static byte[] hostsRead(Pool pool, String volume) throws Exception {
        byte[] b = new byte[(int) pool.volume(volume).size()];
        pool.device(volume).read(0, ByteBuffer.wrap(b));
        return b;
    }

    /** Writes random bytes ({@code seed}) over the whole volume, as hosts write it. */
    private static void fill(Pool pool, String volume, long seed) throws Exception {
        byte[] b = new byte[(int) pool.volume(volume).size()];
        new Random(seed).nextBytes(b);
        pool.device(volume).write(0, ByteBuffer.wrap(b));
    }
}
