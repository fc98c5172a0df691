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

    /**
     * Whether {@code s} was taken before {@code shown}, the sample shown now: a view drops it. Samples
     * come two ways, the timer's ticks and a {@code sampleNow} whose answer the bridge hands over only
     * after a fresh pool snapshot; at an app's start under load a sample taken mid-copy by
     * {@code sampleNow} arrived after the tick's last picture of the ended restore, and the map kept
     * showing tracks "not yet restored" under "restore finished · 100%" (no tick samples an ended restore again).
     */
    public static boolean older(RestoreSample s, RestoreSample shown) {
        return shown != null && s.nanos() < shown.nanos();
    }

    /** Bulk copy rate now, bytes per second (0 when not running). */
    public double bulkBytesPerSecond() {
        return job == null || ended ? 0 : job.bytesPerSecond();
    }
}
