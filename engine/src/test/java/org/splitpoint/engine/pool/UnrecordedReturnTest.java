package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitpoint.engine.pool.ServicePools.awaitJobs;
import static org.splitpoint.engine.pool.ServicePools.pool;
import static org.splitpoint.engine.pool.ServicePools.read;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A drive's return from a service window whose start or end cannot be written to pool.json (its
 * file system full) leaves the window as pool.json has it: memory and disk say the same thing,
 * and 'drive online' can be given again once there is room.
 */
class UnrecordedReturnTest {

    private static final int BLOCK = 16 * 1024;
    private static final long X = 5L * BLOCK;

    @TempDir
    Path tmp;

    /** Where the block at {@code off} first differs from {@code b} bytes, or -1. */
    private static int differsAt(RaidVolume v, long off, int b) throws Exception {
        return java.util.Arrays.mismatch(read(v, off, BLOCK), TestPools.filled(BLOCK, b));
    }

    private static final Predicate<Path> CONFIG = f -> f.getFileName().toString().startsWith("pool.json");

    /** RAID 5 over d1..d3 written with 0x11, d2 OFFLINE in a {@code mode} window, block X written 0x22 in it. */
    private static Path inWindow(Path tmp, LogMode mode) throws Exception {
        Path a = pool(tmp, "r", Layout.RAID5, 3);
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(TestPools.filled(64 * BLOCK, 0x11)));
            v.flush();
            p.service().offline("d2", OfflineReason.RESET, mode);
            awaitJobs(p);
            v.write(X, ByteBuffer.wrap(TestPools.filled(BLOCK, 0x22)));
            v.flush();
        }
        return a;
    }

    /**
     * The end of a repository return fails on pool.json: before, it had dropped the redirect and the
     * window in memory, and its stop put the drive OFFLINE with no redirect and no delta, so hosts'
     * later writes went to the other members only; the next open replayed the repository's older
     * bytes over them (and took the drive, which missed them, for current).
     */
    @Test
    void aRepositoryReturnWhoseEndCannotBeRecordedLosesNoLaterWrite() throws Exception {
        Path a = inWindow(tmp, LogMode.REPOSITORY);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(a, inj)) {
            RaidVolume v = p.volume("v");
            Runnable letTheEndGoOn = inj.holdReleasable(FaultInjector.Op.WRITE, CONFIG,
                    t -> t.getName().startsWith("splitpoint-job-resync"), 30_000);
            Job job = p.service().online("d2");
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() == 1, "the return's end writing pool.json");
            inj.diskFullAfter(CONFIG, 0);
            letTheEndGoOn.run();
            assertThat(job.await(30_000)).isTrue();
            assertThat(job.state()).isEqualTo(JobState.FAILED);
            inj.diskFreed();
            assertThat(p.snapshot().drive("d2").state()).as("back in its window").isEqualTo(DriveState.OFFLINE);
            assertThat(p.snapshot().drive("d2").service()).as("its window, as pool.json has it").isNotNull();
            v.write(X, ByteBuffer.wrap(TestPools.filled(BLOCK, 0x33))); // acknowledged after the failed return
            v.flush();
            assertThat(differsAt(v, X, 0x33)).isNegative();
        }
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            awaitJobs(p); // pool.json still says the return was under way: it resumes
            assertThat(p.snapshot().drive("d2").state()).as("the resumed return finished").isEqualTo(DriveState.ONLINE);
            assertThat(differsAt(v, X, 0x33)).as("the write acknowledged after the failed return").isNegative();
            assertThat(differsAt(v, 0, 0x11)).isNegative();
            assertThat(p.admin().verify("v", false, null)).as("parity mismatches").isZero();
        }
    }

    /**
     * The start of a return fails on pool.json: before, the window said 'resync' in memory (and a
     * repository return's drive ONLINE), no job ran, and 'drive online' was refused as 'already
     * coming back (its resync is running)' until the pool was opened again.
     */
    @Test
    void aReturnWhoseStartCannotBeRecordedCanBeGivenAgain() throws Exception {
        for (LogMode mode : LogMode.values()) {
            Path a = inWindow(tmp.resolve(mode.name()), mode);
            FaultInjector inj = new FaultInjector(StorageFactory.real());
            try (Pool p = Pool.open(a, inj)) {
                RaidVolume v = p.volume("v");
                inj.diskFullAfter(CONFIG, 0);
                assertThatThrownBy(() -> p.service().online("d2")).as(mode.word())
                        .hasMessageContaining("No space left on device");
                inj.diskFreed();
                assertThat(p.snapshot().drive("d2").state()).as(mode.word() + ": still in its window")
                        .isEqualTo(DriveState.OFFLINE);
                assertThat(p.snapshot().drive("d2").service().phase()).as(mode.word()).isEqualTo("window");
                v.write(X + BLOCK, ByteBuffer.wrap(TestPools.filled(BLOCK, 0x44)));
                Job job = p.service().online("d2");
                assertThat(job.await(30_000)).isTrue();
                assertThat(job.state()).as(mode.word()).isEqualTo(JobState.DONE);
                assertThat(differsAt(v, X, 0x22)).as(mode.word()).isNegative();
                assertThat(differsAt(v, X + BLOCK, 0x44)).as(mode.word()).isNegative();
                assertThat(p.admin().verify("v", false, null)).as(mode.word() + ": parity mismatches").isZero();
            }
        }
    }

    /**
     * A swapped drive's whole rebuild that cannot be recorded: before, the drive was left REBUILDING
     * outside any window with no rebuild running, and 'drive online' refused as 'drive d2 is
     * REBUILDING; only an OFFLINE drive is brought online'.
     */
    @Test
    void aWholeRebuildWhoseStartCannotBeRecordedLeavesTheDriveInItsWindow() throws Exception {
        Path a = inWindow(tmp, LogMode.DATA);
        java.nio.file.Files.write(a.resolve("drives").resolve("d2.img"),
                new byte[(int) java.nio.file.Files.size(a.resolve("drives").resolve("d2.img"))]); // a blank drive put in
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(a, inj)) {
            RaidVolume v = p.volume("v");
            inj.diskFullAfter(CONFIG, 0);
            assertThatThrownBy(() -> p.service().online("d2")).hasMessageContaining("No space left on device");
            inj.diskFreed();
            assertThat(p.snapshot().drive("d2").state()).as("still in its window").isEqualTo(DriveState.OFFLINE);
            assertThat(p.snapshot().drive("d2").service()).as("its window").isNotNull();
            v.write(X + BLOCK, ByteBuffer.wrap(TestPools.filled(BLOCK, 0x44)));
            Job job = p.service().online("d2");
            assertThat(job.await(30_000)).isTrue();
            assertThat(job.state()).isEqualTo(JobState.DONE);
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            assertThat(differsAt(v, X, 0x22)).isNegative();
            assertThat(differsAt(v, X + BLOCK, 0x44)).isNegative();
            assertThat(differsAt(v, 0, 0x11)).isNegative();
            assertThat(p.admin().verify("v", false, null)).as("parity mismatches").isZero();
        }
    }

    /**
     * A return under way at a crash resumes at the next open, whose first act is a pool.json write;
     * on a full file system that write failed and so did the whole open (a full file system must not
     * keep a pool from opening, FullFileSystemOpenTest). The drive stays in its window, said in a note.
     */
    @Test
    void aReturnThatCannotResumeForAFullFileSystemLeavesThePoolOpenWithTheDriveInItsWindow() throws Exception {
        Path a = inWindow(tmp, LogMode.DATA);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).unforcedWritesLost();
        Pool pool = Pool.open(a, inj);
        try {
            inj.hold(FaultInjector.Op.WRITE, CONFIG, t -> t.getName().startsWith("splitpoint-job-resync"), 30_000);
            Job job = pool.service().online("d2");
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() == 1, "the return's end writing pool.json");
            assertThat(job.state().isFinished()).isFalse();
            inj.cutNow();
            inj.crash();
        } finally {
            pool.abandon();
        }
        FaultInjector full = new FaultInjector(StorageFactory.real());
        full.diskFullAfter(CONFIG, 0);
        try (Pool p = Pool.open(a, full)) {
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.OFFLINE);
            assertThat(p.snapshot().drive("d2").service().phase()).isEqualTo("window");
            assertThat(p.openNotes()).anyMatch(n -> n.contains("d2 was coming back from its service window")
                    && n.contains("No space left on device"));
            full.diskFreed();
            Job job = p.service().online("d2");
            assertThat(job.await(30_000)).isTrue();
            assertThat(job.state()).isEqualTo(JobState.DONE);
            assertThat(differsAt(p.volume("v"), X, 0x22)).isNegative();
            assertThat(p.admin().verify("v", false, null)).as("parity mismatches").isZero();
        }
    }
}
