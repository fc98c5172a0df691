package org.splitpoint.app.drives;

import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.HolderCommands;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Rows;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.DriveRules;
import org.splitpoint.engine.pool.FailPlan;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.PoolSnapshot.DriveView;
import org.splitpoint.engine.pool.PoolSnapshot.VolumeView;
import org.splitpoint.engine.pool.Refusal;

/**
 * The drives of the pool and the drive actions: Fail drive (a drill), Replace drive (blank image +
 * rebuild), Add spare, Take offline (a service window, with a reason and a log mode) and Bring online
 * (the window's delta written back). Each action has a "why not" property, empty when it is allowed, from the
 * latest snapshot, the selected drive and whether another action is still running.
 */
public final class DrivesViewModel {

    private final PoolBridge bridge;
    private final ActionStatus status;

    // ---- properties
    private final ObservableList<DriveRow> rows = FXCollections.observableArrayList();
    private final ObservableList<DriveRow> rowsView = FXCollections.unmodifiableObservableList(rows);
    private final StringProperty selectedDrive = new SimpleStringProperty();
    private final SimpleObjectProperty<PoolSnapshot> snapshot = new SimpleObjectProperty<>();
    private final ReadOnlyStringWrapper failBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper replaceBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper addBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper offlineBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper onlineBlocked = new ReadOnlyStringWrapper();
    /** "d1 of prod" while this app's drill has d1 in its window (set by the pool's model), else null. */
    private final StringProperty inDrill = new SimpleStringProperty();

    /** A rebuild starts unlimited; its limit is the job's own, set in its Jobs row or with {@code job throttle}. */
    public DrivesViewModel(PoolBridge bridge, ActionStatus status) {
        this.bridge = bridge;
        this.status = status;
        failBlocked.bind(Bindings.createStringBinding(
                () -> busy() ? busyReason() : DriveChecks.whyNot(snapshot.get(), selectedDrive.get(), DriveRules::fail),
                snapshot, selectedDrive, status.busyProperty()));
        replaceBlocked.bind(Bindings.createStringBinding(
                () -> busy() ? busyReason() : DriveChecks.whyNot(snapshot.get(), selectedDrive.get(), DriveRules::replace),
                snapshot, selectedDrive, status.busyProperty()));
        addBlocked.bind(Bindings.createStringBinding(
                () -> busy() ? busyReason() : snapshot.get() == null ? "the pool is still loading"
                        : Refusal.sentenceOf(DriveRules.add(snapshot.get(), 1)),
                snapshot, status.busyProperty()));
        offlineBlocked.bind(Bindings.createStringBinding(
                () -> busy() ? busyReason() : DriveChecks.whyNot(snapshot.get(), selectedDrive.get(), DriveRules::offline),
                snapshot, selectedDrive, status.busyProperty()));
        onlineBlocked.bind(Bindings.createStringBinding(
                () -> busy() ? busyReason() : drilled() != null ? drilled()
                        : DriveChecks.whyNot(snapshot.get(), selectedDrive.get(), DriveRules::online),
                snapshot, selectedDrive, status.busyProperty(), inDrill));
    }

    /**
     * Why Bring online is not for the drive of this app's running drill: it brought the drive back under
     * the drill, which then stopped without its resync's figures or its verify ("drive d1 left its service
     * window during the drill"); End drill now brings it back and checks it.
     */
    private String drilled() {
        String d = inDrill.get();
        String selected = selectedDrive.get();
        if (d == null || selected == null || !d.equals(selected)) {
            return null;
        }
        return "drive " + selected + " is in the drill running in Drills; End drill now there brings it back, resyncs its"
                + " delta and verifies the volume";
    }

    /** The drive of the drill this app runs, while it is in its window (null otherwise). */
    public StringProperty inDrillProperty() {
        return inDrill;
    }

    private boolean busy() {
        return status.isBusy();
    }

    private static String busyReason() {
        return "another action is still running; wait for it to finish";
    }

    public ObservableList<DriveRow> rows() {
        return rowsView;
    }

    /** The drive the administrator selected (set by the view); actions apply to it. */
    public StringProperty selectedDriveProperty() {
        return selectedDrive;
    }

    /** Why Fail drive is not allowed now; empty when it is. */
    public ReadOnlyStringProperty failBlockedProperty() {
        return failBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty replaceBlockedProperty() {
        return replaceBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty addBlockedProperty() {
        return addBlocked.getReadOnlyProperty();
    }

    /** Why Take offline… is not allowed for the selected drive now; empty when it is. */
    public ReadOnlyStringProperty offlineBlockedProperty() {
        return offlineBlocked.getReadOnlyProperty();
    }

    /** Why Bring online is not allowed for the selected drive now; empty when it is. */
    public ReadOnlyStringProperty onlineBlockedProperty() {
        return onlineBlocked.getReadOnlyProperty();
    }

    /** Takes a new snapshot (UI thread). */
    public void apply(PoolSnapshot s) {
        Rows.reconcile(rows, s.drives(), DriveRow::name, DriveView::name, DriveRow::new, DriveRow::update);
        for (DriveRow r : rows) {
            r.setRebuildPaused(rebuildPaused(s, r.name()));
        }
        snapshot.set(s);
    }

    /** True when the rebuild of {@code drive} ("rebuild d3 of db") is paused: its card says so, not only a percentage. */
    static boolean rebuildPaused(PoolSnapshot s, String drive) {
        return s.jobs().stream().anyMatch(j -> j.kind().equals("rebuild") && j.target().startsWith(drive + " of ")
                && j.state() == org.splitpoint.engine.job.JobState.PAUSED);
    }

    // ---- commands

    /** Fails the selected drive, as a drill: its volume serves degraded. */
    public void fail() {
        String name = selectedDrive.get();
        if (!failBlocked.get().isEmpty()) {
            return;
        }
        status.started("Failing drive " + name + "…");
        bridge.run(HolderAction.of(HolderCommands.failDrive(name), pool -> {
            pool.admin().failDrive(name);
            return null;
        }), ok -> status.succeeded("Drive " + name + " is FAILED" + volumeNote(name)), status::failed);
    }

    /** What failing the selected drive will do, for the confirmation; null with no selection. */
    public FailPlan failPlan() {
        return FailPlan.of(snapshot.get(), selectedDrive.get());
    }

    /** What replacing the selected drive will do, for the confirmation; null with no selection. */
    public ReplacePlan replacePlan() {
        return DriveChecks.plan(snapshot.get(), selectedDrive.get());
    }

    /** Replaces the selected drive with a blank image and starts its rebuild, unlimited (after confirmation). */
    public void replace() {
        replace(0);
    }

    /** As {@link #replace()}, the rebuild limited to {@code limit} bytes/s (0 = none) from its start. */
    public void replace(long limit) {
        String name = selectedDrive.get();
        if (!replaceBlocked.get().isEmpty()) {
            return;
        }
        status.started("Replacing drive " + name + "…");
        // the rebuild's job id (empty when the holder did not name it), or null when no rebuild started
        bridge.run(HolderAction.of(HolderCommands.replaceDrive(name, limit),
                out -> out.contains(" rebuild job ") ? HolderCommands.startedJob(out) : null, pool -> {
                    Job job = pool.admin().replaceDrive(name, limit);
                    return job == null ? null : job.id();
                }), rebuild -> {
                    if (rebuild == null) {
                        status.succeeded("Drive " + name + " replaced; it is a SPARE");
                    } else { // present tense: the line goes when the rebuild ends
                        status.succeededWhileRunning("Drive " + name + " replaced with a blank image; rebuilding"
                                + volumeNote(name), "rebuild", name + " of " + volumeOf(name), rebuild);
                    }
                }, status::failed);
    }

    /** Adds a blank SPARE drive of the pool's drive size. */
    public void addSpare() {
        if (!addBlocked.get().isEmpty()) {
            return;
        }
        status.started("Adding a spare drive…");
        bridge.run(HolderAction.of(HolderCommands.addDrives(1, 0), out -> HolderCommands.addedDrives(out).get(0),
                        pool -> pool.admin().addDrive(0)),
                name -> status.succeeded("Added drive " + name + " as a SPARE"), status::failed);
    }

    /** The "Take offline" dialog's model for the selected drive; null when it cannot be taken offline now. */
    public TakeOfflineForm offlineForm() {
        if (!offlineBlocked.get().isEmpty()) {
            return null;
        }
        return new TakeOfflineForm(bridge, status, snapshot.get(), selectedDrive.get());
    }

    /** Brings the selected OFFLINE drive back: only its delta is written to it (a job), or it is rebuilt whole. */
    public void bringOnline() {
        String name = selectedDrive.get();
        if (!onlineBlocked.get().isEmpty()) {
            return;
        }
        PoolSnapshot s = snapshot.get();
        DriveView d = s.drive(name);
        long delta = d.service() == null ? 0 : d.service().deltaTracks();
        status.started("Bringing drive " + name + " online…");
        bridge.run(HolderAction.of(HolderCommands.onlineDrive(name), HolderCommands::startedJob,
                pool -> pool.service().online(name).id()), // present tense: the line goes when the return ends
                job -> status.succeededWhileRunning("Drive " + name + " is coming back: its delta of "
                        + org.splitpoint.app.common.Format.tracks(delta) + " is being written to it" + volumeNote(name),
                        "resync", name + " of " + volumeOf(name), job),
                status::failed);
    }

    private String volumeOf(String drive) {
        PoolSnapshot s = snapshot.get();
        DriveView d = s == null ? null : s.drive(drive);
        return d == null ? "" : d.volume();
    }

    private String volumeNote(String drive) {
        PoolSnapshot s = snapshot.get();
        DriveView d = s == null ? null : s.drive(drive);
        VolumeView v = d == null || d.volume() == null ? null : s.volume(d.volume());
        return v == null ? "" : "; volume " + v.name() + " is " + v.state();
    }
}
