package org.splitpoint.app.pair;

import org.splitpoint.app.common.StateLook;
import org.splitpoint.engine.pool.PairAdmin.PairView;

/**
 * A pair's badge where the tree, the Pairs table and the console show it. The engine keeps the
 * pair's state as its record says (Synchronized stays Synchronized when a side's drives fail: an
 * establish or a restore then is refused until they are replaced), so a green "Synchronized" beside
 * a FAILED STD claimed the sides were in sync while nothing was mirrored. A state that says the
 * sides mirror or copy shows the FAILED side instead; Split and NeverEstab claim nothing of the kind.
 */
public final class PairLook {

    private PairLook() {
    }

    /** The badge: "STD FAILED" / "BCV FAILED" (red cross) when a side is FAILED under a mirroring state, else the state's. */
    public static StateLook of(PairView p) {
        String side = failedSide(p);
        if (side != null) {
            return new StateLook(side + " FAILED", StateLook.Glyph.CROSS, StateLook.Tone.BAD);
        }
        // a cancelled establish: SyncInProg with nothing copying (its turning arrows read as a copy under way)
        return p.copyCancelled() ? new StateLook("Establish stopped (SyncInProg)", StateLook.Glyph.PAUSE, StateLook.Tone.WARN)
                : StateLook.of(p.state());
    }

    /** As {@link #of}, with the state's short SPEC word otherwise (the narrow tree). */
    public static StateLook brief(PairView p) {
        if (failedSide(p) != null) {
            return of(p);
        }
        return p.copyCancelled() ? new StateLook("SyncInProg", StateLook.Glyph.PAUSE, StateLook.Tone.WARN)
                : StateLook.brief(p.state());
    }

    /** The diagram's arrow: none while a side is FAILED or a cancelled establish copies nothing, else the state's. */
    public static PairWords.Direction direction(PairView p) {
        return failedSide(p) != null || p.copyCancelled() ? PairWords.Direction.NONE : PairWords.direction(p.state());
    }

    /** {@link PairView#failedSide()}, null-safe. */
    static String failedSide(PairView p) {
        return p == null ? null : p.failedSide();
    }
}
