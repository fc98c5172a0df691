package org.splitpoint.app.common;

import org.splitpoint.engine.event.Severity;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.VolumeState;

/**
 * How a state looks: its word, a glyph (a shape, so colour is never the only cue) and a tone that the
 * stylesheet turns into a colour. One table for drives, volumes, pairs, pool health and event severity.
 */
public record StateLook(String word, Glyph glyph, Tone tone) {

    /** Colour families, as CSS classes {@code tone-ok} ... {@code tone-bad}. */
    public enum Tone {
        OK, IDLE, BUSY, SERVICE, WARN, BAD;

        public String styleClass() {
            return "tone-" + name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Shapes on a 16x16 grid, drawn as SVG paths (no font needed). */
    public enum Glyph {
        DOT("M8,2 A6,6 0 1,1 7.99,2 Z"),
        RING("M8,2 A6,6 0 1,1 7.99,2 Z M8,5 A3,3 0 1,0 8.01,5 Z"),
        CROSS("M2.5,4.5 L4.5,2.5 L8,6 L11.5,2.5 L13.5,4.5 L10,8 L13.5,11.5 L11.5,13.5 L8,10 L4.5,13.5 L2.5,11.5 L6,8 Z"),
        ARROWS("M8,1.5 A6.5,6.5 0 0,1 14.5,8 L16,8 L13,11.5 L10,8 L12,8 A4,4 0 0,0 8,4 Z"
                + " M8,14.5 A6.5,6.5 0 0,1 1.5,8 L0,8 L3,4.5 L6,8 L4,8 A4,4 0 0,0 8,12 Z"),
        PAUSE("M3,2.5 H6.5 V13.5 H3 Z M9.5,2.5 H13 V13.5 H9.5 Z"),
        HOLLOW_SQUARE("M2,2 H14 V14 H2 Z M4.5,4.5 V11.5 H11.5 V4.5 Z"),
        CHECK("M1.5,8.5 L3.5,6.5 L6.5,9.5 L12.5,3 L14.5,5 L6.5,13.5 Z"),
        TRIANGLE("M8,1 L15.5,14.5 L0.5,14.5 Z M7,5.5 V10 H9 V5.5 Z M7,11 V13 H9 V11 Z"),
        INFO("M8,1.5 A6.5,6.5 0 1,1 7.99,1.5 Z M7,7 V12 H9 V7 Z M7,4 V6 H9 V4 Z"),
        /** Two separate boxes: a split pair's independent sides. */
        APART("M0.5,4 H6.5 V12 H0.5 Z M9.5,4 H15.5 V12 H9.5 Z"),
        /** Two boxes joined: a pair whose sides mirror. */
        JOINED("M0.5,4 H6.5 V7 H9.5 V4 H15.5 V12 H9.5 V9 H6.5 V12 H0.5 Z");

        private final String path;

        Glyph(String path) {
            this.path = path;
        }

        public String path() {
            return path;
        }
    }

    public static StateLook of(DriveState s) {
        return switch (s) {
            case ONLINE -> new StateLook("ONLINE", Glyph.DOT, Tone.OK);
            case SPARE -> new StateLook("SPARE", Glyph.RING, Tone.IDLE);
            case REBUILDING -> new StateLook("REBUILDING", Glyph.ARROWS, Tone.BUSY);
            case OFFLINE -> new StateLook("OFFLINE", Glyph.PAUSE, Tone.SERVICE);
            case FAILED -> new StateLook("FAILED", Glyph.CROSS, Tone.BAD);
            case MISSING -> new StateLook("MISSING", Glyph.HOLLOW_SQUARE, Tone.BAD);
        };
    }

    public static StateLook of(VolumeState s) {
        return switch (s) {
            case OPTIMAL -> new StateLook("OPTIMAL", Glyph.CHECK, Tone.OK);
            case DEGRADED -> new StateLook("DEGRADED", Glyph.TRIANGLE, Tone.WARN);
            case REBUILDING -> new StateLook("REBUILDING", Glyph.ARROWS, Tone.BUSY);
            case SERVICE -> new StateLook("SERVICE", Glyph.PAUSE, Tone.SERVICE);
            case FAILED -> new StateLook("FAILED", Glyph.CROSS, Tone.BAD);
        };
    }

    /** A volume (or snapshot) being restored to: its tracks are still being copied back. */
    public static StateLook restoring() {
        return new StateLook("RESTORING", Glyph.ARROWS, Tone.BUSY);
    }

    public static StateLook of(PoolSnapshot.Health h) {
        return switch (h) {
            case HEALTHY -> new StateLook("HEALTHY", Glyph.CHECK, Tone.OK);
            case WARNING -> new StateLook("WARNING", Glyph.TRIANGLE, Tone.WARN);
            case CRITICAL -> new StateLook("CRITICAL", Glyph.CROSS, Tone.BAD);
        };
    }

    public static StateLook of(PairState s) {
        return switch (s) {
            case NeverEstab -> new StateLook(label(s), Glyph.RING, Tone.IDLE);
            case SyncInProg -> new StateLook(label(s), Glyph.ARROWS, Tone.BUSY);
            case Synchronized -> new StateLook("Synchronized", Glyph.JOINED, Tone.OK);
            case SplitInProg -> new StateLook(label(s), Glyph.ARROWS, Tone.BUSY);
            case Split -> new StateLook("Split", Glyph.APART, Tone.SERVICE);
            case RestInProg -> new StateLook(label(s), Glyph.ARROWS, Tone.BUSY);
            case Restored -> new StateLook("Restored", Glyph.JOINED, Tone.OK);
        };
    }

    /**
     * A pair state's badge with its SPEC word alone ("RestInProg"), for a narrow place (the
     * navigation tree): "Restoring (RestInProg)" did not fit there in a 1024 px window.
     */
    public static StateLook brief(PairState s) {
        StateLook full = of(s);
        return new StateLook(s.name(), full.glyph(), full.tone());
    }

    /** A pair state's badge text: the plain words, capitalised, with the symmir word beside them. */
    private static String label(PairState s) {
        String d = s.described();
        return Character.toUpperCase(d.charAt(0)) + d.substring(1);
    }

    public static StateLook of(Severity s) {
        return switch (s) {
            case INFO -> new StateLook("INFO", Glyph.INFO, Tone.IDLE);
            case WARNING -> new StateLook("WARNING", Glyph.TRIANGLE, Tone.WARN);
            case CRITICAL -> new StateLook("CRITICAL", Glyph.CROSS, Tone.BAD);
        };
    }
}
