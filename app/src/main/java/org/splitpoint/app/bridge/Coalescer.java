package org.splitpoint.app.bridge;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;

/**
 * Hands values from engine threads to the UI thread without flooding it, the way
 * {@code javafx.concurrent.Task} does: an {@link AtomicReference} holds what is pending, and only when
 * it goes from empty to full is one task posted to the UI thread. Values offered meanwhile are merged
 * into the pending one ({@link #latestWins()} for snapshots, concatenation for event batches).
 * The offering thread never blocks.
 */
public final class Coalescer<T> {

    private final AtomicReference<T> pending = new AtomicReference<>();
    private final Executor ui;
    private final BinaryOperator<T> merge;
    private final Consumer<T> sink;

    public Coalescer(Executor ui, BinaryOperator<T> merge, Consumer<T> sink) {
        this.ui = ui;
        this.merge = merge;
        this.sink = sink;
    }

    /** The merge for state pictures: the newer replaces the older. */
    public static <T> BinaryOperator<T> latestWins() {
        return (older, newer) -> newer;
    }

    /** Queues {@code value}; posts to the UI thread only if nothing was pending. */
    public void offer(T value) {
        Objects.requireNonNull(value);
        T before = pending.getAndAccumulate(value, (old, v) -> old == null ? v : merge.apply(old, v));
        if (before == null) {
            ui.execute(this::deliver);
        }
    }

    private void deliver() {
        T v = pending.getAndSet(null);
        if (v != null) {
            sink.accept(v);
        }
    }
}
