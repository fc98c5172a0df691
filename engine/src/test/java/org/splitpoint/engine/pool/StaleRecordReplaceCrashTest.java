package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;

/**
 * {@code drive replace} of a MISSING drive cut before pool.json records its rebuild, where pool.json
 * already holds a record that is not this replace's: the drive's earlier rebuild (its image pulled
 * part-way), or an instant restore of its volume. The open must not read that record as this
 * replace's and give the blank image the drive's name: the earlier rebuild would resume from its
 * checkpoint with the rows below it, zeros on the blank, counted as rebuilt; a drive pool.json has
 * ONLINE would be read as data.
 */
class StaleRecordReplaceCrashTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    private String checkpointBefore;

    @BeforeEach
    void checkpointEveryStep() {
        checkpointBefore = System.getProperty("splitpoint.checkpointMillis");
        System.setProperty("splitpoint.checkpointMillis", "0");
    }

    @AfterEach
    void checkpointAsBefore() {
        if (checkpointBefore == null) {
            System.clearProperty("splitpoint.checkpointMillis");
        } else {
            System.setProperty("splitpoint.checkpointMillis", checkpointBefore);
        }
    }

    private static byte[] writeAll(Pool pool, int seed) throws IOException, PoolException {
        byte[] data = new byte[(int) pool.volume("v").size()];
        new Random(seed).nextBytes(data);
        pool.device("v").write(0, ByteBuffer.wrap(data));
        pool.device("v").flush();
        return data;
    }

    @Test
    void aReplaceCutBeforeItIsRecordedDoesNotResumeAnEarlierRebuildOverItsBlank() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID5, 3, 16 << 20, TRACK);
        byte[] written;
        try (Pool pool = Pool.open(dir)) {
            written = writeAll(pool, 7);
            pool.admin().failDrive("d2");
        }
        try (Pool pool = Pool.open(dir, StorageFactory.real(), new PoolOptions(false))) {
            Job rebuild = pool.admin().replaceDrive("d2", 1); // one track a step
            for (int i = 0; i < 2; i++) {
                rebuild.stepOnce();
            }
        }
        Path image = dir.resolve("drives").resolve("d2.img");
        Files.delete(image); // pulled part-way through its rebuild
        cutReplace(dir, "d2");
        try (Pool p = Pool.open(dir)) {
            TestPools.assertSameBytes(TestPools.readAll(p.volume("v")), written, "v after the cut replace");
            p.awaitJobs(null);
            TestPools.assertSameBytes(TestPools.readAll(p.volume("v")), written, "v once its jobs ended");
            if (p.snapshot().drive("d2").state() != DriveState.ONLINE) {
                assertThat(p.admin().replaceDrive("d2").await(30_000)).isTrue();
            }
            CutRuns.assertWholeWithD2(p, written, "the replace given again");
        }
    }

    @Test
    void aReplaceCutBeforeItIsRecordedDuringAnInstantRestoreDoesNotTakeTheBlankForData() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID5, 3, 1 << 20, TRACK);
        Path store = tmp.resolve("store");
        byte[] backedUp;
        try (Pool pool = Pool.open(dir)) {
            backedUp = writeAll(pool, 8);
            assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
            writeAll(pool, 9);
        }
        try (Pool pool = Pool.open(dir, StorageFactory.real(), new PoolOptions(false))) {
            String id = pool.backups().lastBackup("v").image();
            Job copy = pool.instantRestores().restore("v", store, id, false, 1);
            for (int i = 0; i < 48; i++) {
                copy.stepOnce(); // a track a step restored onto the drives (d2's first strip among them), the rest still read from the store
            }
        }
        Files.delete(dir.resolve("drives").resolve("d2.img")); // pulled: MISSING, ONLINE in pool.json
        cutReplace(dir, "d2");
        try (Pool p = Pool.open(dir)) {
            TestPools.assertSameBytes(hostRead(p), backedUp, "v after the cut replace");
            p.awaitJobs(null);
            TestPools.assertSameBytes(hostRead(p), backedUp, "v once its jobs ended");
            if (p.snapshot().drive("d2").state() != DriveState.ONLINE) {
                assertThat(p.admin().replaceDrive("d2").await(30_000)).isTrue();
            }
            CutRuns.assertWholeWithD2(p, backedUp, "the replace given again");
        }
    }

    /** Opens the pool (its jobs not run), replaces {@code drive} and cuts the power at the pool.json write that would record it. */
    private static void cutReplace(Path dir, String drive) throws Exception {
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool pool = Pool.open(dir, inj, new PoolOptions(false));
        assertThat(pool.snapshot().drive(drive).state()).as(String.join("; ", pool.openNotes())).isEqualTo(DriveState.MISSING);
        inj.countOnly(p -> p.getFileName().toString().startsWith("pool.json")).powerCutAfterWrite(1, 0, 1);
        try {
            pool.admin().replaceDrive(drive);
            throw new AssertionError("the replace was recorded before the cut");
        } catch (IOException e) {
            assertThat(inj.isCut()).as("cut: " + e).isTrue();
        }
        CutRuns.crash(inj, pool);
    }

    /** Volume v as hosts read it (through an instant restore's view while one is under way). */
    private static byte[] hostRead(Pool p) throws IOException, PoolException {
        var dev = p.device("v");
        byte[] b = new byte[(int) dev.size()];
        dev.read(0, ByteBuffer.wrap(b));
        return b;
    }
}

