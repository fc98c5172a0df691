package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.BackupException;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * An image being written is nobody's leftover. Two pools each with a volume named v back up into the
 * same store: the second backup's clean-up of v's unfinished images removed the first one's image
 * under its running copy (matched by the volume's name), and 'backup delete' removed it too. Now
 * each writer holds its image's lock, the clean-up leaves a held image alone and delete refuses,
 * naming the writer; an image whose backup stopped (its writer closed) is still removed.
 */
class UnfinishedImageInUseTest {

    private static final int TRACK = 64 * 1024;

    @TempDir
    Path tmp;

    @Test
    void anotherPoolsRunningBackupOfTheSameNameKeepsItsImage() throws Exception {
        Path a = TestPools.create(tmp.resolve("a"), Layout.RAID1, 2, 4L << 20, TRACK);
        Path b = TestPools.create(tmp.resolve("b"), Layout.RAID1, 2, 4L << 20, TRACK);
        Path storeDir = tmp.resolve("store");
        try (Pool pa = Pool.open(a); Pool pb = Pool.open(b)) {
            byte[] dataA = fill(pa.device("v"), 1);
            fill(pb.device("v"), 2);
            // a megabyte a second: pool a's image stays unfinished for seconds
            Job slow = pa.backups().backup("v", storeDir, true, 1 << 20);
            DirectoryStore store = DirectoryStore.open(storeDir, StorageFactory.real(), false);
            List<String> running = store.unfinished();
            assertThat(running).hasSize(1);
            String id = running.get(0);

            assertThatThrownBy(() -> store.delete(id)).isInstanceOf(BackupException.class)
                    .hasMessageContaining("is being written now").hasMessageContaining("pid " + ProcessHandle.current().pid());
            assertThat(store.deleteIfAbandoned(id)).isFalse();

            Job other = pb.backups().backup("v", storeDir, true, 0); // its start cleans up v's unfinished images
            assertThat(other.await(60_000)).isTrue();
            assertThat(other.state()).isEqualTo(JobState.DONE);
            assertThat(store.unfinished()).as("pool a's image, still being written").containsExactly(id);

            slow.setThrottle(0);
            assertThat(slow.await(60_000)).isTrue();
            assertThat(slow.state()).as(slow.progress().message()).isEqualTo(JobState.DONE);
            assertThat(BackupTest.imageBytes(storeDir, id)).as("pool a's image").isEqualTo(dataA);
            assertThat(store.unfinished()).isEmpty();
            assertThat(storeDir.resolve("images").resolve(id).resolve(DirectoryStore.WRITER_LOCK)).doesNotExist();
        }
    }

    @Test
    void anImageWhoseBackupStoppedIsStillRemoved() throws Exception {
        Path a = TestPools.create(tmp.resolve("a"), Layout.RAID1, 2, 4L << 20, TRACK);
        Path storeDir = tmp.resolve("store");
        String id;
        try (Pool pa = Pool.open(a)) {
            fill(pa.device("v"), 1);
            pa.backups().backup("v", storeDir, true, 1 << 20);
            id = DirectoryStore.open(storeDir, StorageFactory.real(), false).unfinished().get(0);
        } // closed mid-copy: the backup stops, its image stays unfinished
        DirectoryStore store = DirectoryStore.open(storeDir, StorageFactory.real(), false);
        assertThat(store.unfinished()).containsExactly(id);
        assertThat(store.writer(id)).as("nobody writes it").isNull();
        try (Pool pa = Pool.open(a)) {
            assertThat(pa.backups().backup("v", storeDir, true, 0).await(60_000)).isTrue();
        }
        assertThat(store.unfinished()).as("the next backup of v removed the stopped one's image").isEmpty();
    }

    private static byte[] fill(BlockDevice v, int seed) throws Exception {
        byte[] data = new byte[(int) v.size()];
        new Random(seed).nextBytes(data);
        v.write(0, ByteBuffer.wrap(data));
        v.flush();
        return data;
    }
}
