package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * The end of a restore to a snapshot whose pool.json write fails (its file system full): the
 * restore ended in memory (hosts write the volume directly from then on, unmarked in its map) but
 * pool.json kept its record and the map stayed, so a cancelled restore was resumed at the next
 * opening and copied the snapshot's tracks over what hosts wrote after the cancel. As for a
 * cancelled restore from a backup (1a447c3), the map goes before the record.
 */
class UnrecordedSnapshotRestoreEndTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @Test
    void aCancelThatCannotBeRecordedNeverRestoresOverLaterWrites() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK);
        byte[] model;
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            pool.snapshots().setSaveArea("save");
            int size = (int) pool.device("v").size();
            byte[] before = new byte[size];
            new Random(1).nextBytes(before);
            pool.device("v").write(0, ByteBuffer.wrap(before));
            pool.snapshots().create("v", "s");
            byte[] after = new byte[size];
            new Random(2).nextBytes(after);
            pool.device("v").write(0, ByteBuffer.wrap(after)); // every track owed to a restore to s
            Job job = pool.snapshots().restore("v", "s", false, TRACK); // a track a second
            assertThat(pool.snapshots().restoreOf("v").owedTracks().get(200)).isTrue();
            disk.diskFullAfter(TestPools::poolJson, 0);
            job.cancel();
            assertThat(job.await(30_000)).isTrue();
            assertThat(job.state()).isEqualTo(JobState.CANCELLED);
            assertThat(pool.snapshots().restoreOf("v")).as("the restore ended").isNull();
            disk.diskFreed();
            byte[] written = new byte[TRACK];
            new Random(3).nextBytes(written);
            pool.device("v").write(200L * TRACK, ByteBuffer.wrap(written)); // a track the restore owed
            pool.device("v").flush();
            model = readAll(pool, "v");
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.snapshots().restoreOf("v")).as("the cancelled restore, resumed").isNull();
            TestPools.assertSameBytes(readAll(pool, "v"), model, "the volume as hosts left it");
        }
    }

    /**
     * The opening that finds such a record without its map ends the restore and writes pool.json;
     * with the file system still full that write threw out of the open, so the pool could not be
     * opened to free space (a full file system must not keep a pool from opening, FullFileSystemOpenTest).
     */
    @Test
    void anOpeningThatCannotRecordTheEndStillOpens() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK);
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            pool.snapshots().setSaveArea("save");
            pool.snapshots().create("v", "s");
            byte[] after = new byte[(int) pool.device("v").size()];
            new Random(4).nextBytes(after);
            pool.device("v").write(0, ByteBuffer.wrap(after));
            Job job = pool.snapshots().restore("v", "s", false, TRACK);
            disk.diskFullAfter(TestPools::poolJson, 0);
            job.cancel();
            assertThat(job.await(30_000)).isTrue();
        }
        FaultInjector full = new FaultInjector(StorageFactory.real());
        full.diskFullAfter(TestPools::poolJson, 0);
        try (Pool pool = Pool.open(dir, full)) {
            assertThat(pool.snapshots().restoreOf("v")).isNull();
            assertThat(pool.openNotes()).anyMatch(n -> n.startsWith("the restore of v to snapshot v@s cannot go on"));
        }
    }

    private static byte[] readAll(Pool pool, String volume) throws Exception {
        byte[] b = new byte[(int) pool.device(volume).size()];
        pool.device(volume).read(0, ByteBuffer.wrap(b));
        return b;
    }
}
