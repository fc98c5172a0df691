package org.splitpoint.engine.nbd;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which metadata contexts an export offers and which a client's queries name
 * (NBD_OPT_LIST_META_CONTEXT, NBD_OPT_SET_META_CONTEXT).
 *
 * <p>Design. Every export has {@code base:allocation}; an export may offer more (its
 * {@link Export#contexts()}, in our namespace {@code splitpoint:}). Queries follow the protocol's
 * rules for {@code base:} and document ours: in {@code splitpoint:}, a query that ends with a colon
 * is a prefix — for LIST it names every context that starts with it ({@code splitpoint:} all of
 * them, {@code splitpoint:changed-since:} one per snapshot), for SET it names none, as an empty
 * leaf-name must not select; any other query names the context of exactly that name. Queries of
 * other namespaces name nothing and are not errors (the protocol says so); a query with no
 * namespace at all is malformed.
 */
final class MetaContexts {

    static final String BASE_ALLOCATION = "base:allocation";

    /** The most contexts one SET may select (each costs a reply chunk per block-status request). */
    static final int MAX_SELECTED = 64;

    /** A selected context and the id its block-status chunks carry; {@code track} is null for base:allocation. */
    record Selected(int id, String name, TrackContext track) { }

    private MetaContexts() {
    }

    /** True when {@code query} starts with a non-empty namespace and a colon, as the protocol requires. */
    static boolean wellFormed(String query) {
        return query.indexOf(':') > 0;
    }

    /** The contexts of {@code e} by name, base:allocation first. */
    private static Map<String, TrackContext> offered(Export e) {
        Map<String, TrackContext> all = new LinkedHashMap<>();
        all.put(BASE_ALLOCATION, null);
        for (TrackContext c : e.contexts()) {
            all.put(c.name(), c);
        }
        return all;
    }

    /** NBD_OPT_LIST_META_CONTEXT: the names matching any of {@code queries} (every one when there is none). */
    static List<String> list(Export e, List<String> queries) {
        Map<String, TrackContext> all = offered(e);
        if (queries.isEmpty()) {
            return new ArrayList<>(all.keySet());
        }
        List<String> out = new ArrayList<>();
        for (String q : queries) {
            for (String name : all.keySet()) {
                if (!out.contains(name) && (name.equals(q) || (q.endsWith(":") && name.startsWith(q)))) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    /** NBD_OPT_SET_META_CONTEXT: the contexts named exactly by {@code queries}, numbered from 1, in query order. */
    static List<Selected> select(Export e, List<String> queries) {
        Map<String, TrackContext> all = offered(e);
        List<Selected> out = new ArrayList<>();
        for (String q : queries) {
            if (all.containsKey(q) && out.stream().noneMatch(s -> s.name().equals(q))) {
                out.add(new Selected(out.size() + 1, q, all.get(q)));
            }
        }
        return out;
    }
}
