package org.splitpoint.app.pair;

import java.util.List;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.engine.pool.PairAdmin.PairView;

/**
 * The pool's pairs as a list (name, STD, BCV, state, invalid tracks, progress). New pair… is the
 * lifecycle's ({@code lifecycle.NewPairForm}, with the engine's rules), not this list's.
 */
public final class PairsViewModel {

    private final ObservableList<PairView> pairs = FXCollections.observableArrayList();
    private final ObservableList<PairView> pairsView = FXCollections.unmodifiableObservableList(pairs);

    public ObservableList<PairView> pairs() {
        return pairsView;
    }

    public void apply(List<PairView> p) {
        if (!p.equals(pairs)) {
            pairs.setAll(p);
        }
    }
}
