package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * A volume as hosts see it, whatever happens beneath: while an instant restore runs, its view;
 * else the volume's pair side, if it is in a pair; else the volume. Resolved at every request, so
 * a client connected before a restore started (an NBD export, the app's workload) goes through the
 * restore from its first request on, and straight to the volume again once it finished.
 */
final class HostView implements BlockDevice {

    private final Pool pool;
    private final String volume;
    private final long size;

    HostView(Pool pool, String volume, long size) {
        this.pool = pool;
        this.volume = volume;
        this.size = size;
    }

    private BlockDevice current() throws IOException {
        InstantRestore r = pool.restores.get(volume);
        if (r != null) {
            return r.view();
        }
        try {
            return pool.deviceBelowRestore(volume);
        } catch (PoolException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        current().read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        current().write(offset, src);
    }

    @Override
    public void flush() throws IOException {
        current().flush();
    }
}
