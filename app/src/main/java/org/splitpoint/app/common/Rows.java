package org.splitpoint.app.common;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import javafx.collections.ObservableList;

/**
 * Keeps a list of row models in step with the latest snapshot: existing rows are updated in place
 * (so table selection and cells survive a refresh), new ones created, gone ones dropped.
 */
public final class Rows {

    private Rows() {
    }

    public static <R, V> void reconcile(ObservableList<R> rows, List<V> views, Function<R, String> rowKey,
                                        Function<V, String> viewKey, Function<V, R> create, BiConsumer<R, V> update) {
        Map<String, R> existing = new HashMap<>();
        for (R r : rows) {
            existing.put(rowKey.apply(r), r);
        }
        List<R> next = new ArrayList<>(views.size());
        for (V v : views) {
            R r = existing.get(viewKey.apply(v));
            if (r == null) {
                r = create.apply(v);
            } else {
                update.accept(r, v);
            }
            next.add(r);
        }
        if (!next.equals(rows)) {
            rows.setAll(next);
        }
    }
}
