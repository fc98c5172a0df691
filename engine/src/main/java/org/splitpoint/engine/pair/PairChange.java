package org.splitpoint.engine.pair;

import java.util.List;

/**
 * One pair operation about to change what a side holds, as {@link PairChangeGuard}s see it: which
 * operation and, per pair, its sides and its state before the call. Whoever starts it (the app's
 * buttons, a CLI command forwarded to the holder, a test), the guard sees the same thing, so a
 * host that keeps its own picture of the volumes (the app's verifying workload) follows every
 * split and restore, not only the ones it started.
 */
public record PairChange(Kind kind, List<Sides> pairs) {

    /** Pair operations that change what a side holds. */
    public enum Kind { SPLIT, ESTABLISH, RESTORE, RESTORE_PROTECTED }

    /** A pair in the operation: its name, its volumes and its state before the call. */
    public record Sides(String pair, String std, String bcv, PairState before) { }

    public PairChange {
        pairs = List.copyOf(pairs);
    }
}
