package org.splitpoint.engine.pair;

import java.util.concurrent.Callable;

/**
 * Runs around every split, establish and restore the pool carries out (policy's hook for hosts
 * that follow the pairs). The engine calls it before taking any lock of its own, so a guard may
 * hold its own hosts off (its I/O drained) for the instant of the change; it must call
 * {@code operation} exactly once and return its result or throw its exception.
 */
public interface PairChangeGuard {

    /** The default: runs the operation, nothing around it. */
    PairChangeGuard NONE = new PairChangeGuard() {
        @Override
        public <T> T around(PairChange change, Callable<T> operation) throws Exception {
            return operation.call();
        }
    };

    /** Runs {@code operation} (the engine's change) with whatever the guard needs around it. */
    <T> T around(PairChange change, Callable<T> operation) throws Exception;
}
