package org.splitpoint.app.snapshot;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.HolderCommands;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Confirmation;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.journal.Gauge;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.SnapshotAdmin;

/**
 * The snapshot card of one volume: its snapshots on a timeline (oldest left, now right; name, age,
 * bytes held; invalid ones with the engine's reason), the one selected, the save area's gauge, the
 * restore to a snapshot under way ({@link SnapshotRestoreViewModel}); and its verbs — take, delete,
 * restore, and, while the pool has none, use a volume as save area — each enabled by the engine's
 * rules ({@link SnapshotRules}), so a refusal is seen before the click. Fed snapshots and the pairs
 * by the pool's model; ages follow a clock the view ticks.
 */
public final class SnapshotCardViewModel {

    /** What the card is about. */
    public enum Mode {
        /** The pool has no save area: no snapshot can be taken. */
        NO_SAVE_AREA,
        /** This volume is the save area: it has no snapshots of its own. */
        SAVE_AREA,
        /** Snapshots can be taken (the timeline). */
        SNAPSHOTS
    }

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final Expectations expectations;
    private final String volume;
    private final Supplier<Instant> clock;
    private final ZoneId zone;
    private final SnapshotRestoreViewModel restore;
    private PoolSnapshot snapshot;
    private List<PairView> pairs = List.of();

    // ---- properties
    private final ReadOnlyObjectWrapper<Mode> mode = new ReadOnlyObjectWrapper<>(Mode.NO_SAVE_AREA);
    private final ReadOnlyStringWrapper headline = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<SnapshotTimeline.Axis> axis = new ReadOnlyObjectWrapper<>(SnapshotTimeline.Axis.EMPTY);
    private final StringProperty selected = new SimpleStringProperty();
    private final ReadOnlyStringWrapper selectedLine = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper selectedInvalid = new ReadOnlyBooleanWrapper();
    private final ReadOnlyObjectWrapper<Gauge> gauge = new ReadOnlyObjectWrapper<>(Gauge.NONE);
    private final ReadOnlyStringWrapper saveAreaName = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper saveAreaHint = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper takeBlocked = new ReadOnlyStringWrapper("the volume is still loading");
    private final ReadOnlyStringWrapper deleteBlocked = new ReadOnlyStringWrapper("select a snapshot on the timeline first");
    private final ReadOnlyStringWrapper restoreBlocked = new ReadOnlyStringWrapper("select a snapshot on the timeline first");
    private final ReadOnlyStringWrapper saveAreaBlocked = new ReadOnlyStringWrapper("the pool is still loading");
    private final ReadOnlyStringWrapper refused = new ReadOnlyStringWrapper("");

    /** {@code expectations} follow snapshots and restores, so the verifying workloads check every byte restored. */
    public SnapshotCardViewModel(PoolBridge bridge, ActionStatus status, Expectations expectations, String volume) {
        this(bridge, status, expectations, volume, Instant::now, ZoneId.systemDefault());
    }

    /** {@code clock} tells the time for ages and the name proposed (tests pass their own). */
    public SnapshotCardViewModel(PoolBridge bridge, ActionStatus status, Expectations expectations, String volume,
                                 Supplier<Instant> clock, ZoneId zone) {
        this.bridge = bridge;
        this.status = status;
        this.expectations = expectations;
        this.volume = volume;
        this.clock = clock;
        this.zone = zone;
        this.restore = new SnapshotRestoreViewModel(bridge, status, expectations, volume);
        status.busyProperty().addListener(o -> update());
        selected.addListener(o -> {
            refused.set("");
            update();
        });
    }

    public String volume() {
        return volume;
    }

    /** No save area, this volume is the save area, or the timeline. */
    public ReadOnlyObjectProperty<Mode> modeProperty() {
        return mode.getReadOnlyProperty();
    }

    /** One sentence on what the card shows when there is no timeline to show (else empty). */
    public ReadOnlyStringProperty headlineProperty() {
        return headline.getReadOnlyProperty();
    }

    /** "3 snapshots · 4.1 MiB held". */
    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    /** The timeline: points oldest first, the axis' ends. */
    public ReadOnlyObjectProperty<SnapshotTimeline.Axis> axisProperty() {
        return axis.getReadOnlyProperty();
    }

    /** The name of the snapshot selected, or null (input: the timeline and the navigation tree set it). */
    public StringProperty selectedProperty() {
        return selected;
    }

    /** The selected snapshot in a line: when, age, bytes held; or why it is invalid. */
    public ReadOnlyStringProperty selectedLineProperty() {
        return selectedLine.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty selectedInvalidProperty() {
        return selectedInvalid.getReadOnlyProperty();
    }

    /** The save area's use against its size, 80% and 95% marked. */
    public ReadOnlyObjectProperty<Gauge> gaugeProperty() {
        return gauge.getReadOnlyProperty();
    }

    /** The save area's volume. */
    public ReadOnlyStringProperty saveAreaNameProperty() {
        return saveAreaName.getReadOnlyProperty();
    }

    /** The save area's volume in a sentence and what the gauge's marks mean. */
    public ReadOnlyStringProperty saveAreaHintProperty() {
        return saveAreaHint.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty takeBlockedProperty() {
        return takeBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty deleteBlockedProperty() {
        return deleteBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty restoreBlockedProperty() {
        return restoreBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty saveAreaBlockedProperty() {
        return saveAreaBlocked.getReadOnlyProperty();
    }

    /** The engine's sentence when it refused the last restore's plan; cleared by the next selection. */
    public ReadOnlyStringProperty refusedProperty() {
        return refused.getReadOnlyProperty();
    }

    /** The restore to a snapshot under way, on the card. */
    public SnapshotRestoreViewModel restore() {
        return restore;
    }

    // ---- updates

    /** Takes a new snapshot (UI thread). */
    public void apply(PoolSnapshot s) {
        snapshot = s;
        restore.apply(s);
        update();
    }

    /** Takes the pairs of a new query (UI thread): a pair blocks a restore and a save area. */
    public void apply(List<PairView> p) {
        pairs = List.copyOf(p);
        update();
    }

    /** Ages move on: the view calls this every few seconds while shown. */
    public void tick() {
        update();
    }

    /** The snapshot selected, as the engine lists it; null when none (or it is gone). */
    public SnapshotAdmin.Info selectedInfo() {
        String n = selected.get();
        if (snapshot == null || n == null) {
            return null;
        }
        for (SnapshotAdmin.Info i : snapshot.snapshotsOf(volume)) {
            if (i.name().equals(n)) {
                return i;
            }
        }
        return null;
    }

    private void update() {
        PoolSnapshot s = snapshot;
        if (s == null) {
            return;
        }
        boolean busy = status.isBusy();
        SnapshotAdmin.SaveAreaInfo a = s.saveArea();
        List<SnapshotAdmin.Info> mine = s.snapshotsOf(volume);
        Mode m = a == null ? Mode.NO_SAVE_AREA : a.volume().equals(volume) ? Mode.SAVE_AREA : Mode.SNAPSHOTS;
        mode.set(m);
        headline.set(switch (m) {
            case NO_SAVE_AREA -> "This pool has no save area yet, so no snapshot can be taken: snapshots keep the tracks"
                    + " written after them in a volume given over to that.";
            case SAVE_AREA -> volume + " is the pool's save area: it keeps the tracks that the snapshots of the other"
                    + " volumes hold, so it has no snapshots of its own and hosts cannot use it.";
            case SNAPSHOTS -> mine.isEmpty() ? "No snapshots of " + volume + " yet. Taking one is instant; from then on the"
                    + " first write to each track keeps its old bytes in the save area " + a.volume() + "." : "";
        });
        // no sum of the bytes held: a track saved once serves every snapshot taken since its last write
        long invalid = mine.stream().filter(i -> !SnapshotAdmin.VALID.equals(i.state())).count();
        summary.set(mine.isEmpty() ? "" : Format.count(mine.size()) + (mine.size() == 1 ? " snapshot" : " snapshots")
                + (invalid == 0 ? "" : " · " + invalid + " invalid"));
        SnapshotTimeline.Axis ax = SnapshotTimeline.of(mine, clock.get(), zone);
        if (!ax.equals(axis.get())) {
            axis.set(ax);
        }
        gauge.set(SaveAreaFacts.gauge(a));
        PoolSnapshot.VolumeView av = a == null ? null : s.volume(a.volume());
        saveAreaName.set(a == null ? "" : a.volume());
        saveAreaHint.set((a == null || av == null ? "" : a.volume() + ": " + av.layout().word() + " over "
                + String.join(", ", av.drives()) + ", " + Format.size(av.size()) + ". ") + SaveAreaFacts.marksHint(a));
        SnapshotAdmin.Info sel = selectedInfo();
        if (sel == null && selected.get() != null && ax.point(selected.get()) == null) {
            selected.set(null); // deleted: nothing is selected
            return;
        }
        selectedLine.set(describe(sel, ax));
        selectedInvalid.set(sel != null && !SnapshotAdmin.VALID.equals(sel.state()));
        takeBlocked.set(SnapshotRules.whyNotTake(s, pairs, volume, busy));
        deleteBlocked.set(SnapshotRules.whyNotDelete(s, volume, sel, busy));
        restoreBlocked.set(SnapshotRules.whyNotRestore(s, pairs, volume, sel, busy));
        saveAreaBlocked.set(SnapshotRules.whyNotSaveArea(s, pairs, busy));
    }

    private String describe(SnapshotAdmin.Info sel, SnapshotTimeline.Axis ax) {
        if (sel == null) {
            return ax.points().isEmpty() ? "" : "Select a snapshot on the timeline to restore or delete it.";
        }
        SnapshotTimeline.Point p = ax.point(sel.name());
        if (p == null) {
            return "";
        }
        if (!p.valid()) {
            return sel.name() + " is INVALID: " + p.why() + ". It can no longer show its image; delete it (" + volume
                    + " is intact).";
        }
        boolean later = ax.points().stream().anyMatch(o -> o.valid() && o.taken().isAfter(p.taken()));
        return sel.name() + (p.safety() ? " (safety snapshot taken before a restore)" : "") + " · taken " + p.when()
                + " (" + p.age() + ") · " + p.held() + (p.tracksHeld() == 0 ? "" : ": the " + Format.tracks(p.tracksHeld())
                + " written since" + (later ? ", shared with the snapshots taken after it" : ""))
                + (p.restoring() ? " · " + volume + " is being restored to it" : "");
    }

    // ---- commands

    /** Selects the snapshot named {@code name} (null: none). */
    public void select(String name) {
        selected.set(name);
    }

    /** The take dialog's model, the name proposed from the time; the new snapshot is selected once taken. */
    public TakeSnapshotForm takeForm() {
        List<SnapshotAdmin.Info> mine = snapshot == null ? List.of() : snapshot.snapshotsOf(volume);
        return new TakeSnapshotForm(bridge, status, volume, mine, clock.get(), zone, this::select);
    }

    /** What deleting the selected snapshot drops, for the typed confirmation (its name is typed). */
    public Confirmation deleteConfirmation() {
        SnapshotAdmin.Info sel = selectedInfo();
        String n = sel == null ? "" : sel.name();
        List<String> lines = new ArrayList<>();
        lines.add("Snapshot " + volume + "@" + n + (sel == null ? "" : " (taken " + Format.when(sel.createdAt()) + ")")
                + " goes: " + volume + " can no longer be restored to it, and nothing can read it.");
        if (sel != null && sel.bytesHeld() > 0) {
            lines.add("The " + Format.size(sel.bytesHeld()) + " it holds go back to the save area, less what other"
                    + " snapshots share.");
        }
        lines.add(volume + " itself is not changed.");
        return new Confirmation("Delete snapshot " + n, "Delete snapshot " + n + " of " + volume + "?", lines, n,
                "Delete snapshot");
    }

    /** Deletes the selected snapshot (after the typed confirmation). */
    public void delete() {
        SnapshotAdmin.Info sel = selectedInfo();
        if (sel == null || !deleteBlocked.get().isEmpty()) {
            return;
        }
        String n = sel.name();
        status.started("Deleting snapshot " + sel.ref() + "…");
        bridge.run(HolderAction.of(HolderCommands.deleteSnapshot(volume, n), out -> sel,
                pool -> pool.snapshots().delete(volume, n)), i -> { // the pool's snapshot guard tells the workloads
            status.succeeded("Snapshot " + i.ref() + " deleted; " + Format.size(i.bytesHeld()) + " it held went back to"
                    + " the save area");
            if (n.equals(selected.get())) {
                selected.set(null);
            }
        }, status::failed);
    }

    /**
     * The restore dialog's model for the selected snapshot; its plan is read by {@link
     * RestoreToSnapshotForm#load}; a refusal is kept here too, to show on the card.
     */
    public RestoreToSnapshotForm restoreForm() {
        SnapshotAdmin.Info sel = selectedInfo();
        if (sel == null) {
            return null;
        }
        RestoreToSnapshotForm f = new RestoreToSnapshotForm(bridge, status, volume, sel, later(sel),
                snapshot.saveArea(), clock.get(), restore::started, restoreBlocked.getReadOnlyProperty());
        f.refusedProperty().addListener((o, was, now) -> refused.set(now));
        f.servedClients(clientsOf);
        return f;
    }

    /** The NBD clients using a volume now (their addresses), named in a restore's confirmation. */
    private java.util.function.Function<String, List<String>> clientsOf = org.splitpoint.app.common.ServedClients.NONE;

    /** {@code clients} gives the addresses of the NBD clients using a volume now (the app's server). */
    public void servedClients(java.util.function.Function<String, List<String>> clients) {
        clientsOf = clients;
    }

    /** The valid snapshots of the volume taken after {@code s}, by name. */
    private List<String> later(SnapshotAdmin.Info s) {
        return snapshot.snapshotsOf(volume).stream().filter(i -> i.gen() > s.gen() && SnapshotAdmin.VALID.equals(i.state()))
                .map(SnapshotAdmin.Info::name).toList();
    }

    /** The save area dialog's model: the volumes that may be given over. */
    public SaveAreaForm saveAreaForm() {
        return new SaveAreaForm(bridge, status, SnapshotRules.saveAreaCandidates(snapshot, pairs),
                snapshot == null ? 1 : snapshot.trackSize(), volume);
    }
}
