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

    /**
     * The tracks a crash left dirty are clean once the open resynced them: a second crash with no
     * write between finds nothing to resync. Before, they cleared only after two flush intervals,
     * so a volume no host flushed (an idle one, or one written only by its resync) said "not shut
     * down cleanly: resynced N dirty tracks" at every later crash, the same N each time (seen with
     * kill -9 of serve twice, nothing written between).
     */
    @Test
    void aSecondCrashWithNothingWrittenSinceTheResyncFindsNoDirtyTrack() throws Exception {
        crashedMirror();
        Pool p = Pool.open(dir);
        assertThat(p.openNotes()).anySatisfy(n -> assertThat(n).startsWith("volume m was not shut down cleanly: resynced "));
        p.abandon(); // a second crash, nothing written, nothing flushed
        try (Pool again = Pool.open(dir)) {
            assertThat(again.openNotes()).noneSatisfy(n -> assertThat(n).contains("not shut down cleanly"));
        }
    }

    /**
     * As above, for a RAID 5 volume; and a write after the resync keeps only its own tracks dirty:
     * the next crash resyncs as many as the same write does on a pool that never crashed before.
     */
    @Test
    void aWriteAfterTheResyncKeepsOnlyItsOwnTracksDirty() throws Exception {
        Path control = dir.resolve("control");
        Path twice = dir.resolve("twice");
        for (Path d : List.of(control, twice)) {
            Pool.create(d, 3, 1 << 20, 4096, StorageFactory.real());
            try (Pool p = Pool.open(d)) {
                p.admin().createVolume("r", Layout.RAID5, List.of("d1", "d2", "d3"), 0);
            }
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, 1);
        Pool crashed = Pool.open(twice, inj, new PoolOptions(false));
        crashed.volume("r").write(300_000, ByteBuffer.wrap(new byte[200_000]));
        inj.processCrash();
        crashed.abandon();
        String first = crashNote(twice, p -> { });
        assertThat(first).startsWith("volume r was not shut down cleanly: resynced ");
        IoConsumer write = p -> p.volume("r").write(0, ByteBuffer.wrap(new byte[4096]));
        assertThat(crashNote(twice, write)).as("after a crash with nothing written since the resync (%s)", first).isNull();
        assertThat(crashNote(control, write)).isNull();
        String expected = crashNote(control, p -> { });
        assertThat(expected).startsWith("volume r was not shut down cleanly: resynced ");
        assertThat(crashNote(twice, p -> { })).as("after the write's crash, as on a pool that never crashed before")
                .isEqualTo(expected);
        assertThat(crashNote(twice, p -> { })).as("nothing written since").isNull();
    }

    /**
     * Opens {@code d} for writing and returns what its notes say of a volume not shut down cleanly
     * (null: nothing); runs {@code between}, unflushed, and crashes.
     */
    private static String crashNote(Path d, IoConsumer between) throws Exception {
        Pool p = Pool.open(d);
        String note = p.openNotes().stream().filter(n -> n.contains("not shut down cleanly")).findFirst().orElse(null);
        between.accept(p);
        p.abandon();
        return note;
    }

    private interface IoConsumer {
        void accept(Pool p) throws Exception;
    }
}
