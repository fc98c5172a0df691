package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A snapshot made invalid by a full save area while pool.json cannot be written (its file system
 * full): the write that needed the save is refused, since the snapshot is still valid on disk; and
 * memory must still say valid too, so the next write to the track tries again to record the
 * invalidation. Memory said invalid while pool.json said valid: the next write to the track found
 * no valid snapshot to make invalid, went on unsaved and was acknowledged, and after a crash the
 * snapshot, valid on record, showed that write's bytes as its image.
 */
class UnrecordedInvalidationTest {

    private static final int TRACK = 4096;
    private static final long SAVE_TRACKS = 40;

    @TempDir
    Path tmp;

    @Test
    void aWriteTheSnapshotCannotBeInvalidatedForIsNeverAcknowledgedUnsaved() throws Exception {
        Path dir = tmp.resolve("pool");
        Pool.create(dir, 5, 1L << 20, TRACK, StorageFactory.real());
        byte[] image;
        byte[] acknowledged = null;
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        Pool pool = Pool.open(dir, disk);
        try {
            pool.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
            pool.admin().createVolume("save", Layout.RAID5, List.of("d3", "d4", "d5"), SAVE_TRACKS * TRACK);
            pool.snapshots().setSaveArea("save");
            image = new byte[(int) pool.volume("v").size()];
            new Random(1).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
            pool.snapshots().create("v", "s");
            long slots = pool.snapshots().saveArea().slots();
            for (long t = 0; t < slots; t++) { // every slot taken by a save for s
                pool.device("v").write(t * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x11)));
            }
            assertThat(pool.snapshots().saveArea().freeSlots()).isZero();
            long track = slots + 10; // not saved yet: s needs it saved before it is written
            disk.diskFullAfter(TestPools::poolJson, 0);
            assertThatThrownBy(() -> pool.device("v").write(track * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x22))))
                    .as("the first write: s cannot be made invalid on record").isInstanceOf(IOException.class);
            assertThat(pool.snapshots().get("v", "s").state()).as("s, as pool.json still has it")
                    .isEqualTo(SnapshotAdmin.VALID);
            try {
                pool.device("v").write(track * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x33)));
                pool.device("v").flush();
                acknowledged = TestPools.filled(TRACK, 0x33);
            } catch (IOException refused) {
                // right: still not on record
            }
            disk.processCrash();
        } finally {
            pool.abandon();
        }
        try (Pool p = Pool.open(dir)) {
            SnapshotAdmin.Info s = p.snapshots().get("v", "s");
            long track = SAVE_TRACKS + 10;
            byte[] now = new byte[TRACK];
            p.device("v").read(track * TRACK, ByteBuffer.wrap(now));
            if (acknowledged != null) {
                TestPools.assertSameBytes(now, acknowledged, "the acknowledged write");
            }
            if (s.state().equals(SnapshotAdmin.VALID)) {
                byte[] snap = new byte[TRACK];
                p.snapshots().reader("v", "s").read(track * TRACK, ByteBuffer.wrap(snap));
                TestPools.assertSameBytes(snap, java.util.Arrays.copyOfRange(image, (int) (track * TRACK),
                        (int) ((track + 1) * TRACK)), "snapshot s, valid on record, of track " + track);
            }
        }
    }
}
