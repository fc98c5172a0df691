package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pair.PairState;

/**
 * 'volume journal enable' of a pair's STD while the pair restores it from the BCV: the backup that
 * gives the journal its base is refused then (its image would be torn), so the enable is refused
 * before it changes anything, as during the volume's other restores. It put the journal on record,
 * took the two drives and then failed on the backup's refusal ('back it up once the restore
 * finished'): the administrator was told the enable failed while the volume was journaled, with no
 * base, and an enable tried again was refused as 'has a journal already'.
 */
class JournalEnableDuringPairRestoreTest {

    private static final int TRACK = 4096;

    @TempDir
    Path dir;

    @Test
    void anEnableWhileThePairRestoresTheVolumeIsRefusedAndChangesNothing() throws Exception {
        Path poolDir = SnapshotPools.create(dir.resolve("pool"), TRACK);
        Path store = dir.resolve("store");
        Files.createDirectories(store);
        List<String> legs;
        try (Pool pool = Pool.open(poolDir)) {
            legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            pool.pairs().create("p1", "v", "w");
            pool.device("v").write(3 * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0xA)));
            assertThat(pool.pairs().establish("p1", true).await(30_000)).isTrue();
            pool.pairs().split(List.of("p1"));
            pool.device("v").write(3 * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0xB)));
        }
        try (Pool pool = Pool.open(poolDir, StorageFactory.real(), new PoolOptions(false))) { // the copy is stepped by hand
            var job = pool.pairs().restore("p1", false, false);
            assertThat(pool.pairs().get("p1").state()).isEqualTo(PairState.RestInProg);
            assertThatThrownBy(() -> pool.journals().enable("v", legs, store, 0, 0)).isInstanceOf(PoolException.class)
                    .hasMessage("volume v is being restored from its BCV in pair p1, which is restoring (RestInProg);"
                            + " enable its journal once the restore finished");
            assertThat(pool.journals().volumes()).as("journals").isEmpty();
            for (String leg : legs) {
                assertThat(pool.snapshot().drive(leg).state()).as(leg).isEqualTo(DriveState.SPARE);
            }
            while (job.stepOnce()) {
                // the restore's copy
            }
            var base = pool.journals().enable("v", legs, store, 0, 0);
            pool.startJobs();
            assertThat(base.await(30_000)).isTrue();
            assertThat(pool.journals().status("v").protecting()).isTrue();
        }
    }
}
