package org.splitpoint.app.snapshot;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.HolderCommands;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.engine.pool.SnapshotAdmin;

/**
 * "Take snapshot": the name, proposed from the local time and editable, judged as it is typed by
 * the engine's rule ({@link SnapshotNames}); Take stays disabled while the name is wrong, and a
 * refusal by the engine is kept for the dialog, in its words. {@code taken} gets the new
 * snapshot's name (the card selects it).
 */
public final class TakeSnapshotForm {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final String volume;
    private final List<SnapshotAdmin.Info> existing;
    private final java.util.function.Consumer<String> taken;

    private final StringProperty name = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper refused = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper working = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper blocked = new ReadOnlyStringWrapper("");

    TakeSnapshotForm(PoolBridge bridge, ActionStatus status, String volume,
                     List<SnapshotAdmin.Info> existing, Instant now, ZoneId zone, java.util.function.Consumer<String> taken) {
        this.bridge = bridge;
        this.status = status;
        this.volume = volume;
        this.existing = List.copyOf(existing);
        this.taken = taken;
        problem.bind(Bindings.createStringBinding(() -> SnapshotNames.whyNot(name.get(), volume, this.existing), name));
        name.addListener(o -> refused.set(""));
        blocked.bind(Bindings.createStringBinding(() -> working.get() ? "taking the snapshot…" : problem.get(),
                problem, working));
        name.set(SnapshotNames.propose(now, zone, this.existing.stream().map(SnapshotAdmin.Info::name).toList()));
    }

    public String volume() {
        return volume;
    }

    /** The name (input); proposed from the time. */
    public StringProperty nameProperty() {
        return name;
    }

    /** What is wrong with the name, in the engine's words; empty when it is fine. */
    public ReadOnlyStringProperty problemProperty() {
        return problem.getReadOnlyProperty();
    }

    /** The engine's sentence when it refused the last Take; cleared by any change of the name. */
    public ReadOnlyStringProperty refusedProperty() {
        return refused.getReadOnlyProperty();
    }

    /** Why Take is disabled now; empty when it is not. */
    public ReadOnlyStringProperty blockedProperty() {
        return blocked.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty workingProperty() {
        return working.getReadOnlyProperty();
    }

    /** Takes the snapshot; {@code done} runs (UI thread) once the engine took it, else its sentence is in {@link #refusedProperty()}. */
    public void take(Runnable done) {
        if (!blocked.get().isEmpty()) {
            return;
        }
        String n = name.get().strip();
        working.set(true);
        refused.set("");
        bridge.run(HolderAction.of(HolderCommands.createSnapshot(volume, n),
                out -> new SnapshotAdmin.Info(volume, n, 0, "", 0, 0, "", "", false, null), // the stream brings the rest
                pool -> pool.snapshots().create(volume, n)), info -> { // the pool's snapshot guard tells the workloads
            working.set(false);
            status.succeeded("Snapshot " + info.ref() + " taken");
            taken.accept(info.name());
            done.run();
        }, why -> {
            working.set(false);
            refused.set(why);
        });
    }
}
