package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pair.PairState;

/**
 * While a pair restores its STD from the BCV, hosts read the tracks not yet restored from the BCV,
 * but the STD volume itself still holds its own older bytes there, and a snapshot reads (and its
 * copy on write saves) the volume. A snapshot taken then showed, for those tracks, bytes hosts
 * never saw at its instant (the STD's before the restore), and kept showing them after the
 * restore: a torn image. It is refused, as during the volume's other restores, until the restore
 * finished; so is a backup, which reads (and copies before write from) the volume too.
 */
class SnapshotDuringPairRestoreTest {

    private static final int TRACK = 4096;

    @TempDir
    Path dir;

    private static byte[] filled(int b) {
        return TestPools.filled(TRACK, b);
    }

    @Test
    void aSnapshotOfTheStdWhileThePairRestoresIsRefusedAndTakenOnceItFinished() throws Exception {
        SnapshotPools.create(dir, TRACK);
        try (Pool pool = Pool.open(dir)) {
            pool.pairs().create("p1", "v", "w");
            pool.device("v").write(3 * TRACK, ByteBuffer.wrap(filled(0xA))); // the image the BCV keeps
            assertThat(pool.pairs().establish("p1", true).await(30_000)).isTrue();
            pool.pairs().split(List.of("p1"));
            pool.device("v").write(3 * TRACK, ByteBuffer.wrap(filled(0xB))); // the STD's change since
            pool.snapshots().setSaveArea("save");
        }
        try (Pool pool = Pool.open(dir, StorageFactory.real(), new PoolOptions(false))) { // the copy is stepped by hand
            var job = pool.pairs().restore("p1", false, false);
            assertThat(pool.pairs().get("p1").state()).isEqualTo(PairState.RestInProg);
            // hosts read track 3 from the BCV now (0xA); the volume v still holds 0xB there (a host read
            // would restore it behind, so the test does not read it)
            assertThatThrownBy(() -> pool.snapshots().create("v", "s1")).isInstanceOf(PoolException.class)
                    .hasMessage("volume v is being restored from its BCV in pair p1, which is restoring (RestInProg);"
                            + " take the snapshot once the restore finished");
            assertThat(pool.snapshots().list("v")).isEmpty();

            while (job.stepOnce()) {
                // the restore's copy
            }
            pool.snapshots().create("v", "s1");
            byte[] snap = new byte[TRACK];
            pool.snapshots().reader("v@s1").read(3 * TRACK, ByteBuffer.wrap(snap));
            assertThat(snap).as("the snapshot shows what hosts saw at its instant").isEqualTo(filled(0xA));
        }
    }

    /** A backup reads the volume the same way (copy before write included): refused likewise. */
    @Test
    void aBackupOfTheStdWhileThePairRestoresIsRefusedAndTakenOnceItFinished() throws Exception {
        Path poolDir = SnapshotPools.create(dir.resolve("pool"), TRACK);
        Path store = dir.resolve("store");
        try (Pool pool = Pool.open(poolDir)) {
            pool.pairs().create("p1", "v", "w");
            pool.device("v").write(3 * TRACK, ByteBuffer.wrap(filled(0xA)));
            assertThat(pool.pairs().establish("p1", true).await(30_000)).isTrue();
            pool.pairs().split(List.of("p1"));
            pool.device("v").write(3 * TRACK, ByteBuffer.wrap(filled(0xB)));
        }
        try (Pool pool = Pool.open(poolDir, StorageFactory.real(), new PoolOptions(false))) {
            var job = pool.pairs().restore("p1", false, false);
            assertThatThrownBy(() -> pool.backups().backup("v", store, true, 0)).isInstanceOf(PoolException.class)
                    .hasMessage("volume v is being restored from its BCV in pair p1, which is restoring (RestInProg);"
                            + " back it up once the restore finished");

            while (job.stepOnce()) {
                // the restore's copy
            }
            var backup = pool.backups().backup("v", store, true, 0);
            while (backup.stepOnce()) {
                // the backup's copy
            }
            byte[] image = BackupTest.imageBytes(store, pool.backups().lastBackup("v").image());
            assertThat(image[3 * TRACK]).as("the image holds what hosts saw").isEqualTo((byte) 0xA);
        }
    }
}
