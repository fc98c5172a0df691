package org.splitpoint.engine.io;

import java.io.IOException;

/** An exclusive, process-wide hold on a pool's lock file; released on close. */
public interface PoolLockHandle extends AutoCloseable {
    @Override
    void close() throws IOException;
}
