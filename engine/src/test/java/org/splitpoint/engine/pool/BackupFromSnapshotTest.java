package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * {@code backup create --from-snapshot}: the image is the volume as the snapshot shows it, whatever
 * the hosts wrote since or write while it is copied; an incremental one builds only on a backup made
 * before the snapshot, and the next backup of the volume as of now still holds every change.
 */
class BackupFromSnapshotTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    private Path store() {
        return tmp.resolve("store");
    }

    private Path pool() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK);
        try (Pool p = Pool.open(dir)) {
            p.snapshots().setSaveArea("save");
        }
        return dir;
    }

    private static void done(Job j) throws Exception {
        assertThat(j.await(60_000)).isTrue();
        assertThat(j.state()).as(String.valueOf(j.progress().message())).isEqualTo(JobState.DONE);
    }

    private ImageInfo image(String id) throws Exception {
        return DirectoryStore.open(store(), StorageFactory.real(), false).list().stream()
                .filter(i -> i.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void aFullBackupFromASnapshotHoldsTheSnapshotsBytesWhileHostsWriteOn() throws Exception {
        Path dir = pool();
        try (Pool pool = Pool.open(dir)) {
            byte[] model = new byte[(int) pool.volume("v").size()];
            Random rnd = new Random(7);
            BackupTest.randomWrites(pool, model, rnd, 60);
            SnapshotAdmin.Info s1 = pool.snapshots().create("v", "s1");
            byte[] atSnapshot = model.clone();
            BackupTest.randomWrites(pool, model, rnd, 60);
            // slow (1 MB/s over 2 MiB), so the hosts' writes below land while it copies
            Job j = pool.backups().backup("v", store(), true, 1_000_000, "s1");
            BackupTest.randomWrites(pool, model, rnd, 200);
            done(j);
            String id = pool.backups().lastBackup("v").image();
            TestPools.assertSameBytes(BackupTest.imageBytes(store(), id), atSnapshot, "the image of v@s1");
            assertThat(image(id).createdAt()).as("the image carries the snapshot's time").isEqualTo(s1.createdAt());
            assertThat(image(id).kind()).isEqualTo(ImageInfo.Kind.FULL);
        }
    }

    @Test
    void anIncrementalFromASnapshotBuildsOnTheBackupBeforeItAndTheNextBackupMissesNothing() throws Exception {
        Path dir = pool();
        byte[] model;
        byte[] atSnapshot;
        Random rnd = new Random(11);
        String full;
        try (Pool pool = Pool.open(dir)) {
            model = new byte[(int) pool.volume("v").size()];
            BackupTest.randomWrites(pool, model, rnd, 60);
            done(pool.backups().backup("v", store(), true, 0));
            full = pool.backups().lastBackup("v").image();
            BackupTest.randomWrites(pool, model, rnd, 20);
            pool.snapshots().create("v", "s1");
            atSnapshot = model.clone();
            BackupTest.randomWrites(pool, model, rnd, 20);
        }
        try (Pool pool = Pool.open(dir)) { // what the snapshot recorded of the backups survives a reopen
            done(pool.backups().backup("v", store(), false, 0, "s1"));
            String inc = pool.backups().lastBackup("v").image();
            assertThat(image(inc).parent()).isEqualTo(full);
            assertThat(image(inc).kind()).isEqualTo(ImageInfo.Kind.INCREMENTAL);
            TestPools.assertSameBytes(BackupTest.imageBytes(store(), inc), atSnapshot, "full + incremental as of v@s1");
            // the writes after the snapshot are still owed to the next incremental, made as of now
            BackupTest.randomWrites(pool, model, rnd, 10);
            done(pool.backups().backup("v", store(), false, 0));
            String now = pool.backups().lastBackup("v").image();
            assertThat(image(now).parent()).isEqualTo(inc);
            TestPools.assertSameBytes(BackupTest.imageBytes(store(), now), model, "the chain as of now");
        }
    }

    /**
     * A volume's first backup taken from a snapshot starts its changed-block map with what changed
     * since the snapshot: with no map, the next incremental as of now made one, empty, and copied
     * nothing (seen in the app: "the changed-block map of volume prod is missing" at the next open).
     */
    @Test
    void aFirstBackupFromASnapshotLeavesTheNextIncrementalEveryChange() throws Exception {
        Path dir = pool();
        byte[] model;
        Random rnd = new Random(17);
        try (Pool pool = Pool.open(dir)) {
            model = new byte[(int) pool.volume("v").size()];
            BackupTest.randomWrites(pool, model, rnd, 40);
            pool.snapshots().create("v", "s1");
            BackupTest.randomWrites(pool, model, rnd, 15); // before the backup: only the snapshot knows these
            done(pool.backups().backup("v", store(), true, 0, "s1"));
            BackupTest.randomWrites(pool, model, rnd, 15);
            done(pool.backups().backup("v", store(), false, 0));
            TestPools.assertSameBytes(BackupTest.imageBytes(store(), pool.backups().lastBackup("v").image()), model,
                    "the chain as of now, in the same run");
            BackupTest.randomWrites(pool, model, rnd, 15);
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.openNotes()).noneMatch(n -> n.contains("changed-block map"));
            done(pool.backups().backup("v", store(), false, 0));
            TestPools.assertSameBytes(BackupTest.imageBytes(store(), pool.backups().lastBackup("v").image()), model,
                    "the chain as of now, after a reopen");
        }
    }

    /**
     * A power cut at every write index of a volume's first backup, taken from a snapshot while hosts
     * write on: after the reopen, the image (when it completed) is the snapshot, and the next backup
     * (incremental on it, or full when it did not complete) is the volume — its changed-block map on
     * disk with the record, never a record without it.
     */
    @Test
    void aPowerCutDuringAFirstBackupFromASnapshotLosesNoChange() throws Exception {
        Path template = pool();
        try (Pool pool = Pool.open(template)) {
            byte[] model = new byte[(int) pool.volume("v").size()];
            BackupTest.randomWrites(pool, model, new Random(23), 30);
            pool.snapshots().create("v", "s1");
        }
        int seeds = Boolean.getBoolean("splitpoint.longTests") ? 4 : 1;
        BackupTest.atEveryWriteIndex(seeds, (cut, seed) -> BackupTest.cutRun(template, store(),
                tmp.resolve("cut-" + cut + "-" + seed), cut, seed,
                (pool, st) -> pool.backups().backup("v", st, true, 0, "s1"),
                (reopened, st, what) -> {
                    PoolConfig.BackupRecord first = reopened.backups().lastBackup("v");
                    if (first != null) {
                        byte[] snapshot = new byte[(int) reopened.volume("v").size()];
                        reopened.snapshots().reader("v", "s1").read(0, ByteBuffer.wrap(snapshot));
                        TestPools.assertSameBytes(BackupTest.imageBytes(st, first.image()), snapshot,
                                what + ": the image of v@s1");
                    }
                    Job next = reopened.backups().backup("v", st, first == null, 0);
                    assertThat(next.await(60_000)).isTrue();
                    assertThat(next.state()).as("%s: the next backup", what).isEqualTo(JobState.DONE);
                    TestPools.assertSameBytes(BackupTest.imageBytes(st, reopened.backups().lastBackup("v").image()),
                            TestPools.readAll(reopened.volume("v")), what + ": the backup after the crash against the volume");
                }));
    }

    @Test
    void anIncrementalFromASnapshotOlderThanTheLastBackupIsRefusedAndAFullOneIsRight() throws Exception {
        Path dir = pool();
        try (Pool pool = Pool.open(dir)) {
            byte[] model = new byte[(int) pool.volume("v").size()];
            Random rnd = new Random(3);
            BackupTest.randomWrites(pool, model, rnd, 40);
            pool.snapshots().create("v", "before");
            byte[] atBefore = model.clone();
            done(pool.backups().backup("v", store(), true, 0));
            BackupTest.randomWrites(pool, model, rnd, 40);
            String last = pool.backups().lastBackup("v").image();

            assertThatThrownBy(() -> pool.backups().backup("v", store(), false, 0, "before"))
                    .isInstanceOf(PoolException.class)
                    .hasMessageContaining("snapshot v@before was taken before the volume had a backup")
                    .hasMessageContaining("--full");
            assertThat(pool.backups().lastBackup("v").image()).isEqualTo(last);

            pool.snapshots().create("v", "mid");
            done(pool.backups().backup("v", store(), false, 0));
            assertThatThrownBy(() -> pool.backups().backup("v", store(), false, 0, "mid"))
                    .isInstanceOf(PoolException.class)
                    .hasMessageContaining("was taken before its last backup (image " + pool.backups().lastBackup("v").image());

            done(pool.backups().backup("v", store(), true, 0, "before"));
            TestPools.assertSameBytes(BackupTest.imageBytes(store(), pool.backups().lastBackup("v").image()), atBefore,
                    "a full image of v@before");
        }
    }

    /**
     * A full backup from a snapshot older than the volume's last backup: the changed-block map then
     * holds only what changed since that later backup, so the next incremental as of now, built on
     * the snapshot's image, copied nothing of what changed between the snapshot and that backup.
     */
    @Test
    void aFullBackupFromASnapshotOlderThanTheLastBackupLeavesTheNextIncrementalEveryChange() throws Exception {
        Path dir = pool();
        try (Pool pool = Pool.open(dir)) {
            byte[] model = new byte[(int) pool.volume("v").size()];
            Random rnd = new Random(29);
            BackupTest.randomWrites(pool, model, rnd, 40);
            pool.snapshots().create("v", "old");
            BackupTest.randomWrites(pool, model, rnd, 40); // after the snapshot, before the backup as of now
            done(pool.backups().backup("v", store(), true, 0));
            done(pool.backups().backup("v", store(), true, 0, "old"));
            BackupTest.randomWrites(pool, model, rnd, 5);
            done(pool.backups().backup("v", store(), false, 0));
            TestPools.assertSameBytes(BackupTest.imageBytes(store(), pool.backups().lastBackup("v").image()), model,
                    "the chain as of now on the image of v@old");
        }
    }

    @Test
    void aSnapshotBeingBackedUpCannotBeDeletedAndAnUnknownOneIsNamed() throws Exception {
        Path dir = pool();
        try (Pool pool = Pool.open(dir)) {
            byte[] model = new byte[(int) pool.volume("v").size()];
            BackupTest.randomWrites(pool, model, new Random(5), 40);
            pool.snapshots().create("v", "s1");
            pool.snapshots().create("v", "s2");
            assertThatThrownBy(() -> pool.backups().backup("v", store(), true, 0, "nope"))
                    .isInstanceOf(PoolException.class).hasMessageContaining("no snapshot named 'nope' (snapshots: s1, s2)");

            Job j = pool.backups().backup("v", store(), true, 100_000, "s1"); // 2 MiB at 0.1 MB/s: still running below
            assertThatThrownBy(() -> pool.snapshots().delete("v", "s1"))
                    .isInstanceOf(PoolException.class)
                    .hasMessageContaining("snapshot v@s1 is being backed up (job backup-v)");
            pool.snapshots().delete("v", "s2"); // another snapshot of the volume is not held
            j.cancel();
            assertThat(j.await(60_000)).isTrue();
            assertThat(j.state()).isEqualTo(JobState.CANCELLED);
            pool.snapshots().delete("v", "s1");
            assertThat(pool.backups().lastBackup("v")).isNull();
        }
    }
}
