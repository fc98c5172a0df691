package org.splitpoint.app.restore;

import javafx.beans.binding.Bindings;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.jobs.JobThrottle;
import org.splitpoint.app.jobs.JobsViewModel;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.job.JobState;

/**
 * The bulk copy of an instant restore (its job; a restore from a backup or to a snapshot): the
 * job's own limit ({@link JobThrottle}: shown as the job has it — a restore resumed at open keeps
 * its saved limit, a change from the Jobs row or {@code job throttle} shows at the next sample —
 * applied at once when moved; a limit chosen before the job first showed stands), pause or resume,
 * and cancel.
 */
public final class BulkControl {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final JobThrottle throttle;
    private String jobId;
    /** The volume whose restore this is, once known; a restore under way without a running copy is cancelled by it. */
    private String stoppedVolume;

    // ---- properties
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper paused = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper pauseBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper cancelBlocked = new ReadOnlyStringWrapper();
    /** A restore under way whose copy is not running (it failed on damaged tracks, or waits for its store). */
    private final ReadOnlyBooleanWrapper stopped = new ReadOnlyBooleanWrapper();

    public BulkControl(PoolBridge bridge, ActionStatus status) {
        this.bridge = bridge;
        this.status = status;
        this.throttle = new JobThrottle(bridge, status);
        pauseBlocked.bind(Bindings.when(running).then("").otherwise("no bulk copy is running"));
        cancelBlocked.bind(Bindings.when(running.or(stopped)).then("").otherwise("no restore is running"));
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty pausedProperty() {
        return paused.getReadOnlyProperty();
    }

    /** The bulk copy's limit in bytes per second, 0 = unlimited (input; applies at once). */
    public LongProperty throttleProperty() {
        return throttle.limitProperty();
    }

    public ReadOnlyStringProperty pauseBlockedProperty() {
        return pauseBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty cancelBlockedProperty() {
        return cancelBlocked.getReadOnlyProperty();
    }

    /** The job as the latest snapshot shows it (null: none). */
    public void apply(JobProgress j) {
        apply(j, null);
    }

    /**
     * The job as the latest snapshot shows it (null: none), and the volume when a restore of it is
     * under way (null: none): one whose copy is not running can still be cancelled.
     */
    public void apply(JobProgress j, String restoringVolume) {
        boolean live = j != null && !j.state().isFinished();
        stopped.set(!live && restoringVolume != null);
        stoppedVolume = restoringVolume;
        running.set(live);
        paused.set(live && j.state() == JobState.PAUSED);
        throttle.follow(j);
        if (live) {
            jobId = j.id();
        }
    }

    // ---- commands

    public void pauseOrResume() {
        if (jobId != null && pauseBlocked.get().isEmpty()) {
            JobsViewModel.pauseOrResume(bridge, status, jobId, paused.get(), "the bulk copy");
        }
    }

    /** Cancels the restore (after the typed confirmation): the volume stays partly restored. */
    public void cancel() {
        if (stopped.get() && stoppedVolume != null) {
            String volume = stoppedVolume;
            String id = org.splitpoint.engine.pool.RestoreAdmin.restoreJobId(volume);
            status.started("Cancelling the restore of " + volume + "…");
            bridge.run(org.splitpoint.app.bridge.HolderAction.cancelJob(id, pool -> {
                pool.instantRestores().cancelStopped(volume);
                return "CANCELLED";
            }), st -> status.succeeded("The restore of " + volume + " is " + st + "; the volume stays partly restored"),
                    status::failed);
            return;
        }
        String id = jobId;
        if (id == null || !cancelBlocked.get().isEmpty()) {
            return;
        }
        status.started("Cancelling " + id + "…");
        bridge.run(org.splitpoint.app.bridge.HolderAction.cancelJob(id), st -> status.succeeded("Job " + id + " is " + st + "; the volume stays partly restored"), status::failed);
    }
}
