package org.splitpoint.engine.pair;

import java.io.IOException;

/**
 * A copy not agreed to overwrite what hosts wrote since the split to the side it overwrites found
 * some: an establish over the BCV's writes ({@link Pair#beginEstablish(boolean, boolean)}), a
 * restore over the STD's ({@link Pair#beginRestore(boolean, boolean, boolean)}). Nothing changed.
 * Mechanism only; the pool turns it into the sentence an administrator reads
 * ({@code PairRules.bcvWritesNotConfirmed}, {@code PairRules.stdWritesNotConfirmed}).
 */
public final class WrittenSinceSplitException extends IOException {

    private final String pair;
    private final String volume;
    private final long tracks;

    public WrittenSinceSplitException(String pair, String volume, long tracks) {
        super("pair " + pair + ": " + volume + " was written since the split (" + tracks + " tracks)");
        this.pair = pair;
        this.volume = volume;
        this.tracks = tracks;
    }

    public String pair() {
        return pair;
    }

    /** The side the copy would overwrite: the BCV for an establish, the STD for a restore. */
    public String volume() {
        return volume;
    }

    /** That side's tracks hosts wrote since the split, when the copy was refused. */
    public long tracks() {
        return tracks;
    }
}
