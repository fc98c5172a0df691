package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.LargestAllocation;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.backup.ImageReader;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * A backup of a pool of large tracks (up to 1 GiB) copies each track into its image a megabyte at
 * a time: it read every track into a heap buffer of the track's size, so a full backup of a pool of
 * 1 GiB tracks ran out of heap under -Xmx1g. Zero tracks are still left out of a full image, also
 * when a track's zeros run for megabytes before its first data, and the image checks out whole.
 */
class LargeTrackBackupTest {

    private static final int TRACK = 16 << 20;

    @TempDir
    Path dir;

    @Test
    void aFullBackupOfSixteenMegabyteTracksHoldsAMegabyteAtATimeAndSkipsZeroTracks() throws Exception {
        Path pool = TestPools.create(dir.resolve("pool"), Layout.RAID1, 2, 5L * TRACK, TRACK);
        byte[] model;
        try (Pool p = Pool.open(pool)) {
            model = new byte[(int) p.volume("v").size()]; // five tracks
            Random rnd = new Random(21);
            fill(rnd, model, 0, TRACK); // track 0: data throughout
            // track 1: zeros
            fill(rnd, model, 2 * TRACK + (3 << 20) + 17, 1000); // track 2: 3 MiB of zeros, then some data, then zeros
            model[4 * TRACK - 1] = 7; // track 3: zeros but its last byte
            // track 4: zeros
            p.volume("v").write(0, ByteBuffer.wrap(model));
            p.volume("v").flush();
        }
        Path store = dir.resolve("store");
        try (Pool p = Pool.open(pool)) {
            Job[] backup = new Job[1];
            long largest = LargestAllocation.byThreads("splitpoint-job-backup", () -> {
                backup[0] = p.backups().backup("v", store, true, 0);
                assertThat(backup[0].await(60_000)).isTrue();
            });
            assertThat(backup[0].state()).isEqualTo(JobState.DONE);
            assertThat(largest).as("the largest buffer copying 16 MiB tracks into the image").isLessThanOrEqualTo(2L << 20);
        }

        DirectoryStore s = DirectoryStore.open(store, StorageFactory.real(), false);
        ImageInfo image = s.list().get(0);
        try (ImageReader r = s.open(image.id())) {
            assertThat(r.holds(0)).isTrue();
            assertThat(r.holds(1)).as("an all-zero track is left out of a full image").isFalse();
            assertThat(r.holds(2)).isTrue();
            assertThat(r.holds(3)).isTrue();
            assertThat(r.holds(4)).isFalse();
            assertThat(image.dataBytes()).isEqualTo(3L * TRACK);
            long largest = LargestAllocation.during(() -> r.verify(null));
            assertThat(largest).as("the largest buffer verifying the image").isLessThanOrEqualTo(2L << 20);
        }
        TestPools.assertSameBytes(BackupTest.imageBytes(store, image.id()), model, "the image read back");

        // restored onto the volume after it was overwritten, it brings the bytes back
        try (Pool p = Pool.open(pool)) {
            byte[] other = new byte[model.length];
            new Random(22).nextBytes(other);
            p.volume("v").write(0, ByteBuffer.wrap(other));
            Job restore = p.instantRestores().restore("v", store, image.id(), false, 0);
            restore.start();
            assertThat(restore.await(60_000)).isTrue();
            assertThat(restore.state()).isEqualTo(JobState.DONE);
            TestPools.assertSameBytes(TestPools.readAll(p.volume("v")), model, "the volume restored");
        }
    }

    private static void fill(Random rnd, byte[] b, int from, int len) {
        byte[] d = new byte[len];
        rnd.nextBytes(d);
        System.arraycopy(d, 0, b, from, len);
    }
}
