package org.splitpoint.app.restore;

import java.util.List;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.VolumeState;

/**
 * The rebuild from backup + journal of one volume: while it is FAILED beyond its redundancy and has
 * a journal, the engine's preview of the rebuild (looked at again whenever the failure or the
 * journal changes), or its sentence saying why the journal cannot rebuild it (then the banner
 * offers a plain restore); the dialog's model ({@link RebuildForm}); and whether the restore under
 * way, or last seen, is such a rebuild, so its view is labelled as one.
 */
public final class RebuildOffer {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final String volume;
    private final Runnable started;
    private PoolSnapshot snapshot;
    private List<PairView> pairs = List.of();
    /** The form of the dialog opened last: it follows the pairs while open. */
    private RebuildForm form;
    private JournalAdmin.Status journal;
    private String lookedAt;
    private long lineEntries = -1;

    // ---- properties
    private final ReadOnlyObjectWrapper<JournalAdmin.RebuildPreview> preview = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper refused = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper banner = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper rebuilding = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper journalLine = new ReadOnlyStringWrapper("");

    RebuildOffer(PoolBridge bridge, ActionStatus status, String volume, Runnable started) {
        this.bridge = bridge;
        this.status = status;
        this.volume = volume;
        this.started = started;
    }

    /** The engine's preview while the volume can be rebuilt from backup + journal; else null. */
    public ReadOnlyObjectProperty<JournalAdmin.RebuildPreview> previewProperty() {
        return preview.getReadOnlyProperty();
    }

    /** Why the journal cannot rebuild the FAILED volume (the engine's sentence); empty otherwise. */
    public ReadOnlyStringProperty refusedProperty() {
        return refused.getReadOnlyProperty();
    }

    /** The banner's text while a rebuild is offered; empty otherwise. */
    public ReadOnlyStringProperty bannerProperty() {
        return banner.getReadOnlyProperty();
    }

    /** True when the restore under way (or the last one seen) rebuilds from backup + journal. */
    public ReadOnlyBooleanProperty rebuildingProperty() {
        return rebuilding.getReadOnlyProperty();
    }

    /** "plus 12 entries, 1.2 MiB of the journal on top, to its last acknowledged write" for a rebuild; else empty. */
    public ReadOnlyStringProperty journalLineProperty() {
        return journalLine.getReadOnlyProperty();
    }

    // ---- updates

    /** Takes a snapshot (UI thread); {@code restoring}: a restore of the volume is under way. */
    void apply(PoolSnapshot s, boolean restoring) {
        snapshot = s;
        if (form != null) {
            form.applySnapshot(s); // an open dialog follows the pool (a service window closed meanwhile)
        }
        update(restoring);
    }

    void apply(List<PairView> p) {
        pairs = List.copyOf(p);
        if (form != null) {
            form.applyPairs(pairs);
        }
    }

    /** Takes the volume's journal status (null: it has none). */
    void apply(JournalAdmin.Status j, boolean restoring) {
        journal = j;
        update(restoring);
    }

    /**
     * A restore of the volume began that is (or is not) a rebuild from backup + journal, with
     * {@code entries} of the journal on top ({@code bytes} of them, or -1 when the event that said so
     * did not tell: then a line already saying as much, with the bytes, stays).
     */
    void markRebuilding(boolean on, long entries, long bytes) {
        if (on && bytes < 0 && rebuilding.get() && entries == lineEntries) {
            return;
        }
        lineEntries = on ? entries : -1;
        rebuilding.set(on);
        journalLine.set(!on ? "" : "plus " + (bytes < 0 ? Format.count(entries) + (entries == 1 ? " entry" : " entries")
                : entries((int) entries, bytes)) + " of the journal on top, to its last acknowledged write");
    }

    private void update(boolean restoring) {
        PoolSnapshot.VolumeView v = snapshot == null ? null : snapshot.volume(volume);
        JournalAdmin.Status j = journal;
        if (v == null || v.state() != VolumeState.FAILED || restoring || j == null) {
            lookedAt = null;
            preview.set(null);
            refused.set("");
            banner.set("");
            return;
        }
        // what the preview depends on: the failure, and the journal's base, entries and legs
        String key = v.stateReason() + "|" + j.base() + "|" + j.entries() + "|" + j.bytes() + "|" + j.legsHealthy()
                + "|" + j.unprotected();
        if (key.equals(lookedAt)) {
            return;
        }
        lookedAt = key;
        bridge.run(RebuildForm.preview(volume), p -> {
            if (key.equals(lookedAt)) {
                preview.set(p);
                refused.set("");
                banner.set(bannerText(p));
            }
        }, why -> {
            if (key.equals(lookedAt)) {
                preview.set(null);
                refused.set(why);
                banner.set("");
            }
        });
    }

    private String bannerText(JournalAdmin.RebuildPreview p) {
        return "Volume " + volume + " is FAILED (" + p.reason() + "), beyond its redundancy: its data is unavailable."
                + " Its journal holds the writes since image " + p.chain().get(p.chain().size() - 1) + ", "
                + entries(p.entries(), p.entryBytes()) + ": rebuilt from backup + journal, " + volume
                + " comes back as of its last acknowledged write.";
    }

    /** "12 entries (1.2 MiB)". */
    static String entries(int n, long bytes) {
        return Format.count(n) + (n == 1 ? " entry" : " entries") + " (" + Format.size(bytes) + ")";
    }

    // ---- commands

    /** The rebuild dialog's model; it reads a fresh preview in the background. */
    public RebuildForm form() {
        RebuildForm f = new RebuildForm(bridge, status, volume, snapshot, pairs, p -> {
            markRebuilding(true, p.entries(), p.entryBytes());
            started.run();
        });
        f.load();
        form = f;
        return f;
    }
}
