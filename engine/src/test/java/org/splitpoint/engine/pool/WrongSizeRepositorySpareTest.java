package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * The SPARE lent to a repository window has an image of the wrong size (another drive put in its
 * place). The open goes on and says so in one sentence, as for a SPARE with no image
 * (MissingSpareRepositoryTest): the window goes on in meta/. Before, the wrong-size image stayed
 * the window's repository: a blank one read as an empty log with no word of the writes lost (the
 * volume read as before the window), written on though FAILED; and 'drive replace' of that FAILED
 * SPARE put a blank under the open window, whose writes the next open then did not find.
 */
@QuickServiceSteps
class WrongSizeRepositorySpareTest {

    private static final int BLOCK = 16 * 1024;

    @TempDir
    Path tmp;

    private static void blankOfSize(Path image, long size) throws Exception {
        Files.delete(image);
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    private static int differsAt(RaidVolume v, long off, int b) throws Exception {
        return Arrays.mismatch(ServicePools.read(v, off, BLOCK), TestPools.filled(BLOCK, b));
    }

    @Test
    void aRepositorySpareOfTheWrongSizeIsSaidInOneSentenceAndTheWindowGoesOnInMeta() throws Exception {
        Path a = ServicePools.repositoryOnD4(tmp, "p");
        blankOfSize(a.resolve("drives").resolve("d4.img"), 8L << 20);
        try (Pool p = Pool.open(a, StorageFactory.real(), PoolOptions.READ_ONLY)) { // a look says it too
            assertThat(p.openNotes().stream().filter(n -> n.contains("d4"))).singleElement().satisfies(n -> assertThat(n)
                    .contains("(on SPARE drive d4").contains("is 8388608 bytes, not 4194304").contains("are lost"));
            assertThat(differsAt(p.volume("v"), 0, 0x11)).as("a look reads it as the open does").isNegative();
        }
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            assertThat(p.openNotes().stream().filter(n -> n.contains("d4"))).singleElement().satisfies(n -> assertThat(n)
                    .contains("the repository of d2's service window (on SPARE drive d4")
                    .contains("is 8388608 bytes, not 4194304").contains("the writes made to volume v since").contains("are lost"));
            assertThat(p.problems()).anyMatch(n -> n.contains("is 8388608 bytes, not 4194304"));
            assertThat(p.snapshot().drive("d2").service().repository()).as("the window's repository is in meta/ now").isNull();
            assertThat(p.snapshot().drive("d4").repository()).as("d4 is lent no more").isNull();
            assertThat(p.snapshot().drive("d4").state()).isEqualTo(DriveState.FAILED);
            assertThat(differsAt(v, 0, 0x11)).as("block 0 as it was when the window opened").isNegative();
            v.write(BLOCK, ByteBuffer.wrap(TestPools.filled(BLOCK, 0x33))); // the window goes on, in meta/
            v.flush();
        }
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            assertThat(differsAt(v, BLOCK, 0x33)).as("the write made in the window after the loss").isNegative();
            Job job = p.service().online("d2");
            assertThat(job.await(30_000)).isTrue();
            assertThat(job.state()).as(job.progress().message()).isEqualTo(JobState.DONE);
            assertThat(differsAt(v, BLOCK, 0x33)).isNegative();
            assertThat(p.admin().verify("v", false, null)).as("parity mismatches").isZero();
        }
    }

    @Test
    void aRepositorySpareFailedWhileLentIsNotReplacedUnderItsWindow() throws Exception {
        Path a = ServicePools.repositoryOnD4(tmp, "live");
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            try (RandomAccessFile f = new RandomAccessFile(a.resolve("drives").resolve("d4.img").toFile(), "rw")) {
                f.setLength(8L << 20); // its size changes while the pool is open
            }
            DriveImageCheck.run(p);
            assertThat(p.snapshot().drive("d4").state()).isEqualTo(DriveState.FAILED);
            v.write(BLOCK, ByteBuffer.wrap(TestPools.filled(BLOCK, 0x33))); // acknowledged, in the repository
            v.flush();
            assertThatThrownBy(() -> p.admin().replaceDrive("d4"))
                    .hasMessage("drive d4 holds the repository of volume v's service window; bring that drive back online"
                            + " first, which empties the repository");
            Job job = p.service().online("d2");
            assertThat(job.await(30_000)).isTrue();
            assertThat(job.state()).as(job.progress().message()).isEqualTo(JobState.DONE);
        }
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            assertThat(differsAt(v, 0, 0x22)).isNegative();
            assertThat(differsAt(v, BLOCK, 0x33)).isNegative();
            assertThat(p.admin().verify("v", false, null)).as("parity mismatches").isZero();
        }
    }
}
