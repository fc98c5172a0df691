package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;

/**
 * A power cut anywhere in the end of a restore with a write-through image (the image sealed, the
 * restore's record removed) never leaves the restore stuck nor its image dropped: the reopened pool
 * either has the sealed image as the volume's last backup, or resumes the restore with its image
 * unfinished and ends it — or, when the seal reached the disk but the record did not, ends it on
 * the image restored. Before, a cut between the seal's removal of the image's header and its rename
 * left an unfinished image that could not be resumed, and the restore waited for good on a store
 * it took for unreadable.
 */
class WriteThroughEndCrashTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @Test
    void aCutAnywhereInTheEndOfAWriteThroughRestoreLosesNeitherTheRestoreNorItsImage() throws Exception {
        Path template = tmp.resolve("template");
        Path storeTemplate = tmp.resolve("store-template");
        TestPools.create(template, Layout.RAID1, 2, 1 << 20, TRACK);
        String imageId = backedUp(template, storeTemplate, 5);
        long total = run(template, storeTemplate, imageId, tmp.resolve("count"), 0, 1);
        int cuts = 0;
        for (long cut = Math.max(1, total - 40); cut <= total; cut++) {
            for (long seed = 1; seed <= 3; seed++) {
                run(template, storeTemplate, imageId, tmp.resolve("cut-" + cut + "-" + seed), cut, seed * 31 + cut);
                cuts++;
            }
        }
        assertThat(cuts).isGreaterThan(60);
    }

    @Test
    void aWriteThroughImageThatCannotBeResumedIsDroppedAndTheRestoreGoesOn() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        TestPools.create(dir, Layout.RAID1, 2, 1 << 20, TRACK);
        String wt;
        try (Pool pool = Pool.open(dir)) {
            pool.device("v").write(0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
            pool.instantRestores().restore("v", store, null, true, TRACK); // slow: still under way at the close
            pool.device("v").write(7L * TRACK, ByteBuffer.wrap(new byte[TRACK]));
            wt = pool.instantRestores().restoreOf("v").writeThrough().header().id();
        }
        Files.delete(store.resolve("images").resolve(wt + ".partial").resolve("header.json")); // damaged meanwhile
        try (Pool pool = Pool.open(dir)) {
            pool.jobs().forEach(j -> j.setThrottle(0));
            pool.awaitJobs(null);
            assertThat(pool.instantRestores().restoreOf("v")).as("the restore ended (it waited on the store)").isNull();
            assertThat(String.join("\n", pool.openNotes()) + Files.readString(dir.resolve("meta").resolve("events.jsonl")))
                    .contains("the write-through image " + wt + " of the restore of v is dropped: it could not be resumed");
        }
    }

    /**
     * A write the restore's view takes in after the bulk copy's last flush, just before the end
     * seals the image: acknowledged, not flushed. The sealed image must not hold it unless the
     * volume does durably, or a power cut leaves an image of a state the volume does not come back
     * with (it did: the seal made the image durable and nothing flushed the volume).
     */
    @Test
    void theImageSealedAtTheEndHoldsNoWriteTheVolumeCouldStillLose() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        TestPools.create(dir, Layout.RAID1, 2, 1 << 20, TRACK);
        String imageId = backedUp(dir, store, 8);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, 1).unforcedWritesLost()
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"));
        Pool pool = Pool.open(dir, inj);
        Job job = pool.instantRestores().restore("v", store, imageId, true, TRACK); // slow until told
        BlockDevice v = pool.device("v");
        byte[] w = new byte[TRACK];
        new Random(9).nextBytes(w);
        synchronized (pool) { // the restore's end waits for the monitor, its bulk copy flushed
            job.setThrottle(0);
            StuckThreads.awaitWaitingIn("splitpoint-job-" + job.id(), "restoreCompleted");
            v.write(9L * TRACK, ByteBuffer.wrap(w)); // acknowledged, not flushed
        }
        assertThat(job.await(10_000)).as("the restore ended").isTrue(); // its end sealed and recorded the image
        inj.crash();
        pool.abandon();
        try (Pool reopened = Pool.open(dir)) {
            String last = reopened.backups().lastBackup("v").image();
            assertThat(last).as("the write-through image is the last backup").isNotEqualTo(imageId);
            TestPools.assertSameBytes(BackupTest.imageBytes(store, last), TestPools.readAll(reopened.volume("v")),
                    "the sealed image against the volume after the cut");
        }
    }

    /** Volume v filled and backed up in full ({@link BackedUp#volume}); returns the image's id. */
    private static String backedUp(Path dir, Path store, long seed) throws Exception {
        BackedUp.volume(dir, store, seed, false);
        return DirectoryStore.open(store, StorageFactory.real(), false).list().get(0).id();
    }

    /** One restore whose end the power cut may hit; returns the writes counted. */
    private long run(Path template, Path storeTemplate, String imageId, Path run, long cut, long seed) throws Exception {
        Path dir = run.resolve("pool");
        Path store = run.resolve("store");
        TestPools.copyDir(template, dir);
        TestPools.copyDir(storeTemplate, store);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(cut, 0, seed)
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"));
        byte[] written = new byte[3 * TRACK];
        new Random(seed).nextBytes(written);
        Pool pool = null;
        try {
            pool = Pool.open(dir, inj);
            Job job = pool.instantRestores().restore("v", store, imageId, true, 0);
            BlockDevice v = pool.device("v");
            v.write(5L * TRACK, ByteBuffer.wrap(written));
            v.flush();
            job.await(30_000);
            pool.close();
            pool = null;
        } catch (Exception e) {
            if (!inj.isCut()) {
                throw new AssertionError("cut " + cut + ": failed without a cut: " + e, e);
            }
        }
        long writes = inj.writeCount();
        inj.crash();
        if (pool != null) {
            pool.abandon();
        }
        if (cut > 0) {
            try (Pool reopened = Pool.open(dir)) {
                reopened.awaitJobs(null);
                String what = "cut " + cut + " seed " + seed;
                assertThat(reopened.instantRestores().restoreOf("v")).as(what + ": the restore ended").isNull();
                String events = Files.readString(dir.resolve("meta").resolve("events.jsonl"));
                assertThat(events).as(what + ": no image dropped").doesNotContain("is dropped");
                String last = reopened.backups().lastBackup("v") == null ? null : reopened.backups().lastBackup("v").image();
                if (last != null && !last.equals(imageId)) {
                    byte[] got = TestPools.readAll(reopened.volume("v"));
                    TestPools.assertSameBytes(BackupTest.imageBytes(store, last), got, what + ": the sealed image against the volume");
                }
            }
        }
        TestPools.deleteDir(run);
        return writes;
    }
}
