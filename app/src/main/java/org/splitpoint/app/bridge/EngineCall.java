package org.splitpoint.app.bridge;

import org.splitpoint.engine.pool.Pool;

/** A piece of engine work a view model hands to the bridge; it runs off the UI thread. */
@FunctionalInterface
public interface EngineCall<T> {
    T call(Pool pool) throws Exception;
}
