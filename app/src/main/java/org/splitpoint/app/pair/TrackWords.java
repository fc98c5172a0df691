package org.splitpoint.app.pair;

import java.lang.reflect.Field;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.pair.InvalidTracks;
import org.splitpoint.engine.pair.Pair;
import org.splitpoint.engine.pair.TrackMap;

/**
 * The raw words of a pair's two live invalid-track bitmaps. The STD side is public
 * ({@code Pair.stdInvalid()}); the BCV side is not yet, so it is read through the package-private
 * field until the engine offers {@code Pair.bcvInvalid()} (asked for). Should that field ever be
 * out of reach, the BCV words are rebuilt from {@link TrackMap#state} — correct, but per track, so
 * only acceptable for small maps.
 */
final class TrackWords {

    private static final Field BCV = bcvField();

    private TrackWords() {
    }

    private static Field bcvField() {
        try {
            Field f = Pair.class.getDeclaredField("bcvInvalid");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    static long[] std(Pair p) {
        return p.stdInvalid().live().toWords();
    }

    static long[] bcv(Pair p) {
        if (BCV != null) {
            try {
                return ((InvalidTracks) BCV.get(p)).live().toWords();
            } catch (ReflectiveOperationException | RuntimeException e) {
                // fall through to the slow path
            }
        }
        TrackMap m = p.trackMap();
        TrackBitmap bits = new TrackBitmap(m.tracks());
        for (long t = 0; t < m.tracks(); t++) {
            TrackMap.TrackState s = m.state(t);
            if (s == TrackMap.TrackState.BCV_INVALID || s == TrackMap.TrackState.RESTORING) {
                bits.set(t);
            }
        }
        return bits.toWords();
    }
}
