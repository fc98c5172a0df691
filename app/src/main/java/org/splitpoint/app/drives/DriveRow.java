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
    private final ReadOnlyStringWrapper service = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper serviceTip = new ReadOnlyStringWrapper();
    private final ReadOnlyDoubleWrapper rebuild = new ReadOnlyDoubleWrapper(-1);
    private final javafx.beans.property.ReadOnlyBooleanWrapper rebuildPaused = new javafx.beans.property.ReadOnlyBooleanWrapper();

    DriveRow(DriveView v) {
        this.name = v.name();
        update(v);
    }

    void update(DriveView v) {
        state.set(v.state());
        // a journal drive (or a SPARE lent as a window's repository) is in no volume, but is not free either
        volume.set(v.volume() != null ? v.volume() : v.journal() != null ? "journal of " + v.journal()
                : v.repository() != null ? "repository of " + v.repository() : "");
        size.set(Sizes.format(v.size()));
        note.set(v.reason() == null ? "" : v.reason().word()); // the reason's word, beside OFFLINE
        service.set(ServiceWords.slotLine(v.service()));
        serviceTip.set(v.service() != null ? ServiceWords.describe(v.name(), v.service())
                : v.repository() != null ? v.name() + " holds the repository of volume " + v.repository()
                + "'s service window: every write to " + v.repository() + " goes here until its drive comes back" : "");
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

    /** Extra words: the offline reason ("firmware"), if any. */
    public ReadOnlyStringProperty noteProperty() {
        return note.getReadOnlyProperty();
    }

    /** While in a service window: its log mode and delta ("pointers · 37 tracks"), or "resync · data"; else empty. */
    public ReadOnlyStringProperty serviceProperty() {
        return service.getReadOnlyProperty();
    }

    /** The service window (or the repository held) in a sentence, for the slot's tooltip; empty when none. */
    public ReadOnlyStringProperty serviceTipProperty() {
        return serviceTip.getReadOnlyProperty();
    }

    /** Rebuild progress 0..1 while REBUILDING, else -1. */
    void setRebuildPaused(boolean paused) {
        rebuildPaused.set(paused);
    }

    /** True while the drive's rebuild job is paused. */
    public javafx.beans.property.ReadOnlyBooleanProperty rebuildPausedProperty() {
        return rebuildPaused.getReadOnlyProperty();
    }

    public ReadOnlyDoubleProperty rebuildProperty() {
        return rebuild.getReadOnlyProperty();
    }

    @Override
    public String toString() {
        return name + " " + state.get();
    }
}
