package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;

/**
 * A volume lost beyond its redundancy takes with it what its snapshots did not save (a snapshot's
 * track not written since is read from the volume). When the volume gets blank drives to be
 * restored from a backup, its snapshots must not go on as valid: they read the blank drives, then
 * the backup's older bytes, as their image, and the restore's refills saved blank bytes for them.
 */
class SnapshotOfALostVolumeTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @Test
    void aSnapshotOfAVolumeLostBeyondItsRedundancyNeverShowsOtherBytesAsItsImage() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK);
        Path store = tmp.resolve("store");
        byte[] x = new byte[TRACK];
        new Random(2).nextBytes(x);
        String image;
        try (Pool pool = Pool.open(dir)) {
            pool.snapshots().setSaveArea("save");
            byte[] w = new byte[(int) pool.volume("v").size()];
            new Random(1).nextBytes(w);
            pool.device("v").write(0, ByteBuffer.wrap(w));
            assertThat(pool.backups().backup("v", store, true, 0).await(30_000)).isTrue();
            image = pool.backups().lastBackup("v").image();
            pool.device("v").write(20L * TRACK, ByteBuffer.wrap(x)); // after the backup: only the volume holds it
            pool.device("v").flush();
            pool.snapshots().create("v", "s");
            pool.admin().failDrive("d1");
        }
        java.nio.file.Files.delete(dir.resolve("drives/d2.img")); // the other leg lost too
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.volume("v").state()).isEqualTo(VolumeState.FAILED);
            var restore = pool.instantRestores().restore("v", store, image, false, 0);
            assertThat(restore.await(30_000)).isTrue();
            SnapshotAdmin.Info s = pool.snapshots().get("v", "s");
            if (s.state().equals(SnapshotAdmin.VALID)) {
                byte[] snap = new byte[TRACK];
                try {
                    pool.snapshots().reader("v", "s").read(20L * TRACK, ByteBuffer.wrap(snap));
                } catch (IOException refused) {
                    return; // an error, never other bytes
                }
                TestPools.assertSameBytes(snap, x, "snapshot v@s, valid, track 20");
            }
            assertThatThrownBy(() -> pool.snapshots().reader("v", "s")).isInstanceOf(PoolException.class)
                    .hasMessageStartingWith("snapshot v@s is invalid: volume v was lost beyond its redundancy (");
        }
    }
}
