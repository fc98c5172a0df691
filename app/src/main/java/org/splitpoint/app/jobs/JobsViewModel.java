package org.splitpoint.app.jobs;

import java.util.List;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Rows;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * Running background jobs (rebuilds now; establish and restore later) and the speed limit for them.
 * Changing the limit applies it to every running job and to rebuilds started afterwards.
 */
public final class JobsViewModel {

    private final PoolBridge bridge;
    private final ActionStatus status;

    // ---- properties
    private final ObservableList<JobRow> rows = FXCollections.observableArrayList();
    private final ObservableList<JobRow> rowsView = FXCollections.unmodifiableObservableList(rows);
    private final ObjectProperty<RateLimit> limit = new SimpleObjectProperty<>(RateLimit.UNLIMITED);
    private boolean firstSnapshot = true;
    private boolean adopting;

    public JobsViewModel(PoolBridge bridge, ActionStatus status) {
        this.bridge = bridge;
        this.status = status;
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

    private void applyLimit(RateLimit l) {
        bridge.run(pool -> {
            for (Job j : pool.activeJobs()) {
                j.setThrottle(l.bytesPerSecond());
            }
            return null;
        }, ok -> { }, status::failed);
    }
}
