package org.splitpoint.engine.job;

/**
 * Hears a job's life beyond its progress: pause and resume (whoever asked: the app, the CLI,
 * a restart's saved setting) and its end. Called on the thread that did it; must not block.
 */
public interface JobListener {

    /** The job was paused ({@code paused}) or resumed. */
    default void pausedChanged(Job job, boolean paused) {
    }

    /** The job ended (DONE, CANCELLED or FAILED) with {@code last} as its final progress. Not for a job stopped to resume later. */
    default void finished(Job job, JobProgress last) {
    }
}
