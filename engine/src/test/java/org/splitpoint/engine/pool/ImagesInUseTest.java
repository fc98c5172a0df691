package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.io.StorageFactory;

/**
 * What a store's images are needed for, asked of the pools that use it: a staged journal's base
 * chain, a restore's chain and its write-through image; nothing once the journal is disabled or
 * the restore ends, nor for a pool that is gone or replaced by another at the same place.
 */
class ImagesInUseTest {

    private static final int TRACK = 64 << 10;

    @TempDir
    Path tmp;

    @Test
    void aJournalsBaseAndARestoresImagesAreInUseWhileTheyAreNeeded() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 1L << 20, TRACK);
        Path store = tmp.resolve("store");
        Files.createDirectories(store);
        String base;
        try (Pool pool = Pool.open(dir)) {
            List<String> legs = List.of(pool.admin().addDrive(4L << 20), pool.admin().addDrive(4L << 20));
            byte[] data = new byte[(int) pool.volume("v").size()];
            new Random(71).nextBytes(data);
            pool.device("v").write(0, ByteBuffer.wrap(data));
            assertThat(pool.journals().enable("v", legs, store, 3L << 20, 0).await(60_000)).isTrue();
            base = pool.journals().status("v").base();
            Map<String, String> inUse = ImagesInUse.of(open(store));
            assertThat(inUse).containsOnlyKeys(base);
            assertThat(inUse.get(base)).contains("the staged journal of volume v of the pool at " + dir.toAbsolutePath().normalize());
            pool.journals().disable("v");
            assertThat(ImagesInUse.of(open(store))).isEmpty();

            assertThat(pool.backups().backup("v", store, false, 0).await(60_000)).isTrue();
            String inc = pool.backups().lastBackup("v").image();
            pool.instantRestores().restore("v", store, null, true, 1); // a byte a second: it stays
            String wt = pool.instantRestores().restoreOf("v").writeThrough().header().id();
            inUse = ImagesInUse.of(open(store));
            assertThat(inUse).containsOnlyKeys(base, inc, wt);
            assertThat(inUse.get(base)).contains("volume v of the pool at").contains("is being restored from image " + inc);
            assertThat(inUse.get(wt)).contains("the writes made during the restore of volume v");
            Path other = tmp.resolve("store-mounted-elsewhere"); // the same store reached by another path
            Files.move(store, other);
            assertThat(ImagesInUse.of(open(other))).containsOnlyKeys(base, inc, wt);
            Files.move(other, store);
        }
        Path moved = tmp.resolve("elsewhere");
        Files.move(dir, moved); // the pool is gone from where the store saw it
        assertThat(ImagesInUse.of(open(store))).isEmpty();
        TestPools.create(dir, Layout.RAID1, 2, 1L << 20, TRACK); // another pool at the same place
        assertThat(ImagesInUse.of(open(store))).isEmpty();
        TestPools.deleteDir(dir);
        Files.move(moved, dir);
        try (Pool pool = Pool.open(dir)) { // the restore resumes: in use again, until it finishes
            assertThat(ImagesInUse.of(open(store))).hasSize(3);
            pool.activeJobs().forEach(j -> j.setThrottle(0));
            assertThat(pool.activeJobs().get(0).await(60_000)).isTrue();
            assertThat(ImagesInUse.of(open(store))).isEmpty();
        }
    }

    /** An image id names its volume whole: volume db's clean-up took db-logs's unfinished images for its own. */
    @Test
    void anImageIdIsOfItsVolumeOnly() {
        String id = BackupAdmin.newId("db-logs", "full");
        assertThat(BackupAdmin.isIdOf(id, "db-logs")).isTrue();
        assertThat(BackupAdmin.isIdOf(id, "db")).isFalse();
        assertThat(BackupAdmin.isIdOf(BackupAdmin.newId("db", "journal"), "db")).isTrue();
        assertThat(BackupAdmin.isIdOf("db-notes", "db")).isFalse();
    }

    /**
     * A record of the store's users/ that cannot be read (a hand edit, a disk's fault) is never read as "no one uses
     * it": every image counts as needed (what 'backup delete' and the app's delete refuse), said with the file to
     * move away. Before, it was skipped, and 'backup delete' took the chain a running instant restore read its owed
     * tracks from (those tracks lost).
     */
    @Test
    void aDamagedUserRecordKeepsEveryImageInUse() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 1L << 20, TRACK);
        Path store = tmp.resolve("store");
        try (Pool pool = Pool.open(dir)) {
            byte[] data = new byte[(int) pool.volume("v").size()];
            new Random(72).nextBytes(data);
            pool.device("v").write(0, ByteBuffer.wrap(data));
            assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
            String full = pool.backups().lastBackup("v").image();
            pool.instantRestores().restore("v", store, full, false, 1); // a byte a second: it stays
            assertThat(ImagesInUse.of(open(store))).containsOnlyKeys(full);
            List<Path> users;
            try (var l = Files.list(store.resolve("users"))) {
                users = l.toList();
            }
            assertThat(users).hasSize(1);
            Files.write(users.get(0), new byte[0]);
            Map<String, String> inUse = ImagesInUse.of(open(store));
            assertThat(inUse).containsOnlyKeys(full);
            assertThat(inUse.get(full)).contains("the store's record of a pool that uses it (" + users.get(0)
                    + ") is damaged").contains("move that file away");
        }
    }

    /**
     * A pool.json this process cannot read (another user's pool, a disk's read error) is not "that pool needs
     * nothing": every image counts as needed, said with the pool and the way out. Before, it was skipped like a damaged
     * one, and 'backup delete' run by someone who could not read that pool took the chain its instant restore read
     * its owed tracks from.
     */
    @Test
    void aPoolJsonThatCannotBeReadKeepsEveryImageInUse() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 1L << 20, TRACK);
        Path store = tmp.resolve("store");
        try (Pool pool = Pool.open(dir)) {
            byte[] data = new byte[(int) pool.volume("v").size()];
            new Random(73).nextBytes(data);
            pool.device("v").write(0, ByteBuffer.wrap(data));
            assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
            String full = pool.backups().lastBackup("v").image();
            pool.instantRestores().restore("v", store, full, false, 1); // a byte a second: it stays
            Path json = new PoolPaths(dir).config().toAbsolutePath();
            org.splitpoint.engine.io.FaultInjector failing = new org.splitpoint.engine.io.FaultInjector(StorageFactory.real())
                    .eio(p -> p.toAbsolutePath().equals(json), org.splitpoint.engine.io.FaultInjector.Op.READ,
                            org.splitpoint.engine.io.FaultInjector.Mode.FROM_NTH, 1, 1);
            Map<String, String> inUse = ImagesInUse.of(DirectoryStore.open(store, failing, false));
            assertThat(inUse).containsOnlyKeys(full);
            assertThat(inUse.get(full)).contains("the pool at " + dir.toAbsolutePath().normalize())
                    .contains("could not be read here").contains("users/" + pool.uuid());
            Files.write(new PoolPaths(dir).config(), "{\"magic\": \"damaged\"}".getBytes()); // damaged: that pool cannot open
            assertThat(ImagesInUse.of(open(store))).isEmpty();
        }
    }

    private static DirectoryStore open(Path store) throws Exception {
        return DirectoryStore.open(store, StorageFactory.real(), false);
    }
}
