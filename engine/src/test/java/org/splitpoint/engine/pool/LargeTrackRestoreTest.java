package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.LargestAllocation;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * An instant restore of a pool of large tracks (over 8 MiB; up to 1 GiB) never holds a track
 * whole: a read of a track still owed copied all of it into a heap buffer of its size (and kept it
 * for the write-behind thread), as did a partial write's merge and the bulk copy, so a restore on a
 * pool of 1 GiB tracks ran out of heap under -Xmx1g at the first read. Now each goes from the
 * backup to the volume a megabyte at a time, the backup's SHA-256 of the track checked once all of
 * it was read, and the read is answered from the volume.
 */
class LargeTrackRestoreTest {

    private static final int TRACK = 16 << 20;

    @TempDir
    Path tmp;

    @Test
    void readsWritesAndTheBulkCopyOfSixteenMegabyteTracksGoAMegabyteAtATime() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID5, 3, 3L * TRACK, TRACK);
        Path store = tmp.resolve("store");
        byte[] model;
        try (Pool pool = Pool.open(dir)) {
            BlockDevice v = pool.device("v");
            model = new byte[(int) v.size()];
            new Random(41).nextBytes(model);
            Arrays.fill(model, 3 * TRACK, 4 * TRACK, (byte) 0); // a zero track: not in the full image
            v.write(0, ByteBuffer.wrap(model));
            assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
            byte[] other = new byte[model.length];
            new Random(42).nextBytes(other);
            v.write(0, ByteBuffer.wrap(other));
            v.flush();
        }
        assertThat(model.length / TRACK).isGreaterThanOrEqualTo(5);
        try (Pool pool = Pool.open(dir)) {
            // with a write-through image; the bulk copy at a byte a second: its first step copies
            // track 0, then it waits until the reads and the write below are done
            Job bulk = pool.instantRestores().restore("v", store, null, true, 1);
            BlockDevice v = pool.device("v");
            byte[] write = new byte[4096];
            new Random(43).nextBytes(write);
            long writeAt = 2L * TRACK + (5 << 20) + 100;
            byte[][] got = {new byte[4096], new byte[100], new byte[TRACK]}; // allocated outside the watch
            long largest = LargestAllocation.during(() -> {
                v.read(TRACK + 777, ByteBuffer.wrap(got[0])); // an owed track
                v.read(3L * TRACK + 5000, ByteBuffer.wrap(got[1])); // an owed zero track
                v.write(writeAt, ByteBuffer.wrap(write)); // a partial write into an owed track: merged first
                v.read(2L * TRACK, ByteBuffer.wrap(got[2]));
            });
            System.arraycopy(write, 0, model, (int) writeAt, write.length);
            assertThat(largest).as("the largest buffer of a read, a zero track's read and a merged write")
                    .isLessThanOrEqualTo(2L << 20);
            assertThat(got[0]).isEqualTo(Arrays.copyOfRange(model, TRACK + 777, TRACK + 777 + 4096));
            assertThat(got[1]).isEqualTo(new byte[100]);
            TestPools.assertSameBytes(got[2], Arrays.copyOfRange(model, 2 * TRACK, 3 * TRACK), "track 2 after the merged write");

            long bulkLargest = LargestAllocation.byThreads("splitpoint-job-instant-restore", () -> {
                bulk.setThrottle(0);
                assertThat(bulk.await(120_000)).isTrue();
            });
            assertThat(bulk.state()).isEqualTo(JobState.DONE);
            assertThat(bulkLargest).as("the largest buffer of the bulk copy").isLessThanOrEqualTo(2L << 20);
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), model, "the volume restored");
        }
        // the write-through image holds the volume as the restore left it, the host's write included
        List<ImageInfo> images = DirectoryStore.open(store, StorageFactory.real(), false).list();
        assertThat(images).hasSize(2);
        TestPools.assertSameBytes(BackupTest.imageBytes(store, images.get(1).id()), model, "the write-through image's chain");
    }

    /**
     * The bulk copy's throttle holds within a large track, and a host does not wait for the track
     * meanwhile: the copy took a 16 MiB track at full speed (then idled four seconds at 4 MiB/s),
     * holding the track's lock throughout; now it takes the lock for a piece at a time and waits
     * between pieces, and a host's write into the track merges it and goes on.
     */
    @Test
    void theBulkThrottleHoldsWithinATrackAndAHostWriteDoesNotWaitForIt() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 4L * TRACK, TRACK);
        Path store = tmp.resolve("store");
        byte[] model = BackedUp.volume(dir, store, 91, true);
        try (Pool pool = Pool.open(dir)) {
            Job bulk = pool.instantRestores().restore("v", store, null, false, 4 << 20);
            for (int i = 0; i < 15; i++) { Thread.sleep(100); System.err.println("DBG " + bulk.progress().line() + " " + bulk.bytesMoved()); }
            assertThat(pool.instantRestores().restoreOf("v").owedTracks().get(0)).as("track 0 after 1.5 s at 4 MiB/s").isTrue();
            assertThat(bulk.progress().bytesPerSecond()).as("the bulk copy's rate").isBetween(1e6, 8e6);
            byte[] write = new byte[4096];
            new Random(93).nextBytes(write);
            long t0 = System.nanoTime();
            pool.device("v").write((1 << 20) + 7, ByteBuffer.wrap(write)); // into track 0, being copied
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).as("ms for a host write into the track being copied").isLessThan(1000);
            System.arraycopy(write, 0, model, (1 << 20) + 7, write.length);
            bulk.setThrottle(0);
            assertThat(bulk.await(120_000)).isTrue();
            assertThat(bulk.state()).isEqualTo(JobState.DONE);
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), model, "the volume restored");
        }
    }

    /**
     * A track whose bytes in the backup were damaged past its first pieces: the read that needs it
     * fails naming the damage (the pieces before were already on the volume), the track stays owed,
     * and a read of it fails again rather than answering the damaged bytes; other tracks read right.
     */
    @Test
    void aDamagedTrackFailsItsReadsAndStaysOwed() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 4L * TRACK, TRACK);
        Path store = tmp.resolve("store");
        byte[] model = BackedUp.volume(dir, store, 51, false);
        BackedUp.damage(store, TRACK + (10L << 20)); // track 1, ten pieces in
        try (Pool pool = Pool.open(dir)) {
            pool.instantRestores().restore("v", store, null, false, 1); // the bulk copy: track 0, then a byte a second
            BlockDevice v = pool.device("v");
            for (int round = 0; round < 2; round++) {
                byte[] got = new byte[512];
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> v.read(TRACK + 4096, ByteBuffer.wrap(got)))
                        .hasMessageContaining("track 1 fails its SHA-256");
                assertThat(pool.instantRestores().restoreOf("v").owedTracks().get(1)).as("track 1 still owed").isTrue();
            }
            byte[] other = new byte[512];
            v.read(2L * TRACK + 4096, ByteBuffer.wrap(other));
            assertThat(other).isEqualTo(Arrays.copyOfRange(model, 2 * TRACK + 4096, 2 * TRACK + 4096 + 512));
        }
    }
}
