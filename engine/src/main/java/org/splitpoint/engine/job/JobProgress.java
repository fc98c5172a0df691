package org.splitpoint.engine.job;

/**
 * An immutable view of a job at one instant, for the CLI's progress line and the app's jobs panel.
 *
 * @param bytesPerSecond rate over the last few seconds (0 while paused)
 * @param etaSeconds     estimated seconds to completion, or -1 when unknown
 * @param throttle       bytes per second limit, 0 for none
 * @param throttleStamp  when that limit was set, on a process-wide sequence ({@link Job#setThrottle}
 *                       returns the stamp of the limit it set): a view that set a limit itself knows
 *                       a value read with an older stamp was read before its change, and keeps its own
 */
public record JobProgress(String id, String kind, String target, JobState state, long doneTracks,
                          long totalTracks, long trackBytes, double bytesPerSecond, long etaSeconds,
                          long throttle, String message, long throttleStamp) {

    /** A job view whose limit's stamp does not matter (0: older than any limit set). */
    public JobProgress(String id, String kind, String target, JobState state, long doneTracks, long totalTracks,
                       long trackBytes, double bytesPerSecond, long etaSeconds, long throttle, String message) {
        this(id, kind, target, state, doneTracks, totalTracks, trackBytes, bytesPerSecond, etaSeconds, throttle, message, 0);
    }

    /** Fraction done, 0..1. */
    public double fraction() {
        return totalTracks == 0 ? 1.0 : (double) doneTracks / totalTracks;
    }

    /** "rebuild d3 of vol1  42.0%  1234/2938 tracks  180.3 MB/s  ETA 0:12". */
    public String line() {
        String eta = etaSeconds < 0 ? "--:--" : String.format("%d:%02d", etaSeconds / 60, etaSeconds % 60);
        if (trackBytes == 0) { // timed steps (a firmware update), not tracks: no rate to show
            return String.format("%s %s  %5.1f%%  ETA %s%s", kind, target, fraction() * 100, eta,
                    state == JobState.RUNNING ? "" : "  " + state);
        }
        String limit = throttle > 0 ? String.format(" (limit %.1f MB/s)", throttle / 1e6) : "";
        return String.format("%s %s  %5.1f%%  %d/%d tracks  %.1f MB/s%s  ETA %s%s", kind, target, fraction() * 100,
                doneTracks, totalTracks, bytesPerSecond / 1e6, limit, eta, state == JobState.RUNNING ? "" : "  " + state);
    }
}
