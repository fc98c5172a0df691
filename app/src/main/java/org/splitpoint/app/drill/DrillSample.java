package org.splitpoint.app.drill;

import org.splitpoint.app.pair.TrackCells;

/**
 * A volume's service-window track map at one instant, as the Drills view draws it: the tracks its
 * drive is owed (the delta growing in the window, draining in the resync) and the tracks it was
 * owed at any time in this window (so the ones already written back show), counted into fine cells
 * ({@link TrackCells}, its two sides being "owed now" and "owed at all"), plus the tracks a second
 * failure lost.
 *
 * @param phase        "window", "resync", or "done" (the window is over: its last picture, all drained)
 * @param volumeTracks the bits are volume tracks (repository mode), else member-row tracks
 * @param lostPerFine  tracks lost per fine cell (empty when none)
 */
public record DrillSample(String volume, String drive, String phase, TrackCells cells, long owed, long everOwed,
                          long tracks, boolean volumeTracks, int trackSize, int[] lostPerFine, long lost, long nanos) {

    /** Tracks drained so far: owed at some time in this window, not any more. */
    public long drained() {
        return Math.max(0, everOwed - owed);
    }

    /** Tracks lost in fine cells [from, to). */
    public long lostIn(int from, int to) {
        long n = 0;
        for (int i = from; i < to && i < lostPerFine.length; i++) {
            n += lostPerFine[i];
        }
        return n;
    }
}
