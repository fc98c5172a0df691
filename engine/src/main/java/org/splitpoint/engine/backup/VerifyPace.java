package org.splitpoint.engine.backup;

import java.util.function.LongSupplier;

/**
 * How fast an image's verify reads and when it ends, from its {@link ChainVerify.Progress} reports:
 * the figures both {@code backup verify}'s line and the app's Backups view print, so they agree
 * (the app showed a rate and no ETA, and its rate counted from the verify's start across the
 * images of a chain, whose reports each begin at 0).
 *
 * <p>Each image has its own clock, started at its first report with the bytes that report counts:
 * a report comes only after a megabyte is read and hashed, so the time before it is unknown. Until
 * a second report of the image measures something, there is no rate and no ETA (a line once
 * printed "1227840.7 MB/s": a megabyte over the nanoseconds since the report itself). The bytes are
 * those the verify reads ({@link ImageReader#verifyBytes}: one pass over the data file for both of its
 * checks), so the ETA covers all of it.
 * Not thread-safe: one verify's reports come from one thread.
 */
public final class VerifyPace {

    /**
     * One report's figures: {@code bytesPerSecond} and {@code etaSeconds} are -1 while nothing is
     * measured yet for the image.
     */
    public record Reading(String image, long done, long total, double bytesPerSecond, long etaSeconds) {

        /** The share read, 0..1 (1 for an image with nothing to read). */
        public double fraction() {
            return total <= 0 ? 1 : Math.min(1, (double) done / total);
        }

        public boolean measured() {
            return bytesPerSecond >= 0;
        }
    }

    private final LongSupplier nanos;
    private String image;
    private long startNanos;
    private long startDone;

    /** {@code nanos}: the clock ({@code System::nanoTime}; a test's own). */
    public VerifyPace(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** The figures at a report that {@code image}'s verify read {@code done} of {@code total} bytes. */
    public Reading at(String image, long done, long total) {
        long now = nanos.getAsLong();
        if (!image.equals(this.image)) {
            this.image = image;
            startNanos = now;
            startDone = done;
        }
        double secs = (now - startNanos) / 1e9;
        if (done <= startDone || secs <= 0) {
            return new Reading(image, done, total, -1, -1);
        }
        double rate = (done - startDone) / secs;
        return new Reading(image, done, total, rate, (long) Math.ceil(Math.max(0, total - done) / rate));
    }
}
