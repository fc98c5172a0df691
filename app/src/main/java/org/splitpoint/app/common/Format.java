package org.splitpoint.app.common;

import java.util.Locale;
import org.splitpoint.engine.pool.Sizes;

/**
 * How numbers read in the window: rates in MB/s (10^6, as the engine and the CLI print them),
 * sizes in binary units, ETAs as m:ss or h:mm:ss, counts with thousands separators. One place, so
 * the pair console, the jobs panel and the status bar agree.
 */
public final class Format {

    private Format() {
    }

    /** 12_345_678 B/s → "12.3 MB/s"; 180.3 MB/s → "180 MB/s"; 10_000 → "10 kB/s" ({@link Sizes#rate}). */
    public static String rate(double bytesPerSecond) {
        double mb = Math.max(0, bytesPerSecond) / 1e6;
        return mb >= 100 ? String.format(Locale.ROOT, "%.0f MB/s", mb) : Sizes.rate(bytesPerSecond);
    }

    /** 72 → "1:12"; 3725 → "1:02:05"; negative (unknown) → "--:--". */
    public static String eta(long seconds) {
        if (seconds < 0) {
            return "--:--";
        }
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }

    /** 0.4213 → "42.1%"; clamped to 0..100. */
    public static String percent(double fraction) {
        double p = Math.max(0, Math.min(1, fraction)) * 100;
        return String.format(Locale.ROOT, "%.1f%%", p);
    }

    /** 1234567 → "1,234,567". */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Bytes in binary units: "7.5 MiB". */
    public static String size(long bytes) {
        return Sizes.format(bytes);
    }

    /** A span of time as people say it: 42 → "42 s"; 192 → "3 min 12 s"; 3720 → "1 h 2 min"; 900 → "15 min". */
    public static String duration(long seconds) {
        long s = Math.max(0, seconds);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s");
        }
        if (s < 86400) {
            return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
        }
        return s / 86400 + " d" + (s % 86400 / 3600 == 0 ? "" : " " + s % 86400 / 3600 + " h");
    }

    /** "1 track", "2,048 tracks". */
    public static String tracks(long n) {
        return count(n) + " " + org.splitpoint.engine.pool.Sizes.noun(n, "track");
    }

    /** An ISO instant ("2026-12-02T00:28:54.03Z") in local time: "2026-12-02 01:28:54"; unparsable as given. */
    public static String when(String isoInstant) {
        try {
            return WHEN.format(java.time.Instant.parse(isoInstant));
        } catch (RuntimeException e) {
            return String.valueOf(isoInstant);
        }
    }

    private static final java.time.format.DateTimeFormatter WHEN = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(java.time.ZoneId.systemDefault());

    /** An instant's local time of day, always with its seconds: "12:34:00" (LocalTime's toString drops ":00"). */
    public static String clock(java.time.Instant at) {
        return CLOCK.format(at);
    }

    private static final java.time.format.DateTimeFormatter CLOCK = java.time.format.DateTimeFormatter
            .ofPattern("HH:mm:ss", Locale.ROOT).withZone(java.time.ZoneId.systemDefault());

    /** "42.1% · 180.3 MB/s · ETA 0:12" for a running copy; "PAUSED" replaces the rate when paused. */
    public static String progress(double fraction, double bytesPerSecond, long etaSeconds, boolean paused) {
        return percent(fraction) + " · " + (paused ? "PAUSED" : rate(bytesPerSecond) + " · ETA " + eta(etaSeconds));
    }
}
