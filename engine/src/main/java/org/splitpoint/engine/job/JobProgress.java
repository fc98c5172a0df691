package org.splitpoint.engine.job;

import org.splitpoint.engine.pool.Sizes;

/**
 * An immutable view of a job at one instant, for the CLI's progress line and the app's jobs panel.
 *
 * @param bytesPerSecond rate over the last few seconds (0 while paused)
 * @param etaSeconds     estimated seconds to completion, or -1 when unknown
 * @param throttle       bytes per second limit, 0 for none
 * @param throttleStamp  when that limit was set, on a process-wide sequence ({@link Job#setThrottle}
 *                       returns the stamp of the limit it set): a view that set a limit itself knows
 *                       a value read with an older stamp was read before its change, and keeps its own
 * @param doneSteps      for a job of timed steps (a firmware update, a reset: {@link JobWork#steps}),
 *                       the steps finished; its tracks are then ticks of a clock, not tracks, and
 *                       what it has done is said in steps ("2 of 4 steps"). 0 for a copy of tracks
 * @param totalSteps     the steps in all of a job of timed steps; 0 for a copy of tracks
 * @param unit           what {@code doneTracks} and {@code totalTracks} count ({@link JobWork#unit}):
 *                       "tracks" for a copy, "MiB" for a diagnostics scan; null (a holder's older
 *                       line) reads as "tracks"
 */
public record JobProgress(String id, String kind, String target, JobState state, long doneTracks,
                          long totalTracks, long trackBytes, double bytesPerSecond, long etaSeconds,
                          long throttle, String message, long throttleStamp, long doneSteps, long totalSteps,
                          String unit) {

    public JobProgress {
        unit = unit == null ? "tracks" : unit;
    }

    /** A view of a job that copies tracks or counts timed steps. */
    public JobProgress(String id, String kind, String target, JobState state, long doneTracks, long totalTracks,
                       long trackBytes, double bytesPerSecond, long etaSeconds, long throttle, String message,
                       long throttleStamp, long doneSteps, long totalSteps) {
        this(id, kind, target, state, doneTracks, totalTracks, trackBytes, bytesPerSecond, etaSeconds, throttle, message,
                throttleStamp, doneSteps, totalSteps, "tracks");
    }

    /** A view of a job that copies tracks (no timed steps). */
    public JobProgress(String id, String kind, String target, JobState state, long doneTracks, long totalTracks,
                       long trackBytes, double bytesPerSecond, long etaSeconds, long throttle, String message,
                       long throttleStamp) {
        this(id, kind, target, state, doneTracks, totalTracks, trackBytes, bytesPerSecond, etaSeconds, throttle, message,
                throttleStamp, 0, 0);
    }

    /** A job view whose limit's stamp does not matter (0: older than any limit set). */
    public JobProgress(String id, String kind, String target, JobState state, long doneTracks, long totalTracks,
                       long trackBytes, double bytesPerSecond, long etaSeconds, long throttle, String message) {
        this(id, kind, target, state, doneTracks, totalTracks, trackBytes, bytesPerSecond, etaSeconds, throttle, message, 0);
    }

    /** True for a job of timed steps, which moves no bytes and counts ticks, not tracks. */
    public boolean timed() {
        return totalSteps > 0;
    }

    /** "1,234/2,938 tracks" is for a copy; a job of timed steps says "2 of 4 steps", as its history line does. */
    public String steps() {
        return new JobWork.Steps(doneSteps, totalSteps).said();
    }

    /** "1234/2938 tracks", "512/2048 MiB": the count in the job's own unit. */
    public String counted() {
        return doneTracks + "/" + totalTracks + " " + unit;
    }

    /** Fraction done, 0..1. */
    public double fraction() {
        return totalTracks == 0 ? 1.0 : (double) doneTracks / totalTracks;
    }

    /**
     * "rebuild d3 of vol1  42.0%  1234/2938 tracks  180.3 MB/s  ETA 0:12"; "firmware d2  50.0%  2 of 4 steps";
     * "... 1234/2938 tracks  starting" while a running job has no rate yet; "... 16/16 tracks  nothing left to
     * copy" when every track is done and none lately by the job itself; a job that ended says how:
     * "backup v    8.4%  43/512 tracks  FAILED: no space left on ...". ("0.0 MB/s (limit 1.0 MB/s)
     * ETA 0:00  FAILED" told an administrator neither why nor that nothing was moving any more.)
     */
    public String line() {
        if (state.isFinished()) {
            String why = state != JobState.DONE && message != null && !message.isBlank() ? ": " + message : "";
            return String.format("%s %s  %5.1f%%  %s  %s%s", kind, target, fraction() * 100,
                    timed() ? steps() : counted(), state, why);
        }
        String eta = etaSeconds < 0 ? "--:--" : String.format("%d:%02d", etaSeconds / 60, etaSeconds % 60);
        if (timed()) { // its steps, not its ticks; it moves no bytes, so no rate, nor an ETA from one
            return String.format("%s %s  %5.1f%%  %s%s", kind, target, fraction() * 100, steps(),
                    state == JobState.RUNNING ? "" : "  " + state);
        }
        if (trackBytes == 0) { // no bytes per track and no steps: no rate to show
            return String.format("%s %s  %5.1f%%  ETA %s%s", kind, target, fraction() * 100, eta,
                    state == JobState.RUNNING ? "" : "  " + state);
        }
        String limit = throttle > 0 ? " (limit " + Sizes.rate(throttle) + ")" : "";
        if (doneTracks >= totalTracks && bytesPerSecond <= 0) {
            // every track done, none by this run lately (a restore's on-demand reads restored them all before
            // its copy ran, or a copy of 0 tracks): it ends at its next step. "100.0% ... starting" read as a
            // job about to copy them, and a paused one's "0.0 MB/s  ETA --:--" as one that never would
            return String.format("%s %s  %5.1f%%  %s  nothing left to copy%s", kind, target, fraction() * 100,
                    counted(), state == JobState.RUNNING ? "" : "  " + state);
        }
        if (state == JobState.RUNNING && bytesPerSecond <= 0) {
            // no step yet in this run (a job just started or resumed after a restart): no rate is known,
            // and "0.0 MB/s  ETA --:--" read as a job that is stuck
            return String.format("%s %s  %5.1f%%  %s  starting%s", kind, target, fraction() * 100, counted(), limit);
        }
        return String.format("%s %s  %5.1f%%  %s  %s%s  ETA %s%s", kind, target, fraction() * 100,
                counted(), Sizes.rate(bytesPerSecond), limit, eta, state == JobState.RUNNING ? "" : "  " + state);
    }
}
