package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pair.PairState;

/**
 * A pool's life beyond its first volume: deleting volumes and pairs, a SPARE taking a FAILED
 * drive's place; each refused with one sentence when something still builds on what would go,
 * and each refusal changing nothing.
 */
class LifecycleTest {

    @TempDir
    Path tmp;
    private Path dir;
    private Pool pool;

    @BeforeEach
    void open() throws Exception {
        dir = tmp.resolve("p");
        Pool.create(dir, 8, 2 << 20, 16384, StorageFactory.real());
        pool = Pool.open(dir);
        pool.admin().createVolume("a", Layout.RAID5, List.of("d1", "d2", "d3"), 0);
        pool.admin().createVolume("b", Layout.RAID1, List.of("d4", "d5"), 0);
    }

    @AfterEach
    void close() throws Exception {
        if (pool != null) {
            pool.close();
        }
    }

    private PoolSnapshot.DriveView drive(String name) {
        return pool.snapshot().drive(name);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void deletingAVolumeGivesItsDrivesBackAsSparesAndSurvivesAReopen() throws Exception {
        pool.device("a").write(0, ByteBuffer.wrap(random(100_000, 1)));
        pool.admin().deleteVolume("a");
        assertThat(pool.snapshot().volume("a")).isNull();
        for (String d : List.of("d1", "d2", "d3")) {
            assertThat(drive(d).state()).isEqualTo(DriveState.SPARE);
            assertThat(drive(d).volume()).isNull();
        }
        assertThat(Files.exists(pool.paths.writeIntent("a"))).isFalse();
        assertThat(Files.exists(pool.paths.journal("a"))).isFalse();
        pool.close();
        pool = Pool.open(dir);
        assertThat(pool.snapshot().volumes()).extracting(PoolSnapshot.VolumeView::name).containsExactly("b");
        assertThat(drive("d2").state()).isEqualTo(DriveState.SPARE);
        // the spares make a new volume of the same name, blank
        pool.admin().createVolume("a", Layout.RAID1, List.of("d1", "d2"), 0);
        assertThat(pool.read("a", 0, 4096)).containsOnly(0);
        assertThat(pool.admin().verify("a", false, null)).isZero();
    }

    @Test
    void aFailedMemberOfADeletedVolumeStaysFailed() throws Exception {
        pool.admin().failDrive("d2");
        pool.admin().deleteVolume("a");
        assertThat(drive("d1").state()).isEqualTo(DriveState.SPARE);
        assertThat(drive("d2").state()).isEqualTo(DriveState.FAILED);
        assertThat(drive("d2").volume()).isNull();
    }

    @Test
    void aVolumeInAPairIsNotDeletedUntilThePairIs() throws Exception {
        pool.admin().createVolume("c", Layout.RAID1, List.of("d6", "d7"), pool.volume("b").size());
        pool.pairs().create("p", "b", "c");
        assertThatThrownBy(() -> pool.admin().deleteVolume("c")).isInstanceOf(PoolException.class)
                .hasMessage("volume c is the BCV of pair p; delete the pair first");
        assertThat(pool.admin().whyNotDeleteVolume("b")).isEqualTo("volume b is the STD of pair p; delete the pair first");
        assertThat(pool.snapshot().volume("c")).isNotNull();
        pool.pairs().delete("p", false);
        pool.admin().deleteVolume("c");
        assertThat(drive("d6").state()).isEqualTo(DriveState.SPARE);
    }

    @Test
    void aVolumeWithSnapshotsOrTheSaveAreaIsNotDeleted() throws Exception {
        pool.admin().createVolume("save", Layout.RAID1, List.of("d6", "d7"), 0);
        pool.snapshots().setSaveArea("save");
        pool.snapshots().create("b", "s1");
        assertThat(pool.admin().whyNotDeleteVolume("b")).isEqualTo("volume b has 1 snapshot; delete it first");
        assertThat(pool.admin().whyNotDeleteVolume("save"))
                .isEqualTo("volume save is the save area of the pool's snapshots; it holds their saved tracks");
        assertThatThrownBy(() -> pool.admin().deleteVolume("b")).hasMessageContaining("has 1 snapshot");
        pool.snapshots().delete("b", "s1");
        pool.admin().deleteVolume("b");
    }

    @Test
    void aVolumeWithARebuildUnderWayOrADriveInServiceIsNotDeleted() throws Exception {
        pool.admin().failDrive("d1");
        Job rebuild = pool.admin().replaceDrive("d1", 1); // 1 byte/s: it stays under way
        assertThat(pool.admin().whyNotDeleteVolume("a")).startsWith("a rebuild of drive d1 of volume a is under way");
        rebuild.cancel();
        rebuild.await(30_000);
        pool.admin().replaceDrive("d1").await(30_000);
        pool.service().offline("d4", OfflineReason.REPLACEMENT, LogMode.POINTERS);
        assertThat(pool.admin().whyNotDeleteVolume("b"))
                .isEqualTo("drive d4 of volume b is in a service window; bring it online first");
    }

    /**
     * A rebuild's end is an event about its drive, as its progress is: the event log's subject
     * column read the job's random id ("rebuild-4b847e34  rebuild of d2 finished", seen in the app)
     * where every other line names a drive, a volume or a pair.
     */
    @Test
    void aRebuildsEndIsAnEventAboutItsDrive() throws Exception {
        List<org.splitpoint.engine.event.Event> ended = new java.util.concurrent.CopyOnWriteArrayList<>();
        pool.events().addListener(e -> {
            if (e.type().equals("JOB_FINISHED")) {
                ended.add(e);
            }
        });
        pool.admin().failDrive("d2");
        pool.admin().replaceDrive("d2").await(30_000);
        pool.admin().failDrive("d5");
        Job cancelled = pool.admin().replaceDrive("d5", 1); // 1 byte/s: cancelled while under way
        cancelled.cancel();
        cancelled.await(30_000);
        pool.events().drain();
        assertThat(ended).extracting(org.splitpoint.engine.event.Event::message)
                .containsExactly("rebuild of d2 finished",
                        "rebuild of d5 was cancelled; the drive is FAILED and volume b is DEGRADED");
        assertThat(ended).extracting(org.splitpoint.engine.event.Event::source).containsExactly("d2", "d5");
    }

    @Test
    void anUnknownVolumeIsNamedInTheRefusal() {
        assertThatThrownBy(() -> pool.admin().deleteVolume("zz")).isInstanceOf(PoolException.class)
                .hasMessage("no volume named 'zz' in this pool");
    }

    @Test
    void deletingAPairLeavesBothVolumesIndependentWithTheirData() throws Exception {
        pool.admin().createVolume("c", Layout.RAID1, List.of("d6", "d7"), pool.volume("b").size());
        pool.pairs().create("p", "b", "c");
        byte[] data = random(50_000, 2);
        pool.device("b").write(0, ByteBuffer.wrap(data));
        pool.pairs().establish("p", true).await(30_000);
        assertThat(pool.pairs().query("p").get(0).state()).isEqualTo(PairState.Synchronized);
        pool.pairs().delete("p", false);
        assertThat(pool.pairs().query(null)).isEmpty();
        assertThat(Files.exists(pool.paths.pairBitmap("p", "std.inv"))).isFalse();
        // the STD's writes no longer reach the old BCV
        pool.device("b").write(0, ByteBuffer.wrap(new byte[4096]));
        assertThat(pool.read("c", 0, 50_000)).isEqualTo(data);
        assertThat(pool.read("b", 0, 4096)).containsOnly(0);
        pool.close();
        pool = Pool.open(dir);
        assertThat(pool.pairs().query(null)).isEmpty();
        pool.pairs().create("p", "b", "c"); // the name is free again
    }

    @Test
    void aPairWhoseCopyRunsIsDeletedOnlyWhenTheCopyIsStopped() throws Exception {
        pool.admin().createVolume("c", Layout.RAID1, List.of("d6", "d7"), pool.volume("b").size());
        pool.pairs().create("p", "b", "c");
        Job j = pool.pairs().establish("p", true, 1); // 1 byte/s: the copy stays under way
        assertThat(pool.pairs().whyNotDelete("p", false)).isEqualTo("pair p is SyncInProg (the BCV is being copied"
                + " from the STD); stop the copy first, or wait until it finishes");
        assertThatThrownBy(() -> pool.pairs().delete("p", false)).isInstanceOf(PoolException.class);
        assertThat(j.state().isFinished()).isFalse();
        pool.pairs().delete("p", true);
        assertThat(j.state()).isEqualTo(JobState.CANCELLED);
        assertThat(pool.pairs().query(null)).isEmpty();
    }

    @Test
    void aSpareTakesAFailedDrivesPlaceAndIsRebuilt() throws Exception {
        byte[] data = random(300_000, 3);
        pool.device("a").write(10_000, ByteBuffer.wrap(data));
        pool.admin().failDrive("d2");
        Job rebuild = pool.admin().replaceWithSpare("d2", "d6", 0);
        assertThat(drive("d6").volume()).isEqualTo("a");
        assertThat(drive("d2").volume()).isNull();
        assertThat(drive("d2").state()).isEqualTo(DriveState.FAILED);
        assertThat(rebuild.await(60_000)).isTrue();
        assertThat(rebuild.state()).isEqualTo(JobState.DONE);
        assertThat(drive("d6").state()).isEqualTo(DriveState.ONLINE);
        assertThat(pool.snapshot().volume("a").drives()).containsExactly("d1", "d6", "d3");
        assertThat(pool.snapshot().volume("a").state()).isEqualTo(VolumeState.OPTIMAL);
        assertThat(pool.admin().verify("a", false, null)).isZero();
        pool.close();
        pool = Pool.open(dir);
        assertThat(pool.snapshot().volume("a").drives()).containsExactly("d1", "d6", "d3");
        assertThat(pool.read("a", 10_000, data.length)).isEqualTo(data);
        // the failed drive, in no volume now, is replaced in place into a SPARE
        assertThat(pool.admin().replaceDrive("d2")).isNull();
        assertThat(drive("d2").state()).isEqualTo(DriveState.SPARE);
    }

    @Test
    void aSpareReplacementIsRefusedWithASentence() throws Exception {
        assertThat(pool.admin().whyNotReplaceWithSpare("d1", "d6"))
                .isEqualTo("drive d1 is ONLINE; only a FAILED or MISSING drive is replaced by a spare");
        pool.admin().failDrive("d1");
        assertThat(pool.admin().whyNotReplaceWithSpare("d1", "d4"))
                .isEqualTo("drive d4 is ONLINE in volume b; only a SPARE drive can take d1's place");
        assertThat(pool.admin().whyNotReplaceWithSpare("d1", "d9")).isEqualTo("no drive named 'd9' in this pool");
        String small = pool.admin().addDrive(1 << 20);
        assertThat(pool.admin().whyNotReplaceWithSpare("d1", small))
                .isEqualTo("drive " + small + " (1 MiB) is smaller than d1 (2 MiB) whose place it would take");
        var before = pool.snapshot();
        assertThatThrownBy(() -> pool.admin().replaceWithSpare("d1", small, 0)).isInstanceOf(PoolException.class);
        assertThat(pool.snapshot().volume("a").drives()).isEqualTo(before.volume("a").drives());
        assertThat(drive(small).state()).isEqualTo(DriveState.SPARE);
    }

    @Test
    void aSpareTakesTheFailedLegOfAMirrorWhileAnotherVolumeIsDegraded() throws Exception {
        byte[] data = random(200_000, 4);
        pool.device("b").write(0, ByteBuffer.wrap(data));
        pool.admin().failDrive("d1");
        pool.admin().failDrive("d4");
        Job j = pool.admin().replaceWithSpare("d4", "d6", 0);
        assertThat(j.await(60_000)).isTrue();
        assertThat(pool.snapshot().volume("b").state()).isEqualTo(VolumeState.OPTIMAL);
        assertThat(pool.snapshot().volume("a").state()).isEqualTo(VolumeState.DEGRADED);
        assertThat(pool.read("b", 0, data.length)).isEqualTo(data);
        assertThat(pool.admin().verify("b", false, null)).isZero();
    }
}
