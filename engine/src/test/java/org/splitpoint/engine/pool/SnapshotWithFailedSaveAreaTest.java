package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot is refused while the save area is FAILED: it could keep no track, so the first write
 * to the volume made it invalid. It was taken ('snapshot v@s taken'), and the administrator held a
 * restore point that vanished at the volume's next write.
 */
class SnapshotWithFailedSaveAreaTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @Test
    void aSnapshotIsRefusedWhileTheSaveAreaIsFailed() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK);
        try (Pool pool = Pool.open(dir)) {
            pool.snapshots().setSaveArea("save");
            pool.admin().failDrive("d5");
        }
        Files.delete(dir.resolve("drives/d6.img")); // a second member of the RAID 5 save area lost
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.volume("save").state()).isEqualTo(VolumeState.FAILED);
            assertThatThrownBy(() -> pool.snapshots().create("v", "s")).isInstanceOf(PoolException.class)
                    .hasMessage("the save area save is FAILED (d5 FAILED, d6 MISSING): a snapshot taken now could keep"
                            + " no track; replace its drives first");
            assertThat(pool.snapshots().list("v")).isEmpty();
        }
    }
}
