package org.splitpoint.app.snapshot;

import java.util.List;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Confirmation;
import org.splitpoint.app.common.Format;

/**
 * "Use a volume as save area": the pool's volumes that may be given over to the tracks snapshots
 * keep (not in a pair, no snapshots of their own; {@link SnapshotRules#saveAreaCandidates}), one
 * chosen, then its name typed, because what it holds is given over.
 */
public final class SaveAreaForm {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final List<SnapshotRules.Candidate> candidates;
    private final int trackSize;
    private final ObjectProperty<SnapshotRules.Candidate> chosen = new SimpleObjectProperty<>();

    SaveAreaForm(PoolBridge bridge, ActionStatus status, List<SnapshotRules.Candidate> candidates, int trackSize,
                 String prefer) {
        this.bridge = bridge;
        this.status = status;
        this.candidates = List.copyOf(candidates);
        this.trackSize = trackSize;
        // another volume than the one whose page asks: a volume given over is no longer a volume of data
        chosen.set(candidates.stream().filter(c -> !c.volume().equals(prefer)).findFirst()
                .orElse(candidates.isEmpty() ? null : candidates.get(0)));
    }

    /** The volumes that may become the save area, as the choice lists them. */
    public List<SnapshotRules.Candidate> candidates() {
        return candidates;
    }

    /** The volume chosen (input). */
    public ObjectProperty<SnapshotRules.Candidate> chosenProperty() {
        return chosen;
    }

    /** What a save area is, for the first step. */
    public String explanation() {
        return "Snapshots keep the tracks that are written after them in the pool's save area: a volume of its own,"
                + " shared by the snapshots of every volume. The larger it is, the more can change before snapshots"
                + " become invalid.";
    }

    /** The typed confirmation for the volume chosen (its name). */
    public Confirmation confirmation() {
        SnapshotRules.Candidate c = chosen.get();
        String v = c == null ? "" : c.volume();
        return new Confirmation("Use " + v + " as save area", "Give " + v + " over to snapshots?", List.of(
                "Everything " + v + " holds now (" + Format.size(c == null ? 0 : c.size()) + ") is given over to the"
                        + " tracks snapshots keep: its data is lost, and hosts can no longer read or write it.",
                "It has room for " + Format.tracks(c == null ? 0 : c.size() / trackSize) + " saved; past 80% and 95%"
                        + " the pool warns, and once it is full the snapshots that need more become invalid.",
                "It cannot be changed while snapshots exist."), v, "Use " + v + " as save area");
    }

    /** Designates the volume chosen (after the typed confirmation). */
    public void designate() {
        SnapshotRules.Candidate c = chosen.get();
        if (c == null) {
            return;
        }
        String v = c.volume();
        status.started("Making " + v + " the save area…");
        bridge.run(org.splitpoint.app.bridge.HolderAction.ofState(org.splitpoint.app.bridge.HolderCommands.saveArea(v),
                (out, state) -> state.saveArea(), pool -> pool.snapshots().setSaveArea(v)), a -> status.succeeded("Volume " + v + " is the save area: "
                + Format.tracks(a.slots()) + " (" + Format.size(a.bytes()) + ") for snapshots to keep"), status::failed);
    }
}
