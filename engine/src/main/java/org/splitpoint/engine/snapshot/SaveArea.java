package org.splitpoint.engine.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * The save area: a volume of the pool cut into track-sized slots that hold the tracks snapshots
 * keep (TimeFinder/Snap's SAVE devices), so saved tracks have RAID protection like the data they
 * protect.
 *
 * <p>Design. Slots are handed out from a cursor, so the saves of one write land side by side and
 * go to the volume in one request. A save is made durable by group commit: whoever finds no
 * commit running leads one for every save queued so far — the volume's members forced first (at
 * once, each on its own thread), then the records appended to the {@link SaveLog} and synced — and
 * the others wait for it; so a record
 * never names bytes a power cut could lose, and concurrent first writes share their syncs. A commit
 * that fails leaves the log in doubt: the area refuses every later save (the snapshots that needed
 * them become invalid) until the pool is opened again, and no snapshot is taken meanwhile
 * ({@link #refusesSaves}): it would be invalid at its volume's first write.
 */
public final class SaveArea implements AutoCloseable {

    /** A full flush of the save area at most this often (its write-intent bits age only at flushes). */
    private static final long FLUSH_EVERY_NANOS = 1_000_000_000L;

    private final String volume;
    private final RaidVolume device;
    private long lastFlush = System.nanoTime();
    private final int trackSize;
    private final long slots;
    private final TrackBitmap used;
    private final SaveLog log;
    private long cursor;
    private long usedCount;

    // group commit
    private final Object commits = new Object();
    private List<SaveRecord> queued = new ArrayList<>();
    private long enqueued;
    private long durable;
    private boolean leading;
    private IOException broken;

    public SaveArea(String volume, RaidVolume device, int trackSize, SaveLog log) {
        this.volume = volume;
        this.device = device;
        this.trackSize = trackSize;
        this.slots = device.size() / trackSize;
        this.used = new TrackBitmap(Math.max(1, slots));
        this.log = log;
    }

    public String volume() {
        return volume;
    }

    public long slots() {
        return slots;
    }

    public int trackSize() {
        return trackSize;
    }

    public synchronized long usedSlots() {
        return usedCount;
    }

    /** Marks a slot in use (replaying the log at open). */
    public synchronized void claim(long slot) {
        if (slot >= 0 && slot < slots && used.set(slot)) {
            usedCount++;
        }
    }

    /**
     * Takes up to {@code n} free slots, as many side by side as there are; fewer (perhaps none)
     * when the area is full.
     */
    public synchronized long[] allocate(int n) {
        long[] out = new long[n];
        int got = 0;
        long scanned = 0;
        long s = cursor;
        while (got < n && usedCount < slots && scanned < slots) {
            if (s >= slots) {
                s = 0;
            }
            if (!used.get(s)) {
                used.set(s);
                usedCount++;
                out[got++] = s;
            }
            s++;
            scanned++;
        }
        cursor = s;
        return got == n ? out : java.util.Arrays.copyOf(out, got);
    }

    /** Gives slots back (their records are dead, and that is durable). */
    public synchronized void free(long slot) {
        if (used.clear(slot)) {
            usedCount--;
        }
    }

    /**
     * Writes {@code len} bytes of {@code buf} from {@code off} at {@code within} of {@code slot} and
     * on into the slots after it (a run of tracks, or a track larger than the writer's buffer in pieces).
     */
    public void write(long slot, long within, byte[] buf, int off, int len) throws IOException {
        device.write(slot * trackSize + within, ByteBuffer.wrap(buf, off, len));
    }

    /** Reads the bytes at {@code within} of {@code slot} into {@code dst}. */
    public void read(long slot, long within, ByteBuffer dst) throws IOException {
        device.read(slot * trackSize + within, dst);
    }

    /**
     * Makes {@code records} durable (their slots written already): returns once the save area's
     * members are forced and the records synced in the log, by this thread or by a commit another
     * one leads.
     */
    public void commit(List<SaveRecord> records) throws IOException {
        long ticket;
        synchronized (commits) {
            if (log == null) {
                throw new IOException("the pool is open read-only: nothing can be saved");
            }
            if (broken != null) {
                throw new IOException("the save area " + volume + " failed to record a save earlier ("
                        + broken.getMessage() + "); snapshots cannot keep new tracks until the pool is opened again", broken);
            }
            queued.addAll(records);
            ticket = ++enqueued;
        }
        while (true) {
            List<SaveRecord> batch;
            long upTo;
            synchronized (commits) {
                while (leading && durable < ticket && broken == null) {
                    try {
                        commits.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("interrupted waiting for a save to be durable");
                    }
                }
                if (broken != null) {
                    throw new IOException("the save area " + volume + " could not record a save: " + broken.getMessage(),
                            broken);
                }
                if (durable >= ticket) {
                    return;
                }
                leading = true;
                batch = queued;
                queued = new ArrayList<>();
                upTo = enqueued;
            }
            IOException failed = null;
            try {
                // the bytes first: a record must never name bytes a power cut could lose. A commit
                // forces only what was written (no barrier, no write-intent ageing, which would make
                // the next slot write sync the bitmap again); a full flush now and then lets the
                // save area's write-intent bits clear
                long now = System.nanoTime();
                if (now - lastFlush > FLUSH_EVERY_NANOS) {
                    device.flush();
                    lastFlush = now;
                } else {
                    device.forceCompleted();
                }
                log.append(batch);
                log.sync();
            } catch (IOException e) {
                failed = e;
            }
            synchronized (commits) {
                leading = false;
                if (failed != null) {
                    broken = failed;
                } else {
                    durable = upTo;
                }
                commits.notifyAll();
            }
        }
    }

    /**
     * Why the area refuses every save until the pool is opened again (a commit failed: see the class
     * note), or null: a snapshot taken meanwhile could keep no track.
     */
    public String refusesSaves() {
        synchronized (commits) {
            return broken == null ? null : broken.getMessage();
        }
    }

    /** Bytes the save log takes (0 when opened only to look). */
    public long logBytes() {
        return log == null ? 0 : log.size();
    }

    @Override
    public void close() throws IOException {
        if (log != null) {
            log.close();
        }
    }
}
