package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageReader;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * A restore's write-through image whose sync failed at a host's flush (a writeback error on the
 * store's disk: the pages are dropped and the next fsync succeeds without them) may have lost a
 * host write its index names. It is dropped, as an image that cannot be written is: kept, the
 * next flush's sync succeeded, the restore's end sealed it, and the image failed its SHA-256.
 */
class WriteThroughSyncFailureTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aWriteThroughImageWhoseSyncFailedIsDroppedNotSealed() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, DRIVE, TRACK);
        Path store = tmp.resolve("store");
        byte[] model = BackedUp.volume(dir, store, 95, true);
        FaultInjector disk = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, 1)
                .unforcedWritesLost(); // writes stay unforced until a force: the failed one loses them
        String wt;
        try (Pool pool = Pool.open(dir, disk)) {
            Job job = pool.instantRestores().restore("v", store, null, true, 0);
            job.pause();
            wt = pool.instantRestores().restoreOf("v").writeThrough().header().id();
            byte[] written = new byte[TRACK];
            new Random(96).nextBytes(written);
            pool.device("v").write(100L * TRACK, ByteBuffer.wrap(written));
            System.arraycopy(written, 0, model, 100 * TRACK, TRACK);
            disk.failForces(f -> f.startsWith(store) && f.getFileName().toString().equals("data"), 1);
            try {
                pool.device("v").flush();
            } catch (java.io.IOException e) {
                // the image's sync failed under this flush
            }
            pool.device("v").flush(); // the next flush: the image's sync succeeds, with nothing to write
            job.resume();
            assertThat(job.await(60_000)).isTrue();
            assertThat(job.state()).isEqualTo(JobState.DONE);
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), model, "the volume");
        }
        DirectoryStore s = DirectoryStore.open(store, StorageFactory.real(), false);
        if (s.list().stream().anyMatch(i -> i.id().equals(wt))) {
            try (ImageReader r = s.open(wt)) {
                r.verify(null); // sealed, it must hold the host's write it names
            }
        }
    }
}
