package org.splitpoint.cli;

import java.util.function.LongSupplier;
import org.splitpoint.engine.pool.Sizes;

/**
 * The text of {@code backup verify}'s progress line: the image being re-read, how far, its rate and
 * an ETA. Each image's clock starts at its first report, with the bytes that report counts: a
 * report comes only after a megabyte is read and hashed, so the time before it is unknown here.
 * The rate was once that megabyte over the nanoseconds since the report itself ("1227840.7 MB/s"),
 * and on a log (a line every 5 s) that was the only line of a short verify. Until a second report
 * measures something, the line shows no rate, as a job's "starting" does.
 */
final class ImageVerifyLine {

    private final LongSupplier nanos;
    private String image;
    private long startNanos;
    private long startDone;

    ImageVerifyLine(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /**
     * "verify ID   42.0%  62.4 MiB of 149.2 MiB read  180.3 MB/s  ETA 0:12" ({@code done}, {@code total}: the bytes
     * read and to read by the image's verify, one pass over its data file for both of its checks, so the ETA and the rate
     * share one measure).
     */
    String text(String id, long done, long total) {
        long now = nanos.getAsLong();
        if (!id.equals(image)) {
            image = id;
            startNanos = now;
            startDone = done;
        }
        String head = String.format("verify %s  %5.1f%%  %s of %s read", id, 100.0 * done / total, Sizes.format(done),
                Sizes.format(total));
        double secs = (now - startNanos) / 1e9;
        if (done <= startDone || secs <= 0) {
            return head; // nothing measured yet for this image
        }
        double rate = (done - startDone) / secs;
        long eta = (long) Math.ceil((total - done) / rate);
        return String.format("%s  %s  ETA %d:%02d", head, Sizes.rate(rate), eta / 60, eta % 60);
    }
}
