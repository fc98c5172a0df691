package org.splitpoint.engine.pool;

import java.time.Duration;
import java.util.Locale;

/**
 * Parses the durations an administrator types (a journal's max age, a drill's --writes-for): a
 * whole number with its unit, {@code 90s}, {@code 15m}, {@code 2h}, {@code 1d}, or ISO-8601
 * ({@code PT15M}). A bare number is refused, not taken as seconds: '--max-age 5' meant five
 * minutes to some and five seconds to the parser, and a journal that ships every five seconds
 * fills the store with images; the CLI and the app's dialog share these words.
 */
public final class Durations {

    /** The forms accepted, as the refusals say them. */
    public static final String FORMS = "durations are a whole number with s, m, h or d (90s, 15m, 2h, 1d) or ISO-8601 (PT15M)";

    private Durations() {
    }

    /** "15m" → 900; a negative one ("-5s") is returned as such, for the caller to refuse in its words. */
    public static long seconds(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        if (t.matches("-[0-9]+")) {
            // not "write -3s, -3m, ...": the advice named durations every caller refuses (the journal's max age
            // in the app said so of '-3')
            throw new IllegalArgumentException("'" + text.trim() + "' is not a duration: durations are not negative; " + FORMS);
        }
        if (t.matches("[+]?[0-9]+")) {
            throw new IllegalArgumentException("'" + text.trim() + "' has no unit: write " + t + "s, " + t + "m, " + t + "h or "
                    + t + "d; " + FORMS);
        }
        try {
            if (t.startsWith("p") || t.startsWith("-p")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT)).toSeconds();
            }
            String unit = t.replaceAll("^[-+]?[0-9]+", "");
            String digits = t.substring(0, t.length() - unit.length());
            long scale = switch (unit) {
                case "s", "sec" -> 1;
                case "m", "min" -> 60;
                case "h" -> 3600;
                case "d" -> 86400;
                default -> throw new NumberFormatException(unit);
            };
            try {
                return Math.multiplyExact(Long.parseLong(digits), scale);
            } catch (ArithmeticException | NumberFormatException tooLarge) {
                // digits and a unit, so a duration, only more seconds than a count holds: said so, not "not a duration"
                throw new TooLong("'" + text.trim() + "' is too long a duration to count: at most "
                        + Long.MAX_VALUE / scale + unit);
            }
        } catch (TooLong e) {
            throw new IllegalArgumentException(e.getMessage());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + (text == null ? "" : text.trim()) + "' is not a duration; " + FORMS);
        }
    }

    /** A duration of more seconds than a long holds (the refusal's words in its message). */
    private static final class TooLong extends RuntimeException {
        TooLong(String message) {
            super(message, null, false, false);
        }
    }
}
