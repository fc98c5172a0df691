package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A restore to a snapshot that cannot be recorded (pool.json's file system full) changes nothing:
 * it had pinned its source's saves before the record failed and left them pinned, so deleting the
 * snapshot afterwards gave none of them back (the save area stayed that much fuller until the pool
 * was opened again).
 */
class SnapshotRestoreRefusedTest {

    private static final int TRACK = 4096;

    @TempDir
    Path dir;

    @Test
    void aRestoreThatCannotBeRecordedLeavesTheSnapshotsSavesFreeToGo() throws Exception {
        SnapshotPools.create(dir, TRACK);
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            pool.snapshots().setSaveArea("save");
            pool.snapshots().create("v", "s");
            pool.device("v").write(0, ByteBuffer.wrap(new byte[2 * TRACK])); // two tracks saved for s
            assertThat(pool.snapshots().saveArea().usedSlots()).isEqualTo(2);

            disk.diskFullAfter(f -> f.getFileName().toString().startsWith("pool.json"), 0);
            assertThatThrownBy(() -> pool.snapshots().restore("v", "s", false, 0))
                    .hasMessageContaining("No space left on device");
            disk.diskFreed();
            assertThat(pool.snapshots().restoreOf("v")).isNull();
            assertThat(pool.snapshots().get("v", "s").restoring()).isFalse();

            pool.snapshots().delete("v", "s");
            assertThat(pool.snapshots().saveArea().usedSlots()).as("what s held went back").isZero();
        }
    }
}
