package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.Peek;
import org.splitpoint.engine.raid.RaidVolume;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * A volume as hosts see it, whatever happens beneath: while an instant restore (from a backup or
 * to a snapshot) runs, its view;
 * else the volume's pair side, if it is in a pair; else the volume. Resolved at every request, so
 * a client connected before a restore started (an NBD export, the app's workload) goes through the
 * restore from its first request on, and straight to the volume again once it finished.
 *
 * <p>A request holds the way it found from finding it to its end ({@link #holdWay}): a change of
 * the way waits for the requests under way on the old one. A write that found the volume just
 * before an instant restore began and reached the disk after landed below the restore, which
 * then copied the backup's track over a write acknowledged after the restore had begun. (A
 * restore's end needs no wait here: its view sends what comes late straight to the volume.)
 * Once the pool is halted ({@code Pool.halt}: pool.json's last change may not survive a power cut)
 * writes and flushes are refused: nothing more is acknowledged that a crash there would not keep.
 */
final class HostView implements BlockDevice {

    private final Pool pool;
    private final String volume;
    private final long size;
    /** The pair side or the volume, found once: pairs are created rarely ({@link #forget}). */
    private volatile BlockDevice below;
    /** Held shared by each request, exclusively by a change of the way. */
    private final ReentrantReadWriteLock way = new ReentrantReadWriteLock();
    private final Lock request = way.readLock();

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

    /**
     * Waits for the requests under way, then holds new ones off until {@link #releaseWay}: a change
     * of the way (a restore beginning, a pair made or deleted) is made meanwhile, and the requests
     * that waited find the new way. Called holding no lock a request may wait for (the volume's gate).
     */
    void holdWay() {
        way.writeLock().lock();
    }

    void releaseWay() {
        way.writeLock().unlock();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        request.lock();
        try {
            current().read(offset, dst);
        } finally {
            request.unlock();
        }
    }

    @Override
    public void willRead(long offset, long length) {
        request.lock();
        try {
            current().willRead(offset, length);
        } catch (IOException e) {
            // a hint: nothing to fetch for a volume that cannot be read
        } finally {
            request.unlock();
        }
    }

    @Override
    public Peek peek(long offset, long length) {
        request.lock();
        try {
            return current().peek(offset, length);
        } catch (IOException e) {
            return Peek.UNKNOWN;
        } finally {
            request.unlock();
        }
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        pool.refuseIfHalted();
        refuseSaveArea();
        request.lock();
        try {
            current().write(offset, src);
        } finally {
            request.unlock();
        }
    }

    /** A zeroing goes where a write goes (a restore's view, a pair's side, the volume), as a write. */
    @Override
    public void writeZeroes(long offset, long length, boolean mayUnmap) throws IOException {
        pool.refuseIfHalted();
        refuseSaveArea();
        request.lock();
        try {
            current().writeZeroes(offset, length, mayUnmap);
        } finally {
            request.unlock();
        }
    }

    @Override
    public boolean zeroesFast(long offset, long length, boolean mayUnmap) {
        request.lock();
        try {
            return !volume.equals(pool.snapshotCatalog.saveAreaVolume) && current().zeroesFast(offset, length, mayUnmap);
        } catch (IOException e) {
            return false; // cannot tell: not fast
        } finally {
            request.unlock();
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
        pool.refuseIfHalted();
        request.lock();
        try {
            current().flush();
        } finally {
            request.unlock();
        }
        pool.refuseIfHalted(); // halted meanwhile: what it made durable may rest on a pool.json a power cut takes back
    }
}
