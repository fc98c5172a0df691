package org.splitpoint.app.restore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.Refusal;
import org.splitpoint.engine.pool.RestoreRules;

/**
 * The "Rebuild from backup + journal" dialog's model: the engine's preview (the lost drives, the
 * backup chain, the journal's entries and their bytes, the oldest entry's age, what is copied), a
 * SPARE drive to take each lost drive's place (or none: blank images in place), and the bulk
 * throttle. Rebuild is enabled by the engine's rules, so a refusal is seen before the click; they
 * follow the pool's snapshots and pairs while the dialog is open.
 */
public final class RebuildForm {

    /** The replacement choice meaning "a blank image in the lost drive's place". */
    public static final String IN_PLACE = "";

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final String volume;
    private PoolSnapshot snapshot;
    private List<PairView> pairs;
    private final Consumer<JournalAdmin.RebuildPreview> started;

    // ---- properties
    private final ReadOnlyObjectWrapper<JournalAdmin.RebuildPreview> preview = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper loading = new ReadOnlyStringWrapper("reading the backup chain and the journal…");
    private final ObservableList<String> spares = FXCollections.observableArrayList();
    private final ObservableList<ObjectProperty<String>> replacements = FXCollections.observableArrayList();
    private final LongProperty throttle = new SimpleLongProperty(0);
    private final ReadOnlyStringWrapper blocked = new ReadOnlyStringWrapper("reading the backup chain and the journal…");

    RebuildForm(PoolBridge bridge, ActionStatus status, String volume, PoolSnapshot snapshot, List<PairView> pairs,
                Consumer<JournalAdmin.RebuildPreview> started) {
        this.bridge = bridge;
        this.status = status;
        this.volume = volume;
        this.snapshot = snapshot;
        this.pairs = List.copyOf(pairs);
        this.started = started;
        spares.add(IN_PLACE);
        if (snapshot != null) {
            snapshot.drives().stream().filter(d -> d.state() == DriveState.SPARE).forEach(d -> spares.add(d.name()));
        }
        status.busyProperty().addListener(o -> updateBlocked());
    }

    public String volume() {
        return volume;
    }

    /** Takes the pairs of a new query while the dialog is open (a pair split meanwhile no longer blocks it). */
    void applyPairs(List<PairView> p) {
        pairs = List.copyOf(p);
        updateBlocked();
    }

    /** Takes a new snapshot while the dialog is open (a drive back from its service window no longer blocks it). */
    void applySnapshot(PoolSnapshot s) {
        snapshot = s;
        updateBlocked();
    }

    /** The engine's preview once read; null before (or when the engine refused: see {@link #blockedProperty()}). */
    public ReadOnlyObjectProperty<JournalAdmin.RebuildPreview> previewProperty() {
        return preview.getReadOnlyProperty();
    }

    /** "reading …" until the preview is read; then empty. */
    public ReadOnlyStringProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }

    /** What may take a lost drive's place: {@link #IN_PLACE}, then the pool's SPARE drives. */
    public ObservableList<String> spares() {
        return spares;
    }

    /** For each lost drive (in the preview's order), the SPARE drive chosen to take its place, or {@link #IN_PLACE} (input). */
    public ObservableList<ObjectProperty<String>> replacements() {
        return replacements;
    }

    /** The bulk copy's limit, bytes per second, 0 = unlimited (input). */
    public LongProperty throttleProperty() {
        return throttle;
    }

    public ReadOnlyStringProperty blockedProperty() {
        return blocked.getReadOnlyProperty();
    }

    // ---- what the preview says, for the dialog

    /** "d1, d2". */
    public String lostLine() {
        JournalAdmin.RebuildPreview p = preview.get();
        return p == null ? "" : String.join(", ", p.lostDrives());
    }

    /** The chain, full image first: "data-…-full (full)", then each incremental on it. */
    public List<String> chainLines() {
        JournalAdmin.RebuildPreview p = preview.get();
        List<String> out = new ArrayList<>();
        if (p != null) {
            for (int i = 0; i < p.chain().size(); i++) {
                out.add(p.chain().get(i) + (i == 0 ? "  (full)" : "  (incremental)"));
            }
        }
        return out;
    }

    /** "in /backups/prod". */
    public String storeLine() {
        JournalAdmin.RebuildPreview p = preview.get();
        return p == null ? "" : "in " + p.store();
    }

    /** "12 entries (1.2 MiB) · the oldest 3 min old", or that there is none. */
    public String entriesLine(long nowMillis) {
        JournalAdmin.RebuildPreview p = preview.get();
        if (p == null) {
            return "";
        }
        if (p.entries() == 0) {
            return "none: the backup chain holds every acknowledged write";
        }
        return RebuildOffer.entries(p.entries(), p.entryBytes()) + (p.oldestEntryMillis() < 0 ? ""
                : " · the oldest " + Format.duration(Duration.ofMillis(Math.max(0, nowMillis - p.oldestEntryMillis()))
                .toSeconds()) + " old");
    }

    /** "16 MiB (256 tracks), the whole volume". */
    public String copyLine() {
        JournalAdmin.RebuildPreview p = preview.get();
        return p == null ? "" : Format.size(p.bytes()) + " (" + Format.tracks(p.tracks()) + "), the whole volume";
    }

    // ---- commands

    /** The engine's preview of a rebuild of {@code volume}: asked of the holder when attached to one. */
    static org.splitpoint.app.bridge.HolderAction<JournalAdmin.RebuildPreview> preview(String volume) {
        return org.splitpoint.app.bridge.HolderAction.of(org.splitpoint.app.bridge.HolderCommands.previewRebuild(volume),
                org.splitpoint.app.bridge.HolderCommands::rebuildPreview, pool -> pool.journals().previewRebuild(volume));
    }

    /** Reads the engine's preview in the background. */
    public void load() {
        bridge.run(preview(volume), p -> {
            replacements.clear();
            for (int i = 0; i < p.lostDrives().size(); i++) {
                ObjectProperty<String> r = new SimpleObjectProperty<>(IN_PLACE);
                r.addListener(o -> updateBlocked());
                replacements.add(r);
            }
            preview.set(p);
            loading.set("");
            updateBlocked();
        }, why -> {
            loading.set("");
            blocked.set(why);
        });
    }

    private void updateBlocked() {
        if (preview.get() != null) {
            blocked.set(whyNot());
        }
    }

    /** Why the rebuild cannot start as chosen (the engine's rules and words); empty when it can. */
    String whyNot() {
        JournalAdmin.RebuildPreview p = preview.get();
        // the engine's rule for a restore from a backup, which a rebuild is (JournalAdmin.rebuildFromBackup checks it)
        Refusal now = snapshot == null ? null : RestoreRules.fromBackup(snapshot, pairs, volume);
        if (now != null) {
            return now.sentence();
        }
        List<String> chosen = chosen();
        long named = chosen.stream().filter(c -> !c.equals(IN_PLACE)).count();
        if (named > 0 && named < chosen.size()) {
            return "choose a SPARE drive for every lost drive, or for none (blank images in their places)";
        }
        for (int i = 0; i < chosen.size(); i++) {
            String s = chosen.get(i);
            if (s.equals(IN_PLACE)) {
                continue;
            }
            if (chosen.indexOf(s) != i) {
                return "drive " + s + " is chosen twice";
            }
            PoolSnapshot.DriveView spare = snapshot == null ? null : snapshot.drive(s);
            PoolSnapshot.DriveView lost = snapshot == null ? null : snapshot.drive(p.lostDrives().get(i));
            if (spare != null && lost != null && spare.size() < lost.size()) {
                return "drive " + s + " (" + Format.size(spare.size()) + ") is smaller than " + lost.name() + " ("
                        + Format.size(lost.size()) + ") whose place it would take";
            }
        }
        return status.isBusy() ? "another action is still running; wait for it to finish" : "";
    }

    private List<String> chosen() {
        return replacements.stream().map(r -> r.get() == null ? IN_PLACE : r.get()).toList();
    }

    /** Starts the rebuild as chosen (the dialog confirmed it). */
    public void rebuild() {
        JournalAdmin.RebuildPreview p = preview.get();
        if (p == null || !blocked.get().isEmpty()) {
            return;
        }
        List<String> chosen = chosen();
        List<String> into = chosen.contains(IN_PLACE) ? List.of() : chosen;
        long limit = throttle.get();
        status.started("Rebuilding " + volume + " from backup + journal…");
        // no Expectations.replaced: the volume comes back as hosts last wrote it, so the workloads'
        // expectations stay, and their reads check the rebuild
        bridge.run(org.splitpoint.app.bridge.HolderAction.ofState(
                org.splitpoint.app.bridge.HolderCommands.rebuildFromBackup(volume, into, limit),
                (out, state) -> org.splitpoint.app.bridge.HolderCommands.startedJob("instant-restore", volume, out, state),
                pool -> pool.journals().rebuildFromBackup(volume, into, limit).progress()), j -> {
            status.succeeded("Rebuild of " + volume + " from image " + p.chain().get(p.chain().size() - 1) + " and "
                    + RebuildOffer.entries(p.entries(), p.entryBytes()) + " of journal started: the volume is usable now; "
                    + Format.tracks(j.totalTracks() - j.doneTracks()) + " to copy in the background"
                    + (into.isEmpty() ? "" : "; " + String.join(", ", into) + " take the places of "
                    + String.join(", ", p.lostDrives())));
            started.accept(p);
        }, status::failed);
    }
}
