package org.splitpoint.engine.job;

import java.util.ArrayDeque;

/**
 * Bytes per second over a sliding window (default 3 s), from timestamped samples. A short window
 * tracks throttle changes quickly; samples older than the window are dropped as new ones arrive.
 */
public final class RateMeter {

    private record Sample(long nanos, long total) { }

    private final long windowNanos;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private long total;

    public RateMeter(long windowMillis) {
        this.windowNanos = windowMillis * 1_000_000L;
    }

    /** Records {@code bytes} more at time {@code nanos} (System.nanoTime()). */
    public synchronized void add(long nanos, long bytes) {
        total += bytes;
        samples.addLast(new Sample(nanos, total));
        while (samples.size() > 2 && nanos - samples.peekFirst().nanos > windowNanos) {
            samples.removeFirst();
        }
    }

    /**
     * The rate at time {@code nanos}: the bytes between the oldest kept sample and the newest, over
     * the time from the oldest to now (so a stall lowers it gradually); 0 with fewer than two samples.
     * The oldest kept sample may lie before the window, so slow steps (a throttled copy) still
     * have a rate between them.
     */
    public synchronized double bytesPerSecond(long nanos) {
        if (samples.size() < 2) {
            return 0;
        }
        Sample first = samples.peekFirst();
        Sample last = samples.peekLast();
        long dt = Math.max(1, nanos - first.nanos);
        return (last.total - first.total) * 1e9 / dt;
    }

    public synchronized void reset() {
        samples.clear();
    }
}
