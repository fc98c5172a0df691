package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * A host's request finds its way (the pool's host view) before it enters a restore's view, so it
 * can reach the restore after the restore ended: its write-through image sealed, its files closed.
 * Such a write must land, be answered as done, and count as a change since the sealed image (the
 * next incremental backup copies it); a read must read the volume.
 */
class RestoreEndVsHostIoTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @Test
    void aRequestThatFoundTheRestoreJustBeforeItEndedLandsAndCountsAsAChange() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 1 << 20, TRACK);
        Path store = tmp.resolve("store");
        byte[] image = BackedUp.volume(dir, store, 41, false);
        try (Pool pool = Pool.open(dir)) {
            Job bulk = pool.instantRestores().restore("v", store, null, true, 0);
            InstantRestore r = pool.instantRestores().restoreOf("v");
            BlockDevice routed = r.view(); // what the host view handed a request a moment before the end
            assertThat(bulk.await(30_000)).isTrue();
            assertThat(pool.instantRestores().restoreOf("v")).isNull();
            String sealed = pool.backups().lastBackup("v").image();

            byte[] d = new byte[2 * TRACK + 100];
            new Random(42).nextBytes(d);
            long off = 3L * TRACK + 50; // partial tracks at both ends
            routed.write(off, ByteBuffer.wrap(d));
            routed.flush();
            byte[] back = new byte[TRACK];
            routed.read(5L * TRACK, ByteBuffer.wrap(back));
            System.arraycopy(d, 0, image, (int) off, d.length);
            assertThat(back).isEqualTo(Arrays.copyOfRange(image, 5 * TRACK, 6 * TRACK));
            assertThat(TestPools.readAll(pool.volume("v"))).isEqualTo(image);

            assertThat(pool.backups().backup("v", store, false, 0).await(60_000)).isTrue();
            String next = pool.backups().lastBackup("v").image();
            assertThat(next).isNotEqualTo(sealed);
            assertThat(BackupTest.imageBytes(store, next)).as("the chain after the next incremental").isEqualTo(image);
        }
    }
}
