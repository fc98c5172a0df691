package org.splitpoint.engine.pool;

/**
 * How a pool is opened. {@code runJobs=false} creates background jobs without starting their
 * threads (a short CLI command, or a deterministic driver that steps them with {@code Job.stepOnce()}).
 * {@code readOnly} looks without touching: no lock taken, no recovery, no file written or created.
 */
public record PoolOptions(boolean runJobs, boolean readOnly) {
    public static final PoolOptions DEFAULT = new PoolOptions(true, false);
    /** For inspecting a pool (status, lists, queries): changes nothing, even on a pool needing recovery. */
    public static final PoolOptions READ_ONLY = new PoolOptions(false, true);

    public PoolOptions(boolean runJobs) {
        this(runJobs, false);
    }
}
