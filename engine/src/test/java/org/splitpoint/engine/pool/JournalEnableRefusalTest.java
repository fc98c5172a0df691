package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code volume journal enable} records the journal, then starts the backup that gives it its
 * base: whatever refuses that backup must refuse the enable first, or the pool is left with a
 * journal enabled without its base and the command failed. A restore to a snapshot under way did
 * (and a running backup, JournalReenableBackupTest).
 */
class JournalEnableRefusalTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @Test
    void anEnableWhileTheVolumeIsRestoredToASnapshotIsRefusedAndRecordsNothing() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK, 1L << 20);
        Path store = Files.createDirectories(tmp.resolve("store"));
        try (Pool pool = Pool.open(dir)) {
            List<String> legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            pool.snapshots().setSaveArea("save");
            pool.snapshots().create("v", "s1");
            pool.device("v").write(0, ByteBuffer.allocate(4 * TRACK)); // tracks to restore
            pool.snapshots().restore("v", "s1", false, 1); // a byte a second: under way throughout
            Throwable refused = catchThrowable(() -> pool.journals().enable("v", legs, store, 0, 0));
            assertThat(pool.journals().volumes()).as("journaled volumes after the refusal").isEmpty();
            for (String leg : legs) {
                assertThat(pool.snapshot().drive(leg).state()).isEqualTo(DriveState.SPARE);
            }
            assertThat(refused).isInstanceOf(PoolException.class)
                    .hasMessage("volume v is being restored to a snapshot; enable its journal once the restore finished");
        }
    }

    /**
     * A store whose making a power cut stopped (an empty images/, store.json never written) is made
     * a store again by the next backup into it (DirectoryStore.creationCutShort); journal enable's
     * own look at the store took it for a directory of something else and refused it ('is not a
     * Splitpoint backup store (it has no store.json)'), where a backup would have gone on.
     */
    @Test
    void aStoreWhoseMakingWasCutShortIsTakenAsTheBackupTakesIt() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK, 1L << 20);
        Path store = Files.createDirectories(tmp.resolve("store").resolve("images")).getParent();
        try (Pool pool = Pool.open(dir)) {
            List<String> legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            assertThat(pool.journals().enable("v", legs, store, 0, 0).await(60_000)).isTrue();
            assertThat(pool.journals().status("v").protecting()).isTrue();
        }
    }
}
