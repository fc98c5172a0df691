package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * A cancelled instant restore leaves the volume partly restored; the next incremental backup must
 * still hold what the volume holds. The restore's start had made the changed-block map count from
 * the image restored, and a cancel gave nothing back: the incremental copied no track, `backup
 * verify` said ok, and restoring it gave the image instead of the volume's bytes (found by a smoke
 * test over the CLI).
 */
class RestoreCancelBackupTest {

    private static final int TRACK = 64 * 1024;

    @TempDir
    Path tmp;

    /** The last backup restored, cancelled after some tracks: the ones not restored are changed since it. */
    @Test
    void anIncrementalAfterACancelledRestoreOfTheLastBackupHoldsTheVolume() throws Exception {
        cancelledRestoreThenIncremental(false);
    }

    /** An older image restored, cancelled: every track may differ from the last backup the incremental builds on. */
    @Test
    void anIncrementalAfterACancelledRestoreOfAnOlderImageHoldsTheVolume() throws Exception {
        cancelledRestoreThenIncremental(true);
    }

    private void cancelledRestoreThenIncremental(boolean older) throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 4L << 20, TRACK);
        Path store = tmp.resolve("store");
        String restoreFrom;
        try (Pool pool = Pool.open(dir)) {
            BlockDevice v = pool.device("v");
            fill(v, 1);
            assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
            restoreFrom = pool.backups().lastBackup("v").image();
            if (older) {
                fill(v, 2);
                assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
            }
            fill(v, 3);
            v.flush();
        }
        byte[] volume;
        try (Pool pool = Pool.open(dir)) {
            // a megabyte a second: its first step restores 16 tracks, then it waits
            Job restore = pool.instantRestores().restore("v", store, restoreFrom, false, 1 << 20);
            BlockDevice v = pool.device("v");
            byte[] b = new byte[100];
            v.read(40L * TRACK + 7, ByteBuffer.wrap(b)); // an owed track fetched on demand: restored too
            Thread.sleep(300);
            restore.cancel();
            assertThat(restore.await(10_000)).isTrue();
            assertThat(restore.state()).isEqualTo(JobState.CANCELLED);
            long restored = pool.instantRestores().all().isEmpty() ? -1 : 0;
            assertThat(restored).as("the restore ended").isEqualTo(-1);
            volume = TestPools.readAll(pool.volume("v"));
            Job inc = pool.backups().backup("v", store, false, 0);
            assertThat(inc.await(60_000)).isTrue();
            assertThat(inc.state()).isEqualTo(JobState.DONE);
            String id = pool.backups().lastBackup("v").image();
            TestPools.assertSameBytes(BackupTest.imageBytes(store, id), volume,
                    "the incremental's chain after the cancelled restore");
        }
    }

    private static void fill(BlockDevice v, int seed) throws Exception {
        byte[] d = new byte[(int) v.size()];
        new Random(seed).nextBytes(d);
        v.write(0, ByteBuffer.wrap(d));
    }
}
