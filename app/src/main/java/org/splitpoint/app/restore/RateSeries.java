package org.splitpoint.app.restore;

import java.util.ArrayDeque;
import java.util.List;

/**
 * One rate over the last minute (on-demand fetches per second, or bulk bytes per second), a point
 * about every half second from the samples. Used on the UI thread.
 */
public final class RateSeries {

    public static final long WINDOW_NANOS = 60_000_000_000L;
    static final long STEP_NANOS = 450_000_000L;

    /** A rate at an instant (System.nanoTime). */
    public record Point(long nanos, double value) { }

    private final ArrayDeque<Point> points = new ArrayDeque<>();

    /** Adds {@code value} seen at {@code nanos}, unless the last point is less than a step old. */
    public void add(long nanos, double value) {
        Point last = points.peekLast();
        if (last != null && nanos - last.nanos() < STEP_NANOS) {
            return;
        }
        points.addLast(new Point(nanos, Math.max(0, value)));
        while (!points.isEmpty() && nanos - points.peekFirst().nanos() > WINDOW_NANOS + STEP_NANOS) {
            points.removeFirst();
        }
    }

    /** The points of the last minute, oldest first. */
    public List<Point> points() {
        return List.copyOf(points);
    }

    /** The latest value, 0 when none. */
    public double latest() {
        Point p = points.peekLast();
        return p == null ? 0 : p.value();
    }
}
