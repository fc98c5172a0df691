package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.Peek;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * A volume as hosts see it, whatever happens beneath: while an instant restore (from a backup or
 * to a snapshot) runs, its view;
 * else the volume's pair side, if it is in a pair; else the volume. Resolved at every request, so
 * a client connected before a restore started (an NBD export, the app's workload) goes through the
 * restore from its first request on, and straight to the volume again once it finished.
 */
final class HostView implements BlockDevice {

    private final Pool pool;
    private final String volume;
    private final long size;
    /** The pair side or the volume, found once: pairs are created rarely ({@link #forget}). */
    private volatile BlockDevice below;

    HostView(Pool pool, String volume, long size) {
        this.pool = pool;
        this.volume = volume;
        this.size = size;
    }

    private BlockDevice current() throws IOException {
        InstantRestore r = pool.restores.get(volume);
        if (r == null) {
            r = pool.snapshotCatalog.restores.get(volume);
        }
        if (r != null) {
            return r.view();
        }
        BlockDevice b = below;
        if (b == null) {
            try {
                b = pool.deviceBelowRestore(volume);
            } catch (PoolException e) {
                throw new IOException(e.getMessage(), e);
            }
            below = b;
        }
        return b;
    }

    /** The volume joined a pair: find what is below again. */
    void forget() {
        below = null;
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
    public void willRead(long offset, long length) {
        try {
            current().willRead(offset, length);
        } catch (IOException e) {
            // a hint: nothing to fetch for a volume that cannot be read
        }
    }

    @Override
    public Peek peek(long offset, long length) {
        try {
            return current().peek(offset, length);
        } catch (IOException e) {
            return Peek.UNKNOWN;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        refuseSaveArea();
        current().write(offset, src);
    }

    /** A zeroing goes where a write goes (a restore's view, a pair's side, the volume), as a write. */
    @Override
    public void writeZeroes(long offset, long length, boolean mayUnmap) throws IOException {
        refuseSaveArea();
        current().writeZeroes(offset, length, mayUnmap);
    }

    @Override
    public boolean zeroesFast(long offset, long length) {
        try {
            return !volume.equals(pool.snapshotCatalog.saveAreaVolume) && current().zeroesFast(offset, length);
        } catch (IOException e) {
            return false; // cannot tell: not fast
        }
    }

    private void refuseSaveArea() throws IOException {
        if (volume.equals(pool.snapshotCatalog.saveAreaVolume)) {
            throw new IOException("volume " + volume + " is the save area: snapshots keep their saved tracks there,"
                    + " so hosts may not write it");
        }
    }

    @Override
    public void flush() throws IOException {
        current().flush();
    }
}
