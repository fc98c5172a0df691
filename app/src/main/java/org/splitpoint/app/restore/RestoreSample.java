package org.splitpoint.app.restore;

import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.job.JobProgress;

/**
 * An instant restore at one instant, as its view draws it: the counted overwrite map, the tracks
 * just fetched on demand (to flash), the counters, the image restored and the bulk copy's job.
 *
 * @param image       the image restored (the chain's newest), or null when the store cannot be read
 * @param chainImages images in its chain (itself, its parents down to a full image)
 * @param unavailable why the store cannot be read, or null
 * @param job         the bulk copy's job (its last state once the restore ended), or null
 * @param ended       the restore is over (done or cancelled): this is its last picture
 */
public record RestoreSample(String volume, int trackSize, RestoreCells cells, long[] flashTracks, long[] flashNanos,
                            long fetches, double fetchesPerSecond, long currentTracks, long totalTracks,
                            ImageInfo image, int chainImages, String unavailable, String writeThrough,
                            JobProgress job, boolean ended, long nanos) {

    /** Bulk copy rate now, bytes per second (0 when not running). */
    public double bulkBytesPerSecond() {
        return job == null || ended ? 0 : job.bytesPerSecond();
    }
}
