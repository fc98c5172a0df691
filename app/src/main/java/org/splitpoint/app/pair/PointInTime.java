package org.splitpoint.app.pair;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** The words for when a BCV's point-in-time image was taken: the local time of the split and its age. */
final class PointInTime {

    private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private PointInTime() {
    }

    /** "BCV image taken 2026-12-03 01:04:31 (12 min ago)". */
    static String line(Instant splitAt, Instant now) {
        return "BCV image taken " + at(splitAt) + " ("
                + age(Duration.between(splitAt, now)) + ")";
    }

    /** "2026-12-03 01:04:31": the split's local time. */
    static String at(Instant splitAt) {
        return AT.format(LocalDateTime.ofInstant(splitAt, ZoneId.systemDefault()));
    }

    /**
     * The line while the BCV holds no image: how one is taken. A pair never established has a BCV of
     * nothing yet; otherwise the BCV follows the STD (or is being copied to or from it) until a split.
     */
    static String none(org.splitpoint.engine.pair.PairState state) {
        return switch (state) {
            case NeverEstab -> "No point-in-time image on the BCV: establish the pair, then split it to take one";
            // an establish under way, or one cancelled: the BCV holds a copy in part
            case SyncInProg -> "No point-in-time image on the BCV (partly copied): once the establish finishes,"
                    + " splitting the synchronized pair takes one";
            default -> "No point-in-time image on the BCV: splitting the synchronized pair takes one";
        };
    }

    /** "just now", "42 s ago", "12 min ago", "3 h 5 min ago", "2 days 4 h ago". */
    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 5) {
            return "just now";
        }
        if (s < 60) {
            return s + " s ago";
        }
        long m = s / 60;
        if (m < 60) {
            return m + " min ago";
        }
        long h = m / 60;
        if (h < 48) {
            return h + " h " + (m % 60) + " min ago";
        }
        return (h / 24) + " days " + (h % 24) + " h ago";
    }
}
