package org.splitpoint.engine.pair;

import java.io.IOException;

/**
 * A restore not agreed to overwrite the STD's writes since the split found some ({@link
 * Pair#beginRestore(boolean, boolean, boolean)}): nothing changed. Mechanism only; the pool turns it
 * into the sentence an administrator reads ({@code PairRules.stdWritesNotConfirmed}).
 */
public final class StdWrittenException extends IOException {

    private final String pair;
    private final String std;
    private final long tracks;

    public StdWrittenException(String pair, String std, long tracks) {
        super("pair " + pair + ": " + std + " was written since the split (" + tracks + " tracks)");
        this.pair = pair;
        this.std = std;
        this.tracks = tracks;
    }

    public String pair() {
        return pair;
    }

    public String std() {
        return std;
    }

    /** The STD's tracks hosts wrote since the split, when the restore was refused. */
    public long tracks() {
        return tracks;
    }
}
