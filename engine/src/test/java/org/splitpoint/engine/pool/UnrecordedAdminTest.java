package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A drive or volume operation whose pool.json write fails (its file system full) changes nothing
 * in memory either: what the administrator was told did not happen does not show, and cannot be
 * used, until the next pool.json write someone else makes puts it on record unasked.
 */
class UnrecordedAdminTest {

    private static final long DRIVE = 4L << 20;
    private static final int TRACK = 64 * 1024;
    static final Predicate<Path> CONFIG = f -> f.getFileName().toString().startsWith("pool.json");

    @TempDir
    Path tmp;

    /** A pool of {@code drives} blank SPARE drives of {@code driveSize} (64 KiB tracks) at {@code dir}. */
    static Path blankPool(Path dir, int drives, long driveSize) throws Exception {
        Pool.create(dir, drives, driveSize, TRACK, StorageFactory.real());
        return dir;
    }

    /** Mirror v over d1 and d2, {@code bytes} of {@code b} written at 0, then d2 FAILED: a rebuild to give. */
    static void degradedMirror(Pool p, int bytes, int b) throws Exception {
        p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
        p.volume("v").write(0, ByteBuffer.wrap(TestPools.filled(bytes, b)));
        p.admin().failDrive("d2");
    }

    /** {@code verb} fails for pool.json's full file system, saying so; then the space comes back. */
    private static void refusedForFullConfig(FaultInjector inj, ThrowingCallable verb) {
        inj.diskFullAfter(CONFIG, 0);
        assertThatThrownBy(verb).hasMessageContaining("No space left on device");
        inj.diskFreed();
    }

    /**
     * Before, the volume was in memory (its drives ONLINE) though pool.json did not have it: hosts
     * wrote to it and were acknowledged, and a crash then lost the volume and every byte written.
     */
    @Test
    void aVolumeWhoseCreationCannotBeRecordedDoesNotExist() throws Exception {
        Path dir = blankPool(tmp.resolve("p"), 3, DRIVE);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(dir, inj)) {
            refusedForFullConfig(inj, () -> p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0));
            assertThatThrownBy(() -> p.device("v")).as("a volume not on record").isInstanceOf(PoolException.class);
            assertThat(p.snapshot().volumes()).isEmpty();
            assertThat(p.snapshot().drive("d1").state()).isEqualTo(DriveState.SPARE);
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.SPARE);
            // the same create, given again once there is room, works
            p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
            p.device("v").write(0, ByteBuffer.wrap(TestPools.filled(TRACK, 0x5A)));
            p.device("v").flush();
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.read("v", 0, TRACK)).isEqualTo(TestPools.filled(TRACK, 0x5A));
        }
    }

    /** Before, the drive was in memory, and the next pool.json written for anything else added it unasked. */
    @Test
    void aDriveWhoseAddCannotBeRecordedIsNotAdded() throws Exception {
        Path dir = blankPool(tmp.resolve("p"), 2, DRIVE);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(dir, inj)) {
            refusedForFullConfig(inj, () -> p.admin().addDrive(0));
            assertThat(p.snapshot().drives()).as("drives after a failed add").hasSize(2);
            assertThat(p.admin().addDrive(0)).as("the name the failed add did not take").isEqualTo("d3");
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.snapshot().drives()).hasSize(3);
        }
    }

    /** Before, the spare was FAILED in memory and SPARE in pool.json. */
    @Test
    void aSpareWhoseFailureCannotBeRecordedStaysSpare() throws Exception {
        Path dir = blankPool(tmp.resolve("p"), 2, DRIVE);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(dir, inj)) {
            refusedForFullConfig(inj, () -> p.admin().failDrive("d1"));
            assertThat(p.snapshot().drive("d1").state()).isEqualTo(DriveState.SPARE);
        }
    }

    /**
     * Before, the drive was REBUILDING over its blank image in memory with no rebuild running (and
     * the rebuild's record in memory, for the next pool.json written to resume): 'drive replace' was
     * refused as 'drive d2 is REBUILDING' until the pool was opened again.
     */
    @Test
    void aReplacementWhoseRebuildCannotBeRecordedCanBeGivenAgain() throws Exception {
        Path dir = blankPool(tmp.resolve("p"), 2, DRIVE);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(dir, inj)) {
            degradedMirror(p, 4 * TRACK, 0x3C);
            refusedForFullConfig(inj, () -> p.admin().replaceDrive("d2"));
            assertThat(p.snapshot().drive("d2").state()).as("as pool.json has it").isEqualTo(DriveState.FAILED);
            assertThat(p.activeJobs()).isEmpty();
            p.volume("v").write(4 * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x3D))); // degraded, as before
            var job = p.admin().replaceDrive("d2");
            assertThat(job.await(30_000)).isTrue();
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.read("v", 0, 4 * TRACK)).isEqualTo(TestPools.filled(4 * TRACK, 0x3C));
            assertThat(p.read("v", 4 * TRACK, TRACK)).isEqualTo(TestPools.filled(TRACK, 0x3D));
            assertThat(p.admin().verify("v", false, null)).as("mirror mismatches").isZero();
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
        }
    }

    /** Before, the pair stayed in memory (hosts' requests went through it) and 'pair create' again said it existed. */
    @Test
    void aPairWhoseCreationCannotBeRecordedDoesNotExist() throws Exception {
        Path dir = blankPool(tmp.resolve("p"), 4, DRIVE);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(dir, inj)) {
            p.admin().createVolume("a", Layout.RAID1, List.of("d1", "d2"), 0);
            p.admin().createVolume("b", Layout.RAID1, List.of("d3", "d4"), 0);
            refusedForFullConfig(inj, () -> p.pairs().create("pr", "a", "b"));
            assertThat(p.pairs().query(null)).as("pairs after a failed create").isEmpty();
            p.device("b").write(0, ByteBuffer.wrap(TestPools.filled(TRACK, 0x4E))); // a volume of no pair takes writes
            p.pairs().create("pr", "a", "b");
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.pairs().query(null)).hasSize(1);
        }
    }
}
