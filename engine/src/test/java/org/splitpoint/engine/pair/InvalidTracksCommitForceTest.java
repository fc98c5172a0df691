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
 * A clear whose commit's force failed is not durable: after an fsync error the kernel may drop the
 * map's page, so the track is still owed on disk. The commit had cleared the bit it keeps as
 * durable all the same, so a host's retried write to the track (a restore's view, a pair's side)
 * found it durably current and was acknowledged without a commit, and a host flush committed
 * nothing (no clear pending): after a power cut the track was owed again, and the restore copied the
 * source's track over that acknowledged write.
 */
class InvalidTracksCommitForceTest {

    @TempDir
    Path dir;

    @Test
    void aClearWhoseForceFailedIsCommittedAgainBeforeAWriteOrFlushReliesOnIt() throws Exception {
        Path f = dir.resolve("v.restore.inv");
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, 1)
                .unforcedWritesLost();
        InvalidTracks owed = new InvalidTracks(DurableBitmap.create(inj, f, 100, false));
        owed.mark(5, 6);
        owed.persistMarks();
        inj.failForces(p -> p.equals(f), 1);
        assertThatThrownBy(() -> hostWrite(owed, 5)).isInstanceOf(IOException.class); // the host is told it failed
        hostWrite(owed, 5); // it writes again: acknowledged
        owed.flushAndCommit(() -> { }); // and flushes
        inj.cutNow();
        inj.crash();
        try (DurableBitmap reread = DurableBitmap.open(StorageFactory.real(), f, 100, true)) {
            assertThat(reread.bits().get(5)).as("track 5 owed after the crash, under an acknowledged write").isFalse();
        }
    }

    /** What a host's write to track {@code t} does to the map once its data landed (RestoreView, PairSideView). */
    private static void hostWrite(InvalidTracks owed, long t) throws IOException {
        owed.clearLive(t);
        if (owed.isDurablySet(t)) {
            owed.commitThrough(owed.clearGeneration(), () -> { });
        }
    }
}
