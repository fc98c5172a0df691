package org.splitpoint.app.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.splitpoint.app.common.TrackGrid;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.pair.PairState;

/** Counting invalid-track bitmaps into cells, and what a cell shows. */
class TrackCellsTest {

    private static long[] words(long tracks, long... set) {
        TrackBitmap b = new TrackBitmap(tracks);
        for (long t : set) {
            b.set(t);
        }
        return b.toWords();
    }

    @Test
    void smallMapsGetOneCellPerTrack() {
        TrackCells c = TrackCells.of(128, words(128, 0, 5, 127), words(128, 5, 64));
        assertThat(c.count()).isEqualTo(128);
        assertThat(c.perFine()).isEqualTo(1);
        assertThat(c.std(5)).isEqualTo(1);
        assertThat(c.bcv(64)).isEqualTo(1);
        assertThat(c.std(6)).isZero();
        assertThat(c.stdTotal()).isEqualTo(3);
        assertThat(c.bcvTotal()).isEqualTo(2);
        assertThat(c.union()).isEqualTo(4);
    }

    @Test
    void largeMapsAreCountedIntoAtMost64KCellsWithExactTotals() {
        long tracks = 16L << 20; // 1 TiB of 64 KiB tracks
        TrackBitmap std = new TrackBitmap(tracks);
        Random r = new Random(7);
        long expected = 0;
        for (int i = 0; i < 100_000; i++) {
            expected += std.set(Math.floorMod(r.nextLong(), tracks)) ? 1 : 0;
        }
        TrackCells c = TrackCells.of(tracks, std.toWords(), new long[(int) (tracks / 64)]);
        assertThat(c.count()).isEqualTo(TrackCells.MAX_FINE);
        assertThat(c.perFine()).isEqualTo(256);
        long sum = 0;
        for (int i = 0; i < c.count(); i++) {
            sum += c.std(i);
        }
        assertThat(sum).isEqualTo(expected).isEqualTo(c.stdTotal());
        assertThat(c.fineOf(tracks - 1)).isEqualTo(c.count() - 1);
    }

    @Test
    void bitCountHandlesRangesInsideAndAcrossWords() {
        long[] w = words(200, 3, 63, 64, 130, 199);
        assertThat(TrackCells.bitCount(w, 0, 200)).isEqualTo(5);
        assertThat(TrackCells.bitCount(w, 4, 63)).isZero();
        assertThat(TrackCells.bitCount(w, 63, 65)).isEqualTo(2);
        assertThat(TrackCells.bitCount(w, 100, 199)).isEqualTo(1);
        assertThat(TrackCells.bitCount(w, 5, 5)).isZero();
    }

    @Test
    void aCellShowsWhatItsTracksStillOweByPairState() {
        assertThat(CellState.of(PairState.RestInProg, 64, 0, 12)).isEqualTo(CellState.RESTORING);
        assertThat(CellState.of(PairState.RestInProg, 64, 0, 0)).isEqualTo(CellState.RESTORED);
        assertThat(CellState.of(PairState.RestInProg, 64, 3, 0)).isEqualTo(CellState.STD_INVALID);
        assertThat(CellState.of(PairState.SyncInProg, 64, 9, 0)).isEqualTo(CellState.COPYING);
        assertThat(CellState.of(PairState.Split, 64, 0, 2)).isEqualTo(CellState.BCV_INVALID);
        assertThat(CellState.of(PairState.Synchronized, 64, 0, 0)).isEqualTo(CellState.SYNCED);
        assertThat(CellState.owed(CellState.RESTORING, 64, 0, 16)).isEqualTo(0.25);
    }

    /**
     * During a restore every track owing nothing showed as "restored": 75% of the map green at 154 of 490
     * tracks (a GUI pass). The sampler remembers what the restore was seen to owe; a track owed and no
     * longer is restored, one never owed is unchanged (synced), and the hover text counts both.
     */
    @Test
    void duringARestoreOnlyTracksItCopiedShowAsRestored() {
        TrackSampler sampler = new TrackSampler();
        sampler.sample("p", PairState.RestInProg, 65536, 128, new long[2], words(128, 0, 1, 2, 3), new long[0], 0, 0);
        TrackSample later = sampler.sample("p", PairState.RestInProg, 65536, 128, new long[2], words(128, 2, 3),
                new long[0], 0, 0);
        TrackCells c = later.cells();
        assertThat(c.restored(0)).isEqualTo(1);
        assertThat(c.restored(2)).isZero();
        assertThat(c.restored(64)).as("never owed").isZero();
        assertThat(CellState.of(PairState.RestInProg, 1, 0, 0, c.restored(0))).isEqualTo(CellState.RESTORED);
        assertThat(CellState.of(PairState.RestInProg, 1, 0, 1, c.restored(2))).isEqualTo(CellState.RESTORING);
        assertThat(CellState.of(PairState.RestInProg, 1, 0, 0, c.restored(64))).isEqualTo(CellState.SYNCED);
        assertThat(CellState.describe(PairState.RestInProg, 0, 64, 65536, 0, 2, 2))
                .isEqualTo("Tracks 0–63 (64 KiB each, at 0 B): 2 to restore, 2 restored, 60 unchanged");
        sampler.sample("p", PairState.Split, 65536, 128, new long[2], new long[2], new long[0], 0, 0); // it ended
        TrackSample next = sampler.sample("p", PairState.RestInProg, 65536, 128, new long[2], words(128, 5), new long[0],
                0, 0);
        assertThat(next.cells().restored(0)).as("a new restore starts from what it owes").isZero();
    }

    @Test
    void hoverTextNamesTheTrackRangeAndTheCounts() {
        assertThat(CellState.describe(PairState.RestInProg, 1024, 1088, 65536, 0, 12))
                .isEqualTo("Tracks 1,024–1,087 (64 KiB each, at 64 MiB): 12 to restore, 52 restored");
        assertThat(CellState.describe(PairState.Split, 7, 8, 65536, 1, 0))
                .isEqualTo("Track 7 (64 KiB each, at 448 KiB): 1 changed on STD, 0 changed on BCV, 0 unchanged");
    }

    @Test
    void theGridUsesBigCellsWhenTheyFitAndGroupsCellsWhenTheyDoNot() {
        TrackGrid small = TrackGrid.fit(700, 300, 2048);
        assertThat(small.finePerCell()).isEqualTo(1);
        assertThat(small.cellPx()).isGreaterThanOrEqualTo(8);
        assertThat((long) small.cols() * small.rows()).isGreaterThanOrEqualTo(2048);

        TrackGrid big = TrackGrid.fit(700, 300, TrackCells.MAX_FINE);
        assertThat(big.cellPx()).isEqualTo(2);
        assertThat(big.cells() * (long) big.finePerCell()).isGreaterThanOrEqualTo(TrackCells.MAX_FINE);
        assertThat(big.cellAt(1, 1)).isZero();
        assertThat(big.cellAt(-1, 0)).isEqualTo(-1);
        assertThat(small.cellAt(small.cellPx() * 2 + 1, small.cellPx() + 1)).isEqualTo(small.cols() + 2);
    }
}
