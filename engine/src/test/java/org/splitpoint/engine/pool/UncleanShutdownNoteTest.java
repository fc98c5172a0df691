package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/** What the open notes say of a volume a crash (kill -9 of serve) left dirty: only the work there is. */
class UncleanShutdownNoteTest {

    @TempDir
    Path dir;

    /** A RAID 1 volume (no stripe journal) with a write in flight when its process died. */
    private void crashedMirror() throws Exception {
        Pool.create(dir, 2, 1 << 20, 4096, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("m", Layout.RAID1, List.of("d1", "d2"), 0);
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, 1);
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        p.volume("m").write(5000, ByteBuffer.wrap(new byte[70_000]));
        inj.processCrash();
        p.abandon();
    }

    @Test
    void aMirrorsNotesSpeakOfItsDirtyTracksAndOfNoStripeJournal() throws Exception {
        crashedMirror();
        try (Pool p = Pool.open(dir, StorageFactory.real(), PoolOptions.READ_ONLY)) {
            assertThat(p.openNotes()).as("read-only open (pool status)").anySatisfy(n -> assertThat(n)
                    .startsWith("volume m was not shut down cleanly: ").contains("dirty track")
                    .contains("when the pool is next opened for writing").doesNotContain("journaled stripe update"));
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.openNotes()).as("writable open (wait, serve)").anySatisfy(n -> assertThat(n)
                    .startsWith("volume m was not shut down cleanly: resynced ").contains("dirty track")
                    .doesNotContain("journaled stripe update"));
        }
    }
}
