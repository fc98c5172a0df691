package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * A restore whose backup store could not be read when the pool opened (a backup disk not mounted
 * yet) goes on once it can, without reopening the pool: it waited until the holder restarted, its
 * owed tracks unreadable all that time and no job to show. Its write-through image, which missed
 * the writes made while waiting, is dropped and said so.
 */
class RestoreStoreReturnsTest {

    private static final int TRACK = 64 << 10;

    @TempDir
    Path tmp;

    @Test
    void aRestoreWaitingForItsStoreGoesOnOnceTheStoreIsBack() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID5, 3, 1L << 20, TRACK);
        Path store = tmp.resolve("store");
        byte[] model = BackedUp.volume(dir, store, 81, true);
        try (Pool pool = Pool.open(dir)) {
            pool.instantRestores().restore("v", store, null, true, 1); // a byte a second: still owed at close
        }
        Path away = tmp.resolve("store-unmounted");
        Files.move(store, away);
        try (Pool pool = Pool.open(dir)) {
            InstantRestore r = pool.instantRestores().restoreOf("v");
            assertThat(r.unavailable()).contains("there is no backup store at " + store);
            assertThat(pool.jobs()).isEmpty();
            BlockDevice v = pool.device("v");
            long owed = r.owedTracks().nextSetBit(0);
            assertThatThrownBy(() -> v.read(owed * TRACK, ByteBuffer.allocate(4096)))
                    .hasMessageContaining("cannot be read now");
            assertThat(HolderChecks.run(pool)).as("the store is still away").isEmpty();
            long at = r.owedTracks().nextSetBit(owed + 1) * TRACK;
            byte[] whole = new byte[TRACK];
            new Random(84).nextBytes(whole);
            v.write(at, ByteBuffer.wrap(whole)); // a whole owed track, written while waiting (no merge needed): kept
            System.arraycopy(whole, 0, model, (int) at, TRACK);

            Files.move(away, store);
            assertThat(RestoreAdmin.retryWaiting(pool, 0)).singleElement().asString()
                    .contains("can be read again: the restore goes on").contains("write-through image")
                    .contains("is dropped");
            assertThat(r.unavailable()).isNull();
            assertThat(DirectoryStore.open(store, StorageFactory.real(), false).unfinished()).isEmpty();
            byte[] got = new byte[4096];
            v.read(owed * TRACK, ByteBuffer.wrap(got));
            assertThat(got).isEqualTo(Arrays.copyOfRange(model, (int) (owed * TRACK), (int) (owed * TRACK) + 4096));
            Job job = pool.jobs().get(0);
            job.setThrottle(0);
            assertThat(job.await(60_000)).isTrue();
            assertThat(job.state()).isEqualTo(JobState.DONE);
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), model, "the volume");
            assertThat(pool.backups().lastBackup("v").image()).as("no write-through image: the one restored")
                    .isEqualTo(DirectoryStore.open(store, StorageFactory.real(), false).list().get(0).id());
        }
    }
}
