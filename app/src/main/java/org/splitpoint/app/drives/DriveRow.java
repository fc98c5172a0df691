package org.splitpoint.app.drives;

import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.PoolSnapshot.DriveView;
import org.splitpoint.engine.pool.Sizes;

/** One drive as a table row; updated in place on each snapshot so selection and cells survive refreshes. */
public final class DriveRow {

    private final String name;
    private final ReadOnlyObjectWrapper<DriveState> state = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper volume = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper size = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper note = new ReadOnlyStringWrapper();
    private final ReadOnlyDoubleWrapper rebuild = new ReadOnlyDoubleWrapper(-1);

    DriveRow(DriveView v) {
        this.name = v.name();
        update(v);
    }

    void update(DriveView v) {
        state.set(v.state());
        // a journal drive is in no volume, but is not free either: say whose journal it holds
        volume.set(v.volume() != null ? v.volume() : v.journal() != null ? "journal of " + v.journal() : "");
        size.set(Sizes.format(v.size()));
        note.set(v.reason() == null ? "" : "offline: " + v.reason().word());
        rebuild.set(v.rebuildPercent() < 0 ? -1 : v.rebuildPercent() / 100.0);
    }

    public String name() {
        return name;
    }

    public DriveState getState() {
        return state.get();
    }

    public ReadOnlyObjectProperty<DriveState> stateProperty() {
        return state.getReadOnlyProperty();
    }

    /** The volume the drive is a member of, "journal of prod" for a journal drive, or empty. */
    public ReadOnlyStringProperty volumeProperty() {
        return volume.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty sizeProperty() {
        return size.getReadOnlyProperty();
    }

    /** Extra words: the offline reason, if any. */
    public ReadOnlyStringProperty noteProperty() {
        return note.getReadOnlyProperty();
    }

    /** Rebuild progress 0..1 while REBUILDING, else -1. */
    public ReadOnlyDoubleProperty rebuildProperty() {
        return rebuild.getReadOnlyProperty();
    }

    @Override
    public String toString() {
        return name + " " + state.get();
    }
}
