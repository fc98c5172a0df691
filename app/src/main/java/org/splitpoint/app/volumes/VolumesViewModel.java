package org.splitpoint.app.volumes;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.app.common.Rows;
import org.splitpoint.app.journal.Gauge;
import org.splitpoint.app.snapshot.SaveAreaFacts;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.PoolSnapshot.VolumeView;

/**
 * The pool's volumes with their states and the reason for each state, their snapshots, the
 * snapshots' save area as a gauge, and each volume's I/O rate history (kept for every volume, so a volume's chart has its last minute when it is opened).
 */
public final class VolumesViewModel {

    private final ObservableList<VolumeRow> rows = FXCollections.observableArrayList();
    private final ObservableList<VolumeRow> rowsView = FXCollections.unmodifiableObservableList(rows);
    private final Map<String, RateHistory> rates = new HashMap<>();
    private final LongSupplier clock;
    private final ReadOnlyObjectWrapper<Gauge> saveArea = new ReadOnlyObjectWrapper<>(Gauge.NONE);
    private final ReadOnlyStringWrapper saveAreaName = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper saveAreaHint = new ReadOnlyStringWrapper("");

    public VolumesViewModel() {
        this(System::nanoTime);
    }

    /** {@code clock} gives System.nanoTime-like readings (tests pass their own). */
    public VolumesViewModel(LongSupplier clock) {
        this.clock = clock;
    }

    /** The rate history of volume {@code name} (UI thread). */
    public RateHistory rates(String name) {
        return rates.computeIfAbsent(name, n -> new RateHistory());
    }

    public ObservableList<VolumeRow> rows() {
        return rowsView;
    }

    /** The row of volume {@code name}, or null. */
    public VolumeRow row(String name) {
        return rows.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }

    /** The snapshots' save area: its use against its size (80% and 95% marked); no bar without one. */
    public ReadOnlyObjectProperty<Gauge> saveAreaProperty() {
        return saveArea.getReadOnlyProperty();
    }

    /** "Save area save", or empty when the pool has none. */
    public ReadOnlyStringProperty saveAreaNameProperty() {
        return saveAreaName.getReadOnlyProperty();
    }

    /** What the save area's gauge and marks mean. */
    public ReadOnlyStringProperty saveAreaHintProperty() {
        return saveAreaHint.getReadOnlyProperty();
    }

    /** Takes a new snapshot (UI thread). */
    public void apply(PoolSnapshot s) {
        java.util.function.BiConsumer<VolumeRow, VolumeView> update =
                (row, v) -> row.update(v, rebuildNote(s, v), VolumeLook.of(v, s), VolumeLook.restore(v, s));
        Rows.reconcile(rows, s.volumes(), VolumeRow::name, VolumeView::name, v -> {
            VolumeRow row = new VolumeRow(v);
            update.accept(row, v); // a new row shows its rebuild or restore from the first snapshot on
            return row;
        }, update);
        for (VolumeRow r : rows) {
            r.snapshots(snapshotsNote(s, r.name()));
        }
        saveArea.set(SaveAreaFacts.gauge(s.saveArea()));
        saveAreaName.set(s.saveArea() == null ? "" : "Save area " + s.saveArea().volume());
        saveAreaHint.set(SaveAreaFacts.marksHint(s.saveArea()));
        long now = clock.getAsLong();
        for (VolumeView v : s.volumes()) {
            rates(v.name()).record(now, v.bytesRead(), v.bytesWritten());
        }
    }

    /** "3", "3 (1 invalid)", "save area", or "". */
    static String snapshotsNote(PoolSnapshot s, String volume) {
        if (s.saveArea() != null && s.saveArea().volume().equals(volume)) {
            return "save area";
        }
        var mine = s.snapshotsOf(volume);
        long invalid = mine.stream().filter(i -> !org.splitpoint.engine.pool.SnapshotAdmin.VALID.equals(i.state())).count();
        return mine.isEmpty() ? "" : mine.size() + (invalid == 0 ? "" : " (" + invalid + " invalid)");
    }

    /** " (rebuild 42%)" while a member of {@code v} rebuilds, else "". */
    static String rebuildNote(PoolSnapshot s, VolumeView v) {
        StringBuilder b = new StringBuilder();
        for (String d : v.drives()) {
            PoolSnapshot.DriveView dv = s.drive(d);
            if (dv != null && dv.state() == DriveState.REBUILDING && dv.rebuildPercent() >= 0) {
                b.append(b.length() == 0 ? " (rebuild " : ", ").append(String.format("%.0f%%", dv.rebuildPercent()));
            }
        }
        return b.length() == 0 ? "" : b.append(')').toString();
    }
}
