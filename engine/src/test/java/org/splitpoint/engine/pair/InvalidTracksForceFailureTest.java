package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.bitmap.DurableBitmap;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A side's marks saved by a flush whose fsync failed (a writeback error: the kernel drops the
 * pages and the next fsync succeeds without them) must be written again before a later persist
 * or commit reports them durable: the side's write-intent bits clear after that, and a crash then
 * loses the only record that the track differs from the other side (an establish skips it).
 */
class InvalidTracksForceFailureTest {

    @TempDir
    Path dir;

    private FaultInjector injector() {
        return new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, 1).unforcedWritesLost();
    }

    /** A side's tracks in a new bitmap file, its name synced into the directory. */
    private InvalidTracks created(FaultInjector inj, Path file) throws IOException {
        InvalidTracks tracks = new InvalidTracks(DurableBitmap.create(inj, file, 1024, false));
        inj.syncDirectory(dir);
        return tracks;
    }

    private static boolean durablyMarked(Path file, long track) throws IOException {
        try (DurableBitmap reread = DurableBitmap.open(StorageFactory.real(), file, 1024, true)) {
            return reread.bits().get(track);
        }
    }

    @Test
    void marksWhoseForceFailedAreWrittenAgainByTheNextPersist() throws Exception {
        Path file = dir.resolve("p.std.inv");
        FaultInjector inj = injector();
        InvalidTracks tracks = created(inj, file);
        tracks.mark(7, 8);
        inj.failForces(p -> p.equals(file), 1);
        assertThatThrownBy(tracks::persistMarks).isInstanceOf(IOException.class); // the flush fails
        tracks.persistMarks(); // the next flush: its write-intent bits may clear once this returns
        inj.cutNow();
        inj.crash();
        assertThat(durablyMarked(file, 7)).as("track 7's mark after the crash").isTrue();
    }

    @Test
    void marksWhoseForceFailedInACommitAreWrittenAgainByTheNextCommit() throws Exception {
        Path file = dir.resolve("p.bcv.inv");
        FaultInjector inj = injector();
        InvalidTracks tracks = created(inj, file);
        tracks.mark(3, 4);
        tracks.mark(9, 10);
        tracks.persistMarks();
        tracks.mark(12, 13); // a host write marks a track; its flush has not come yet
        tracks.clearLive(3); // a copy of track 3 returned
        inj.failForces(p -> p.equals(file), 1);
        assertThatThrownBy(() -> tracks.flushAndCommit(() -> { })).isInstanceOf(IOException.class);
        tracks.persistMarks(); // the side's next flush: track 12's mark is relied on from here
        inj.cutNow();
        inj.crash();
        assertThat(durablyMarked(file, 12)).as("track 12's mark after the crash").isTrue();
    }
}
