package org.splitpoint.engine.pool;

import java.util.Locale;

/** Parses and prints byte sizes with binary suffixes K, M, G, T. */
public final class Sizes {

    private Sizes() {
    }

    /** "64K" → 65536; a plain number is bytes. Throws IllegalArgumentException with a sentence. */
    public static long parse(String text) {
        String s = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        if (s.endsWith("IB")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("B") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1);
        }
        long mult = 1;
        if (!s.isEmpty()) {
            char c = s.charAt(s.length() - 1);
            int shift = switch (c) {
                case 'K' -> 10;
                case 'M' -> 20;
                case 'G' -> 30;
                case 'T' -> 40;
                default -> 0;
            };
            if (shift > 0) {
                mult = 1L << shift;
                s = s.substring(0, s.length() - 1);
            }
        }
        boolean tooLarge;
        try {
            long v = Long.parseLong(s);
            if (v >= 0 && v <= Long.MAX_VALUE / mult) {
                return v * mult;
            }
            tooLarge = v > 0;
        } catch (NumberFormatException e) {
            tooLarge = s.matches("\\+?[0-9]+"); // a number, just one no long holds
        }
        if (tooLarge) {
            throw new IllegalArgumentException("'" + text + "' is too large: sizes stop at " + Long.MAX_VALUE + " bytes"
                    + (mult > 1 ? " (" + Long.MAX_VALUE / mult + suffix(mult) + ")" : ""));
        }
        throw new IllegalArgumentException("'" + text + "' is not a size (use a number with an optional K, M, G or T suffix)");
    }

    private static String suffix(long mult) {
        return switch (Long.numberOfTrailingZeros(mult)) {
            case 10 -> "K";
            case 20 -> "M";
            case 30 -> "G";
            default -> "T";
        };
    }

    /** 65536 → "64 KiB", 1.5 GiB → "1.5 GiB". */
    public static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        if (u == 0) {
            return bytes + " B";
        }
        return (v == Math.rint(v) ? String.format("%.0f", v) : String.format("%.1f", v)) + " " + units[u];
    }

    /**
     * A rate as every line prints it, decimal as the CLI takes it: "2.0 MB/s" from a tenth of a
     * megabyte per second up, "10 kB/s" or "250 B/s" below (a {@code --throttle 0.01} limit read
     * "0.0 MB/s", as if there were none), "0.0 MB/s" for nothing moving.
     */
    public static String rate(double bytesPerSecond) {
        double b = Math.max(0, bytesPerSecond);
        if (b == 0 || b >= 100_000) {
            return String.format(java.util.Locale.ROOT, "%.1f MB/s", b / 1e6);
        }
        return b >= 1_000 ? String.format(java.util.Locale.ROOT, "%.0f kB/s", b / 1e3)
                : String.format(java.util.Locale.ROOT, "%.0f B/s", Math.max(1, b));
    }

    /** Throws, with the engine's sentence, when a drive of {@code bytes} would be refused (1M to 64T, a multiple of 4K). */
    public static void checkDriveSize(long bytes) {
        Validation.driveSize(bytes, 0);
    }

    /**
     * "1 track", "2 tracks", "0 entries": a count with its noun, the one plural every sentence of the
     * engine, the CLI and the app builds from a count ("1 tracks fetched on demand" was said).
     */
    public static String count(long n, String noun) {
        return n + " " + noun(n, noun);
    }

    /** {@code noun} as {@code n} of it is said: "track" for one, else "tracks" ("entry": "entries"). */
    public static String noun(long n, String noun) {
        if (n == 1) {
            return noun;
        }
        boolean consonantY = noun.endsWith("y") && noun.length() > 1 && "aeiou".indexOf(noun.charAt(noun.length() - 2)) < 0;
        return consonantY ? noun.substring(0, noun.length() - 1) + "ies" : noun + "s";
    }
}
