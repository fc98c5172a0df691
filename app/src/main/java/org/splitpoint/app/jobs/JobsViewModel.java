package org.splitpoint.app.jobs;

import java.util.List;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Rows;
import org.splitpoint.app.pair.PairJobs;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * Running background jobs (rebuilds, establishes, restores) with pause, resume and cancel, and the
 * speed limit for them. Changing the limit applies it to every running job and to rebuilds started
 * afterwards. Cancelling a restore goes through {@link PairJobs}, so the verifying workloads follow.
 */
public final class JobsViewModel {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final Expectations expectations;

    // ---- properties
    private final ObservableList<JobRow> rows = FXCollections.observableArrayList();
    private final ObservableList<JobRow> rowsView = FXCollections.unmodifiableObservableList(rows);
    private final ObjectProperty<RateLimit> limit = new SimpleObjectProperty<>(RateLimit.UNLIMITED);
    private boolean firstSnapshot = true;
    private boolean adopting;

    public JobsViewModel(PoolBridge bridge, ActionStatus status) {
        this(bridge, status, new Expectations());
    }

    public JobsViewModel(PoolBridge bridge, ActionStatus status, Expectations expectations) {
        this.bridge = bridge;
        this.status = status;
        this.expectations = expectations;
        limit.addListener((o, was, now) -> {
            if (!adopting) {
                applyLimit(now == null ? RateLimit.UNLIMITED : now);
            }
        });
    }

    /** Jobs not finished yet, in the order started. */
    public ObservableList<JobRow> rows() {
        return rowsView;
    }

    /** Speed limit for background copies (input from the view). */
    public ObjectProperty<RateLimit> limitProperty() {
        return limit;
    }

    /** The limit in bytes per second, 0 for none. */
    public long limitBytesPerSecond() {
        return limit.get() == null ? 0 : limit.get().bytesPerSecond();
    }

    /** Takes a new snapshot (UI thread). */
    public void apply(PoolSnapshot s) {
        List<JobProgress> running = s.jobs().stream().filter(j -> !j.state().isFinished()).toList();
        if (firstSnapshot) {
            firstSnapshot = false;
            adoptLimit(running);
        }
        Rows.reconcile(rows, running, JobRow::id, JobProgress::id, JobRow::new, JobRow::update);
    }

    /** A job resumed at open keeps its saved limit; show that limit rather than pretend there is none. */
    private void adoptLimit(List<JobProgress> running) {
        if (running.isEmpty()) {
            return;
        }
        RateLimit saved = RateLimit.of(running.get(0).throttle());
        if (saved != null) {
            adopting = true;
            limit.set(saved);
            adopting = false;
        }
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
        }), ok -> status.succeeded((resume ? "Resumed " : "Paused ") + label), status::failed);
    }

    /** What cancelling {@code row} leaves behind, for the question the view asks first. */
    public static String cancelConsequence(JobRow row) {
        return switch (row.kind()) {
            case "rebuild" -> "The drive stays FAILED and its volume DEGRADED until it is replaced again.";
            case "restore" -> "The pair becomes Split; the STD keeps a partly restored image.";
            case "establish" -> "The pair becomes Split; the BCV keeps a partly copied image.";
            case "backup" -> "No image is made; the tracks it was to copy count for the next backup.";
            case "instant-restore" -> "The volume stays partly restored: tracks not yet restored hold what it held"
                    + " before.";
            case "snapshot-restore" -> "The volume stays partly restored to the snapshot: tracks not yet restored hold"
                    + " what it held before the restore (its safety snapshot, if one was taken, holds all of that).";
            default -> "The job stops where it is.";
        };
    }

    /** Cancels the job and waits for it to stop (in the background). */
    public void cancel(JobRow row) {
        String id = row.id();
        status.started("Cancelling " + row.titleProperty().get() + "…");
        bridge.run(org.splitpoint.app.bridge.HolderAction.of(org.splitpoint.app.bridge.HolderCommands.cancelJob(id),
                org.splitpoint.app.bridge.HolderCommands::jobState, pool -> PairJobs.cancel(pool, id, expectations)),
                st -> status.succeeded(row.titleProperty().get() + " is " + st), status::failed);
    }

    private void applyLimit(RateLimit l) {
        bridge.run(pool -> {
            for (Job j : pool.activeJobs()) {
                j.setThrottle(l.bytesPerSecond());
            }
            return null;
        }, ok -> { }, status::failed);
    }
}
