package org.splitpoint.app.pair;

import org.splitpoint.engine.pair.Pair;

/** The raw words of a pair's two live invalid-track bitmaps, for drawing dense track maps per cell. */
final class TrackWords {

    private TrackWords() {
    }

    static long[] std(Pair p) {
        return p.stdInvalid().live().toWords();
    }

    static long[] bcv(Pair p) {
        return p.bcvInvalid().live().toWords();
    }
}
