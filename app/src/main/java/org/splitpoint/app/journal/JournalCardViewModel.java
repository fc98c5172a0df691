package org.splitpoint.app.journal;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.splitpoint.app.backup.KnownStores;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.HolderCommands;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Confirmation;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.JournalRules;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.Refusal;

/**
 * The journal card of one volume: its staged backup journal's state and sentence, the two legs
 * with their health, the store and the base image, the size and age gauges against their limits,
 * the entries, when it ships next, the ship or base backup running (progress, rate, ETA) and the
 * last ships; and its verbs (enable, ship now, disable), each enabled by the engine's rules, so a
 * refusal is seen before the click. Fed with snapshots and the journals' status by the bridge.
 */
public final class JournalCardViewModel {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final KnownStores stores;
    private final String volume;
    private PoolSnapshot snapshot;
    private JournalAdmin.Status journal;
    private Map<String, JournalAdmin.Status> journals = Map.of();

    // ---- properties
    private final ReadOnlyObjectWrapper<JournalState> state = new ReadOnlyObjectWrapper<>(JournalState.OFF);
    private final ReadOnlyStringWrapper headline = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<List<JournalFacts.Leg>> legs = new ReadOnlyObjectWrapper<>(List.of());
    private final ReadOnlyStringWrapper store = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper base = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<Gauge> size = new ReadOnlyObjectWrapper<>(Gauge.NONE);
    private final ReadOnlyObjectWrapper<Gauge> age = new ReadOnlyObjectWrapper<>(Gauge.NONE);
    private final ReadOnlyStringWrapper entries = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper capacity = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper nextShip = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<List<JournalFacts.ShipLine>> ships = new ReadOnlyObjectWrapper<>(List.of());
    private final ReadOnlyDoubleWrapper jobProgress = new ReadOnlyDoubleWrapper(-1);
    private final ReadOnlyStringWrapper jobText = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper enableBlocked = new ReadOnlyStringWrapper("the volume is still loading");
    private final ReadOnlyStringWrapper shipBlocked = new ReadOnlyStringWrapper("the volume has no journal");
    private final ReadOnlyStringWrapper disableBlocked = new ReadOnlyStringWrapper("the volume has no journal");

    public JournalCardViewModel(PoolBridge bridge, ActionStatus status, KnownStores stores, String volume) {
        this.bridge = bridge;
        this.status = status;
        this.stores = stores;
        this.volume = volume;
        status.busyProperty().addListener(o -> update());
    }

    public String volume() {
        return volume;
    }

    /** OFF, or how well the journal protects the volume (the badge). */
    public ReadOnlyObjectProperty<JournalState> stateProperty() {
        return state.getReadOnlyProperty();
    }

    /** What the state means and what to do about it, one or two sentences. */
    public ReadOnlyStringProperty headlineProperty() {
        return headline.getReadOnlyProperty();
    }

    /** The two journal drives with their health; empty when off. */
    public ReadOnlyObjectProperty<List<JournalFacts.Leg>> legsProperty() {
        return legs.getReadOnlyProperty();
    }

    /** The backup store the journal ships into. */
    public ReadOnlyStringProperty storeProperty() {
        return store.getReadOnlyProperty();
    }

    /** The image the journal builds on, or "none yet …". */
    public ReadOnlyStringProperty baseProperty() {
        return base.getReadOnlyProperty();
    }

    /** The journal's bytes against its max size. */
    public ReadOnlyObjectProperty<Gauge> sizeProperty() {
        return size.getReadOnlyProperty();
    }

    /** The oldest entry's age against the max age (no bar without one). */
    public ReadOnlyObjectProperty<Gauge> ageProperty() {
        return age.getReadOnlyProperty();
    }

    /** "12 entries · 1.2 MiB". */
    public ReadOnlyStringProperty entriesProperty() {
        return entries.getReadOnlyProperty();
    }

    /** "journal drives of 64 MiB; a ship is forced when one fills up". */
    public ReadOnlyStringProperty capacityProperty() {
        return capacity.getReadOnlyProperty();
    }

    /** "when it holds 32 MiB or its oldest entry is 15 min old, or on Ship now". */
    public ReadOnlyStringProperty nextShipProperty() {
        return nextShip.getReadOnlyProperty();
    }

    /** The last ships (at most eight, as the engine keeps them), newest first. */
    public ReadOnlyObjectProperty<List<JournalFacts.ShipLine>> shipsProperty() {
        return ships.getReadOnlyProperty();
    }

    /** 0..1 of the ship or base backup running; -1 when none runs. */
    public ReadOnlyDoubleProperty jobProgressProperty() {
        return jobProgress.getReadOnlyProperty();
    }

    /** "shipping · 42.1% · 12.3 MB/s · ETA 0:03 · 5/12 tracks"; empty when none runs. */
    public ReadOnlyStringProperty jobTextProperty() {
        return jobText.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty enableBlockedProperty() {
        return enableBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty shipBlockedProperty() {
        return shipBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty disableBlockedProperty() {
        return disableBlocked.getReadOnlyProperty();
    }

    // ---- updates

    /** Takes a new snapshot (UI thread). */
    public void apply(PoolSnapshot s) {
        snapshot = s;
        update();
    }

    /** Takes the journals' status (UI thread): this volume's, and the others' (their stores are theirs). */
    public void apply(Map<String, JournalAdmin.Status> all) {
        journals = Map.copyOf(all);
        journal = all.get(volume);
        update();
    }

    /** A journal verb's rule, the engine's (the sentence the CLI would print), then "busy"; "" when allowed. */
    private interface Rule {
        Refusal check(PoolSnapshot s, String volume, JournalAdmin.Status j);
    }

    private String whyNot(PoolSnapshot s, JournalAdmin.Status j, Rule rule) {
        if (s == null || s.volume(volume) == null) {
            return "the volume is still loading";
        }
        String why = org.splitpoint.app.common.AppWords.of(Refusal.sentenceOf(rule.check(s, volume, j)));
        return !why.isEmpty() ? why : status.isBusy() ? BUSY : "";
    }

    private static final String BUSY = "another action is still running; wait for it to finish";

    private void update() {
        PoolSnapshot s = snapshot;
        PoolSnapshot.VolumeView v = s == null ? null : s.volume(volume);
        JournalAdmin.Status j = journal;
        JobProgress ship = s == null ? null : live(s, "journal-ship");
        JobProgress backup = s == null ? null : live(s, "backup");
        JournalState st = JournalFacts.state(j, backup != null);
        state.set(st);
        headline.set(JournalFacts.headline(st, j, v, JournalFacts.lastBackupFailure(s, volume),
                v == null ? null : JournalRules.baseWaitsFor(s, volume)));
        enableBlocked.set(whyNot(s, j, JournalRules::enable));
        shipBlocked.set(whyNot(s, j, JournalRules::ship));
        disableBlocked.set(whyNot(s, j, JournalRules::disable));
        JobProgress running = ship != null ? ship : j != null && !j.protecting() ? backup : null;
        if (running == null) {
            jobProgress.set(-1);
            jobText.set("");
        } else {
            jobProgress.set(running.fraction());
            jobText.set((running == ship ? "shipping" : "base backup") + " · " + Format.progress(running.fraction(),
                    running.bytesPerSecond(), running.etaSeconds(), running.state() == JobState.PAUSED) + " · "
                    + Format.count(running.doneTracks()) + "/" + Format.count(running.totalTracks()) + " tracks");
        }
        if (j == null) {
            legs.set(List.of());
            store.set("");
            base.set("");
            size.set(Gauge.NONE);
            age.set(Gauge.NONE);
            entries.set("");
            capacity.set("");
            nextShip.set("");
            ships.set(List.of());
            return;
        }
        List<JournalFacts.Leg> l = JournalFacts.legs(j, s);
        if (!l.equals(legs.get())) {
            legs.set(l);
        }
        store.set(j.store());
        base.set(j.base() != null ? j.base() : "none yet"); // the headline says how it gets one
        size.set(JournalFacts.size(j));
        age.set(JournalFacts.age(j));
        entries.set(JournalFacts.entries(j));
        capacity.set("journal drives of " + Format.size(j.capacity()) + "; a ship is forced when they fill up");
        nextShip.set(JournalFacts.nextShip(j, ship != null));
        List<JournalFacts.ShipLine> sl = JournalFacts.ships(j, ZoneId.systemDefault(), LocalDate.now());
        if (!sl.equals(ships.get())) {
            ships.set(sl);
        }
    }

    private JobProgress live(PoolSnapshot s, String kind) {
        for (JobProgress p : s.jobs()) {
            if (p.kind().equals(kind) && p.target().equals(volume) && !p.state().isFinished()) {
                return p;
            }
        }
        return null;
    }

    // ---- commands

    /** The enable dialog's model: spares, the known stores, the limits. */
    public EnableJournalForm enableForm() {
        return new EnableJournalForm(bridge, status, stores, volume, snapshot, journals);
    }

    /** Ships the journal into its store now (an incremental image, verified; then the entries go). */
    public void ship() {
        if (!shipBlocked.get().isEmpty()) {
            return;
        }
        status.started("Shipping the journal of " + volume + "…");
        bridge.run(HolderAction.of(HolderCommands.shipJournal(volume), out -> HolderCommands.started("ship", volume, out),
                pool -> pool.journals().ship(volume).progress()), p -> status.succeededWhileRunning("Shipping the journal of "
                + volume + ": " + Format.tracks(p.totalTracks()) + " into " + store.get()
                + "; its entries go once the image is verified", "journal-ship", volume, p.id()), status::failed);
        // present tense: the line goes when the ship ends (it stayed, reading as a ship still running;
        // the card's Last ships says how it went)
    }

    /** What disabling drops, for the typed confirmation (the volume's name is typed). */
    public Confirmation disableConfirmation() {
        JournalAdmin.Status j = journal;
        List<String> lines = new java.util.ArrayList<>();
        String drives = j == null ? "its drives" : String.join(" and ", j.drives());
        lines.add("The journal stops: " + drives + " become SPARE again and what they hold is dropped.");
        if (j != null && j.entries() > 0) {
            lines.add("Its " + JournalFacts.entries(j) + " not yet shipped stay in " + volume + " but are in no backup:"
                    + " after a failure beyond its redundancy, " + volume + " could only be restored from "
                    + (j.base() == null ? "an older backup" : "image " + j.base()) + ", without them. "
                    + (j.base() == null ? "Back " + volume + " up first to keep them: the journal cannot ship without a"
                    + " base image." : "Ship now first to keep them.")); // Ship now is disabled until it has a base
        }
        lines.add("The images in " + (j == null ? "the store" : j.store()) + " stay.");
        return new Confirmation("Disable the journal of " + volume, "Stop journaling " + volume + "?", lines, volume,
                "Disable journal");
    }

    /** Disables the journal (after the typed confirmation). */
    public void disable() {
        if (!disableBlocked.get().isEmpty()) {
            return;
        }
        String drives = journal == null ? "" : String.join(" and ", journal.drives());
        status.started("Disabling the journal of " + volume + "…");
        bridge.run(HolderAction.of(HolderCommands.disableJournal(volume), pool -> {
            pool.journals().disable(volume);
            return null;
        }), ok -> status.succeeded("Journal of " + volume + " disabled; " + drives + " are SPARE again"), status::failed);
    }
}
