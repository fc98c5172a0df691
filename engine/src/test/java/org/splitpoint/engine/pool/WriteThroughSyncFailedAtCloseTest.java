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
 * A restore's write-through image whose sync fails at the pool's close (the store's file system is
 * full: the kernel drops the pages it could not write back, and marks them clean) is kept for the
 * next opening, which resumes it. Opened again before any power cut, the dropped pages are still in
 * the page cache: the resume read them back, found every record's SHA-256 good, kept them, and the
 * restore's end sealed an image naming bytes no disk held; after the power cut it failed its
 * SHA-256. The close now cuts the index back to what the last good sync made durable, so the
 * resume keeps only that, and the host's tracks are put again from the volume.
 */
class WriteThroughSyncFailedAtCloseTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void anImageWhoseSyncFailedAtTheCloseIsResumedWithoutTheRecordsItCouldNotMakeDurable() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, DRIVE, TRACK);
        Path store = tmp.resolve("store");
        byte[] model = BackedUp.volume(dir, store, 95, true);
        FaultInjector disk = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, 1)
                .unforcedWritesLost().failedForcesKeepPagesCached();
        String wt;
        Pool pool = Pool.open(dir, disk);
        Job job = pool.instantRestores().restore("v", store, null, true, 0);
        job.pause();
        wt = pool.instantRestores().restoreOf("v").writeThrough().header().id();
        pool.device("v").flush();
        byte[] written = new byte[TRACK];
        new Random(96).nextBytes(written);
        pool.device("v").write(100L * TRACK, ByteBuffer.wrap(written));
        System.arraycopy(written, 0, model, 100 * TRACK, TRACK);
        disk.failForcesNoSpace(f -> f.startsWith(store) && f.getFileName().toString().equals("data"), 1);
        try {
            pool.close(); // the write-through image's sync fails under the close's flush
        } catch (java.io.IOException expected) {
            // said; the image stays for the next opening
        }
        // the same boot: the page cache still holds what the failed fsync dropped
        try (Pool again = Pool.open(dir, disk)) {
            again.jobs().forEach(j -> {
                j.setThrottle(0);
                j.resume();
            });
            again.awaitJobs(null);
            assertThat(again.instantRestores().restoreOf("v")).as("the restore ended (%s; %s)", again.jobs().stream()
                    .map(j -> j.state() + " " + j.progress().message()).toList(), again.openNotes()).isNull();
            TestPools.assertSameBytes(TestPools.readAll(again.volume("v")), model, "the volume");
        }
        disk.cutNow();
        disk.crash();
        DirectoryStore s = DirectoryStore.open(store, StorageFactory.real(), false);
        if (s.list().stream().anyMatch(i -> i.id().equals(wt))) {
            try (ImageReader r = s.open(wt)) {
                r.verify(null); // sealed, it must hold every byte it names
            }
        }
    }
}
