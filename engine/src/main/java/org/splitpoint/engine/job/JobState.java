package org.splitpoint.engine.job;

/** Life of a background job. */
public enum JobState {
    RUNNING, PAUSED, DONE, FAILED, CANCELLED;

    public boolean isFinished() {
        return this == DONE || this == FAILED || this == CANCELLED;
    }
}
