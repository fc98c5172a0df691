package org.splitpoint.engine.restore;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.splitpoint.engine.io.RangeLocks;

/**
 * Tracks an instant restore fetched for reads, waiting to be written to the volume by one thread.
 *
 * <p>Design. A read of an owed track is answered as soon as the track is fetched; putting it on the
 * volume is left to this thread (as pairs hydrate), so the read does not wait for the volume. The
 * queue is bounded (when it is full the reader writes the track itself), and so are the bytes held
 * ({@link #MAX_BYTES}). A track's bytes stay here until written, so a second read, a host's partial
 * write or the bulk copy takes them from here instead of fetching them again. The thread writes a
 * track under the track's lock (the restore's {@code trackLocks}) and only if it is still owed then:
 * a host write or the bulk copy that got there first wins. A track whose write fails stays owed.
 * It is closed at the restore's end before host requests go straight to the volume (they take no
 * track lock then): the close waits for the track being written, however long, and refuses tracks
 * from then on (the fetching read writes its track itself). An Error that kills the thread (out of
 * memory, say) is told ({@link Stopped}) and the write-behind refuses tracks from then on as if
 * closed: before, tracks went on being queued for a thread that was gone, owed and held in memory.
 */
final class WriteBehind {

    /** Writes track {@code t} to the volume if it is still owed, taking its bytes from here (its lock held). */
    interface TrackWrite {
        void restore(long t) throws IOException;
    }

    /** Told once when an Error ended the thread: reads write their tracks themselves from then on. */
    interface Stopped {
        void stopped(Error error);
    }

    private static final int MAX = 256;
    /** Not a track: put in the queue by {@link #close} to end the thread's wait without an interrupt. */
    private static final long WAKE = -1;
    /**
     * The most bytes of fetched tracks held at once: 256 tracks of 16 MiB were 4 GiB of heap
     * under a random reader; past it a fetch writes its track to the volume itself.
     */
    private static final long MAX_BYTES = 64L << 20;
    private final String volume;
    private final RangeLocks trackLocks;
    private final TrackWrite write;
    private final Stopped stopped;
    private final java.util.Map<Long, byte[]> pending = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.BlockingQueue<Long> queue = new java.util.concurrent.ArrayBlockingQueue<>(MAX);
    private final AtomicLong pendingBytes = new AtomicLong();
    private Thread thread;
    private volatile boolean closed;

    /**
     * The write-behind of {@code volume}'s restore: {@code write} under a lock of {@code trackLocks};
     * {@code stopped} told when an Error ends its thread.
     */
    WriteBehind(String volume, RangeLocks trackLocks, TrackWrite write, Stopped stopped) {
        this.volume = volume;
        this.trackLocks = trackLocks;
        this.write = write;
        this.stopped = stopped;
    }

    /** Queues track {@code t} (its lock held) to be written; false when the queue is full. */
    synchronized boolean offer(long t, byte[] buf) {
        if (closed || pendingBytes.get() + buf.length > MAX_BYTES) {
            return false;
        }
        put(t, buf);
        if (!queue.offer(t)) {
            take(t);
            return false;
        }
        if (thread == null) {
            thread = new Thread(this::run, "splitpoint-restore-writeback-" + volume);
            thread.setDaemon(true);
            thread.start();
        }
        return true;
    }

    private void put(long t, byte[] buf) {
        byte[] old = pending.put(t, buf);
        pendingBytes.addAndGet(buf.length - (old == null ? 0 : old.length));
    }

    byte[] peek(long t) {
        return pending.get(t);
    }

    /** Takes track {@code t}'s bytes if they wait here (its lock held): the caller writes them. */
    byte[] take(long t) {
        byte[] b = pending.remove(t);
        if (b != null) {
            pendingBytes.addAndGet(-b.length);
        }
        return b;
    }

    /** Bytes of tracks held until the thread writes them. */
    long pendingBytes() {
        return pendingBytes.get();
    }

    private void run() {
        while (!closed) {
            long t;
            try {
                t = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (t == WAKE) {
                continue; // the close: closed is set
            }
            try (RangeLocks.Held h = trackLocks.lock(t, t + 1)) {
                if (pending.containsKey(t) && !closed) {
                    write.restore(t); // takes the bytes; writes them only if still owed
                }
            } catch (IOException | RuntimeException e) {
                take(t); // still owed: fetched again by the next read or the bulk copy
            } catch (Error e) {
                refuseTracks(); // nothing would write them: the tracks held stay owed
                stopped.stopped(e);
                return;
            }
        }
    }

    /** No track is taken from now on, and those held are let go (they stay owed). */
    private void refuseTracks() {
        synchronized (this) {
            closed = true;
        }
        pending.clear();
        pendingBytes.set(0);
    }

    /**
     * Refuses tracks from now on and returns once the thread ended, the track it was writing written
     * (an interrupt of the caller is kept for later, not obeyed): host requests go straight to the
     * volume after this, without track locks, so a write of this thread still under way could land
     * the source's track over one of theirs. It waited 10 s at most before, and a disk stalled longer
     * did just that. A write here is no slower than a host request the end waits for as long.
     * The thread is woken by a {@link #WAKE} in its queue, never interrupted: an interrupt reaching
     * a write under way made the JDK close the member's channel, and a FAILED volume's blank images,
     * renamed since they were opened, could not be opened again (both drives FAILED at a close).
     */
    void close() {
        Thread th;
        synchronized (this) {
            closed = true; // no track is queued from here (offer checks it under this monitor)
            th = thread;
        }
        if (th != null) {
            queue.clear(); // those tracks stay owed; room for the wake, the thread the only taker
            queue.offer(WAKE);
            boolean interrupted = false;
            while (th.isAlive()) {
                try {
                    th.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        refuseTracks(); // those tracks stay owed
    }
}
