package org.splitpoint.app.pair;

import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.HolderCommands;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * The pool's pairs as a list (name, STD, BCV, state, invalid tracks, progress) and New pair: which
 * volumes can still form one (in no pair yet, same size), and creating it.
 */
public final class PairsViewModel {

    private final PoolBridge bridge;
    private final ActionStatus status;

    // ---- properties
    private final ObservableList<PairView> pairs = FXCollections.observableArrayList();
    private final ObservableList<PairView> pairsView = FXCollections.unmodifiableObservableList(pairs);
    private final SimpleObjectProperty<PoolSnapshot> snapshot = new SimpleObjectProperty<>();
    private final ReadOnlyStringWrapper createBlocked = new ReadOnlyStringWrapper();

    public PairsViewModel(PoolBridge bridge, ActionStatus status) {
        this.bridge = bridge;
        this.status = status;
        createBlocked.bind(Bindings.createStringBinding(() -> status.isBusy() ? PairWords.BUSY
                : freeVolumes().size() < 2 ? "a pair needs two volumes of the same size that are in no pair yet" : "",
                snapshot, pairs, status.busyProperty()));
    }

    public ObservableList<PairView> pairs() {
        return pairsView;
    }

    public ReadOnlyStringProperty createBlockedProperty() {
        return createBlocked.getReadOnlyProperty();
    }

    /** Volumes in no pair, which may become a pair's STD or BCV. */
    public List<String> freeVolumes() {
        PoolSnapshot s = snapshot.get();
        if (s == null) {
            return List.of();
        }
        return s.volumes().stream().map(PoolSnapshot.VolumeView::name)
                .filter(v -> pairs.stream().noneMatch(p -> p.std().equals(v) || p.bcv().equals(v))).toList();
    }

    /** Why {@code name} of {@code std} and {@code bcv} cannot be made, or "" when it can. */
    public String whyNot(String name, String std, String bcv) {
        if (name == null || !name.matches("[A-Za-z][A-Za-z0-9_.-]{0,62}")) {
            return "a pair name is a letter, then up to 62 letters, digits, '_', '.' or '-'";
        }
        if (pairs.stream().anyMatch(p -> p.name().equals(name))) {
            return "a pair named " + name + " exists already";
        }
        if (std == null || bcv == null) {
            return "choose the STD and the BCV";
        }
        if (std.equals(bcv)) {
            return "the STD and the BCV must be two different volumes";
        }
        PoolSnapshot s = snapshot.get();
        PoolSnapshot.VolumeView a = s == null ? null : s.volume(std);
        PoolSnapshot.VolumeView b = s == null ? null : s.volume(bcv);
        if (a != null && b != null && a.size() != b.size()) {
            return std + " and " + bcv + " differ in size; a pair needs two volumes of the same size";
        }
        return "";
    }

    public void apply(List<PairView> p) {
        if (!p.equals(pairs)) {
            pairs.setAll(p);
        }
    }

    public void apply(PoolSnapshot s) {
        snapshot.set(s);
    }

    // ---- commands

    /** Creates the pair; it starts NeverEstab (the console's Establish then copies the STD over). */
    public void create(String name, String std, String bcv) {
        if (!createBlocked.get().isEmpty() || !whyNot(name, std, bcv).isEmpty()) {
            return;
        }
        status.started("Creating pair " + name + "…");
        bridge.run(HolderAction.of(HolderCommands.createPair(name, std, bcv), pool -> {
            pool.pairs().create(name, std, bcv);
            return null;
        }), ok -> status.succeeded("Pair " + name + " created: STD " + std + ", BCV " + bcv + "; establish it to copy"),
                status::failed);
    }
}
