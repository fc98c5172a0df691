package org.splitpoint.app.pool;

import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.drives.DrivesViewModel;
import org.splitpoint.app.events.EventsViewModel;
import org.splitpoint.app.jobs.JobsViewModel;
import org.splitpoint.app.volumes.VolumesViewModel;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * The main window's model: one open pool. It feeds each snapshot from the bridge to the feature
 * view models (drives, volumes, jobs, events) and keeps what the title and status bar show.
 */
public final class PoolViewModel {

    private final PoolBridge bridge;

    // ---- properties
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper poolPath = new ReadOnlyStringWrapper();
    private final ReadOnlyObjectWrapper<PoolSnapshot.Health> health = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("Loading…");
    private final ReadOnlyStringWrapper problems = new ReadOnlyStringWrapper("");
    private final ActionStatus status = new ActionStatus();
    private final JobsViewModel jobs;
    private final DrivesViewModel drives;
    private final VolumesViewModel volumes = new VolumesViewModel();
    private final EventsViewModel events = new EventsViewModel();

    public PoolViewModel(PoolBridge bridge) {
        this.bridge = bridge;
        this.jobs = new JobsViewModel(bridge, status);
        this.drives = new DrivesViewModel(bridge, status, jobs::limitBytesPerSecond);
        poolPath.set(bridge.poolDir().toString());
        title.set("Splitpoint — " + bridge.poolDir());
        bridge.onSnapshot(this::apply);
        bridge.onEvents(events::add);
    }

    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty poolPathProperty() {
        return poolPath.getReadOnlyProperty();
    }

    /** HEALTHY, WARNING or CRITICAL; null until the first snapshot. */
    public ReadOnlyObjectProperty<PoolSnapshot.Health> healthProperty() {
        return health.getReadOnlyProperty();
    }

    /** "6 drives · 2 volumes · 1 job running". */
    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    /** Problems found at open that still stand (missing or wrong-size images), one line; empty if none. */
    public ReadOnlyStringProperty problemsProperty() {
        return problems.getReadOnlyProperty();
    }

    public ActionStatus status() {
        return status;
    }

    public DrivesViewModel drives() {
        return drives;
    }

    public VolumesViewModel volumes() {
        return volumes;
    }

    public JobsViewModel jobs() {
        return jobs;
    }

    public EventsViewModel events() {
        return events;
    }

    // ---- commands

    /** Starts live updates: events, the refresh timer, the event history. */
    public void start() {
        bridge.start();
    }

    /** Closes the pool: running jobs stop at a checkpoint and resume on the next open. */
    public void close() {
        bridge.close();
    }

    void apply(PoolSnapshot s) {
        drives.apply(s);
        volumes.apply(s);
        jobs.apply(s);
        health.set(s.health());
        long running = s.jobs().stream().map(JobProgress::state).filter(st -> !st.isFinished()).count();
        summary.set(plural(s.drives().size(), "drive") + " · " + plural(s.volumes().size(), "volume") + " · "
                + (running == 0 ? "no jobs running" : plural(running, "job") + " running"));
        problems.set(String.join("; ", s.problems()));
    }

    private static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
