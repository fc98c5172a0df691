package org.splitpoint.app.journal;

import java.time.Duration;
import java.util.Locale;
import org.splitpoint.app.common.Format;
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
            v = Sizes.parse(text.trim());
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

    /** Seconds, 0 for none (empty): "90s", "15m", "2h", "1d", a plain number of seconds, or ISO-8601 ("PT15M"). */
    static Parsed age(String text) {
        if (text == null || text.isBlank()) {
            return Parsed.ok(0);
        }
        String t = text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        long v;
        try {
            if (t.startsWith("p")) {
                v = Duration.parse(t.toUpperCase(Locale.ROOT)).toSeconds();
            } else {
                String unit = t.replaceAll("^[0-9]+", "");
                long n = Long.parseLong(t.substring(0, t.length() - unit.length()));
                v = switch (unit) {
                    case "", "s", "sec" -> n;
                    case "m", "min" -> n * 60;
                    case "h" -> n * 3600;
                    case "d" -> n * 86400;
                    default -> throw new NumberFormatException(unit);
                };
            }
        } catch (RuntimeException e) {
            return Parsed.bad("'" + text.trim() + "' is not a duration (use e.g. 90s, 15m, 2h, 1d)");
        }
        if (v <= 0) {
            return Parsed.bad("the max age must be longer than 0 (leave it empty for no age limit)");
        }
        return Parsed.ok(v);
    }
}
