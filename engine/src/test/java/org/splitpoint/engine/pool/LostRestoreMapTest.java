package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.StorageFactory;

/**
 * An instant restore whose overwrite map (meta/v.restore.inv) is gone or damaged when the pool is
 * opened cannot go on, and the open ends it, saying so. The volume then holds some tracks of the
 * image and, elsewhere, what it held before: the next incremental backup must hold the volume as
 * it is, as after a cancelled restore, though the restore's start had made the changed-block map
 * count from the image.
 */
class LostRestoreMapTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "map {0}")
    @ValueSource(strings = {"missing", "empty"})
    void theBackupAfterARestoreEndedForALostMapHoldsTheVolumeAsItIs(String how) throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID5, 3, 1 << 20, TRACK);
        Path store = tmp.resolve("store");
        String imageId;
        try (Pool pool = Pool.open(dir)) {
            byte[] image = new byte[(int) pool.volume("v").size()];
            new Random(1).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
            assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
            imageId = pool.backups().lastBackup("v").image();
            byte[] other = new byte[image.length];
            new Random(2).nextBytes(other);
            pool.device("v").write(0, ByteBuffer.wrap(other));
            pool.device("v").flush();
        }
        restoredInPartThenMapLost(dir, store, imageId, how);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.openNotes()).anyMatch(n -> n.contains("overwrite map of the instant restore of v"));
            assertThat(pool.instantRestores().restoreOf("v")).isNull();
            byte[] volume = TestPools.readAll(pool.volume("v"));
            assertThat(pool.backups().backup("v", store, false, 0).await(60_000)).isTrue();
            TestPools.assertSameBytes(BackupTest.imageBytes(store, pool.backups().lastBackup("v").image()), volume,
                    "the chain of the backup after the restore ended");
        }
    }

    /**
     * The same for a journaled volume: the restore's start based its journal on the image (the
     * entries before it went), which no longer makes the volume with the tracks not restored; the
     * journal stops protecting, or its base plus its entries make the volume.
     */
    @ParameterizedTest(name = "map {0}")
    @ValueSource(strings = {"missing", "empty"})
    void aJournalBasedOnTheRestoredImageDoesNotClaimAVolumeItNoLongerMakes(String how) throws Exception {
        Path dir = tmp.resolve("journaled");
        Path store = tmp.resolve("jstore");
        JournaledPools.journaled(dir, store);
        String base;
        try (Pool pool = Pool.open(dir)) {
            base = pool.journalRecords.get("v").base();
            byte[] other = new byte[64 * TRACK];
            new Random(3).nextBytes(other);
            pool.device("v").write(0, ByteBuffer.wrap(other));
            pool.device("v").flush();
        }
        restoredInPartThenMapLost(dir, store, base, how);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.instantRestores().restoreOf("v")).isNull();
            if (pool.journals().status("v").protecting()) {
                TestPools.assertSameBytes(JournaledPools.chainPlusJournal(pool, "v"), TestPools.readAll(pool.volume("v")),
                        "the journal's base plus its entries, which it says protect v");
            }
        }
    }

    /** The same for a restore to a snapshot whose map (meta/v.snaprestore.inv) is lost. */
    @ParameterizedTest(name = "map {0}")
    @ValueSource(strings = {"missing", "empty"})
    void theBackupAfterASnapshotRestoreEndedForALostMapHoldsTheVolumeAsItIs(String how) throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("snap"), TRACK, 1 << 20);
        Path store = tmp.resolve("sstore");
        try (Pool pool = Pool.open(dir)) {
            pool.snapshots().setSaveArea("save");
            ResumedJobCutAgainTest.filled(pool.device("v"), 6);
            pool.snapshots().create("v", "s");
            ResumedJobCutAgainTest.rewriteHalf(pool.device("v"), null, 7);
            assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
        }
        try (Pool pool = Pool.open(dir, StorageFactory.real(), new PoolOptions(false))) {
            pool.snapshots().restore("v", "s", false, 0);
            pool.device("v").read(100L * TRACK, ByteBuffer.allocate(4 * TRACK)); // in the half rewritten: restored on demand
        }
        Path map = dir.resolve("meta").resolve("v.snaprestore.inv");
        if (how.equals("missing")) {
            Files.delete(map);
        } else {
            Files.write(map, new byte[0]);
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.snapshots().restoreOf("v")).isNull();
            byte[] volume = TestPools.readAll(pool.volume("v"));
            assertThat(pool.backups().backup("v", store, false, 0).await(60_000)).isTrue();
            TestPools.assertSameBytes(BackupTest.imageBytes(store, pool.backups().lastBackup("v").image()), volume,
                    "the chain of the backup after the restore ended");
        }
    }

    /**
     * The restore of v from {@code image} on record, its copy not run: four tracks read (restored on
     * demand) and one written, the rest owed; then its overwrite map {@code how} ("missing", "empty").
     */
    private static void restoredInPartThenMapLost(Path dir, Path store, String image, String how) throws Exception {
        try (Pool pool = Pool.open(dir, StorageFactory.real(), new PoolOptions(false))) {
            pool.instantRestores().restore("v", store, image, false, 0);
            pool.device("v").read(0, ByteBuffer.allocate(4 * TRACK));
            pool.device("v").write(40L * TRACK, ByteBuffer.wrap(new byte[TRACK]));
        }
        Path map = dir.resolve("meta").resolve("v.restore.inv");
        if (how.equals("missing")) {
            Files.delete(map);
        } else {
            Files.write(map, new byte[0]);
        }
    }
}
