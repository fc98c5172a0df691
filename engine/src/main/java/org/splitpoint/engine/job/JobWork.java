package org.splitpoint.engine.job;

import java.io.IOException;

/**
 * What a job does, track by track. The runner owns pacing, pause, cancel and progress; the work
 * owns the data and the durable checkpoint. Contract: {@link #checkpoint} is called only after
 * {@link #copyTrack} returned for every track below {@code doneUpTo}, and must make that data
 * durable before recording the checkpoint (data, flush, then metadata).
 */
public interface JobWork {

    /** Copies (rebuilds, resyncs...) track {@code track}; returns the bytes moved, for the rate. */
    long copyTrack(long track) throws IOException;

    /** Makes tracks [0, doneUpTo) durable and records the checkpoint. */
    void checkpoint(long doneUpTo) throws IOException;

    /** The job completed every track. */
    void finished() throws IOException;

    /** The job stopped: {@code state} is FAILED (with {@code error}) or CANCELLED. */
    void stopped(JobState state, Exception error);

    /** Pause state or throttle changed; persist it so it survives a restart. */
    default void settingsChanged(boolean paused, long throttle) {
    }
}
