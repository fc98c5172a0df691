package org.splitpoint.app.volumes;

import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.app.common.Rows;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.PoolSnapshot.VolumeView;

/** The pool's volumes with their states and the reason for each state. Read-only for now. */
public final class VolumesViewModel {

    private final ObservableList<VolumeRow> rows = FXCollections.observableArrayList();
    private final ObservableList<VolumeRow> rowsView = FXCollections.unmodifiableObservableList(rows);

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
