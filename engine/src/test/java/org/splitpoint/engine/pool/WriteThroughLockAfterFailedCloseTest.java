package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * Review 41. Pool.close runs {@code r.flush(); r.close();} in one try per restore: when the flush
 * fails (here the write-through image's fsync: an I/O error on the backup disk) the restore is never
 * closed, so its write-through writer keeps the image's writer.lock for the life of the process.
 * Before 165bb46 that leak was harmless; now the next opening of the pool in the same process (the
 * app reopening it, switching pools) cannot resume the write-through image ("being written by another
 * backup", pid of this very process), takes that for a store that cannot be read and leaves the
 * restore waiting; its retry then drops the image from the record but cannot delete it.
 */
class WriteThroughLockAfterFailedCloseTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @Test
    void aFailedFlushAtCloseStillLetsTheNextOpeningInThisProcessResumeTheWriteThroughImage() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 1 << 20, TRACK);
        Path store = tmp.resolve("store");
        BackedUp.volume(dir, store, 1, false);
        String imageId = DirectoryStore.open(store, StorageFactory.real(), false).list().get(0).id();
        AtomicBoolean failForces = new AtomicBoolean();
        ForwardingStorage storage = new ForwardingStorage() {
            @Override
            protected StorageFile wrap(Path path, StorageFile file) {
                if (!path.toString().contains(".partial")) {
                    return file;
                }
                return new ForwardingFile(file) {
                    @Override
                    public void force() throws IOException {
                        if (failForces.get()) {
                            throw new IOException("Input/output error (injected) on " + path.getFileName());
                        }
                        super.force();
                    }
                };
            }
        };
        Pool pool = Pool.open(dir, storage, new PoolOptions(false)); // its bulk copy does not run: the restore stays
        pool.instantRestores().restore("v", store, imageId, true, 0);
        String wt = pool.instantRestores().restoreOf("v").writeThrough().header().id();
        pool.device("v").write(0, ByteBuffer.wrap(new byte[2 * TRACK])); // into the write-through image, not synced yet
        failForces.set(true);
        assertThatThrownBy(pool::close).hasMessageContaining("injected");

        DirectoryStore s = DirectoryStore.open(store, StorageFactory.real(), false);
        assertThat(s.unfinished()).containsExactly(wt);
        String writer = s.writer(wt); // the pool is closed: nobody should write its write-through image

        try (Pool again = Pool.open(dir, StorageFactory.real(), new PoolOptions(false))) {
            InstantRestore r = again.instantRestores().restoreOf("v");
            assertThat(r.unavailable()).as("the restore reopened in this process (writer.lock held by: " + writer + ")")
                    .isNull();
            assertThat(r.writeThrough()).as("resumed").isNotNull();
        }
    }
}
