package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.awaitJobs;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * A restore (from a backup or to a snapshot) and a drive service window of one volume do not
 * overlap, in either order, by one rule: a restore rewrites every track, which the window's delta
 * would hold whole (a data log or a repository, the bytes themselves) and its return resync whole.
 * A restore to a snapshot was refused in a window, an instant restore from a backup was not (and a
 * window was refused during the latter only). The volume restored once the drive is back holds the
 * backup and the hosts' writes, read with d1 failed (so d2's rows answer) and after a reopen.
 */
@QuickServiceSteps
class RestoreInServiceWindowTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"raid1, pointers", "raid1, data", "raid1, repository", "raid5, pointers", "raid5, data", "raid5, repository"})
    void aVolumeRestoredFromABackupAroundAServiceWindowHoldsTheBackupAndTheHostsWrites(String layoutWord, String modeWord)
            throws Exception {
        Layout layout = Layout.parse(layoutWord);
        LogMode mode = LogMode.parse(modeWord);
        Path dir = pool(tmp, layout, layout == Layout.RAID1 ? 2 : 3);
        Path store = tmp.resolve("store");
        byte[] model;
        try (Pool pool = Pool.open(dir)) {
            model = fill(pool, 1);
            assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
            fill(pool, 2); // every track differs from the backup
            pool.snapshots().setSaveArea("save");
            pool.snapshots().create("v", "s1");
            pool.device("v").flush();
            awaitJobs(pool);
            pool.service().offline("d2", OfflineReason.DIAGNOSTICS, mode);
            awaitJobs(pool);
            String sentence = "volume v has a drive in a service window; bring it online first";
            assertThat(Refusal.sentenceOf(RestoreRules.window(pool.snapshot(), "v"))).isEqualTo(sentence); // the app's too
            assertThatThrownBy(() -> pool.instantRestores().restore("v", store, null, false, TRACK))
                    .isInstanceOf(PoolException.class).hasMessage(sentence);
            assertThatThrownBy(() -> pool.snapshots().restore("v", "s1", false, TRACK))
                    .isInstanceOf(PoolException.class).hasMessage(sentence); // the same rule for both restores
            assertThat(pool.instantRestores().restoreOf("v")).isNull();
            pool.snapshots().delete("v", "s1");
            online(pool);
            Job restore = pool.instantRestores().restore("v", store, null, false, TRACK); // a track a second
            byte[] host = new byte[3 * TRACK];
            new Random(3).nextBytes(host);
            pool.device("v").write(5L * TRACK + 100, ByteBuffer.wrap(host)); // hosts write during the restore
            System.arraycopy(host, 0, model, 5 * TRACK + 100, host.length);
            assertThat(DriveRules.offline(pool.snapshot(), "d2")).isEqualTo(new Refusal("volume v is being restored from"
                    + " a backup; wait for the restore to finish"));
            restore.setThrottle(0);
            assertThat(restore.await(60_000)).isTrue();
            assertThat(restore.state()).isEqualTo(JobState.DONE);
            assertThat(pool.volume("v").state()).isEqualTo(VolumeState.OPTIMAL);
            assertThat(pool.admin().verify("v", false, null)).as("mismatched sectors").isZero();
            TestPools.assertSameBytes(model, hostsRead(pool), "the volume restored");
        }
        try (Pool pool = Pool.open(dir)) {
            TestPools.assertSameBytes(model, hostsRead(pool), "the volume restored, reopened");
            pool.admin().failDrive("d1"); // d2's rows (and parity) now answer for d1's
            TestPools.assertSameBytes(model, hostsRead(pool), "the volume restored, d1 failed");
        }
    }

    @Test
    void aDriveIsNotTakenOfflineWhileItsVolumeIsRestoredToASnapshot() throws Exception {
        Path dir = pool(tmp, Layout.RAID1, 2);
        try (Pool pool = Pool.open(dir)) {
            pool.snapshots().setSaveArea("save");
            pool.snapshots().create("v", "s1");
            fill(pool, 1);
            Job restore = pool.snapshots().restore("v", "s1", false, TRACK); // a track a second
            assertThatThrownBy(() -> pool.service().offline("d2", OfflineReason.DIAGNOSTICS, LogMode.DATA))
                    .isInstanceOf(PoolException.class)
                    .hasMessage("volume v is being restored to a snapshot; wait for the restore to finish");
            assertThat(pool.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            restore.cancel();
            assertThat(restore.await(60_000)).isTrue();
        }
    }

    /**
     * A window whose drive was missing at open is not opened, but its record stays: should the image
     * come back, the window reopens and the drive returns by its delta, which would not hold a
     * restore's writes made meanwhile. The pool still shows the drive in its window, so the rule
     * (which reads the snapshot) holds the restores then too.
     */
    @Test
    void aWindowWhoseDriveIsMissingStillHoldsTheRestores() throws Exception {
        Path dir = pool(tmp, Layout.RAID1, 3);
        Path store = tmp.resolve("store");
        try (Pool pool = Pool.open(dir)) {
            fill(pool, 1);
            assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
            pool.snapshots().setSaveArea("save");
            pool.snapshots().create("v", "s1");
            awaitJobs(pool);
            pool.service().offline("d2", OfflineReason.DIAGNOSTICS, LogMode.POINTERS);
            awaitJobs(pool);
        }
        Path image = dir.resolve("drives/d2.img");
        Path aside = tmp.resolve("d2.img.aside");
        java.nio.file.Files.move(image, aside);
        try (Pool pool = Pool.open(dir)) {
            String sentence = "volume v has a drive in a service window; bring it online first";
            assertThat(Refusal.sentenceOf(RestoreRules.window(pool.snapshot(), "v"))).isEqualTo(sentence);
            assertThatThrownBy(() -> pool.instantRestores().restore("v", store, null, false, TRACK))
                    .isInstanceOf(PoolException.class).hasMessage(sentence);
            assertThatThrownBy(() -> pool.snapshots().restore("v", "s1", false, TRACK))
                    .isInstanceOf(PoolException.class).hasMessage(sentence);
        }
    }

    /** Volume v of {@code layout} over d1..dN, "save" of RAID 1 for the save area, and a SPARE (a repository's); 4 MiB drives. */
    private static Path pool(Path tmp, Layout layout, int drives) throws Exception {
        Path dir = tmp.resolve("p");
        Pool.create(dir, drives + 3, 4L << 20, TRACK, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= drives; i++) {
                names.add("d" + i);
            }
            p.admin().createVolume("v", layout, names, 0);
            p.admin().createVolume("save", Layout.RAID1, List.of("d" + (drives + 1), "d" + (drives + 2)), 0);
        }
        return dir;
    }

    private static void online(Pool pool) throws Exception {
        Job back = pool.service().online("d2");
        assertThat(back.await(60_000)).isTrue();
        assertThat(back.state()).isEqualTo(JobState.DONE);
    }

    private static byte[] hostsRead(Pool pool) throws Exception {
        byte[] b = new byte[(int) pool.volume("v").size()];
        pool.device("v").read(0, ByteBuffer.wrap(b));
        return b;
    }

    /** Writes random bytes ({@code seed}) over the whole volume, as hosts write it; returns them. */
    private static byte[] fill(Pool pool, long seed) throws Exception {
        byte[] b = new byte[(int) pool.volume("v").size()];
        new Random(seed).nextBytes(b);
        pool.device("v").write(0, ByteBuffer.wrap(b));
        return b;
    }
}
