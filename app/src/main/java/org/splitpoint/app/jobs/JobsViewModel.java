package org.splitpoint.app.jobs;

import java.util.List;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Rows;
import org.splitpoint.app.pair.PairJobs;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * Running background jobs (rebuilds, establishes, restores) with pause, resume, cancel and each
 * job's own speed limit ({@link JobThrottle}: the value the pair console's slider and
 * {@code job throttle} show and set too; there is no limit for all jobs). Cancelling a restore goes
 * through {@link PairJobs}, so the verifying workloads follow.
 */
public final class JobsViewModel {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final Expectations expectations;

    // ---- properties
    private final ObservableList<JobRow> rows = FXCollections.observableArrayList();
    private final ObservableList<JobRow> rowsView = FXCollections.unmodifiableObservableList(rows);

    public JobsViewModel(PoolBridge bridge, ActionStatus status) {
        this(bridge, status, new Expectations());
    }

    public JobsViewModel(PoolBridge bridge, ActionStatus status, Expectations expectations) {
        this.bridge = bridge;
        this.status = status;
        this.expectations = expectations;
    }

    /** Jobs not finished yet, in the order started. */
    public ObservableList<JobRow> rows() {
        return rowsView;
    }

    /** Takes a new snapshot (UI thread). */
    public void apply(PoolSnapshot s) {
        List<JobProgress> running = s.jobs().stream().filter(j -> !j.state().isFinished()).toList();
        Rows.reconcile(rows, running, JobRow::id, JobProgress::id, p -> {
            JobRow row = new JobRow(p, new JobThrottle(bridge, status));
            row.update(p, JobTitle.of(p, s));
            return row;
        }, (row, p) -> row.update(p, JobTitle.of(p, s)));
    }

    /**
     * A row like a running job's that no list holds: the Jobs pane lays one out while the window is
     * idle, so that its list has its cells made before the first real job (JobsView.warmUpRow).
     */
    JobRow sampleRow() {
        return new JobRow(new JobProgress("", "restore", "", org.splitpoint.engine.job.JobState.RUNNING, 0, 1, 65536,
                0, -1, 0, ""), new JobThrottle(bridge, status));
    }

    // ---- commands

    /** Pauses job {@code id}, or resumes it when paused. */
    public void pauseOrResume(JobRow row) {
        pauseOrResume(bridge, status, row.id(), row.pausedProperty().get(), row.titleProperty().get());
    }

    /** Pauses job {@code id}, or resumes it when {@code resume}; reports "Paused/Resumed {@code label}". */
    public static void pauseOrResume(PoolBridge bridge, org.splitpoint.app.common.ActionStatus status, String id,
                                     boolean resume, String label) {
        bridge.run(org.splitpoint.app.bridge.HolderAction.of(org.splitpoint.app.bridge.HolderCommands.pauseJob(id, resume),
                pool -> {
            if (resume) {
                pool.job(id).resume();
            } else {
                pool.job(id).pause();
            }
            return null;
        }), ok -> { // "Resumed …" goes when the job ends; "Paused …" stays true while it is paused
            if (resume) {
                status.succeededWhileRunning("Resumed " + label, "", "", id);
            } else {
                status.succeeded("Paused " + label);
            }
        }, status::failed);
    }

    /** What cancelling {@code row} leaves behind, for the question the view asks first. */
    public static String cancelConsequence(JobRow row) {
        return switch (row.kind()) {
            case "rebuild" -> "The drive stays FAILED and its volume DEGRADED until it is replaced again.";
            case "restore" -> "The pair becomes Split; the STD keeps a partly restored image.";
            case "establish" -> "The pair stays SyncInProg: the BCV keeps a partly copied image, no point-in-time"
                    + " copy to split or restore from, until an establish finishes it.";
            case "backup" -> "No image is made; the tracks it was to copy count for the next backup.";
            case "instant-restore" -> "The volume stays partly restored: tracks not yet restored hold what it held"
                    + " before (one being copied at that moment perhaps partly restored).";
            case "snapshot-restore" -> "The volume stays partly restored to the snapshot: tracks not yet restored hold"
                    + " what it held before the restore (its safety snapshot, if one was taken, holds all of that).";
            default -> "The job stops where it is.";
        };
    }

    /** Cancels the job and waits for it to stop (in the background). */
    public void cancel(JobRow row) {
        String id = row.id();
        status.started("Cancelling " + row.titleProperty().get() + "…");
        bridge.run(org.splitpoint.app.bridge.HolderAction.cancelJob(id, pool -> PairJobs.cancel(pool, id, expectations)),
                st -> status.succeeded(row.titleProperty().get() + " is " + st), status::failed);
    }
}
