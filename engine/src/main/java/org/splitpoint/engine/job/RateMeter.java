package org.splitpoint.engine.job;

import java.util.ArrayDeque;

/**
 * Bytes per second over a sliding window (default 3 s), from timestamped samples. A short window
 * tracks throttle changes quickly; samples older than the window are dropped as new ones arrive.
 * Two readings: {@link #bytesPerSecond} for a job's steps (a stall lowers it gradually, and steps
 * slower than the window still have a rate), {@link #recentPerSecond} for things that may simply stop
 * coming (reads served on demand), which is 0 once a window passed without one.
 */
public final class RateMeter {

    private record Sample(long nanos, long total, long added) { }

    private final long windowNanos;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private long total;

    public RateMeter(long windowMillis) {
        this.windowNanos = windowMillis * 1_000_000L;
    }

    /** Records {@code bytes} more at time {@code nanos} (System.nanoTime()). */
    public synchronized void add(long nanos, long bytes) {
        total += bytes;
        samples.addLast(new Sample(nanos, total, bytes));
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

    /**
     * What was added in the window ending at {@code nanos}, per second of the window. The samples
     * inside the window are all kept (only older ones are dropped), so this counts them all; after
     * a window without one it is 0, where {@link #bytesPerSecond} still spread the last window's
     * count over the time since (60 reads served on demand then read "1/s" for a minute after).
     */
    public synchronized double recentPerSecond(long nanos) {
        long from = nanos - windowNanos;
        long sum = 0;
        for (java.util.Iterator<Sample> it = samples.descendingIterator(); it.hasNext(); ) {
            Sample s = it.next();
            if (s.nanos <= from) {
                break;
            }
            sum += s.added;
        }
        return sum * 1e9 / windowNanos;
    }

    public synchronized void reset() {
        samples.clear();
    }
}
