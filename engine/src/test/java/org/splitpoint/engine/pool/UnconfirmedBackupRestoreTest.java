package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.job.Job;

/**
 * A restore from a backup replaces all its volume holds. The CLI and the app ask nothing when the
 * volume is FAILED (nothing readable to lose) and say so to the engine ({@link VolumeData#ONLY_IF_FAILED}):
 * a volume that is not FAILED when the restore takes it (it left FAILED after their look) is then
 * refused, nothing changed, never replaced on a question nobody was asked.
 */
class UnconfirmedBackupRestoreTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    private byte[] image;
    private byte[] now;
    private String imageId;

    /** A RAID 5 pool whose volume v was backed up, then written over (what it holds now is {@link #now}). */
    private Path backedUpThenWritten() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID5, 3, 1 << 20, TRACK);
        try (Pool pool = Pool.open(dir)) {
            image = new byte[(int) pool.volume("v").size()];
            new Random(1).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
            assertThat(pool.backups().backup("v", store(), true, 0).await(60_000)).isTrue();
            imageId = pool.backups().lastBackup("v").image();
            now = new byte[image.length];
            new Random(2).nextBytes(now);
            pool.device("v").write(0, ByteBuffer.wrap(now));
            pool.device("v").flush();
        }
        return dir;
    }

    private Path store() {
        return tmp.resolve("store");
    }

    @Test
    void aRestoreThatAskedNothingIsRefusedOverAVolumeThatIsNotFailedAndChangesNothing() throws Exception {
        Path dir = backedUpThenWritten();
        long imagesBefore;
        try (Pool pool = Pool.open(dir)) {
            imagesBefore = Files.list(store().resolve("images")).count();
            for (boolean writeThrough : new boolean[] {false, true}) {
                assertThatThrownBy(() -> pool.instantRestores().restore("v", store(), imageId, writeThrough, 0,
                        VolumeData.ONLY_IF_FAILED)).isInstanceOf(PoolException.class).hasMessage("volume v is OPTIMAL,"
                        + " no longer FAILED: restoring it would replace data hosts can read, which was not confirmed;"
                        + " nothing was restored; restore again to be asked to type its name");
            }
            assertThat(pool.instantRestores().restoreOf("v")).isNull();
            assertThat(pool.jobs()).noneMatch(j -> j.id().equals(RestoreAdmin.restoreJobId("v")));
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), now, "the volume after the refusal");
            assertThat(Files.list(store().resolve("images")).count()).as("no write-through image made").isEqualTo(imagesBefore);
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.instantRestores().restoreOf("v")).as("nothing on record").isNull();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), now, "the volume reopened");

            // agreed to (the name typed, --yes), the same restore replaces it
            Job job = pool.instantRestores().restore("v", store(), imageId, false, 0, VolumeData.MAY_BE_REPLACED);
            assertThat(job.await(60_000)).isTrue();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), image, "the volume restored");
        }
    }

    @Test
    void aFailedVolumeIsRestoredByARestoreThatAskedNothing() throws Exception {
        Path dir = backedUpThenWritten();
        try (Pool pool = Pool.open(dir)) {
            pool.admin().failDrive("d2");
        }
        Files.delete(dir.resolve("drives/d3.img"));
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.volume("v").state()).isEqualTo(VolumeState.FAILED);
            Job job = pool.instantRestores().restore("v", store(), imageId, false, 0, VolumeData.ONLY_IF_FAILED);
            assertThat(job.await(60_000)).isTrue();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), image, "the volume restored");
            assertThat(pool.volume("v").state()).isEqualTo(VolumeState.OPTIMAL);
        }
    }
}
