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

/**
 * 'snapshot restore v w@s' while w is FAILED is refused, as a restore of a FAILED volume is: s's
 * tracks not saved are read from w, which cannot be read. It started: every track of v owed to a
 * source that fails, so hosts could read almost nothing of v, healthy until then, and cancelling
 * left v partly restored.
 */
class RestoreFromAFailedVolumesSnapshotTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @Test
    void aRestoreToASnapshotOfAFailedVolumeIsRefusedAndVStaysReadable() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK);
        byte[] v;
        try (Pool pool = Pool.open(dir)) {
            pool.snapshots().setSaveArea("save");
            byte[] w = new byte[(int) pool.volume("w").size()];
            new Random(1).nextBytes(w);
            pool.device("w").write(0, ByteBuffer.wrap(w));
            pool.snapshots().create("w", "s");
            v = new byte[(int) pool.volume("v").size()];
            new Random(2).nextBytes(v);
            pool.device("v").write(0, ByteBuffer.wrap(v));
            pool.admin().failDrive("d3");
        }
        Files.delete(dir.resolve("drives/d4.img")); // w's other leg lost too
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.volume("w").state()).isEqualTo(VolumeState.FAILED);
            assertThatThrownBy(() -> pool.snapshots().restore("v", "w@s", false, 0)).isInstanceOf(PoolException.class)
                    .hasMessage("snapshot w@s cannot be restored now: its volume w is FAILED (d3 FAILED, d4 MISSING), and the"
                            + " tracks the snapshot did not save are read from it");
            assertThatThrownBy(() -> pool.snapshots().plan("v", "w@s")).isInstanceOf(PoolException.class);
            assertThat(pool.snapshots().restoreOf("v")).isNull();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), v, "v");
            byte[] hosts = new byte[v.length];
            pool.device("v").read(0, ByteBuffer.wrap(hosts));
            TestPools.assertSameBytes(hosts, v, "v as hosts read it");
        }
    }
}
