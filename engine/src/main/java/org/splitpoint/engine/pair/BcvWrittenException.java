package org.splitpoint.engine.pair;

import java.io.IOException;

/**
 * An establish not agreed to overwrite the BCV's writes since the split found some ({@link
 * Pair#beginEstablish(boolean, boolean)}): nothing changed. Mechanism only; the pool turns it into
 * the sentence an administrator reads ({@code PairRules.bcvWritesNotConfirmed}).
 */
public final class BcvWrittenException extends IOException {

    private final String pair;
    private final String bcv;
    private final long tracks;

    public BcvWrittenException(String pair, String bcv, long tracks) {
        super("pair " + pair + ": " + bcv + " was written since the split (" + tracks + " tracks)");
        this.pair = pair;
        this.bcv = bcv;
        this.tracks = tracks;
    }

    public String pair() {
        return pair;
    }

    public String bcv() {
        return bcv;
    }

    /** The BCV's tracks hosts wrote since the split, when the establish was refused. */
    public long tracks() {
        return tracks;
    }
}
