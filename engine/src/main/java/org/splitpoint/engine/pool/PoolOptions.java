package org.splitpoint.engine.pool;

/**
 * How a pool is opened. {@code runJobs=false} creates background jobs without starting their
 * threads, so a deterministic driver (a crash test) can step them with {@code Job.stepOnce()}.
 */
public record PoolOptions(boolean runJobs) {
    public static final PoolOptions DEFAULT = new PoolOptions(true);
}
