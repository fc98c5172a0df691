package org.splitpoint.app.volumes;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.app.common.Rows;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.PoolSnapshot.VolumeView;

/**
 * The pool's volumes with their states and the reason for each state, and each volume's I/O rate
 * history (kept for every volume, so a volume's chart has its last minute when it is opened).
 */
public final class VolumesViewModel {

    private final ObservableList<VolumeRow> rows = FXCollections.observableArrayList();
    private final ObservableList<VolumeRow> rowsView = FXCollections.unmodifiableObservableList(rows);
    private final Map<String, RateHistory> rates = new HashMap<>();
    private final LongSupplier clock;

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

    /** Takes a new snapshot (UI thread). */
    public void apply(PoolSnapshot s) {
        Rows.reconcile(rows, s.volumes(), VolumeRow::name, VolumeView::name, VolumeRow::new,
                (row, v) -> row.update(v, rebuildNote(s, v)));
        long now = clock.getAsLong();
        for (VolumeView v : s.volumes()) {
            rates(v.name()).record(now, v.bytesRead(), v.bytesWritten());
        }
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
