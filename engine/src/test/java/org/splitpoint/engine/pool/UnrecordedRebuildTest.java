package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A rebuild whose pool.json writes fail (its file system full) keeps the rows it rebuilt. Before,
 * the first checkpoint that could not be recorded failed the job, whose stop took the drive out
 * FAILED: the administrator saw a failed rebuild, and the drive was rebuilt again from its first
 * track. A checkpoint not recorded now only leaves the record behind (the rows are forced; a crash
 * resumes from the last one on record); an end not recorded leaves the drive REBUILDING with every
 * row, as pool.json has it, says so in one sentence, and the next opening ends the rebuild.
 */
class UnrecordedRebuildTest {

    private static final Predicate<Path> CONFIG = f -> f.getFileName().toString().startsWith("pool.json");
    private static final int SIZE = 3 << 20;

    @TempDir
    Path tmp;

    @BeforeEach
    void checkpointEveryStep() {
        System.setProperty("splitpoint.checkpointMillis", "0");
    }

    @AfterEach
    void checkpointAsUsual() {
        System.clearProperty("splitpoint.checkpointMillis");
    }

    private static int differs(RaidVolume v, byte[] expect) throws Exception {
        return Arrays.mismatch(ServicePools.read(v, 0, expect.length), expect);
    }

    private static byte[] random(long seed) {
        byte[] data = new byte[SIZE];
        new java.util.Random(seed).nextBytes(data);
        return data;
    }

    /** RAID 5 over d1..d3 holding {@code data} from byte 0, d3 FAILED since. */
    private Path withD3Failed(byte[] data) throws Exception {
        Path a = ServicePools.pool(tmp, "r", Layout.RAID5, 3);
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(data));
            v.flush();
            p.admin().failDrive("d3");
        }
        return a;
    }

    @Test
    void aRebuildWhoseRecordsCannotBeWrittenKeepsWhatItRebuilt() throws Exception {
        byte[] data = random(5);
        Path a = withD3Failed(data);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(a, inj)) {
            RaidVolume v = p.volume("v");
            Runnable letItGoOn = inj.holdReleasable(FaultInjector.Op.WRITE, CONFIG,
                    t -> t.getName().startsWith("splitpoint-job-rebuild"), 30_000);
            Job job = p.admin().replaceDrive("d3");
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() == 1, "the rebuild's first checkpoint writing pool.json");
            inj.diskFullAfter(CONFIG, 0);
            letItGoOn.run();
            assertThat(job.await(30_000)).isTrue();
            assertThat(p.snapshot().drive("d3").state()).as("d3 after a rebuild that could not be recorded: "
                    + job.progress().message()).isEqualTo(DriveState.REBUILDING);
            assertThat(job.progress().doneTracks()).as("every track rebuilt").isEqualTo(job.progress().totalTracks());
            assertThat(job.progress().message()).contains("its end cannot be recorded").contains("No space left on device");
            assertThat(differs(v, data)).isNegative();
            v.write(0, ByteBuffer.wrap(TestPools.filled(4096, 0x5a))); // journaled: d3 is still REBUILDING
            System.arraycopy(TestPools.filled(4096, 0x5a), 0, data, 0, 4096);
            v.flush();
            inj.diskFreed();
        }
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            ServicePools.awaitJobs(p);
            assertThat(p.snapshot().drive("d3").state()).as("the next opening ended the rebuild").isEqualTo(DriveState.ONLINE);
            assertThat(differs(v, data)).isNegative();
            assertThat(p.admin().verify("v", false, null)).as("parity mismatches").isZero();
        }
    }

    /**
     * 'drive replace' whose pool.json write fails changes nothing: before, the drive was left
     * REBUILDING over the blank image in memory with a rebuild record and no rebuild running, its
     * old image set aside, and a second 'drive replace' was refused, the drive being REBUILDING.
     */
    @Test
    void aReplaceThatCannotBeRecordedChangesNothing() throws Exception {
        byte[] data = random(6);
        Path a = withD3Failed(data);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(a, inj)) {
            RaidVolume v = p.volume("v");
            inj.diskFullAfter(CONFIG, 0);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.admin().replaceDrive("d3"))
                    .hasMessageContaining("No space left on device");
            inj.diskFreed();
            assertThat(p.snapshot().drive("d3").state()).as("d3, as pool.json has it").isEqualTo(DriveState.FAILED);
            assertThat(p.jobs()).as("no rebuild").isEmpty();
            assertThat(java.nio.file.Files.exists(a.resolve("drives").resolve("d3.img"))).as("d3's image in its place").isTrue();
            assertThat(java.nio.file.Files.exists(a.resolve("drives").resolve("d3.img.blank"))).as("no blank left").isFalse();
            Job job = p.admin().replaceDrive("d3"); // given again once there is room
            assertThat(job.await(30_000)).isTrue();
            assertThat(job.state()).as(job.progress().message()).isEqualTo(JobState.DONE);
            assertThat(differs(v, data)).isNegative();
            assertThat(p.admin().verify("v", false, null)).as("parity mismatches").isZero();
        }
    }
}
