package org.splitpoint.app.snapshot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleLongProperty;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.HolderCommands;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Confirmation;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.pool.SnapshotAdmin;

/**
 * "Restore to a snapshot": the engine's plan (how many tracks and bytes change back: those
 * written since the snapshot), the safety snapshot (ticked by default: the volume as it is now is
 * kept first, so the restore can be undone), then the volume's name typed. The plan is read in
 * the background ({@link #load}); a refusal is the engine's sentence, and a plan with nothing to copy
 * back opens no dialog (the status line says so). What the restore overwrites
 * is saved for the safety snapshot and the later ones, so it warns when the save area has no room
 * for it (the engine does not: those snapshots would become invalid). While the dialog is open
 * the card's rules follow the pool ({@link #blockedProperty}): a drive taken into a service window
 * meanwhile disables Restore with the engine's sentence, its return enables it again.
 */
public final class RestoreToSnapshotForm {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final String volume;
    private final SnapshotAdmin.Info snapshot;
    private final Instant now;
    private final Runnable started;
    private final SnapshotAdmin.SaveAreaInfo saveArea;
    private final java.util.List<String> later;

    private final ReadOnlyObjectWrapper<SnapshotAdmin.RestorePlan> plan = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper refused = new ReadOnlyStringWrapper("");
    private final BooleanProperty safety = new SimpleBooleanProperty(true);
    private final LongProperty throttle = new SimpleLongProperty(0);
    private final ReadOnlyStringWrapper safetyNote = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper blocked = new ReadOnlyStringWrapper("");

    RestoreToSnapshotForm(PoolBridge bridge, ActionStatus status, String volume,
                          SnapshotAdmin.Info snapshot, java.util.List<String> later, SnapshotAdmin.SaveAreaInfo saveArea,
                          Instant now, Runnable started, javafx.beans.value.ObservableValue<String> rules) {
        this.bridge = bridge;
        this.status = status;
        this.volume = volume;
        this.snapshot = snapshot;
        this.now = now;
        this.started = started;
        this.saveArea = saveArea;
        this.later = java.util.List.copyOf(later);
        safetyNote.bind(Bindings.createStringBinding(this::describeSafety, safety, plan));
        blocked.bind(Bindings.createStringBinding(() -> !refused.get().isEmpty() ? refused.get()
                : rules.getValue() == null ? "" : rules.getValue(), refused, rules));
    }

    public String volume() {
        return volume;
    }

    public SnapshotAdmin.Info snapshot() {
        return snapshot;
    }

    /** The engine's plan, once read; null before. */
    public ReadOnlyObjectProperty<SnapshotAdmin.RestorePlan> planProperty() {
        return plan.getReadOnlyProperty();
    }

    /** Why the engine refuses the restore (its sentence), or empty. */
    public ReadOnlyStringProperty refusedProperty() {
        return refused.getReadOnlyProperty();
    }

    /**
     * Why Restore cannot be confirmed now, following the pool while the dialog is open (the card's
     * rules: {@code SnapshotRules.whyNotRestore}), or the engine's refusal of the plan; empty when it can.
     */
    public ReadOnlyStringProperty blockedProperty() {
        return blocked.getReadOnlyProperty();
    }

    /** Take a safety snapshot of the volume as it is first (input; ticked by default). */
    public BooleanProperty safetyProperty() {
        return safety;
    }

    /** The copy back's limit in bytes per second as it starts, 0 = none (input; the card's Pause and the jobs panel change it later). */
    public LongProperty throttleProperty() {
        return throttle;
    }

    /** What the safety snapshot does, or what is lost without it. */
    public ReadOnlyStringProperty safetyNoteProperty() {
        return safetyNote.getReadOnlyProperty();
    }

    /**
     * Reads the plan in the background; then {@code ready} runs with it, or {@code refusedWith} with
     * the engine's sentence. A plan that copies nothing back runs neither: the status line says
     * there is nothing to restore (a typed confirmation and a safety snapshot, the same image again
     * on the timeline, for a restore that changes nothing were only in the way).
     */
    public void load(Runnable ready, java.util.function.Consumer<String> refusedWith) {
        if (bridge.attachedTo() != null) { // the plan is the holder's to compute: the holder's restore checks it
            refused.set("");
            ready.run();
            return;
        }
        bridge.run(pool -> pool.snapshots().plan(volume, snapshot.name()), p -> {
            plan.set(p);
            refused.set("");
            if (p.tracks() == 0) {
                status.succeeded("Nothing changed in " + volume + " since " + snapshot.name() + ": nothing to restore");
                return;
            }
            ready.run();
        }, why -> {
            refused.set(why);
            refusedWith.accept(why);
        });
    }

    /** What the restore changes, from the plan. */
    public List<String> sentences() {
        SnapshotAdmin.RestorePlan p = plan.get();
        List<String> out = new ArrayList<>();
        String taken = Format.when(snapshot.createdAt()) + ", " + SnapshotTimeline.ago(SnapshotTimeline.parse(snapshot.createdAt(), now), now);
        if (p == null) {
            out.add("Restoring " + volume + " to " + snapshot.name() + " (taken " + taken + ").");
            org.splitpoint.app.common.ServedClients.add(out, volume, clientsOf.apply(volume));
            return out;
        }
        out.add("Restoring " + volume + " to " + snapshot.name() + " (taken " + taken + ") changes "
                + Format.tracks(p.tracks()) + " (" + Format.size(p.bytes()) + ") of its " + Format.count(p.volumeTracks())
                + ": those written since the snapshot.");
        out.add(volume + " stays usable throughout: reads of tracks not yet copied back are served from the snapshot,"
                + " and writes go to the volume.");
        org.splitpoint.app.common.ServedClients.add(out, volume, clientsOf.apply(volume));
        return out;
    }

    private String describeSafety() {
        SnapshotAdmin.RestorePlan p = plan.get();
        String what = p == null ? "the tracks it changes" : "those " + Format.tracks(p.tracks()) + " (" + Format.size(p.bytes())
                + ")";
        String note = safety.get() ? "First a safety snapshot (before-restore-…) keeps " + volume + " as it is now: restore"
                + " it to undo this restore. As the restore copies back, it keeps " + what + " in the save area."
                : "Without a safety snapshot, what " + volume + " holds now in " + what + " is lost"
                + (later.isEmpty() ? "." : ", except in the snapshots taken after " + snapshot.name() + ", which keep it"
                + " in the save area.");
        if (p != null && saveArea != null && saveArea.slots() > 0 && (safety.get() || !later.isEmpty()) && p.safetyMayNotFit()) {
            note += " The save area " + saveArea.volume() + " has room for only " + Format.tracks(Math.max(0, p.freeSlots()))
                    + " more: once it is full, " + (safety.get() ? "the safety snapshot and the others" : "the snapshots")
                    + " that need a track saved become invalid.";
        }
        return note;
    }

    /** The NBD clients using a volume now (their addresses), named in the confirmation. */
    private java.util.function.Function<String, List<String>> clientsOf = org.splitpoint.app.common.ServedClients.NONE;

    /** {@code clients} gives the addresses of the NBD clients using a volume now (the app's server). */
    public void servedClients(java.util.function.Function<String, List<String>> clients) {
        clientsOf = clients;
    }

    /** The typed confirmation: the volume's name. */
    public Confirmation confirmation() {
        return new Confirmation("Restore " + volume + " to a snapshot", "Restore " + volume + " to " + snapshot.name() + "?",
                sentences(), volume, "Restore " + volume);
    }

    /** Starts the restore (after the typed confirmation); {@code started} runs once the engine took it. */
    public void restore() {
        boolean keep = safety.get();
        long limit = throttle.get();
        String name = snapshot.name();
        status.started("Restoring " + volume + " to " + name + "…");
        bridge.run(HolderAction.of(HolderCommands.restoreToSnapshot(volume, name, keep, limit),
                out -> HolderCommands.started("snapshot-restore", volume, out),
                // the pool's snapshot guard gives the workloads the snapshot's expectations
                pool -> pool.snapshots().restore(volume, name, keep, limit).progress()), p -> {
            status.succeededWhileRunning("Restoring " + volume + " to " + name + ": " + Format.tracks(p.totalTracks())
                    + " to copy back; the volume is usable now" + (keep ? "; a safety snapshot keeps what it held" : ""),
                    "snapshot-restore", volume, p.id());
            started.run();
        }, status::failed);
    }
}
