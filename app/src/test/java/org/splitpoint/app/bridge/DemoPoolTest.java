package org.splitpoint.app.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.VolumeState;

/** The first-run demo pool: layout and recognizable data. */
class DemoPoolTest {

    @TempDir
    Path tmp;

    @Test
    void theDemoHasSixDrivesTwoRaid5VolumesAndASynchronizedPairHoldingRecognizableRecords() throws Exception {
        Path dir = TestPools.demo(tmp);
        try (Pool pool = Pool.open(dir)) {
            PoolSnapshot s = pool.snapshot();
            assertThat(s.drives()).hasSize(6).allMatch(d -> d.state() == DriveState.ONLINE);
            assertThat(s.volume("prod").layout()).isEqualTo(Layout.RAID5);
            assertThat(s.volume("prod").drives()).containsExactly("d1", "d2", "d3");
            assertThat(s.volume("prod-bcv").layout()).isEqualTo(Layout.RAID5);
            assertThat(s.volume("prod-bcv").drives()).containsExactly("d4", "d5", "d6");
            assertThat(s.volumes()).allMatch(v -> v.state() == VolumeState.OPTIMAL);
            PairView pair = pool.pairs().query("prod-pair").get(0);
            assertThat(pair.state()).isEqualTo(PairState.Synchronized);
            assertThat(pair.std()).isEqualTo("prod");
            assertThat(pair.bcv()).isEqualTo("prod-bcv");
            assertThat(pair.stdInvalidTracks() + pair.bcvInvalidTracks()).isZero();
            long at = 5 * DemoPool.RECORD * 1000L;
            assertThat(new String(pool.read("prod", at, DemoPool.RECORD), StandardCharsets.US_ASCII))
                    .isEqualTo(DemoPool.record("prod", at)).startsWith("prod 00027100 splitpoint demo");
            assertThat(new String(pool.read("prod-bcv", at, DemoPool.RECORD), StandardCharsets.US_ASCII))
                    .isEqualTo(DemoPool.record("prod", at)); // established: the BCV holds the STD's data
        }
    }

    /**
     * The first-run demo shows every feature without setup: a newcomer found no SPARE drive for a
     * journal (or a drill's repository) and no backup to restore a lost volume from.
     */
    @Test
    void theFirstRunDemoHasSparesForAJournalAndABackedUpMirrorToLoseAndRestore() throws Exception {
        Path dir = tmp.resolve("share/splitpoint/demo-pool");
        assertThat(DemoPool.ensure(dir)).isTrue();
        Path store = dir.resolveSibling("demo-backups");
        try (Pool pool = Pool.open(dir)) {
            PoolSnapshot s = pool.snapshot();
            java.util.List<String> spares = s.drives().stream().filter(d -> d.state() == DriveState.SPARE)
                    .map(d -> d.name()).toList();
            assertThat(spares).hasSize(2);
            assertThat(s.volume("db")).as("a RAID1 volume").isNotNull();
            assertThat(s.volume("db").layout()).isEqualTo(Layout.RAID1);
            assertThat(s.volume("db").state()).isEqualTo(VolumeState.OPTIMAL);
            long at = 3 * DemoPool.RECORD * 1000L;
            assertThat(new String(pool.read("db", at, DemoPool.RECORD), StandardCharsets.US_ASCII))
                    .isEqualTo(DemoPool.record("db", at));
            var backup = pool.backups().lastBackup("db");
            assertThat(backup).as("db is backed up").isNotNull();
            assertThat(Path.of(backup.store()).toAbsolutePath().normalize()).isEqualTo(store.toAbsolutePath().normalize());

            // the journal on prod, as the app's dialog offers it: the two spares, the demo's store
            org.splitpoint.engine.job.Job base = pool.journals().enable("prod", spares, store, 0, 0);
            if (base != null) {
                assertThat(base.await(60_000)).isTrue();
                assertThat(base.state()).isEqualTo(org.splitpoint.engine.job.JobState.DONE);
            }
            assertThat(pool.snapshot().drives().stream().filter(d -> spares.contains(d.name())))
                    .noneMatch(d -> d.state() == DriveState.SPARE);
        }
    }

    @Test
    void ensureCreatesThePoolOnceAndLeavesNoWorkDirectory() throws Exception {
        Path dir = tmp.resolve("share/splitpoint/demo-pool");
        assertThat(DemoPool.ensure(dir)).isTrue();
        assertThat(DemoPool.ensure(dir)).isFalse();
        assertThat(Files.isRegularFile(dir.resolve("pool.json"))).isTrue();
        assertThat(dir.resolveSibling("demo-pool.creating")).doesNotExist();
    }

    /**
     * A demo pool deleted by hand (its directory removed, the way to start over) left its store
     * beside it; the next first run backed up into that store too, so the Backups view listed the
     * old demo's images of db and prod beside the new ones, from a pool that no longer exists. A
     * store whose only recorded user is the demo at this path goes with it now.
     */
    @Test
    void aNewDemoDoesNotInheritTheBackupsOfADeletedOne() throws Exception {
        Path dir = tmp.resolve("share/splitpoint/demo-pool");
        assertThat(DemoPool.ensure(dir)).isTrue();
        Path store = DemoPool.store(dir);
        assertThat(images(store)).hasSize(2);
        deleteTree(dir);

        assertThat(DemoPool.ensure(dir)).isTrue();

        assertThat(images(store)).as("the new demo's backups of db and prod only").hasSize(2);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.backups().lastBackup("db")).as("db is backed up into the new store").isNotNull();
        }
    }

    /** A store another pool backs up to too is not the demo's alone: it stays, with that pool's images. */
    @Test
    void aStoreAnotherPoolUsesStaysWhenTheDemoIsMadeAgain() throws Exception {
        Path dir = tmp.resolve("share/splitpoint/demo-pool");
        assertThat(DemoPool.ensure(dir)).isTrue();
        Path store = DemoPool.store(dir);
        Path other = tmp.resolve("other");
        DemoPool.create(other, 8L << 20, DemoPool.TRACK_SIZE);
        try (Pool pool = Pool.open(other)) {
            var job = pool.backups().backup(DemoPool.STD, store, true, 0);
            assertThat(job.await(60_000)).isTrue();
        }
        deleteTree(dir);

        assertThat(DemoPool.ensure(dir)).isTrue();

        assertThat(images(store)).as("the other pool's image, the old demo's two and the new demo's two").hasSize(5);
    }

    private static java.util.List<org.splitpoint.engine.backup.ImageInfo> images(Path store) throws Exception {
        return org.splitpoint.engine.backup.DirectoryStore.open(store, org.splitpoint.engine.io.StorageFactory.real(),
                false).list();
    }

    private static void deleteTree(Path root) throws Exception {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
