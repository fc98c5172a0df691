package org.splitpoint.app.volumes;

import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.engine.pool.PoolSnapshot.VolumeView;
import org.splitpoint.engine.pool.Sizes;
import org.splitpoint.engine.pool.VolumeState;

/** One volume as a table row, updated in place on each snapshot. */
public final class VolumeRow {

    private final String name;
    private final ReadOnlyStringWrapper layout = new ReadOnlyStringWrapper();
    private final ReadOnlyObjectWrapper<VolumeState> state = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<Status> status = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper reason = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper size = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper drives = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper snapshots = new ReadOnlyStringWrapper("");

    VolumeRow(VolumeView v) {
        this.name = v.name();
        update(v);
    }

    void update(VolumeView v) {
        update(v, "", StateLook.of(v.state()), "");
    }

    /**
     * {@code progress} is appended to the reason, e.g. " (rebuild 42%)"; {@code look} is the badge
     * ({@link VolumeLook}); {@code restore} what restores the volume ("42% · from backup IMAGE"), or "".
     */
    void update(VolumeView v, String progress, StateLook look, String restore) {
        layout.set(v.layout().word());
        state.set(v.state());
        String why = v.stateReason() == null || v.stateReason().isEmpty() ? "" : v.stateReason() + progress;
        if (!restore.isEmpty()) {
            why = why.isEmpty() ? restore : why + "; restoring " + restore;
        }
        if (v.lostTracks() != null && !v.lostTracks().isEmpty()) { // what TRACKS LOST counts
            String lost = org.splitpoint.app.common.Format.tracks(v.lostTracks().size()) + " lost by a second failure";
            why = why.isEmpty() ? lost : why + "; " + lost;
        }
        status.set(new Status(look, why));
        reason.set(why.isEmpty() ? look.word() : look.word() + ": " + why);
        size.set(Sizes.format(v.size()));
        drives.set(String.join(", ", v.drives()));
    }

    public String name() {
        return name;
    }

    public VolumeState getState() {
        return state.get();
    }

    public ReadOnlyObjectProperty<VolumeState> stateProperty() {
        return state.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty layoutProperty() {
        return layout.getReadOnlyProperty();
    }

    /** The state's badge and the members (or the restore) that make it so, for the state cell. */
    public record Status(StateLook look, String why) { }

    public ReadOnlyObjectProperty<Status> statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** "DEGRADED: d3 FAILED", "REBUILDING: d3 REBUILDING (rebuild 42%)", "RESTORING: 42% · from backup IMAGE", or "OPTIMAL". */
    public ReadOnlyStringProperty reasonProperty() {
        return reason.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty sizeProperty() {
        return size.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty drivesProperty() {
        return drives.getReadOnlyProperty();
    }

    /** "3", "3 (1 invalid)", "save area" (the pool's), or "" with none. */
    public ReadOnlyStringProperty snapshotsProperty() {
        return snapshots.getReadOnlyProperty();
    }

    void snapshots(String text) {
        snapshots.set(text);
    }

    @Override
    public String toString() {
        return name + " " + state.get();
    }
}
