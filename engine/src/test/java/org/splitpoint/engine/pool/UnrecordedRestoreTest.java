package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * An instant restore whose record cannot be written to pool.json (its file system full) fails and
 * changes nothing: the restore's record and the journal's new base had been put in memory before
 * pool.json was written and stayed there when it failed. The next pool.json written by anything
 * else then recorded a restore the administrator was told did not start, and the next opening
 * resumed it, every track owed, over what hosts had written since; and the journal claimed the
 * image as its base while the volume was never restored to it.
 */
class UnrecordedRestoreTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aRestoreThatCannotBeRecordedIsNeverResumedOverLaterWrites() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, DRIVE, TRACK);
        Path store = tmp.resolve("store");
        BackedUp.volume(dir, store, 81, true); // the volume holds other bytes than the image now
        byte[] model;
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            disk.diskFullAfter(TestPools::poolJson, 0);
            assertThatThrownBy(() -> pool.instantRestores().restore("v", store, null, false, 0))
                    .hasMessageContaining("No space left on device");
            disk.diskFreed();
            assertThat(pool.instantRestores().restoreOf("v")).isNull();
            model = writtenAfter(pool, 2, 82); // acknowledged after the refusal
            pool.admin().addDrive(DRIVE); // anything that writes pool.json
        }
        assertNoRestoreAt(dir, model, "a restore that never started, resumed");
    }

    /**
     * A restore whose record was written but whose start then failed (its volume's changed-block
     * map could not be reset, the file system full): the administrator was told it failed, yet the
     * record and overwrite map stayed, so the next opening resumed it and copied the backup over
     * what hosts had written since. Its start is undone as a cancel's: map, then record.
     */
    @Test
    void aRestoreWhoseStartFailsAfterItsRecordIsNeverResumedOverLaterWrites() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, DRIVE, TRACK);
        Path store = tmp.resolve("store");
        BackedUp.volume(dir, store, 86, true); // the volume has a changed-block map (it was backed up)
        byte[] model;
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            disk.diskFullAfter(f -> f.getFileName().toString().endsWith(".cbt"), 0);
            assertThatThrownBy(() -> pool.instantRestores().restore("v", store, null, false, 0))
                    .hasMessageContaining("No space left on device");
            disk.diskFreed();
            assertThat(pool.instantRestores().restoreOf("v")).isNull();
            model = writtenAfter(pool, 2, 87); // acknowledged after the refusal
        }
        assertNoRestoreAt(dir, model, "a restore whose start failed, resumed");
    }

    /**
     * A restore whose end cannot be written to pool.json (its file system full) has ended all the
     * same (host I/O goes straight to the volume, its write-through image is sealed): the copy's job
     * failed with the error and the event said the copy resumes at the next opening, the restore's
     * files stayed open. It ends DONE and a warning says what pool.json still says and what an
     * opening before the next write of it does (resumes it, finds nothing owed, ends it).
     */
    @Test
    void aRestoreWhoseEndCannotBeRecordedEndsAndSaysSo() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, DRIVE, TRACK);
        Path store = tmp.resolve("store");
        byte[] image = BackedUp.volume(dir, store, 88, true);
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk, new PoolOptions(false))) { // the copy is stepped by hand
            List<org.splitpoint.engine.event.Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            pool.addListener(events::add);
            Job job = pool.instantRestores().restore("v", store, null, false, 0);
            disk.diskFullAfter(TestPools::poolJson, 0);
            while (job.stepOnce()) {
                // the restore's copy
            }
            assertThat(job.state()).as("the restore ended: " + job.progress().message()).isEqualTo(JobState.DONE);
            assertThat(pool.instantRestores().restoreOf("v")).isNull();
            pool.events().drain();
            assertThat(events).anyMatch(e -> e.message().startsWith("the end of the instant restore of v could not be"
                    + " written to pool.json (No space left on device"));
            disk.diskFreed();
        }
        try (Pool pool = Pool.open(dir)) {
            Job job = pool.jobs().stream().filter(j -> j.kind().equals("instant-restore")).findFirst().orElseThrow();
            assertThat(job.await(60_000)).isTrue();
            assertThat(pool.instantRestores().restoreOf("v")).as("resumed with nothing owed, ended").isNull();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), image, "the volume, restored");
        }
    }

    /**
     * A cancel whose record cannot be written: the restore ends in memory (hosts write the volume
     * directly from then on, its overwrite map no longer marked) but pool.json still recorded it with
     * its map, so the next opening resumed it and copied the backup over the tracks hosts wrote after
     * the cancel. The map goes before the record: such an opening ends the restore, its map lost.
     */
    @Test
    void aCancelThatCannotBeRecordedNeverRestoresOverLaterWrites() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, DRIVE, TRACK);
        Path store = tmp.resolve("store");
        BackedUp.volume(dir, store, 83, true);
        byte[] model;
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            var job = pool.instantRestores().restore("v", store, null, false, TRACK); // a track a second
            assertThat(pool.instantRestores().restoreOf("v").owedTracks().get(200)).isTrue();
            disk.diskFullAfter(TestPools::poolJson, 0);
            job.cancel();
            assertThat(job.await(30_000)).isTrue();
            assertThat(job.state()).isEqualTo(JobState.CANCELLED);
            assertThat(pool.instantRestores().restoreOf("v")).as("the restore ended").isNull();
            disk.diskFreed();
            model = writtenAfter(pool, 200, 84); // a track the restore owed
        }
        assertNoRestoreAt(dir, model, "the cancelled restore, resumed");
    }

    /**
     * The opening that finds such a record without its map ends the restore and writes pool.json;
     * with the file system still full that write threw out of the open, so the pool could not be
     * opened to free space (a full file system must not keep a pool from opening).
     */
    @Test
    void anOpeningThatCannotRecordTheEndOfARestoreWithoutItsMapStillOpens() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, DRIVE, TRACK);
        Path store = tmp.resolve("store");
        BackedUp.volume(dir, store, 89, true);
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            var job = pool.instantRestores().restore("v", store, null, false, TRACK);
            disk.diskFullAfter(TestPools::poolJson, 0);
            job.cancel();
            assertThat(job.await(30_000)).isTrue();
        }
        FaultInjector full = new FaultInjector(StorageFactory.real());
        full.diskFullAfter(TestPools::poolJson, 0);
        try (Pool pool = Pool.open(dir, full)) {
            assertThat(pool.instantRestores().restoreOf("v")).isNull();
            assertThat(pool.openNotes()).anyMatch(n -> n.startsWith("the overwrite map of the instant restore of v"));
        }
    }

    /**
     * A FAILED volume's restore writes pool.json once, its blank drives with the record: a file system
     * full after that write does not fail the start. It wrote pool.json a second time with nothing new
     * in it, and when that failed the caller was told the restore failed while it stayed on record (and
     * in memory without a view in front of the blank drives); the next opening resumed it.
     */
    @Test
    void aFailedVolumesRestoreIsRecordedInOneWrite() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        byte[] image = failedVolume(dir, store, 85);
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk, new PoolOptions(false))) { // the copy waits for the next opening
            assertThat(pool.volume("v").state()).isEqualTo(VolumeState.FAILED);
            long once = Files.size(dir.resolve("pool.json")) * 3 / 2; // the drives' record is written, no second one
            disk.diskFullAfter(TestPools::poolJson, once);
            pool.instantRestores().restore("v", store, null, false, 0);
            // half of it: a read of every track could leave none owed, and the next opening ends
            // the restore before it can be looked at
            byte[] read = new byte[image.length / 2];
            pool.device("v").read(0, ByteBuffer.wrap(read));
            TestPools.assertSameBytes(read, java.util.Arrays.copyOf(image, read.length), "v read at once, through the restore");
            disk.diskFreed();
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.instantRestores().restoreOf("v")).as("the restore that fills the blank drives").isNotNull();
            Job job = pool.jobs().stream().filter(j -> j.kind().equals("instant-restore")).findFirst().orElseThrow();
            assertThat(job.await(60_000)).isTrue();
            assertThat(job.state()).isEqualTo(JobState.DONE);
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), image, "the volume, from its backup");
        }
    }

    /**
     * A FAILED volume's restore whose one pool.json write fails (its file system full) changes
     * nothing: before, its blank drives stayed ONLINE in memory with no restore in front of them, so
     * the volume said OPTIMAL and hosts read zeros (and would have written to drives pool.json did not
     * name). The volume stays FAILED, its drives as they were, and the restore given again works.
     */
    @Test
    void aFailedVolumesRestoreThatCannotBeRecordedLeavesItFailed() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        byte[] image = failedVolume(dir, store, 90);
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            DriveState d1 = pool.snapshot().drive("d1").state();
            DriveState d2 = pool.snapshot().drive("d2").state();
            disk.diskFullAfter(TestPools::poolJson, 0);
            assertThatThrownBy(() -> pool.instantRestores().restore("v", store, null, false, 0))
                    .hasMessageContaining("No space left on device");
            disk.diskFreed();
            assertThat(pool.volume("v").state()).as("as pool.json has it").isEqualTo(VolumeState.FAILED);
            assertThat(pool.snapshot().drive("d1").state()).isEqualTo(d1);
            assertThat(pool.snapshot().drive("d2").state()).isEqualTo(d2);
            assertThat(pool.instantRestores().restoreOf("v")).isNull();
            assertThatThrownBy(() -> pool.device("v").read(0, ByteBuffer.allocate(TRACK)))
                    .as("a FAILED volume's data is unavailable, never zeros");
            Job job = pool.instantRestores().restore("v", store, null, false, 0);
            assertThat(job.await(60_000)).isTrue();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), image, "the volume, from its backup");
        }
        try (Pool pool = Pool.open(dir)) {
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), image, "the volume, reopened");
        }
    }

    /**
     * A FAILED volume's restore whose start fails after its blank drives were recorded with it (the
     * changed-block map cannot be reset: .cbt writes fail): the blank drives need the restore, so it
     * is not undone, and hosts must never read the blanks. Before, the restore stayed in memory with
     * its backup readers closed and no copy running: reads of v failed until the pool was reopened.
     * Now it goes on as the next opening would resume it (a crash after its record finds the same),
     * and a warning says the next incremental backup holds more than needed.
     */
    @Test
    void aFailedVolumesRestoreWhoseChangeMapCannotBeResetGoesOnAsTheNextOpeningWould() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        byte[] image = failedVolume(dir, store, 89);
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            assertThat(pool.volume("v").state()).isEqualTo(VolumeState.FAILED);
            List<org.splitpoint.engine.event.Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            pool.addListener(events::add);
            disk.diskFullAfter(f -> f.getFileName().toString().endsWith(".cbt"), 0);
            Job job = pool.instantRestores().restore("v", store, null, false, 0);
            disk.diskFreed();
            byte[] read = new byte[image.length];
            pool.device("v").read(0, ByteBuffer.wrap(read)); // as hosts see it: through the restore
            TestPools.assertSameBytes(read, image, "v read at once, its blank drives filled from the backup");
            assertThat(job.await(60_000)).isTrue();
            assertThat(job.state()).isEqualTo(JobState.DONE);
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), image, "the volume, from its backup");
            pool.events().drain();
            assertThat(events).anyMatch(e -> e.message().startsWith("the changed-block map of v could not be reset"));
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.instantRestores().restoreOf("v")).isNull();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), image, "the volume, reopened");
        }
    }

    @Test
    void aRestoreThatCannotBeRecordedLeavesTheJournalsBaseAlone() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, DRIVE, TRACK);
        Path store = tmp.resolve("store");
        Files.createDirectories(store);
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            List<String> legs = List.of(pool.admin().addDrive(4 * DRIVE), pool.admin().addDrive(4 * DRIVE));
            assertThat(pool.journals().enable("v", legs, store, 3 * DRIVE, 0).await(60_000)).isTrue();
            String first = ship(pool, 1);
            String second = ship(pool, 2);
            assertThat(second).isNotEqualTo(first);
            disk.diskFullAfter(TestPools::poolJson, 0);
            assertThatThrownBy(() -> pool.instantRestores().restore("v", store, first, false, 0))
                    .hasMessageContaining("No space left on device");
            disk.diskFreed();
            assertThat(pool.journals().status("v").base()).as("the journal's base: the volume was not restored")
                    .isEqualTo(second);
        }
    }

    /**
     * Mirror v at {@code dir}, backed up whole into {@code store} (so it has a changed-block map), then
     * FAILED: d1 failed by command, d2's image gone. Returns v's bytes as backed up.
     */
    private static byte[] failedVolume(Path dir, Path store, long seed) throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, DRIVE, TRACK);
        byte[] image = BackedUp.volume(dir, store, seed, false);
        try (Pool pool = Pool.open(dir)) {
            pool.admin().failDrive("d1");
        }
        Files.delete(dir.resolve("drives/d2.img"));
        return image;
    }

    /** Writes track {@code track} of v with random bytes ({@code seed}), flushed; returns v's bytes then. */
    private static byte[] writtenAfter(Pool pool, long track, long seed) throws Exception {
        byte[] written = new byte[TRACK];
        new Random(seed).nextBytes(written);
        pool.device("v").write(track * TRACK, ByteBuffer.wrap(written));
        pool.device("v").flush();
        return TestPools.readAll(pool.volume("v"));
    }

    /** The pool at {@code dir}, opened, restores nothing ({@code what} names such a restore) and v holds {@code model}. */
    private static void assertNoRestoreAt(Path dir, byte[] model, String what) throws Exception {
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.instantRestores().restoreOf("v")).as(what).isNull();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), model, "the volume as hosts left it");
        }
    }

    /** Writes a track of random bytes ({@code seed}) to v and ships the journal; returns the image it made. */
    private static String ship(Pool pool, int seed) throws Exception {
        byte[] d = new byte[TRACK];
        new Random(seed).nextBytes(d);
        pool.device("v").write((long) seed * TRACK, ByteBuffer.wrap(d));
        pool.device("v").flush();
        var job = pool.journals().ship("v");
        assertThat(job.await(60_000)).isTrue();
        assertThat(job.state()).isEqualTo(JobState.DONE);
        return pool.journals().status("v").base();
    }
}
