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
        return side == null ? StateLook.of(p.state()) : new StateLook(side + " FAILED", StateLook.Glyph.CROSS, StateLook.Tone.BAD);
    }

    /** As {@link #of}, with the state's short SPEC word otherwise (the narrow tree). */
    public static StateLook brief(PairView p) {
        return failedSide(p) == null ? StateLook.brief(p.state()) : of(p);
    }

    /** The diagram's arrow: none while a side is FAILED (nothing flows), else the state's. */
    public static PairWords.Direction direction(PairView p) {
        return failedSide(p) != null ? PairWords.Direction.NONE : PairWords.direction(p.state());
    }

    /** {@link PairView#failedSide()}, null-safe. */
    static String failedSide(PairView p) {
        return p == null ? null : p.failedSide();
    }
}
