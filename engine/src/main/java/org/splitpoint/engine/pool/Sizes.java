package org.splitpoint.engine.pool;

import java.util.Locale;

/** Parses and prints byte sizes with binary suffixes K, M, G, T (and P, which a pool's total of thin drives reaches). */
public final class Sizes {

    private Sizes() {
    }

    /**
     * A size as typed: a number, whole or with a fraction that makes whole bytes, and an optional
     * binary suffix K, M, G or T, which may be written KiB or KB, a space before it or not ("64K",
     * "64 MiB", "1.5G"); "B" or no suffix is bytes. The app prints sizes as "64 MiB" and "1.5 GiB",
     * which it refused when typed back ("'64 MiB' is not a size"): every form that takes a size does
     * now. Throws IllegalArgumentException with a sentence.
     */
    public static long parse(String text) {
        String s = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        java.util.regex.Matcher m = SIZE.matcher(s);
        if (!m.matches()) {
            if (s.startsWith("-") && SIZE.matcher(s.substring(1).trim()).matches()) {
                throw new IllegalArgumentException("'" + text + "' is not a size: sizes are not negative");
            }
            throw new IllegalArgumentException("'" + text + "' is not a size (use a number with an optional K, M, G or T suffix)");
        }
        long mult = m.group(2) == null ? 1 : 1L << switch (m.group(2).charAt(0)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 50;
        };
        java.math.BigDecimal bytes = new java.math.BigDecimal(m.group(1)).multiply(java.math.BigDecimal.valueOf(mult));
        if (bytes.signum() != 0 && bytes.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes");
        }
        if (bytes.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too large: sizes stop at " + Long.MAX_VALUE + " bytes"
                    + (mult > 1 ? " (" + Long.MAX_VALUE / mult + suffix(mult) + ")" : ""));
        }
        return bytes.longValueExact();
    }

    /**
     * As {@link #parse}, where a bare number is refused rather than taken as bytes: for a limit that
     * is never meant in bytes (a journal's max size: "64", meant as 64 MiB, shipped an image about
     * every second), as a bare number is refused for a duration ({@link Durations}). "64B" is bytes;
     * a bare 0 is 0, for the caller to refuse as such.
     */
    public static long parseWithUnit(String text) {
        String s = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        java.util.regex.Matcher m = SIZE.matcher(s);
        if (m.matches() && m.group(2) == null && !s.endsWith("B") && new java.math.BigDecimal(m.group(1)).signum() != 0) {
            String t = text.trim();
            throw new IllegalArgumentException("'" + t + "' has no unit: write " + t + "K, " + t + "M or " + t + "G (" + t
                    + "B for bytes)");
        }
        return parse(text);
    }

    /** A number (a fraction allowed), then, a space before it or not, K, M, G or T (KiB, KB) or B. */
    private static final java.util.regex.Pattern SIZE =
            java.util.regex.Pattern.compile("\\+?([0-9]+(?:\\.[0-9]+)?)\\s*(?:([KMGTP])(?:I?B)?|B)?");

    private static String suffix(long mult) {
        return switch (Long.numberOfTrailingZeros(mult)) {
            case 10 -> "K";
            case 20 -> "M";
            case 30 -> "G";
            case 40 -> "T";
            default -> "P";
        };
    }

    /** 65536 → "64 KiB", 1.5 GiB → "1.5 GiB", 64 drives of 64 TiB → "4 PiB" (it read "4096 TiB"). */
    public static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
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
