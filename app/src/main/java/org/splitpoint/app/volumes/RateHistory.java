package org.splitpoint.app.volumes;

import java.util.ArrayDeque;
import java.util.List;

/**
 * A volume's read and write rates over the last minute, from its byte counters as snapshots bring
 * them: about one point a second. The bridge posts a snapshot only when something changed, so a
 * gap between points means the counters stood still: the chart draws it as zero.
 */
public final class RateHistory {

    public static final long WINDOW_NANOS = 60_000_000_000L;
    static final long STEP_NANOS = 900_000_000L;

    /** Rates in bytes per second over the interval ending at {@code nanos}. */
    public record Point(long nanos, double read, double write) { }

    private final ArrayDeque<Point> points = new ArrayDeque<>();
    private long lastNanos = Long.MIN_VALUE;
    private long lastRead;
    private long lastWritten;

    /** Records the counters seen at {@code nanos} (System.nanoTime). */
    public void record(long nanos, long bytesRead, long bytesWritten) {
        if (lastNanos == Long.MIN_VALUE || bytesRead < lastRead || bytesWritten < lastWritten) {
            lastNanos = nanos; // first sight, or counters restarted (pool reopened)
            lastRead = bytesRead;
            lastWritten = bytesWritten;
            return;
        }
        long dt = nanos - lastNanos;
        if (dt < STEP_NANOS) {
            return;
        }
        points.addLast(new Point(nanos, (bytesRead - lastRead) * 1e9 / dt, (bytesWritten - lastWritten) * 1e9 / dt));
        lastNanos = nanos;
        lastRead = bytesRead;
        lastWritten = bytesWritten;
        while (!points.isEmpty() && nanos - points.peekFirst().nanos() > WINDOW_NANOS + STEP_NANOS) {
            points.removeFirst();
        }
    }

    /** The points of the last minute, oldest first. */
    public List<Point> points() {
        return List.copyOf(points);
    }

    /** The latest point's rates, or zeros when the counters have not moved for two steps. */
    public Point latest(long now) {
        Point p = points.peekLast();
        return p == null || now - p.nanos() > 2 * STEP_NANOS + STEP_NANOS ? new Point(now, 0, 0) : p;
    }
}
