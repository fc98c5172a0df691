package org.splitpoint.app.restore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.app.backup.KnownStores;
import org.splitpoint.app.backup.StoreListing;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.Refusal;
import org.splitpoint.engine.pool.RestoreRules;
import org.splitpoint.engine.pool.VolumeData;
import org.splitpoint.engine.pool.VolumeState;

/**
 * The "Restore from backup" dialog's model for one volume: the images of the known stores (this
 * volume's newest first, preselected), write-through, the bulk throttle, and — when the volume is
 * not FAILED — its name typed to confirm that its data is replaced. Restore is enabled by the rules
 * the engine applies, so a refusal is seen before the click; they follow the pool's snapshots and
 * pairs while the dialog is open (a drive back from its service window, a pair split meanwhile).
 */
public final class RestoreForm {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final Expectations expectations;
    private final KnownStores stores;
    private final String volume;
    private final ObjectProperty<PoolSnapshot> snapshot = new SimpleObjectProperty<>();
    private final ObjectProperty<List<PairView>> pairs = new SimpleObjectProperty<>(List.of());
    private final Runnable started;

    // ---- properties
    private final ObservableList<ImageChoice> choices = FXCollections.observableArrayList();
    private final ObjectProperty<ImageChoice> image = new SimpleObjectProperty<>();
    private final BooleanProperty writeThrough = new SimpleBooleanProperty(false);
    private final LongProperty throttle = new SimpleLongProperty(0);
    private final StringProperty typed = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper loading = new ReadOnlyStringWrapper("reading the known stores…");
    private final ReadOnlyStringWrapper blocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper refused = new ReadOnlyStringWrapper();

    RestoreForm(PoolBridge bridge, ActionStatus status, Expectations expectations, KnownStores stores, String volume,
                PoolSnapshot snapshot, List<PairView> pairs, Runnable started) {
        this.bridge = bridge;
        this.status = status;
        this.expectations = expectations;
        this.stores = stores;
        this.volume = volume;
        this.snapshot.set(snapshot);
        this.pairs.set(List.copyOf(pairs));
        this.started = started;
        blocked.bind(Bindings.createStringBinding(() -> whyNot(volume, this.snapshot.get(), this.pairs.get(), image.get(),
                typed.get(), status.isBusy()), image, typed, status.busyProperty(), this.pairs, this.snapshot));
        refused.bind(Bindings.createStringBinding(() -> refusal(volume, this.snapshot.get(), this.pairs.get()),
                this.pairs, this.snapshot));
    }

    public String volume() {
        return volume;
    }

    /** Takes the pairs of a new query while the dialog is open (a pair split meanwhile no longer blocks it). */
    void applyPairs(List<PairView> p) {
        pairs.set(List.copyOf(p));
    }

    /** Takes a new snapshot while the dialog is open (a drive back from its service window no longer blocks it). */
    void applySnapshot(PoolSnapshot s) {
        snapshot.set(s);
    }

    /** Images to choose from: this volume's (newest first), then other volumes' of the same size. */
    public ObservableList<ImageChoice> choices() {
        return choices;
    }

    /** The image to restore (input; the newest of the volume once loaded, or the one asked for). */
    public ObjectProperty<ImageChoice> imageProperty() {
        return image;
    }

    /** Also write what hosts write meanwhile into a new incremental image (input). */
    public BooleanProperty writeThroughProperty() {
        return writeThrough;
    }

    /** The bulk copy's limit, bytes per second, 0 = unlimited (input). */
    public LongProperty throttleProperty() {
        return throttle;
    }

    /** What the administrator typed to confirm (input; needed unless the volume is FAILED). */
    public StringProperty typedProperty() {
        return typed;
    }

    /** True when the volume's name must be typed (it is not FAILED: its data is replaced). */
    public boolean needsTypedName() {
        PoolSnapshot s = snapshot.get();
        PoolSnapshot.VolumeView v = s == null ? null : s.volume(volume);
        return v == null || v.state() != VolumeState.FAILED;
    }

    /**
     * {@link #needsTypedName}, following the pool while the dialog is open: a volume that leaves
     * FAILED meanwhile (a drive brought back) holds readable data again, and its name is asked.
     */
    public javafx.beans.binding.BooleanBinding needsTypedNameBinding() {
        return Bindings.createBooleanBinding(this::needsTypedName, snapshot);
    }

    /** "reading the known stores…", what was found, or why nothing can be offered. */
    public ReadOnlyStringProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty blockedProperty() {
        return blocked.getReadOnlyProperty();
    }

    /**
     * Why the engine refuses a restore of the volume now, whatever is chosen or typed (a pair mirroring
     * it, a service window, a backup of it running: {@code RestoreRules.fromBackup}), following the pool
     * while the dialog is open; empty when it would restore.
     */
    public ReadOnlyStringProperty refusedProperty() {
        return refused.getReadOnlyProperty();
    }

    /** The NBD clients using a volume now (their addresses), named in what the restore does. */
    private java.util.function.Function<String, List<String>> clientsOf = org.splitpoint.app.common.ServedClients.NONE;

    /** {@code clients} gives the addresses of the NBD clients using a volume now (the app's server). */
    public void servedClients(java.util.function.Function<String, List<String>> clients) {
        clientsOf = clients;
    }

    /** What the restore does, for the dialog. */
    public List<String> sentences() {
        PoolSnapshot snapshot = this.snapshot.get();
        PoolSnapshot.VolumeView v = snapshot == null ? null : snapshot.volume(volume);
        List<String> s = new ArrayList<>();
        if (v != null && v.state() == VolumeState.FAILED) {
            s.add("Volume " + volume + " is FAILED (" + v.stateReason() + "): its lost drives get blank images, then it"
                    + " is restored from the image chosen.");
        } else if (v != null) {
            s.add("Restoring " + volume + " replaces all its data (" + Format.size(v.size()) + ") with the image's; what"
                    + " it holds now is lost.");
        }
        s.add("Hosts can use " + volume + " at once: reads of tracks not yet restored are fetched from the backup, and a"
                + " bulk copy fills the rest in the background, never over a track written or fetched meanwhile.");
        String risk = snapshot == null ? null : snapshot.overwriteRisksSnapshots(volume);
        if (risk != null) {
            s.add(Character.toUpperCase(risk.charAt(0)) + risk.substring(1) + ".");
        }
        org.splitpoint.app.common.ServedClients.add(s, volume, clientsOf.apply(volume));
        return s;
    }

    /** The volume's own refusal, before any choice: none such, or the engine's rule as the CLI's restore checks it. */
    static String refusal(String volume, PoolSnapshot s, List<PairView> pairs) {
        if (s == null || s.volume(volume) == null) {
            return "this pool has no volume named " + volume;
        }
        Refusal now = RestoreRules.fromBackup(s, pairs, volume);
        return now == null ? "" : now.sentence();
    }

    /** Why the restore cannot start now; empty when it can (the engine's rules and sentences). */
    static String whyNot(String volume, PoolSnapshot s, List<PairView> pairs, ImageChoice c, String typed, boolean busy) {
        String refusal = refusal(volume, s, pairs);
        if (!refusal.isEmpty()) {
            return refusal;
        }
        PoolSnapshot.VolumeView v = s.volume(volume);
        if (c == null) {
            return "choose the image to restore";
        }
        Refusal fits = RestoreRules.imageFits("image " + c.image().id(), c.image().size(), c.image().trackSize(), s, volume);
        if (fits != null) {
            return fits.sentence();
        }
        if (v.state() != VolumeState.FAILED && (typed == null || !typed.trim().equals(volume))) {
            return "type " + volume + " to confirm: restoring replaces all its data";
        }
        return busy ? "another action is still running; wait for it to finish" : "";
    }

    // ---- commands

    private record Loaded(List<ImageChoice> choices, List<String> problems) { }

    /** Reads the known stores in the background; then preselects {@code want}, or the volume's newest image. */
    public void load(ImageChoice want) {
        List<Path> dirs = List.copyOf(stores.list());
        PoolSnapshot snapshot = this.snapshot.get();
        long size = snapshot == null || snapshot.volume(volume) == null ? -1 : snapshot.volume(volume).size();
        bridge.run(StoreListing.reading(read -> {
            List<ImageChoice> mine = new ArrayList<>();
            List<ImageChoice> others = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            for (Path d : dirs) {
                StoreListing l = read.apply(d);
                if (l.problem() != null) {
                    problems.add(l.problem());
                }
                for (var i : l.images()) {
                    if (i.volume().equals(volume)) {
                        mine.add(new ImageChoice(d, i));
                    } else if (i.size() == size) {
                        others.add(new ImageChoice(d, i));
                    }
                }
            }
            Comparator<ImageChoice> newest = Comparator.comparing((ImageChoice c) -> c.image().createdAt()).reversed();
            mine.sort(newest);
            others.sort(newest);
            mine.addAll(others);
            return new Loaded(mine, problems);
        }), r -> {
            List<ImageChoice> all = r.choices();
            List<String> problems = r.problems();
            choices.setAll(all);
            ImageChoice pick = all.stream().filter(c -> want != null && c.store().equals(want.store())
                    && c.image().id().equals(want.image().id())).findFirst()
                    .orElse(all.stream().filter(c -> c.image().volume().equals(volume)).findFirst().orElse(null));
            image.set(pick);
            long ofVolume = all.stream().filter(c -> c.image().volume().equals(volume)).count();
            loading.set((dirs.isEmpty() ? "No backup store is known yet: add the one that holds " + volume + "'s images."
                    : ofVolume == 0 ? "No image of " + volume + " in the known stores (" + dirs.size() + "); add the store"
                    + " that holds one." : ofVolume + (ofVolume == 1 ? " image" : " images") + " of " + volume + " in "
                    + dirs.size() + (dirs.size() == 1 ? " store" : " stores") + (pick != null && pick.image().volume()
                    .equals(volume) && all.indexOf(pick) == 0 ? "; the newest is chosen." : "."))
                    + (problems.isEmpty() ? "" : " " + String.join("; ", problems)));
        }, loading::set);
    }

    /** Adds another store (a directory) to the known ones and reads them again. */
    public void addStore(Path dir) {
        bridge.run(StoreListing.reading(read -> read.apply(KnownStores.normal(dir))), l -> {
            if (l.problem() != null) {
                loading.set(l.problem());
                return;
            }
            stores.add(l.dir());
            load(image.get());
        }, loading::set);
    }

    /**
     * What the administrator agreed to: the volume's name typed agrees to replace what it holds; no
     * name (the dialog asked none, the volume being FAILED) agrees to restore it only while it is
     * FAILED, which the engine checks when the restore starts (a volume that left FAILED after the
     * look is refused, not replaced).
     */
    static VolumeData consent(String volume, String typed) {
        return typed != null && typed.trim().equals(volume) ? VolumeData.MAY_BE_REPLACED : VolumeData.ONLY_IF_FAILED;
    }

    /** Starts the restore as chosen (the dialog confirmed it). */
    public void restore() {
        if (!blocked.get().isEmpty()) {
            return;
        }
        ImageChoice c = image.get();
        boolean wt = writeThrough.get();
        long limit = throttle.get();
        VolumeData consent = consent(volume, typed.get());
        status.started("Restoring " + volume + " from image " + c.image().id() + "…");
        bridge.run(org.splitpoint.app.bridge.HolderAction.ofState(org.splitpoint.app.bridge.HolderCommands.restoreFromBackup(
                volume, c.store(), c.image().id(), wt, limit, consent), (out, state) -> org.splitpoint.app.bridge.HolderCommands
                .startedJob("instant-restore", volume, out, state), pool -> expectations.replaced(volume,
                () -> pool.instantRestores().restore(volume, c.store(), c.image().id(), wt, limit, consent).progress())), p -> {
                    status.succeededWhileRunning("Restore of " + volume + " from image " + c.image().id() + " started: the"
                            + " volume is usable now; " + Format.tracks(p.totalTracks() - p.doneTracks()) + " to copy in the"
                            + " background" + (wt ? "; writes go to a new image too" : ""), "instant-restore", volume, p.id());
                    started.run();
                }, status::failed);
    }
}
