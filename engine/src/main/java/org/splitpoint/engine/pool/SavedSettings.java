package org.splitpoint.engine.pool;

import java.io.IOException;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.job.JobWork;

/**
 * A copy as a job's work (a restore's bulk copy, a pair's establish or restore), whose pause and
 * throttle are kept in its record in pool.json, so a resume after a restart keeps them. Everything
 * else is the work's own, the periodic checkpoint beside the copy included.
 */
record SavedSettings(Pool pool, String subject, JobWork work, Record record) implements JobWork {

    /** Puts the settings into the copy's record; false when there is no record any more. */
    interface Record {
        boolean save(boolean paused, long throttle);
    }

    @Override
    public Step copyNext(long done) throws IOException {
        return work.copyNext(done);
    }

    @Override
    public void stepBudget(long bytes) {
        work.stepBudget(bytes);
    }

    @Override
    public void reportWithin(java.util.function.LongConsumer moved) {
        work.reportWithin(moved);
    }

    @Override
    public void paceWithin(java.util.function.BooleanSupplier pace) {
        work.paceWithin(pace);
    }

    @Override
    public long doneSinceLastStep() {
        return work.doneSinceLastStep();
    }

    @Override
    public boolean hasMore(long done, long total) {
        return work.hasMore(done, total);
    }

    @Override
    public void checkpoint(long doneUpTo) throws IOException {
        work.checkpoint(doneUpTo);
    }

    @Override
    public void checkpointBeside(long doneUpTo) throws IOException {
        work.checkpointBeside(doneUpTo);
    }

    @Override
    public void finished() throws IOException {
        work.finished();
    }

    @Override
    public void stopped(JobState state, Exception error) {
        if (!pool.isClosed()) {
            work.stopped(state, error);
        }
    }

    @Override
    public void settingsChanged(boolean paused, long throttle) {
        synchronized (pool) {
            if (pool.isClosed() || !record.save(paused, throttle)) {
                return;
            }
            try {
                pool.persist();
            } catch (IOException e) {
                pool.events.publish(Event.warning("ERROR", subject, "could not save the job settings of " + subject + ": "
                        + e.getMessage()));
            }
        }
    }
}
