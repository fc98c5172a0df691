package org.splitpoint.engine.io;

import java.io.IOException;

/** An exclusive, process-wide hold on a lock file (a pool's, an image writer's); released on close, once (a second close does nothing). */
public interface PoolLockHandle extends AutoCloseable {
    @Override
    void close() throws IOException;

    /** What a holder in this process records in its lock file: the process, since when, and its JVM's name. */
    static String thisProcess() {
        return "pid " + ProcessHandle.current().pid() + " since "
                + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " ("
                + java.lang.management.ManagementFactory.getRuntimeMXBean().getName() + ")";
    }
}
