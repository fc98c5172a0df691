package org.splitpoint.cli;

import java.util.function.LongSupplier;
import org.splitpoint.engine.backup.VerifyPace;
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

    private final VerifyPace pace;

    ImageVerifyLine(LongSupplier nanos) {
        this.pace = new VerifyPace(nanos);
    }

    /**
     * "verify ID   42.0%  62.4 MiB of 149.2 MiB read  180.3 MB/s  ETA 0:12" ({@code done}, {@code total}: the bytes
     * read and to read by the image's verify, one pass over its data file for both of its checks, so the ETA and the rate
     * share one measure; the figures are {@link VerifyPace}'s, which the app's Backups view prints too).
     */
    String text(String id, long done, long total) {
        VerifyPace.Reading r = pace.at(id, done, total);
        String head = String.format("verify %s  %5.1f%%  %s of %s read", id, 100.0 * done / total, Sizes.format(done),
                Sizes.format(total));
        if (!r.measured()) {
            return head; // nothing measured yet for this image
        }
        return String.format("%s  %s  ETA %d:%02d", head, Sizes.rate(r.bytesPerSecond()), r.etaSeconds() / 60, r.etaSeconds() % 60);
    }
}
