package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.job.Job;

/**
 * {@code drive replace} of a drive whose image went missing: pool.json still says ONLINE (MISSING is
 * what an open finds, not what is recorded, when nothing was written without the drive), so a power
 * cut after the blank image took the drive's name and before pool.json said REBUILDING must not let
 * the next open take the blank image for the drive's data. A cut at every write index of the
 * replace and its rebuild, two seeds each: reopened and finished, the volume reads as written and
 * its members agree.
 */
class MissingDriveReplaceCrashTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    private byte[] written;

    private Path template() throws Exception {
        Path dir = TestPools.create(tmp.resolve("template"), Layout.RAID5, 3, 1 << 20, TRACK);
        try (Pool pool = Pool.open(dir)) {
            written = new byte[(int) pool.volume("v").size()];
            new Random(3).nextBytes(written);
            pool.device("v").write(0, ByteBuffer.wrap(written));
        }
        Files.delete(dir.resolve("drives").resolve("d2.img")); // the drive was pulled
        return dir;
    }

    @Test
    void aPowerCutInTheReplaceOfAMissingDriveNeverTakesTheBlankImageForItsData() throws Exception {
        Path template = template();
        BackupTest.atEveryWriteIndex(2, (cut, seed) -> run(template, tmp.resolve("cut-" + cut + "-" + seed), cut, seed));
    }

    /**
     * The other side of the same order: pool.json recorded the rebuild, and the crash came before the
     * blank took the drive's name (no write falls between the two, so the cuts above cannot stop
     * there; the state is made by hand): the open gives the blank its name and the rebuild goes on.
     */
    @Test
    void aReplaceRecordedBeforeItsBlankTookTheDrivesNameIsFinishedAtOpen() throws Exception {
        Path dir = template();
        // a rebuild that stays under way until the close: its job not run (a 1 B/s throttle still let
        // its first step, the whole 1 MiB drive, finish before the close now and then)
        try (Pool pool = Pool.open(dir, org.splitpoint.engine.io.StorageFactory.real(), new PoolOptions(false))) {
            pool.admin().replaceDrive("d2", 1);
        }
        Path drives = dir.resolve("drives");
        Files.move(drives.resolve("d2.img"), drives.resolve("d2.img.blank"));
        try (Pool p = Pool.open(dir)) {
            assertThat(Files.exists(drives.resolve("d2.img"))).isTrue();
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.REBUILDING);
            p.jobs().forEach(j -> j.setThrottle(0));
            p.awaitJobs(null);
            CutRuns.assertWholeWithD2(p, written, "the replace finished at open");
        }
    }

    /**
     * A FAILED drive's replace cut before pool.json records its rebuild: the drive is as pool.json
     * has it, FAILED over its own image. Before, the image set aside under its {@code .replaced-<time>}
     * name stayed there, and the drive opened MISSING, its image said to be gone.
     */
    @Test
    void aFailedDrivesReplaceCutBeforeItIsRecordedLeavesTheDriveFailedOverItsOwnImage() throws Exception {
        Path dir = TestPools.create(tmp.resolve("failed"), Layout.RAID5, 3, 1 << 20, TRACK);
        try (Pool pool = Pool.open(dir)) {
            byte[] data = new byte[(int) pool.volume("v").size()];
            new Random(4).nextBytes(data);
            pool.device("v").write(0, ByteBuffer.wrap(data));
            pool.admin().failDrive("d2");
        }
        Path image = dir.resolve("drives").resolve("d2.img");
        byte[] d2 = Files.readAllBytes(image);
        replaceCutBeforeItsRecord(dir);
        try (Pool p = Pool.open(dir)) {
            assertThat(p.snapshot().drive("d2").state()).as(String.join("; ", p.openNotes())).isEqualTo(DriveState.FAILED);
            assertThat(Files.readAllBytes(image)).as("d2's image").isEqualTo(d2);
            Job j = p.admin().replaceDrive("d2"); // and the replace can be given again
            assertThat(j.await(30_000)).isTrue();
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            assertThat(p.admin().verify("v", false, null)).isZero();
        }
        try (var files = Files.list(dir.resolve("drives"))) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("d2.img.replac")))
                    .as("the image replaced, kept once under its forensic name").hasSize(1)
                    .allMatch(n -> n.startsWith("d2.img.replaced-"));
        }
    }

    /** {@code drive replace d2} with the power going with the first write of the pool.json that would record its rebuild. */
    private static void replaceCutBeforeItsRecord(Path dir) throws Exception {
        FaultInjector inj = new FaultInjector(org.splitpoint.engine.io.StorageFactory.real());
        Pool pool = Pool.open(dir, inj);
        inj.countOnly(p -> p.getFileName().toString().startsWith("pool.json")).powerCutAfterWrite(1, 0, 1);
        try {
            pool.admin().replaceDrive("d2");
            throw new AssertionError("the replace was recorded before the cut");
        } catch (IOException e) {
            assertThat(inj.isCut()).as("cut: " + e).isTrue();
        }
        CutRuns.crash(inj, pool);
    }

    /**
     * The same cut, then a read-only open (which changes no file) before any writable one: it shows
     * the drive as pool.json has it, FAILED over the image set aside at {@code .img.replacing}, not
     * MISSING (its image said to be gone) as it did until a writable open put the image back.
     */
    @Test
    void aReadOnlyOpenAfterAnUnrecordedReplaceShowsTheDriveAsRecorded() throws Exception {
        Path dir = TestPools.create(tmp.resolve("ro"), Layout.RAID5, 3, 1 << 20, TRACK);
        byte[] data;
        try (Pool pool = Pool.open(dir)) {
            data = new byte[(int) pool.volume("v").size()];
            new Random(6).nextBytes(data);
            pool.device("v").write(0, ByteBuffer.wrap(data));
            pool.admin().failDrive("d2");
        }
        replaceCutBeforeItsRecord(dir);
        Path drives = dir.resolve("drives");
        assertThat(drives.resolve("d2.img.replacing")).as("the cut's leftover, as a writable open finds it").exists();
        try (Pool p = Pool.open(dir, org.splitpoint.engine.io.StorageFactory.real(), new PoolOptions(false, true))) {
            assertThat(p.snapshot().drive("d2").state()).as(String.join("; ", p.openNotes())).isEqualTo(DriveState.FAILED);
            assertThat(p.openNotes()).as("notes").noneMatch(n -> n.contains("missing"));
            byte[] read = new byte[data.length];
            p.volume("v").read(0, ByteBuffer.wrap(read));
            assertThat(read).as("the volume read without d2").isEqualTo(data);
        }
        assertThat(drives.resolve("d2.img.replacing")).as("a read-only open changes no file").exists();
        try (Pool p = Pool.open(dir)) {
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.FAILED);
        }
    }

    /**
     * The same for a FAILED volume's restore from a backup, which gives its lost drives blank images:
     * cut before pool.json records it, the lost drives are as pool.json has them: d2 FAILED over its
     * own image (before, MISSING, its image left under its {@code .replaced-<time>} name), d3 pulled.
     */
    @Test
    void aFailedVolumesRestoreCutBeforeItIsRecordedLeavesItsDrivesFailedOverTheirOwnImages() throws Exception {
        Path dir = TestPools.create(tmp.resolve("lost"), Layout.RAID5, 3, 1 << 20, TRACK);
        Path store = tmp.resolve("store");
        String id;
        try (Pool pool = Pool.open(dir)) {
            byte[] data = new byte[(int) pool.volume("v").size()];
            new Random(5).nextBytes(data);
            pool.device("v").write(0, ByteBuffer.wrap(data));
            assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
            id = pool.backups().lastBackup("v").image();
            pool.admin().failDrive("d2");
        }
        Path drives = dir.resolve("drives");
        Files.delete(drives.resolve("d3.img")); // pulled: v is FAILED
        byte[] d2 = Files.readAllBytes(drives.resolve("d2.img"));
        FaultInjector inj = new FaultInjector(org.splitpoint.engine.io.StorageFactory.real());
        Pool pool = Pool.open(dir, inj);
        inj.countOnly(p -> p.getFileName().toString().startsWith("pool.json")).powerCutAfterWrite(1, 0, 1);
        try {
            pool.instantRestores().restore("v", store, id, false, 0);
            throw new AssertionError("the restore was recorded before the cut");
        } catch (IOException e) {
            assertThat(inj.isCut()).as("cut: " + e).isTrue();
        }
        CutRuns.crash(inj, pool);
        try (Pool p = Pool.open(dir)) {
            assertThat(p.instantRestores().restoreOf("v")).isNull();
            assertThat(p.snapshot().drive("d2").state()).as(String.join("; ", p.openNotes())).isEqualTo(DriveState.FAILED);
            assertThat(Files.readAllBytes(drives.resolve("d2.img"))).as("d2's image").isEqualTo(d2);
            assertThat(p.snapshot().drive("d3").state()).isEqualTo(DriveState.MISSING);
            assertThat(p.instantRestores().restore("v", store, id, false, 0).await(60_000)).isTrue(); // and it can be given again
            assertThat(p.volume("v").state()).isEqualTo(VolumeState.OPTIMAL);
        }
    }

    private long run(Path template, Path runDir, long cut, long seed) throws Exception {
        Path dir = runDir.resolve("pool");
        TestPools.copyDir(template, dir);
        FaultInjector inj = CutRuns.injector(cut, seed);
        String what = "cut " + cut + " seed " + seed;
        Pool pool = null;
        try {
            pool = Pool.open(dir, inj);
            assertThat(pool.snapshot().drive("d2").state()).as(what).isEqualTo(DriveState.MISSING);
            Job rebuild = pool.admin().replaceDrive("d2");
            rebuild.await(30_000);
            pool.close();
            pool = null;
        } catch (Exception e) {
            CutRuns.cutOrFail(inj, e, what);
        }
        long writes = CutRuns.crash(inj, pool);
        try (Pool p = Pool.open(dir)) {
            TestPools.assertSameBytes(TestPools.readAll(p.volume("v")), written, what + ": the volume after the reopen");
            if (p.snapshot().drive("d2").state() != DriveState.ONLINE) {
                p.awaitJobs(null);
                if (p.snapshot().drive("d2").state() != DriveState.ONLINE) {
                    Job j = p.admin().replaceDrive("d2"); // a replace the cut undid is done again
                    assertThat(j.await(30_000)).isTrue();
                }
            }
            CutRuns.assertWholeWithD2(p, written, what);
        }
        TestPools.deleteDir(runDir);
        return writes;
    }
}
