package org.splitpoint.engine.snapshot;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Runs around every snapshot taken, restored to or deleted, whoever asks (the app's dialogs, a
 * command forwarded from a shell): policy's hook for hosts that follow what a volume holds, as
 * {@link org.splitpoint.engine.pair.PairChangeGuard} is for pairs. Without it a restore to a
 * snapshot run from a shell while the app held the pool was not told to the app's verifying
 * workload, which then reported the writes the restore undid as lost (a CRITICAL that was not).
 * The engine calls it before taking any lock of its own, so a guard may hold its own hosts off for
 * the instant of the change; it must call {@code operation} exactly once and return its result or
 * throw its exception.
 */
public interface SnapshotChangeGuard {

    /** What the change does. */
    enum Kind { TAKE, RESTORE, DELETE }

    /**
     * One change: {@code volumes} (one for a restore or a delete) and the snapshot's {@code name} (a
     * restore's may be "other@name"); {@code safety}, asked after the operation, names the safety
     * snapshot a restore took of the volume as it was (null: none, or not a restore).
     */
    record Change(Kind kind, List<String> volumes, String name, Supplier<String> safety) {
    }

    /** The default: runs the operation, nothing around it. */
    SnapshotChangeGuard NONE = new SnapshotChangeGuard() {
        @Override
        public <T> T around(Change change, Callable<T> operation) throws Exception {
            return operation.call();
        }
    };

    /** Runs {@code operation} (the engine's change) with whatever the guard needs around it. */
    <T> T around(Change change, Callable<T> operation) throws Exception;
}
