package org.splitpoint.app.lifecycle;

import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.HolderCommands;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Confirmation;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pool.PairAdmin.PairView;

/**
 * Deleting a pair, as the typed confirmation shows it: the volumes stay, independent; a running
 * establish or restore must be stopped (a tick, which the engine's rule is asked about again).
 */
public final class PairDeletion {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final PairView pair;
    private final Runnable afterDelete;
    private final BooleanProperty stopCopy = new SimpleBooleanProperty(false);
    private final ReadOnlyStringWrapper refused = new ReadOnlyStringWrapper("");

    PairDeletion(PoolBridge bridge, ActionStatus status, PairView pair, Runnable afterDelete) {
        this.bridge = bridge;
        this.status = status;
        this.pair = pair;
        this.afterDelete = afterDelete;
        stopCopy.addListener(o -> ask());
        ask();
    }

    private void ask() {
        boolean stop = stopCopy.get();
        refused.set("Checking whether pair " + pair.name() + " can be deleted…");
        bridge.run(HolderAction.of(HolderCommands.checkDeletePair(pair.name(), stop), out -> "", pool -> {
            String why = pool.pairs().whyNotDelete(pair.name(), stop);
            return why == null ? "" : why;
        }), why -> {
            if (stop == stopCopy.get()) {
                refused.set(why);
            }
        }, refused::set);
    }

    public String name() {
        return pair.name();
    }

    /** True when an establish or restore runs (or is owed: not one that was cancelled): the dialog offers to stop it. */
    public boolean copying() {
        return pair.copyOwed();
    }

    /** What stopping the running copy leaves behind. */
    public String stopWords() {
        return pair.state() == PairState.RestInProg
                ? "Stop the running restore first (" + pair.std() + " stays partly restored)"
                : "Stop the running establish first (" + pair.bcv() + " stays partly copied)";
    }

    public BooleanProperty stopCopyProperty() {
        return stopCopy;
    }

    public Confirmation confirmation() {
        List<String> lines = new ArrayList<>();
        lines.add("Pair " + pair.name() + " (STD " + pair.std() + ", BCV " + pair.bcv() + ", " + pair.state()
                + ") ends: both volumes stay, with what they hold now, and are independent; " + pair.bcv()
                + " no longer follows " + pair.std() + ".");
        lines.add("The pair's invalid-track maps are dropped: a new pair of these volumes starts NeverEstab and its"
                + " first establish copies every track.");
        return new Confirmation("Delete pair " + pair.name(), "Delete pair " + pair.name() + "?", lines, pair.name(),
                "Delete pair");
    }

    /** The engine's reason not to delete now ("" when it may). */
    public ReadOnlyStringProperty refusedProperty() {
        return refused.getReadOnlyProperty();
    }

    public void delete() {
        String n = pair.name();
        boolean stop = stopCopy.get();
        status.started("Deleting pair " + n + "…");
        bridge.run(HolderAction.of(HolderCommands.deletePair(n, stop), pool -> {
            pool.pairs().delete(n, stop);
            return null;
        }), ok -> {
            status.succeeded("Deleted pair " + n + "; volumes " + pair.std() + " and " + pair.bcv() + " are independent");
            afterDelete.run();
        }, status::failed);
    }
}
