package org.splitpoint.engine.pair;

import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.bitmap.TrackBitmap;

/**
 * An immutable copy of a pair's track states at one instant (claim 10): which tracks are in sync,
 * changed on either side, or still owed by a running establish or restore.
 */
public final class TrackMap {

    /** What one track is. */
    public enum TrackState { SYNCED, STD_INVALID, BCV_INVALID, COPYING, RESTORING }

    /** A run of consecutive tracks in one state. */
    public record Run(long from, long to, TrackState state) { }

    private final PairState pairState;
    private final int trackSize;
    private final long tracks;
    private final TrackBitmap std;
    private final TrackBitmap bcv;

    TrackMap(PairState pairState, int trackSize, long tracks, long[] stdWords, long[] bcvWords) {
        this.pairState = pairState;
        this.trackSize = trackSize;
        this.tracks = tracks;
        this.std = new TrackBitmap(tracks);
        this.std.loadWords(stdWords);
        this.bcv = new TrackBitmap(tracks);
        this.bcv.loadWords(bcvWords);
    }

    public long tracks() {
        return tracks;
    }

    public int trackSize() {
        return trackSize;
    }

    public TrackState state(long t) {
        if (pairState == PairState.SyncInProg && std.get(t)) {
            return TrackState.COPYING;
        }
        if (pairState == PairState.RestInProg && bcv.get(t)) {
            return TrackState.RESTORING;
        }
        if (std.get(t)) {
            return TrackState.STD_INVALID;
        }
        return bcv.get(t) ? TrackState.BCV_INVALID : TrackState.SYNCED;
    }

    /** The map as runs of equal state, for text output. */
    public List<Run> runs() {
        List<Run> out = new ArrayList<>();
        long start = 0;
        TrackState cur = tracks > 0 ? state(0) : null;
        for (long t = 1; t <= tracks; t++) {
            TrackState s = t < tracks ? state(t) : null;
            if (s != cur) {
                out.add(new Run(start, t, cur));
                start = t;
                cur = s;
            }
        }
        return out;
    }
}
