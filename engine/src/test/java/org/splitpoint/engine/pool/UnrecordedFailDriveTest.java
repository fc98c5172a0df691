package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * 'drive fail' whose pool.json write fails (its file system full) changes nothing: the drive stays
 * as pool.json has it, in the writes, its rebuild on record and running. Before, the drive was out
 * of the volume in memory (FAILED, the volume DEGRADED) and its rebuild dropped while pool.json
 * still said ONLINE or REBUILDING, after a command that said it had failed.
 */
class UnrecordedFailDriveTest {

    @TempDir
    Path tmp;

    private static final int TRACK = ServicePools.TRACK;
    private static final Predicate<Path> CONFIG = f -> f.getFileName().toString().startsWith("pool.json");

    @Test
    void aFailThatCannotBeRecordedLeavesTheDriveOnline() throws Exception {
        Path dir = withData();
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(dir, inj)) {
            RaidVolume v = p.volume("v");
            inj.diskFullAfter(CONFIG, 0);
            assertThatThrownBy(() -> p.admin().failDrive("d2")).hasMessageContaining("No space left on device");
            inj.diskFreed();
            assertThat(p.snapshot().drive("d2").state()).as("d2, as pool.json has it").isEqualTo(DriveState.ONLINE);
            assertThat(v.state()).as("the volume").isEqualTo(VolumeState.OPTIMAL);
            v.write(3L * TRACK, ByteBuffer.wrap(fill(TRACK, 0x33)));
            v.flush();
        }
        try (Pool q = Pool.open(dir)) {
            assertThat(q.snapshot().drive("d2").state()).as("d2 after the reopen").isEqualTo(DriveState.ONLINE);
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors").isZero();
            assertThat(org.splitpoint.engine.TestPools.only(ServicePools.read(q.volume("v"), 3L * TRACK, TRACK))).isEqualTo(0x33);
        }
    }

    @Test
    void aFailOfADriveBeingRebuiltThatCannotBeRecordedKeepsItsRebuild() throws Exception {
        Path dir = withData();
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(dir, inj, new PoolOptions(false))) { // the rebuild stepped by hand
            RaidVolume v = p.volume("v");
            p.admin().failDrive("d2");
            Job rebuild = p.admin().replaceDrive("d2");
            rebuild.stepOnce();
            inj.diskFullAfter(CONFIG, 0);
            assertThatThrownBy(() -> p.admin().failDrive("d2")).hasMessageContaining("No space left on device");
            inj.diskFreed();
            assertThat(p.snapshot().drive("d2").state()).as("d2, as pool.json has it").isEqualTo(DriveState.REBUILDING);
            assertThat(p.rebuildJobOf("d2")).as("d2's rebuild on record").isNotNull();
            while (rebuild.stepOnce()) {
                // the rest of the rebuild
            }
            assertThat(rebuild.state()).as("the rebuild: " + rebuild.progress().message()).isEqualTo(JobState.DONE);
            assertThat(p.snapshot().drive("d2").state()).as("d2 rebuilt").isEqualTo(DriveState.ONLINE);
            assertThat(p.admin().verify("v", false, null)).as("mismatched sectors").isZero();
        }
    }

    private Path withData() throws Exception {
        Path dir = ServicePools.pool(tmp, "p", Layout.RAID1, 2);
        try (Pool p = Pool.open(dir)) {
            p.volume("v").write(0, ByteBuffer.wrap(fill(32 * TRACK, 0x11)));
        }
        return dir;
    }

    private static byte[] fill(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
