package org.splitpoint.app.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.app.backup.KnownStores;
import org.splitpoint.app.backup.StoreListing;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.HolderCommands;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * The "Enable journal" dialog's model for one volume: two of the pool's SPARE drives (the first
 * two are chosen to start with), the store it ships into (typed, a known store, or browsed to; it
 * must exist, and is looked at in the background), the max size (empty = half a journal drive, the
 * engine's default, shown) and an optional max age. Each field says what is wrong with it as it is
 * typed; Enable stays disabled until none does, and when the engine still refuses, its sentence is
 * shown and the dialog stays open.
 */
public final class EnableJournalForm {

    /** A SPARE drive that can hold a leg of the journal. */
    public record Spare(String drive, long size) {
        public String describe() {
            return drive + " · " + Format.size(size);
        }
    }

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final KnownStores stores;
    private final String volume;
    private final Map<String, JournalAdmin.Status> journals;
    private long storeCheck;

    // ---- properties
    private final ObservableList<Spare> spares = FXCollections.observableArrayList();
    private final ObservableList<String> chosen = FXCollections.observableArrayList();
    private final StringProperty store = new SimpleStringProperty("");
    private final StringProperty maxSize = new SimpleStringProperty("");
    private final StringProperty maxAge = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper drivesProblem = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper storeProblem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper storeNote = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper sizeProblem = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper sizeNote = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper ageProblem = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper ageNote = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper blocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper refused = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper working = new ReadOnlyBooleanWrapper();

    EnableJournalForm(PoolBridge bridge, ActionStatus status, KnownStores stores, String volume, PoolSnapshot snapshot,
                      Map<String, JournalAdmin.Status> journals) {
        this.bridge = bridge;
        this.status = status;
        this.stores = stores;
        this.volume = volume;
        this.journals = Map.copyOf(journals);
        if (snapshot != null) {
            for (PoolSnapshot.DriveView d : snapshot.drives()) {
                if (d.state() == DriveState.SPARE) { // a member of a volume is never SPARE
                    spares.add(new Spare(d.name(), d.size()));
                }
            }
        }
        spares.stream().limit(2).forEach(s -> chosen.add(s.drive()));
        drivesProblem.bind(Bindings.createStringBinding(this::drivesWhyNot, chosen));
        sizeProblem.bind(Bindings.createStringBinding(() -> Limits.size(maxSize.get(), capacity()).problem(), maxSize, chosen));
        sizeNote.bind(Bindings.createStringBinding(this::describeSize, maxSize, chosen));
        ageNote.bind(Bindings.createStringBinding(() -> maxAge.get().isBlank() ? "empty: no age limit"
                : Limits.age(maxAge.get()).problem().isEmpty() ? Format.duration(Limits.age(maxAge.get()).value()) : "",
                maxAge));
        ageProblem.bind(Bindings.createStringBinding(() -> Limits.age(maxAge.get()).problem(), maxAge));
        blocked.bind(Bindings.createStringBinding(this::whyNot, drivesProblem, storeProblem, sizeProblem, ageProblem,
                working, status.busyProperty()));
        store.addListener((o, was, now) -> checkStore(now));
        chosen.addListener((javafx.collections.ListChangeListener<String>) c -> refused.set(""));
        maxSize.addListener(o -> refused.set(""));
        maxAge.addListener(o -> refused.set(""));
        checkStore(store.get());
        if (!stores.list().isEmpty()) {
            store.set(stores.list().get(0).toString());
        }
    }

    public String volume() {
        return volume;
    }

    /** The pool's SPARE drives, to choose two from. */
    public ObservableList<Spare> spares() {
        return spares;
    }

    /** The drives chosen (the journal's legs), in the order chosen; read-only, change it with {@link #choose}. */
    public ObservableList<String> chosen() {
        return FXCollections.unmodifiableObservableList(chosen);
    }

    /** Ticks or unticks drive {@code drive}. */
    public void choose(String drive, boolean on) {
        if (on && !chosen.contains(drive)) {
            chosen.add(drive);
        } else if (!on) {
            chosen.remove(drive);
        }
    }

    /** The stores known from the Backups view, to pick from. */
    public ObservableList<Path> knownStores() {
        return stores.list();
    }

    /** The store directory (input; the first known store to start with). */
    public StringProperty storeProperty() {
        return store;
    }

    /** The max size as typed ("512M"; empty = half a journal drive). */
    public StringProperty maxSizeProperty() {
        return maxSize;
    }

    /** The max age as typed ("15m"; empty = none). */
    public StringProperty maxAgeProperty() {
        return maxAge;
    }

    public ReadOnlyStringProperty drivesProblemProperty() {
        return drivesProblem.getReadOnlyProperty();
    }

    /** Why the store cannot be the journal's ("checking …" while it is looked at); empty when it can. */
    public ReadOnlyStringProperty storeProblemProperty() {
        return storeProblem.getReadOnlyProperty();
    }

    /** What the store holds and what the base backup will be, once looked at. */
    public ReadOnlyStringProperty storeNoteProperty() {
        return storeNote.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty sizeProblemProperty() {
        return sizeProblem.getReadOnlyProperty();
    }

    /** "empty: half a journal drive, 32 MiB · at most 57.6 MiB", or what was typed read back: "512 MiB · at most …". */
    public ReadOnlyStringProperty sizeNoteProperty() {
        return sizeNote.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty ageProblemProperty() {
        return ageProblem.getReadOnlyProperty();
    }

    /** "empty: no age limit", or what was typed read back: "15 min". */
    public ReadOnlyStringProperty ageNoteProperty() {
        return ageNote.getReadOnlyProperty();
    }

    /** The first problem of the form; empty when Enable may be clicked. */
    public ReadOnlyStringProperty blockedProperty() {
        return blocked.getReadOnlyProperty();
    }

    /** The engine's sentence when it refused the last Enable; cleared by any change. */
    public ReadOnlyStringProperty refusedProperty() {
        return refused.getReadOnlyProperty();
    }

    /** True while the engine is enabling the journal. */
    public ReadOnlyBooleanProperty workingProperty() {
        return working.getReadOnlyProperty();
    }

    /** The smaller chosen drive's size (the journal's room), or the smallest spare's while fewer than two are chosen. */
    long capacity() {
        List<Spare> of = new ArrayList<>();
        for (Spare s : spares) {
            if (chosen.size() != 2 || chosen.contains(s.drive())) {
                of.add(s);
            }
        }
        return of.stream().mapToLong(Spare::size).min().orElse(-1);
    }

    private String describeSize() {
        long c = capacity();
        if (c <= 0) {
            return "";
        }
        Limits.Parsed typed = Limits.size(maxSize.get(), c);
        String most = " · at most " + Format.size(Limits.largestSize(c));
        return typed.value() == 0 ? "empty: half a journal drive, " + Format.size(Limits.defaultSize(c)) + most
                : typed.value() > 0 ? Format.size(typed.value()) + most : most.substring(3);
    }

    private String drivesWhyNot() {
        if (spares.size() < 2) {
            return "a journal needs two SPARE drives outside " + volume + "; the pool has " + spares.size()
                    + ": add them in the drive bay (Add spare)";
        }
        return chosen.size() == 2 ? "" : "choose two drives for the journal's mirrored legs (" + chosen.size()
                + " chosen)";
    }

    private String whyNot() {
        for (String p : new String[] {drivesProblem.get(), storeProblem.get(), sizeProblem.get(), ageProblem.get()}) {
            if (p != null && !p.isEmpty()) {
                return p;
            }
        }
        if (working.get()) {
            return "enabling the journal…";
        }
        return status.isBusy() ? "another action is still running; wait for it to finish" : "";
    }

    // ---- the store, looked at in the background (the latest typed wins)

    private void checkStore(String text) {
        refused.set("");
        long mine = ++storeCheck;
        storeNote.set("");
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            storeProblem.set("choose the backup store the journal ships into");
            return;
        }
        Path dir = Path.of(t);
        if (!dir.isAbsolute()) {
            storeProblem.set("give the store's full path (from /)");
            return;
        }
        storeProblem.set("looking at " + dir + "…");
        Path n = KnownStores.normal(dir);
        Path poolDir = bridge.poolDir();
        bridge.run(StoreListing.reading(read -> StoreCheck.of(poolDir, read, n, volume, journals)), c -> {
            if (mine == storeCheck) {
                storeProblem.set(c.problem());
                storeNote.set(c.note());
            }
        }, why -> {
            if (mine == storeCheck) {
                storeProblem.set(why);
            }
        });
    }

    // ---- commands

    /**
     * Enables the journal as chosen; {@code done} runs (UI thread) once the engine took it, else the
     * engine's sentence is in {@link #refusedProperty()}.
     */
    public void enable(Runnable done) {
        if (!blocked.get().isEmpty()) {
            return;
        }
        List<String> drives = List.copyOf(chosen);
        Path dir = KnownStores.normal(Path.of(store.get().trim()));
        long size = Limits.size(maxSize.get(), capacity()).value();
        long age = Limits.age(maxAge.get()).value();
        working.set(true);
        refused.set("");
        bridge.run(HolderAction.of(HolderCommands.enableJournal(volume, drives, dir, size, age),
                out -> HolderCommands.started("backup", volume, out),
                pool -> pool.journals().enable(volume, drives, dir, size, age).progress()), p -> {
            working.set(false);
            stores.add(dir); // the Backups view lists the journal's images
            // present tense: the line goes when the base backup ends (it stayed, "is running", after it had)
            status.succeededWhileRunning("Journal of " + volume + " enabled on " + String.join(" and ", drives)
                    + "; its base backup into " + dir + " is running (" + Format.tracks(p.totalTracks()) + ")", "backup",
                    volume, p.id());
            done.run();
        }, why -> {
            working.set(false);
            refused.set(why);
        });
    }

    /** True when {@code dir} exists as a directory (the Browse… button starts there). */
    static boolean isDirectory(String text) {
        try {
            return text != null && !text.isBlank() && Files.isDirectory(Path.of(text.trim()));
        } catch (RuntimeException e) {
            return false;
        }
    }
}
