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

/**
 * A pool object that was closed has let go of the pool's lock, so another opening may hold the
 * pool now: nothing done through the closed one (a verb the app's worker thread runs as the pool
 * closes, say) may write pool.json or a drive image under that holder's feet.
 */
class ClosedPoolWritesNothingTest {

    private static final long DRIVE = 4L << 20;
    private static final int TRACK = 64 * 1024;

    @TempDir
    Path tmp;

    /**
     * Before, a drive added through the closed pool object wrote its stale pool.json over the new
     * holder's, which had just created a volume and written to it: the next opening had no volume.
     */
    @Test
    void aVerbOnAClosedPoolIsRefusedAndChangesNothingTheNextHolderWrote() throws Exception {
        Path dir = UnrecordedAdminTest.blankPool(tmp.resolve("p"), 4, DRIVE);
        Pool closed = Pool.open(dir);
        closed.close();
        try (Pool holder = Pool.open(dir)) {
            holder.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
            holder.device("v").write(0, ByteBuffer.wrap(TestPools.filled(TRACK, 0x21)));
            holder.device("v").flush();
            byte[] config = Files.readAllBytes(dir.resolve("pool.json"));
            assertThatThrownBy(() -> closed.admin().addDrive(0)).hasMessageContaining("closed");
            assertThatThrownBy(() -> closed.admin().createVolume("w", Layout.RAID1, List.of("d1", "d2"), 0))
                    .hasMessageContaining("closed");
            assertThatThrownBy(() -> closed.admin().failDrive("d3")).hasMessageContaining("closed");
            assertThatThrownBy(() -> closed.pairs().create("p", "v", "v")).hasMessageContaining("closed");
            assertThatThrownBy(() -> closed.instantRestores().restore("v", tmp.resolve("store"), null, false, 0))
                    .hasMessageContaining("closed");
            assertThatThrownBy(() -> closed.journals().enable("v", List.of("d3", "d4"), tmp.resolve("store"), 0, 60))
                    .hasMessageContaining("closed");
            assertThatThrownBy(() -> closed.journals().disable("v")).hasMessageContaining("closed");
            assertThatThrownBy(() -> closed.journals().rebuildFromBackup("v", List.of(), 0)).hasMessageContaining("closed");
            assertThat(Files.readAllBytes(dir.resolve("pool.json"))).as("the holder's pool.json").isEqualTo(config);
            assertThat(Files.exists(dir.resolve("drives").resolve("d5.img"))).isFalse();
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.read("v", 0, TRACK)).isEqualTo(TestPools.filled(TRACK, 0x21));
            assertThat(p.snapshot().drives()).hasSize(4);
        }
    }

    /** The backstop below every verb: pool.json is never written once the lock is let go. */
    @Test
    void poolJsonIsNotWrittenAfterTheLockWasLetGo() throws Exception {
        Path dir = UnrecordedAdminTest.blankPool(tmp.resolve("p"), 2, DRIVE);
        Pool closed = Pool.open(dir);
        closed.close();
        byte[] config = Files.readAllBytes(dir.resolve("pool.json"));
        assertThatThrownBy(closed::persist).hasMessageContaining("closed");
        assertThat(Files.readAllBytes(dir.resolve("pool.json"))).isEqualTo(config);
    }
}
