package org.splitpoint.engine.pool;

/**
 * An operation the pool refused or could not do. The message is one sentence an administrator
 * can act on ("drive d3 is ONLINE; fail it before replacing it").
 */
public class PoolException extends Exception {
    public PoolException(String message) {
        super(message);
    }

    public PoolException(String message, Throwable cause) {
        super(message, cause);
    }
}
