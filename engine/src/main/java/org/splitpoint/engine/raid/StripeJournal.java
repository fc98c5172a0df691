package org.splitpoint.engine.raid;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.io.NoSpaceException;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.log.RingLog;

/**
 * A redo journal that closes the RAID write hole for degraded parity writes.
 *
 * <p>Design. With a member missing, a torn update of a stripe's data and parity would corrupt the
 * missing member's reconstructed (and long since acknowledged) data. So a degraded stripe update is
 * first appended here as the full new content of every member segment it writes, and made durable;
 * only then are the members written. Replay at open redoes the live entries in order, which is
 * idempotent.
 *
 * <p>Layout: a {@link RingLog} (double-buffered header, a fresh random epoch per opening, consecutive
 * sequence numbers, CRC32C per entry), whose entries' payloads are the segments. Replay redoes the
 * live entries of the last opening; an entry left by an earlier opening never passes for one. An
 * opening that writes nothing degraded leaves the file untouched.
 *
 * <p>Retiring. An entry may be retired only once the member writes it describes are durable. A
 * writer calls {@link #complete} when its member writes returned (an entry that could not be made
 * durable is complete at once: its update failed before any member write); {@link #completedPrefix} is the
 * first sequence number not yet complete, taken <em>before</em> the members are forced, and
 * {@link #retire} moves the tail up to it. Writes that start after that snapshot keep their entries,
 * whatever the volume's flush barrier did. An entry whose member writes could not be done for lack
 * of space stays live and is redone (see {@link StripeUpdates}).
 *
 * <p>Bounded. The ring has a fixed capacity (64 MiB unless a test says otherwise), and an entry
 * holds at most an eighth of it ({@link #entryBound}), so that the entries of several writers in
 * flight fit at once: a degraded volume cuts its full-stripe runs to that size, and an update
 * larger (a run cut for a whole volume that found it degraded once it held its rows: 4 MiB on
 * each member, 64 MiB from 17 members up) is journaled in pieces of whole stripes ({@link
 * StripeUpdates}). A writer that finds no room asks the volume for a checkpoint (force the
 * members, retire the complete prefix) and, when in-flight entries still hold the space, waits
 * for them. Appends write under the monitor and share one fsync (group commit,
 * {@link RingLog#forceEntry}): a writer whose entry was written before someone else's force began
 * needs no force of its own. A force that fails fails every writer whose entry it covered, not
 * only the one that ran it: those entries may be gone, and the ring writes them void before its
 * next force (a later force succeeding says nothing of them).
 */
final class StripeJournal implements AutoCloseable {

    private static final int HEADER_MAGIC = 0x53504A32; // "SPJ2"
    private static final int ENTRY_MAGIC = 0x53504A45;  // "SPJE"
    /** Default ring size: a few of the largest entries a degraded write produces (see StripeWrites.maxJournaledRun). */
    static final long DEFAULT_CAPACITY = 64L << 20;

    /** One member write: rows [row, row+data.length) of member {@code member}. */
    /**
     * New bytes of member rows [row, row + length()): {@code data}'s remaining bytes, which a reader
     * takes through {@link #bytes()} or absolute gets, never by moving {@code data}'s position.
     */
    record Segment(int member, long row, ByteBuffer data) {
        Segment(int member, long row, byte[] data) {
            this(member, row, ByteBuffer.wrap(data));
        }

        int length() {
            return data.remaining();
        }

        /** The bytes as a buffer of the caller's own (a write or a copy moves its position). */
        ByteBuffer bytes() {
            return data.duplicate();
        }
    }

    /** Forces the volume's members and retires what that made safe; called when the ring is full. */
    interface Checkpointer {
        void checkpoint() throws IOException;
    }

    private final RingLog ring;
    private Checkpointer checkpointer;

    // guarded by this
    private final java.util.TreeSet<Long> completed = new java.util.TreeSet<>();
    private final java.util.TreeSet<Long> abandoned = new java.util.TreeSet<>();

    StripeJournal(StorageFile file) {
        this(file, DEFAULT_CAPACITY);
    }

    StripeJournal(StorageFile file, long capacity) {
        this.ring = new RingLog(file, capacity, HEADER_MAGIC, ENTRY_MAGIC);
    }

    void setCheckpointer(Checkpointer c) {
        this.checkpointer = c;
    }

    /** Reads the live entries of the last opening, in order (see {@link RingLog#readLive}). */
    synchronized List<List<Segment>> readEntries() throws IOException {
        List<List<Segment>> out = new ArrayList<>();
        for (RingLog.Entry e : ring.readLive()) {
            List<Segment> segs = decode(e.payload());
            if (segs == null) {
                break;
            }
            out.add(segs);
        }
        return out;
    }

    /** A new epoch, durably: the entries read back are forgotten (they were replayed). */
    synchronized void begin() throws IOException {
        ring.begin();
        completed.clear();
        abandoned.clear();
    }

    private static byte[] encode(List<Segment> segments) {
        int payload = 4;
        for (Segment s : segments) {
            payload += 14 + s.length();
        }
        ByteBuffer b = ByteBuffer.allocate(payload).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(segments.size());
        for (Segment s : segments) {
            b.putShort((short) s.member).putLong(s.row).putInt(s.length()).put(s.bytes());
        }
        return b.array();
    }

    private static List<Segment> decode(byte[] payload) {
        ByteBuffer all = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        if (all.remaining() < 4) {
            return null;
        }
        int count = all.getInt();
        List<Segment> segs = new ArrayList<>(Math.max(0, Math.min(count, 64)));
        for (int i = 0; i < count; i++) {
            if (all.remaining() < 14) {
                return null;
            }
            int member = all.getShort() & 0xffff;
            long row = all.getLong();
            int len = all.getInt();
            if (len < 0 || len > all.remaining()) {
                return null;
            }
            byte[] data = new byte[len];
            all.get(data);
            segs.add(new Segment(member, row, data));
        }
        return segs;
    }

    // ---- append -------------------------------------------------------------------------------

    /**
     * Appends one stripe update and makes it durable; returns its sequence number, to be passed to
     * {@link #complete} (or {@link #abandon}) once the member writes are done.
     */
    long append(List<Segment> segments) throws IOException {
        byte[] payload = encode(segments);
        if (RingLog.entryLength(payload.length) > ring.capacity() - RingLog.DATA) {
            throw new IllegalArgumentException("a stripe update of " + payload.length + " bytes does not fit a journal of "
                    + ring.capacity() + " bytes");
        }
        long seq;
        synchronized (this) {
            while (true) {
                seq = ring.append(payload);
                if (seq >= 0) {
                    break;
                }
                makeRoom();
            }
        }
        try {
            ring.forceEntry(seq); // one fsync serves every writer waiting meanwhile
        } catch (IOException | RuntimeException e) {
            // the update fails before any member write: its entry has nothing left to wait for, and
            // waiting for it held every later retire, then every degraded write once the ring came round
            complete(seq);
            throw e;
        }
        return seq;
    }

    /**
     * The ring is full. If its oldest entry's member writes are done, a checkpoint (force the
     * members, retire) frees it; if they are still under way, wait for them (their writers hold no
     * lock this one needs).
     */
    private void makeRoom() throws IOException {
        long oldest = ring.oldestSeq();
        if (abandoned.contains(oldest)) {
            throw new NoSpaceException("the stripe journal is full of updates that could not be applied for"
                    + " lack of space; free space on the file system holding the pool");
        }
        if (!completed.contains(oldest)) {
            try {
                wait(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted waiting for room in the stripe journal");
            }
            return;
        }
        if (checkpointer == null) {
            throw new IOException("the stripe journal is full");
        }
        checkpointer.checkpoint(); // reentrant: completedPrefix() and retire() take this monitor again
    }

    /** The member writes of entry {@code seq} returned. */
    synchronized void complete(long seq) {
        completed.add(seq);
        abandoned.remove(seq);
        notifyAll();
    }

    /**
     * The member writes of entry {@code seq} could not be done (no space): the entry stays live
     * until the volume has redone it and completes it, and nothing after it retires meanwhile.
     */
    synchronized void abandon(long seq) {
        abandoned.add(seq);
        notifyAll();
    }

    /** The first sequence number whose member writes have not all returned (take it before forcing). */
    synchronized long completedPrefix() {
        long s = ring.oldestSeq();
        long next = ring.nextSeq();
        while (s < next && completed.contains(s)) {
            s++;
        }
        return s;
    }

    /** Retires every entry below {@code seq} (their member writes are durable), durably. */
    synchronized void retire(long seq) throws IOException {
        ring.retire(seq);
        completed.headSet(seq).clear();
        notifyAll();
    }

    /** Bytes of the ring the live entries occupy. */
    synchronized long liveBytes() {
        return ring.liveBytes();
    }

    long capacity() {
        return ring.capacity();
    }

    /** The most update bytes one entry holds (see the class note). */
    long entryBound() {
        return ring.capacity() / 8;
    }

    /** Cuts the file back to its header when nothing is live (see {@link RingLog#shrinkIfEmpty}). */
    synchronized boolean shrinkIfEmpty() throws IOException {
        return ring.shrinkIfEmpty();
    }

    long fileBytes() throws IOException {
        return ring.fileBytes();
    }

    @Override
    public void close() throws IOException {
        ring.close();
    }
}
