package org.splitpoint.engine.nbd;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Lines that clients cause, logged up to a budget per window and counted beyond it.
 *
 * <p>Design. What a client does wrong (a bad option magic, a connection reset in the handshake, a
 * request stream that breaks the protocol) is worth a line: it is how an administrator finds a
 * misbehaving tool. But a client decides how often it happens: one local client breaking the
 * handshake in a loop made 1,700 connections a second, a line each in the pool's event log
 * (240 KB a second in meta/, on the file system that holds the drive images, never trimmed).
 * So at most {@code perWindow} such lines are logged per {@code windowNanos}; the rest are
 * counted, and the count is said once the window is over ({@link #calm}, from the server's
 * periodic round, or the next line), with the first one left out so the kind is known. Public for
 * serve, which prints the pool's own events to its terminal under a budget of their own (a
 * flood of them, every snapshot invalid at once, must not scroll the client lines away, nor
 * the other way round), with its own words for what it left out.
 */
public final class LineBudget {

    /** What a window left out: {@code dropped} lines in {@code seconds}, the first of them {@code first}. */
    @FunctionalInterface
    public interface Summary {
        String of(long dropped, double seconds, String first);
    }

    private final Consumer<String> log;
    private final int perWindow;
    private final long windowNanos;
    private final Summary summary;
    private final java.util.function.LongSupplier clock;
    private long windowStart;
    private int logged;
    private long dropped;
    private String firstDropped;

    LineBudget(Consumer<String> log, int perWindow, long windowNanos) {
        this(log, perWindow, windowNanos, (dropped, seconds, first) -> String.format(Locale.ROOT,
                "%d more lines like these about clients were not logged in %.0f s (the first: %s)", dropped, seconds, first),
                System::nanoTime);
    }

    /** As the server's budget, saying what it left out by {@code summary}, its windows timed by {@code clock} (nanoseconds). */
    public LineBudget(Consumer<String> log, int perWindow, long windowNanos, Summary summary,
                      java.util.function.LongSupplier clock) {
        this.log = log;
        this.perWindow = perWindow;
        this.windowNanos = windowNanos;
        this.summary = summary;
        this.clock = clock;
        this.windowStart = clock.getAsLong();
    }

    /** Logs {@code line}, or counts it when this window's budget is spent. */
    public void line(String line) {
        String summary;
        boolean logIt;
        synchronized (this) {
            summary = roll(clock.getAsLong());
            logIt = logged < perWindow;
            if (logIt) {
                logged++;
            } else {
                if (dropped++ == 0) {
                    firstDropped = line;
                }
            }
        }
        if (summary != null) {
            log.accept(summary);
        }
        if (logIt) {
            log.accept(line);
        }
    }

    /** Says how many lines were left out, once their window is over. */
    public void calm() {
        String summary;
        synchronized (this) {
            summary = roll(clock.getAsLong());
        }
        if (summary != null) {
            log.accept(summary);
        }
    }

    /**
     * The end of the lines (a server stopping): says at once what the current window left out, which
     * {@link #calm} would say only once the window is over, by then with nobody left to say it.
     */
    public void end() {
        String summary;
        synchronized (this) {
            summary = roll(clock.getAsLong(), true);
        }
        if (summary != null) {
            log.accept(summary);
        }
    }

    /** Starts a new window when the current one is over; the summary of what it left out, or null. */
    private String roll(long now) {
        return roll(now, false);
    }

    /** As {@link #roll(long)}; with {@code now} ending the window whether or not it is over. */
    private String roll(long now, boolean over) {
        if (!over && now - windowStart < windowNanos) {
            return null;
        }
        String said = dropped == 0 ? null : summary.of(dropped, (now - windowStart) / 1e9, firstDropped);
        windowStart = now;
        logged = 0;
        dropped = 0;
        firstDropped = null;
        return said;
    }
}
