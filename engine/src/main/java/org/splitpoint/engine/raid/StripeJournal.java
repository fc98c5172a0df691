package org.splitpoint.engine.raid;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.splitpoint.engine.io.NoSpaceException;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.meta.CorruptMetadataException;

/**
 * A redo journal that closes the RAID write hole for degraded parity writes.
 *
 * <p>Design. With a member missing, a torn update of a stripe's data and parity would corrupt the
 * missing member's reconstructed (and long since acknowledged) data. So a degraded stripe update is
 * first appended here as the full new content of every member segment it writes, and made durable;
 * only then are the members written. Replay at open redoes the live entries in order, which is
 * idempotent.
 *
 * <p>Layout. Two header slots (at 0 and 4 KiB) hold {epoch, tail sequence, tail position} with a
 * generation and a CRC32C; a header is written to the slot the older generation occupies, so a torn
 * header write leaves the other intact (never overwrite the only copy). Entries follow in a ring
 * from 8 KiB to the capacity: {magic, epoch, seq, count, payload, crc} and the segments. Replay
 * starts at the header's tail and accepts only entries of the header's epoch with consecutive
 * sequence numbers; when the entry expected is not at the current position it may have wrapped, so
 * the start of the ring is tried once. Each opening writes a fresh random epoch before its first
 * entry (after replaying the last opening's), so an entry left in the file by an earlier opening
 * can never pass for a live one, and within an epoch sequence numbers only grow, so an old lap
 * cannot either. An opening that writes nothing degraded leaves the file untouched.
 *
 * <p>Retiring. An entry may be retired only once the member writes it describes are durable. A
 * writer calls {@link #complete} when its member writes returned; {@link #completedPrefix} is the
 * first sequence number not yet complete, taken <em>before</em> the members are forced, and
 * {@link #retire} moves the tail up to it. Writes that start after that snapshot keep their entries,
 * whatever the volume's flush barrier did. An entry whose member writes could not be done for lack
 * of space stays live and is redone (see {@link ParityVolume}).
 *
 * <p>Bounded. The ring has a fixed capacity; a writer that finds no room asks the volume for a
 * checkpoint (force the members, retire the complete prefix) and, when in-flight entries still hold
 * the space, waits for them. Appends write under the monitor and share one fsync (group commit):
 * a writer whose entry was written before someone else's force began needs no force of its own.
 */
final class StripeJournal implements AutoCloseable {

    private static final int HEADER_MAGIC = 0x53504A32; // "SPJ2"
    private static final int ENTRY_MAGIC = 0x53504A45;  // "SPJE"
    private static final int VERSION = 2;
    private static final int SLOT = 4096;
    static final long DATA = 2L * SLOT;
    private static final int ENTRY_HEADER = 36;
    /** Default ring size: a few of the largest entries a degraded write produces (see ParityVolume). */
    static final long DEFAULT_CAPACITY = 64L << 20;

    /** One member write: rows [row, row+data.length) of member {@code member}. */
    record Segment(int member, long row, byte[] data) { }

    /** Forces the volume's members and retires what that made safe; called when the ring is full. */
    interface Checkpointer {
        void checkpoint() throws IOException;
    }

    private record Live(long seq, long pos, long length) { }

    private final StorageFile file;
    private final long capacity;
    private Checkpointer checkpointer;
    private final Object syncLock = new Object();

    // all below guarded by this
    private long epoch;
    private boolean begun;
    private long generation;
    private long nextSeq;
    private long headPos = DATA;
    private final ArrayDeque<Live> live = new ArrayDeque<>();
    private final java.util.TreeSet<Long> completed = new java.util.TreeSet<>();
    private final java.util.TreeSet<Long> abandoned = new java.util.TreeSet<>();
    private volatile long writtenThrough = -1;  // entries with seq <= this have their bytes in the file

    // guarded by syncLock
    private long durableThrough = -1;
    private boolean syncing;

    StripeJournal(StorageFile file) {
        this(file, DEFAULT_CAPACITY);
    }

    StripeJournal(StorageFile file, long capacity) {
        this.file = file;
        this.capacity = Math.max(capacity, DATA + 64 * 1024);
    }

    void setCheckpointer(Checkpointer c) {
        this.checkpointer = c;
    }

    // ---- open ---------------------------------------------------------------------------------

    private record Header(long generation, long epoch, long tailSeq, long tailPos) { }

    /**
     * Reads the live entries (the header's epoch, consecutive from its tail), in order. An empty
     * or never-written file has none; a file with content but no valid header is damaged.
     */
    synchronized List<List<Segment>> readEntries() throws IOException {
        Header h = readHeader();
        List<List<Segment>> out = new ArrayList<>();
        if (h == null) {
            return out;
        }
        generation = h.generation;
        long size = file.size();
        long pos = h.tailPos;
        long seq = h.tailSeq;
        boolean triedStart = false;
        while (true) {
            List<Segment> e = readEntry(pos, size, h.epoch, seq);
            if (e == null && !triedStart && pos != DATA) {
                triedStart = true; // the writer may have wrapped to the ring's start
                pos = DATA;
                continue;
            }
            if (e == null) {
                break;
            }
            out.add(e);
            pos += entryLength(e);
            seq++;
            triedStart = false;
        }
        return out;
    }

    private List<Segment> readEntry(long pos, long size, long wantEpoch, long wantSeq) throws IOException {
        if (pos < DATA || pos + ENTRY_HEADER > Math.min(size, capacity)) {
            return null;
        }
        ByteBuffer h = ByteBuffer.allocate(ENTRY_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        file.readFully(pos, h);
        if (h.getInt(0) != ENTRY_MAGIC || h.getLong(4) != wantEpoch || h.getLong(12) != wantSeq) {
            return null;
        }
        int count = h.getInt(20);
        int payload = h.getInt(24);
        if (count < 0 || payload < 0 || pos + ENTRY_HEADER + payload > Math.min(size, capacity)) {
            return null;
        }
        ByteBuffer all = ByteBuffer.allocate(ENTRY_HEADER + payload).order(ByteOrder.LITTLE_ENDIAN);
        file.readFully(pos, all);
        if (all.getInt(28) != crc(all.array(), ENTRY_HEADER + payload)) {
            return null; // torn
        }
        all.position(ENTRY_HEADER);
        List<Segment> segs = new ArrayList<>(count);
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

    private Header readHeader() throws IOException {
        long size = file.size();
        if (size == 0) {
            return null;
        }
        Header best = null;
        boolean anyContent = false;
        for (int slot = 0; slot < 2; slot++) {
            if (size < (long) slot * SLOT + 64) {
                continue;
            }
            ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            file.readFully((long) slot * SLOT, b);
            for (int i = 0; i < 64; i++) {
                anyContent |= b.get(i) != 0;
            }
            if (b.getInt(0) != HEADER_MAGIC || b.getInt(4) != VERSION || b.getInt(44) != headerCrc(b)) {
                continue;
            }
            Header h = new Header(b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32));
            if (best == null || h.generation > best.generation) {
                best = h;
            }
        }
        if (best == null && anyContent) {
            throw new CorruptMetadataException("the stripe journal has no valid header (damaged, or written by"
                    + " an older Splitpoint)");
        }
        return best;
    }

    /**
     * Starts a new epoch after replay: the header names a fresh random epoch and an empty journal,
     * durably, before any entry of this opening is written.
     */
    synchronized void begin() throws IOException {
        begun = true;
        epoch = new SecureRandom().nextLong();
        nextSeq = 0;
        headPos = DATA;
        live.clear();
        completed.clear();
        abandoned.clear();
        writtenThrough = -1;
        synchronized (syncLock) {
            durableThrough = -1;
        }
        writeHeader(0, DATA);
        file.force();
    }

    private void writeHeader(long tailSeq, long tailPos) throws IOException {
        generation++;
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, HEADER_MAGIC).putInt(4, VERSION).putLong(8, generation).putLong(16, epoch)
                .putLong(24, tailSeq).putLong(32, tailPos);
        b.putInt(44, headerCrc(b));
        file.writeFully((generation & 1) * SLOT, b);
    }

    // ---- append -------------------------------------------------------------------------------

    /**
     * Appends one stripe update and makes it durable; returns its sequence number, to be passed to
     * {@link #complete} (or {@link #abandon}) once the member writes are done.
     */
    long append(List<Segment> segments) throws IOException {
        int payload = 0;
        for (Segment s : segments) {
            payload += 14 + s.data.length;
        }
        long length = ENTRY_HEADER + (long) payload;
        if (length > capacity - DATA) {
            throw new IllegalArgumentException("a stripe update of " + length + " bytes does not fit a journal of "
                    + capacity + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
        long seq;
        synchronized (this) {
            if (!begun) {
                begin(); // this opening's epoch, durable before its first entry
            }
            long pos = reserve(length);
            seq = nextSeq++;
            b.putInt(ENTRY_MAGIC).putLong(epoch).putLong(seq).putInt(segments.size()).putInt(payload);
            b.position(ENTRY_HEADER);
            for (Segment s : segments) {
                b.putShort((short) s.member).putLong(s.row).putInt(s.data.length).put(s.data);
            }
            b.putInt(28, crc(b.array(), (int) length));
            b.flip();
            file.writeFully(pos, b);
            live.addLast(new Live(seq, pos, length));
            headPos = pos + length;
            writtenThrough = seq;
        }
        makeDurable(seq);
        return seq;
    }

    /**
     * A position for an entry of {@code length} bytes. When the ring is full: if its oldest entry's
     * member writes are done, a checkpoint (force the members, retire) frees it; if they are still
     * under way, wait for them (their writers hold no lock this one needs).
     */
    private long reserve(long length) throws IOException {
        while (true) {
            long pos = fit(length);
            if (pos >= 0) {
                return pos;
            }
            Live oldest = live.peekFirst();
            if (oldest != null && abandoned.contains(oldest.seq)) {
                throw new NoSpaceException("the stripe journal is full of updates that could not be applied for"
                        + " lack of space; free space on the file system holding the pool");
            }
            if (oldest != null && !completed.contains(oldest.seq)) {
                try {
                    wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted waiting for room in the stripe journal");
                }
                continue;
            }
            if (checkpointer == null) {
                throw new IOException("the stripe journal is full");
            }
            checkpointer.checkpoint(); // reentrant: completedPrefix() and retire() take this monitor again
        }
    }

    /** Where an entry of {@code length} bytes goes without overwriting a live one, or -1. */
    private long fit(long length) {
        if (live.isEmpty()) {
            return headPos + length <= capacity ? headPos : DATA;
        }
        long tail = live.peekFirst().pos;
        if (headPos > tail) { // live entries are [tail, headPos)
            if (headPos + length <= capacity) {
                return headPos;
            }
            return DATA + length <= tail ? DATA : -1;
        }
        // wrapped: live entries are [tail, capacity) and [DATA, headPos)
        return headPos + length <= tail ? headPos : -1;
    }

    /** Makes entries through {@code seq} durable: one fsync serves every writer waiting meanwhile. */
    private void makeDurable(long seq) throws IOException {
        synchronized (syncLock) {
            while (durableThrough < seq) {
                if (syncing) {
                    try {
                        syncLock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("interrupted waiting for the stripe journal");
                    }
                    continue;
                }
                syncing = true;
                long target = writtenThrough;
                try {
                    file.force();
                    durableThrough = Math.max(durableThrough, target);
                } finally {
                    syncing = false;
                    syncLock.notifyAll();
                }
            }
        }
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
        long s = live.isEmpty() ? nextSeq : live.peekFirst().seq;
        while (s < nextSeq && completed.contains(s)) {
            s++;
        }
        return s;
    }

    /**
     * Retires every entry below {@code seq} (their member writes are durable): the header's tail
     * moves up, durably. Nothing to do when the tail is there already.
     */
    synchronized void retire(long seq) throws IOException {
        if (live.isEmpty() || live.peekFirst().seq >= seq) {
            return;
        }
        while (!live.isEmpty() && live.peekFirst().seq < seq) {
            Live l = live.pollFirst();
            completed.remove(l.seq);
        }
        long tailPos = live.isEmpty() ? headPos : live.peekFirst().pos;
        if (live.isEmpty() && headPos > capacity / 2) {
            headPos = DATA; // an empty ring starts over: entries stay near the start of the file
            tailPos = DATA;
        }
        writeHeader(seq, tailPos);
        file.force();
        notifyAll();
    }

    /** Bytes of the ring the live entries occupy. */
    synchronized long liveBytes() {
        long n = 0;
        for (Live l : live) {
            n += l.length;
        }
        return n;
    }

    long capacity() {
        return capacity;
    }

    private static long entryLength(List<Segment> e) {
        long n = ENTRY_HEADER;
        for (Segment s : e) {
            n += 14 + s.data.length;
        }
        return n;
    }

    private static int crc(byte[] bytes, int len) {
        CRC32C c = new CRC32C();
        c.update(bytes, 0, 28);
        c.update(bytes, 32, len - 32);
        return (int) c.getValue();
    }

    private static int headerCrc(ByteBuffer b) {
        CRC32C c = new CRC32C();
        c.update(b.array(), 0, 44);
        return (int) c.getValue();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
