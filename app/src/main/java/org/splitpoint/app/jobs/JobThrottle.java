package org.splitpoint.app.jobs;

import java.util.concurrent.atomic.AtomicLong;
import javafx.beans.property.LongProperty;
import javafx.beans.property.SimpleLongProperty;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.engine.job.JobProgress;

/**
 * One job's speed limit as a control shows and sets it: the limit belongs to the job (the engine's
 * {@code Job.setThrottle}, what {@code job throttle} and {@code --throttle} set too), so the Jobs
 * row, the pair console's slider and a restore's bulk-copy slider all show the job's own value,
 * follow a change made anywhere else at the next sample, and set it for everyone.
 *
 * <p>Samples arrive late and out of order (pool snapshots and pair queries are coalesced apart), so
 * a sample taken before the user's change could arrive after it and put the old limit back. Each
 * limit carries the engine's stamp ({@code JobProgress.throttleStamp}, one sequence for all jobs);
 * a sample whose stamp is older than the newest this control knows of is not shown, and while the
 * user's own change is on its way no sample is. UI thread only, except the engine call.
 */
public final class JobThrottle {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final LongProperty limit = new SimpleLongProperty(0);
    /** Latest user value not yet handed to the engine (engine side takes it); -1: none. */
    private final AtomicLong toSend = new AtomicLong(-1);
    private String jobId;
    /** The live job last seen, kept while a sample does not show it (null once it finished). */
    private String lastJobId;
    private long knownStamp;
    /** A call setting the user's limit is on its way (its answer not back yet). */
    private boolean sending;
    private boolean adopting;
    /**
     * The user chose a limit while a sample did not show the job it was showing (listed late, or
     * for a moment not at all): when that job shows again, the choice stands. A choice made with no
     * job at all is the next copy's, which its start takes ({@link #takeForStart}).
     */
    private boolean choiceForNextJob;

    public JobThrottle(PoolBridge bridge, ActionStatus status) {
        this.bridge = bridge;
        this.status = status;
        limit.addListener((o, was, now) -> {
            if (!adopting) {
                chosen(now.longValue());
            }
        });
    }

    /** The job's limit in bytes per second, 0 = unlimited; setting it (the user's choice) applies it to the job. */
    public LongProperty limitProperty() {
        return limit;
    }

    public long limit() {
        return limit.get();
    }

    /**
     * A sample of the job (null or finished: none is live). Shows its limit unless it is older than
     * the newest this control knows of, or the user's change is still on its way.
     */
    public void follow(JobProgress j) {
        if (j == null || j.state().isFinished()) {
            jobId = null;
            if (j != null) {
                lastJobId = null; // it ended: a choice now is for the next copy
            }
            return;
        }
        jobId = j.id();
        boolean same = j.id().equals(lastJobId);
        lastJobId = j.id();
        if (choiceForNextJob) {
            choiceForNextJob = false;
            if (same) { // chosen while a sample missed this job: the choice stands
                chosen(limit.get());
                return;
            }
            // a job started elsewhere (job throttle, --throttle, another view): its own limit shows
        }
        if (sending || j.throttleStamp() < knownStamp) {
            return; // taken before the user's change (or while it travels): not news
        }
        knownStamp = j.throttleStamp();
        adopting = true;
        limit.set(j.throttle());
        adopting = false;
    }

    /** The job this control showed has ended: a choice from now on is for the next copy. */
    public void ended() {
        jobId = null;
        lastJobId = null;
    }

    /**
     * Takes the user's pending choice as the limit a copy about to be started gets from its start
     * (so it is not pushed again when the job first shows); returns the limit shown.
     */
    public long takeForStart() {
        choiceForNextJob = false;
        return limit.get();
    }

    private void chosen(long bytesPerSecond) {
        if (jobId == null) {
            choiceForNextJob = true;
            return;
        }
        toSend.set(Math.max(0, bytesPerSecond));
        if (sending) {
            return; // the call on its way takes the latest value too
        }
        send(jobId);
    }

    /** The limit's stamp of job {@code id} in a holder's snapshot, or null (no snapshot, or the job gone). */
    private static Long stampIn(org.splitpoint.engine.pool.PoolSnapshot state, String id) {
        if (state != null) {
            for (JobProgress j : state.jobs()) {
                if (j.id().equals(id)) {
                    return j.throttleStamp();
                }
            }
        }
        return null;
    }

    private void send(String id) {
        sending = true;
        long first = toSend.getAndSet(-1);
        if (first < 0) {
            sending = false;
            return;
        }
        // attached to serve, the holder sets it ('job throttle'), and the limit's stamp is the job's in the
        // holder's snapshot taken after the command: with none (the command prints no stamp) the newest
        // stamp known stayed the old limit's, and a sample taken before the change, delivered after its
        // answer, put the old limit back for a moment (the slider bounced); here the engine does
        bridge.run(org.splitpoint.app.bridge.HolderAction.ofState(org.splitpoint.app.bridge.HolderCommands.throttleJob(id, first),
                (out, state) -> stampIn(state, id), pool -> {
                    long stamp = pool.job(id).setThrottle(first);
                    long v;
                    while ((v = toSend.getAndSet(-1)) >= 0) { // values chosen meanwhile fold into this call
                        stamp = pool.job(id).setThrottle(v);
                    }
                    return stamp;
                }), stamp -> {
            sending = false;
            knownStamp = Math.max(knownStamp, stamp == null ? -1 : stamp);
            if (toSend.get() >= 0 && jobId != null) {
                send(jobId);
            }
        }, why -> {
            sending = false;
            status.failed(why);
        });
    }
}
