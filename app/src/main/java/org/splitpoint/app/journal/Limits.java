package org.splitpoint.app.journal;

import org.splitpoint.app.common.Format;
import org.splitpoint.engine.pool.Durations;
import org.splitpoint.engine.pool.Sizes;

/**
 * The journal's limits as typed in the enable dialog: a max size ("512M"; empty = half a journal
 * drive, the engine's default) and a max age ("15m"; empty = none), checked with the engine's rules
 * and the CLI's words, so the dialog refuses what {@code volume journal enable} would.
 */
final class Limits {

    /** A typed value: its number, or why it is not one (then the number is meaningless). */
    record Parsed(long value, String problem) {
        static Parsed ok(long v) {
            return new Parsed(v, "");
        }

        static Parsed bad(String why) {
            return new Parsed(-1, why);
        }
    }

    private Limits() {
    }

    /** The default max size: half a journal drive. */
    static long defaultSize(long capacity) {
        return capacity / 2;
    }

    /** The largest max size the engine takes: nine tenths of a journal drive. */
    static long largestSize(long capacity) {
        return capacity * 9 / 10;
    }

    /** Bytes, 0 for the default (empty); {@code capacity} is the smaller journal drive's size, or -1 if unknown. */
    static Parsed size(String text, long capacity) {
        if (text == null || text.isBlank()) {
            return Parsed.ok(0);
        }
        long v;
        try {
            v = Sizes.parseWithUnit(text.trim()); // a bare number is refused, as for the max age
        } catch (IllegalArgumentException e) {
            return Parsed.bad(e.getMessage());
        }
        if (v <= 0) {
            return Parsed.bad("the max size must be larger than 0 (leave it empty for half a journal drive)");
        }
        if (capacity > 0 && v > largestSize(capacity)) {
            return Parsed.bad("a max size of " + Format.size(v) + " leaves no room in journal drives of "
                    + Format.size(capacity) + "; give at most " + Format.size(largestSize(capacity)));
        }
        return Parsed.ok(v);
    }

    /**
     * Seconds, 0 for none (empty): "90s", "15m", "2h", "1d" or ISO-8601 ("PT15M"), as {@link Durations}
     * takes them for {@code --max-age}; a bare number is refused there, so here too.
     */
    static Parsed age(String text) {
        if (text == null || text.isBlank()) {
            return Parsed.ok(0);
        }
        long v;
        try {
            v = Durations.seconds(text);
        } catch (IllegalArgumentException e) {
            return Parsed.bad(e.getMessage());
        }
        if (v <= 0) {
            return Parsed.bad("the max age must be longer than 0 (leave it empty for no age limit)");
        }
        return Parsed.ok(v);
    }
}
