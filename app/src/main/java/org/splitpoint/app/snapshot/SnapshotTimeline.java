package org.splitpoint.app.snapshot;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.pool.SnapshotAdmin;

/**
 * A volume's snapshots as points on a time axis: the oldest at the left (0), now at the right (1),
 * each with its name, when it was taken, its age ("3 min ago") and the bytes it holds in the save
 * area; invalid ones with the engine's reason. Pure: the card's model makes it from a pool snapshot
 * and a clock.
 *
 * <p>The points keep the engine's order (the order they were taken in), not their times': a
 * snapshot taken after the clock was set back has a time before its elder's, and sorted by time it
 * was drawn left of it, listed before it, as if taken first (a restore to "the latest" would pick
 * the wrong one by eye). On the axis a point is never left of the one before it; each says its own
 * time.
 */
public final class SnapshotTimeline {

    /** Prefix of the safety snapshots the engine takes before a restore. */
    static final String SAFETY_PREFIX = "before-restore-";

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
    private static final DateTimeFormatter DAY_CLOCK = DateTimeFormatter.ofPattern("MMM d HH:mm", Locale.ROOT);

    /**
     * One snapshot on the axis.
     *
     * @param position  0 (the oldest) .. 1 (now)
     * @param when      when it was taken, local time ("2026-12-02 08:12:03")
     * @param age       "3 min ago"
     * @param held      "holds 1.2 MiB", or "holds nothing yet" (no track changed since)
     * @param why       why it is invalid (the engine's words), or null
     * @param restoring the volume is being restored to it now
     * @param safety    a safety snapshot the engine took before a restore
     */
    public record Point(String name, Instant taken, double position, String when, String age, String held,
                        long bytesHeld, long tracksHeld, boolean valid, String why, boolean restoring, boolean safety) {
    }

    /** The axis: its points (oldest first), the label of its left end, and of its right end ("now"). */
    public record Axis(List<Point> points, String start, String end) {
        public static final Axis EMPTY = new Axis(List.of(), "", "now");

        /** The point named {@code name}, or null. */
        public Point point(String name) {
            for (Point p : points) {
                if (p.name().equals(name)) {
                    return p;
                }
            }
            return null;
        }
    }

    private SnapshotTimeline() {
    }

    /** The axis of {@code snapshots} (one volume's, oldest first as the engine lists them) at {@code now}, in that order. */
    public static Axis of(List<SnapshotAdmin.Info> snapshots, Instant now, ZoneId zone) {
        if (snapshots.isEmpty()) {
            return Axis.EMPTY;
        }
        List<Instant> times = new ArrayList<>();
        for (SnapshotAdmin.Info s : snapshots) {
            times.add(parse(s.createdAt(), now));
        }
        Instant oldest = times.get(0); // the first taken, whatever a clock set back made the later ones' times
        double span = Math.max(1, Duration.between(oldest, now).toMillis());
        List<Point> points = new ArrayList<>();
        double before = 0;
        for (int i = 0; i < snapshots.size(); i++) {
            SnapshotAdmin.Info s = snapshots.get(i);
            Instant t = times.get(i);
            double pos = Math.max(before, Math.min(1, Duration.between(oldest, t).toMillis() / span));
            before = pos;
            boolean valid = SnapshotAdmin.VALID.equals(s.state());
            points.add(new Point(s.name(), t, pos, Format.when(s.createdAt()), ago(t, now), held(s.bytesHeld()),
                    s.bytesHeld(), s.tracksHeld(), valid, valid ? null : s.why(), s.restoring(),
                    s.name().startsWith(SAFETY_PREFIX)));
        }
        return new Axis(List.copyOf(points), clock(oldest, now, zone), "now");
    }

    /** An ISO instant, or {@code fallback} when it cannot be read. */
    static Instant parse(String iso, Instant fallback) {
        try {
            return Instant.parse(iso);
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    /** The left end's label: "08:12" today, "Dec 1 08:12" on another day. */
    static String clock(Instant t, Instant now, ZoneId zone) {
        LocalDate day = t.atZone(zone).toLocalDate();
        return (day.equals(now.atZone(zone).toLocalDate()) ? CLOCK : DAY_CLOCK).format(t.atZone(zone));
    }

    /** "just now", "42 s ago", "3 min ago", "2 h 5 min ago", "3 d 4 h ago". */
    public static String ago(Instant t, Instant now) {
        long s = Math.max(0, Duration.between(t, now).getSeconds());
        if (s < 5) {
            return "just now";
        }
        if (s < 60) {
            return s + " s ago";
        }
        if (s < 3600) {
            return s / 60 + " min ago";
        }
        if (s < 86400) {
            return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min") + " ago";
        }
        return s / 86400 + " d" + (s % 86400 / 3600 == 0 ? "" : " " + s % 86400 / 3600 + " h") + " ago";
    }

    /** "holds 1.2 MiB" in the save area; "holds nothing yet" while no track it shows has changed. */
    public static String held(long bytes) {
        return bytes == 0 ? "holds nothing yet" : "holds " + Format.size(bytes);
    }
}
