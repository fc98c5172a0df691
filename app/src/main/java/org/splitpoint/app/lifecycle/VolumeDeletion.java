package org.splitpoint.app.lifecycle;

import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.HolderCommands;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Confirmation;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.Sizes;

/**
 * Deleting a volume, as the typed confirmation shows it: what is lost (its bytes, layout, drives),
 * where the drives go, and the engine's refusal (asked when the dialog opens) while something still
 * holds the volume. The volume's built-in workload stops first.
 */
public final class VolumeDeletion {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final PoolSnapshot.VolumeView volume;
    private final List<String> spares = new ArrayList<>();
    private final List<String> failed = new ArrayList<>();
    private final Runnable beforeDelete;
    private final Runnable afterDelete;
    private final ReadOnlyStringWrapper refused = new ReadOnlyStringWrapper();

    VolumeDeletion(PoolBridge bridge, ActionStatus status, PoolSnapshot s, String name, Runnable beforeDelete,
                   Runnable afterDelete) {
        this.bridge = bridge;
        this.status = status;
        this.volume = s.volume(name);
        this.beforeDelete = beforeDelete;
        this.afterDelete = afterDelete;
        for (String d : volume.drives()) {
            PoolSnapshot.DriveView dv = s.drive(d);
            (dv != null && dv.state() == DriveState.ONLINE ? spares : failed).add(d);
        }
        refused.set("Checking whether " + name + " can be deleted…");
        bridge.run(HolderAction.of(HolderCommands.checkDeleteVolume(name), out -> "", pool -> {
            String why = pool.admin().whyNotDeleteVolume(name);
            return why == null ? "" : why;
        }), refused::set, refused::set);
    }

    public String name() {
        return volume.name();
    }

    public Confirmation confirmation() {
        List<String> lines = new ArrayList<>();
        lines.add("Volume " + volume.name() + " (" + volume.layout().word() + ", " + Sizes.format(volume.size()) + " over "
                + String.join(", ", volume.drives()) + ") and every byte written to it are lost. This cannot be undone.");
        if (!spares.isEmpty()) {
            lines.add("Drives " + String.join(", ", spares) + " go back to the bay as SPARE drives.");
        }
        if (!failed.isEmpty()) {
            lines.add("Drives " + String.join(", ", failed) + " stay FAILED in the bay, to be replaced.");
        }
        return new Confirmation("Delete volume " + volume.name(), "Delete volume " + volume.name() + " and its data?",
                lines, volume.name(), "Delete volume");
    }

    /** The engine's reason not to delete now ("" when it may; a "Checking…" sentence until it answered). */
    public ReadOnlyStringProperty refusedProperty() {
        return refused.getReadOnlyProperty();
    }

    /** Deletes the volume (after the confirmation). */
    public void delete() {
        String n = volume.name();
        beforeDelete.run();
        status.started("Deleting volume " + n + "…");
        bridge.run(HolderAction.of(HolderCommands.deleteVolume(n), pool -> {
            pool.admin().deleteVolume(n);
            return null;
        }), ok -> {
            status.succeeded("Deleted volume " + n + (spares.isEmpty() ? "" : "; drives " + String.join(", ", spares)
                    + " are SPARE"));
            afterDelete.run();
        }, status::failed);
    }
}
