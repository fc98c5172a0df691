package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * Review 41. RestoreAdmin.restoreCancelled runs {@code persist(); delete(map); writeThrough().abandon();
 * r.close();} in one try: when pool.json cannot be written at that moment, the write-through image is
 * neither abandoned nor closed, and the restore is already out of pool.restores (Pool.close will not
 * close it either). Its writer keeps writer.lock for the life of the process: the image can then not be
 * removed in this process (the next backup's clean-up skips it, 'backup delete' says this very process
 * writes it), and a reopening of the pool that still finds the restore on record cannot resume it.
 */
class CancelledRestoreWriteThroughLockTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @Test
    void aCancelWhosePersistFailsStillLetsGoOfTheWriteThroughImage() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 1 << 20, TRACK);
        Path store = tmp.resolve("store");
        BackedUp.volume(dir, store, 1, false);
        String imageId = DirectoryStore.open(store, StorageFactory.real(), false).list().get(0).id();
        AtomicBoolean failConfig = new AtomicBoolean();
        ForwardingStorage storage = new ForwardingStorage() {
            @Override
            public StorageFile create(Path path) throws IOException {
                if (failConfig.get() && path.getFileName().toString().startsWith("pool.json")) {
                    throw new IOException("Input/output error (injected) on " + path.getFileName());
                }
                return super.create(path);
            }
        };
        String wt;
        try (Pool pool = Pool.open(dir, storage)) {
            Job bulk = pool.instantRestores().restore("v", store, imageId, true, TRACK); // a track a second
            wt = pool.instantRestores().restoreOf("v").writeThrough().header().id();
            failConfig.set(true);
            bulk.cancel();
            assertThat(bulk.await(30_000)).isTrue();
            assertThat(bulk.state()).isEqualTo(JobState.CANCELLED);
            assertThat(pool.instantRestores().restoreOf("v")).as("the restore ended").isNull();
            failConfig.set(false);

            DirectoryStore s = DirectoryStore.open(store, StorageFactory.real(), false);
            assertThat(s.writer(wt)).as("the cancelled restore's write-through image is written by nobody").isNull();
        }
    }
}
