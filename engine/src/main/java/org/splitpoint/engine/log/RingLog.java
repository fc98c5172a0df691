package org.splitpoint.engine.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.meta.CorruptMetadataException;

/**
 * An append-only log of entries in a ring over one file: the mechanism under the stripe journal
 * (degraded parity writes) and the write journal (every write of a volume, for rebuilds).
 *
 * <p>Layout. Two header slots (at 0 and 4 KiB) hold {epoch, tail sequence, tail position} with a
 * generation and a CRC32C; a header goes to the slot the older generation holds, so a torn header
 * write leaves the other intact. Entries fill the ring from 8 KiB to the capacity: {magic, epoch,
 * seq, payload length, CRC32C} and the payload; an entry never wraps, it starts over at 8 KiB.
 *
 * <p>Reading back accepts only entries of the header's epoch with consecutive sequence numbers from
 * its tail; when the entry expected is not where the last one ended, it may have wrapped, so the
 * start of the ring is tried once. Each opening writes a fresh random epoch before its first entry,
 * so an entry left by an earlier opening can never pass for a live one, and sequence numbers
 * only grow, within an epoch and across epochs, so an old lap cannot either, nor a number an
 * owner took before a new epoch name an entry of it. An append whose write fails takes no number
 * (the next entry takes it, wherever it lands), so the numbers stay consecutive. An opening that
 * appends nothing leaves the file untouched.
 *
 * <p>Not forced by append: the owner decides when ({@link #force}) and what an entry's durability
 * means; {@link #retire} makes a new tail durable.
 */
public final class RingLog {

    public static final long DATA = 8192;
    private static final int SLOT = 4096;
    private static final int HEADER_BYTES = 64;
    public static final int ENTRY_HEADER = 32;
    private static final int VERSION = 2;
    /** A payload part this large is written apart from the entry header, uncopied. */
    private static final int SEPARATE_WRITE = 32 * 1024;

    /** A live entry: its sequence number, where it is, its whole length on disk, and its payload. */
    public record Entry(long seq, long pos, long length, byte[] payload) { }

    /**
     * The live entries' places, by sequence number (they are consecutive): a ring of two arrays,
     * so finding an entry is one subtraction and dropping the oldest is one step.
     */
    private static final class Live {
        private long[] pos = new long[64];
        private long[] len = new long[64];
        private int head;
        private int count;
        private long firstSeq;
        private long bytes;

        void clear() {
            head = 0;
            count = 0;
            bytes = 0;
        }

        boolean isEmpty() {
            return count == 0;
        }

        void add(long seq, long p, long l) {
            if (count == 0) {
                firstSeq = seq;
                head = 0;
            }
            if (count == pos.length) {
                long[] np = new long[pos.length * 2];
                long[] nl = new long[pos.length * 2];
                for (int i = 0; i < count; i++) {
                    np[i] = pos[(head + i) % pos.length];
                    nl[i] = len[(head + i) % pos.length];
                }
                pos = np;
                len = nl;
                head = 0;
            }
            int at = (head + count) % pos.length;
            pos[at] = p;
            len[at] = l;
            count++;
            bytes += l;
        }

        long firstSeq() {
            return firstSeq;
        }

        long firstPos() {
            return pos[head];
        }

        void dropFirst() {
            bytes -= len[head];
            head = (head + 1) % pos.length;
            count--;
            firstSeq++;
        }

        /** The slot of entry {@code seq}, or -1 when it is not live. */
        int slot(long seq) {
            if (count == 0 || seq < firstSeq || seq >= firstSeq + count) {
                return -1;
            }
            return (int) ((head + (seq - firstSeq)) % pos.length);
        }
    }

    private record Header(long generation, long epoch, long tailSeq, long tailPos) { }

    private final StorageFile file;
    private final long capacity;
    private final int headerMagic;
    private final int entryMagic;
    private long epoch;
    private boolean begun;
    private boolean headerFound;
    private long generation;
    private long nextSeq;
    private long headPos = DATA;
    private final Live live = new Live();

    public RingLog(StorageFile file, long capacity, int headerMagic, int entryMagic) {
        this.file = file;
        this.capacity = Math.max(capacity, DATA + 64 * 1024);
        this.headerMagic = headerMagic;
        this.entryMagic = entryMagic;
    }

    public static long entryLength(long payload) {
        return ENTRY_HEADER + payload;
    }

    public long capacity() {
        return capacity;
    }

    /** The size of the ring's file now (never more than the capacity). */
    public long fileBytes() throws IOException {
        return file.size();
    }

    // ---- reading back -------------------------------------------------------------------------

    /**
     * The live entries (the header's epoch, consecutive from its tail), in order, remembered as
     * live: a later {@link #begin} forgets them, {@link #adopt} keeps appending after them. An
     * empty or never-written file has none; one with content but no valid header is damaged.
     */
    public synchronized List<Entry> readLive() throws IOException {
        Header h = readHeader();
        List<Entry> out = new ArrayList<>();
        live.clear();
        headerFound = h != null;
        if (h == null) {
            return out;
        }
        generation = h.generation;
        long size = file.size();
        long pos = h.tailPos;
        long seq = h.tailSeq;
        long end = h.tailPos; // where the last live entry ends: the next one goes there
        boolean triedStart = false;
        while (true) {
            byte[] payload = readAt(pos, size, h.epoch, seq);
            if (payload == null && !triedStart && pos != DATA) {
                triedStart = true; // the writer may have wrapped to the ring's start
                pos = DATA;
                continue;
            }
            if (payload == null) {
                break;
            }
            long len = entryLength(payload.length);
            out.add(new Entry(seq, pos, len, payload));
            live.add(seq, pos, len);
            pos += len;
            end = pos;
            seq++;
            triedStart = false;
        }
        epoch = h.epoch;
        nextSeq = seq;
        headPos = end;
        return out;
    }

    /**
     * Goes on appending after the entries {@link #readLive} found, in their epoch (a journal whose
     * entries are still needed: the write journal keeps them across openings until they ship).
     * A file without a header has no epoch to go on in: it begins one at its first append.
     */
    public synchronized void adopt() {
        begun = headerFound;
    }

    /** True when {@link #readLive} found a valid header (the log was begun at some opening). */
    public synchronized boolean hasHeader() {
        return headerFound;
    }

    /**
     * Bytes [at, at + dst.remaining()) of live entry {@code seq}'s payload, unchecked (the entry was
     * checked whole when it was read back at open, or written by this opening). False when the
     * entry is not live or the range is not in it.
     */
    public synchronized boolean readPayload(long seq, long at, ByteBuffer dst) throws IOException {
        int slot = live.slot(seq);
        if (slot < 0 || at < 0 || at + dst.remaining() > live.len[slot] - ENTRY_HEADER) {
            return false;
        }
        file.readFully(live.pos[slot] + ENTRY_HEADER + at, dst);
        return true;
    }

    /** The payload of live entry {@code seq}, checked; null when it does not read back whole. */
    public synchronized byte[] read(long seq) throws IOException {
        int slot = live.slot(seq);
        return slot < 0 ? null : readAt(live.pos[slot], file.size(), epoch, seq);
    }

    private byte[] readAt(long pos, long size, long wantEpoch, long wantSeq) throws IOException {
        if (pos < DATA || pos + ENTRY_HEADER > Math.min(size, capacity)) {
            return null;
        }
        ByteBuffer h = ByteBuffer.allocate(ENTRY_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        file.readFully(pos, h);
        if (h.getInt(0) != entryMagic || h.getLong(4) != wantEpoch || h.getLong(12) != wantSeq) {
            return null;
        }
        int payload = h.getInt(20);
        if (payload < 0 || pos + ENTRY_HEADER + payload > Math.min(size, capacity)) {
            return null;
        }
        ByteBuffer all = ByteBuffer.allocate(ENTRY_HEADER + payload).order(ByteOrder.LITTLE_ENDIAN);
        file.readFully(pos, all);
        if (all.getInt(24) != crc(all.array(), ENTRY_HEADER + payload)) {
            return null; // torn
        }
        byte[] out = new byte[payload];
        all.get(ENTRY_HEADER, out);
        return out;
    }

    private Header readHeader() throws IOException {
        long size = file.size();
        if (size == 0) {
            return null;
        }
        Header best = null;
        boolean anyContent = false;
        for (int slot = 0; slot < 2; slot++) {
            if (size < (long) slot * SLOT + HEADER_BYTES) {
                continue;
            }
            ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            file.readFully((long) slot * SLOT, b);
            for (int i = 0; i < HEADER_BYTES; i++) {
                anyContent |= b.get(i) != 0;
            }
            if (b.getInt(0) != headerMagic || b.getInt(4) != VERSION || b.getInt(44) != headerCrc(b)) {
                continue;
            }
            Header h = new Header(b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32));
            if (best == null || h.generation > best.generation) {
                best = h;
            }
        }
        if (best == null && anyContent) {
            throw new CorruptMetadataException("the log has no valid header (damaged, or written by an older Splitpoint)");
        }
        return best;
    }

    // ---- writing ------------------------------------------------------------------------------

    /**
     * A fresh random epoch and an empty log, durably (before this opening's first entry). Its
     * numbers go on from the last ones read or written, never from 0 again: an owner may hold a
     * number from before the new epoch (a flush takes the tail to retire before it forces the
     * members, and a writer may begin the epoch meanwhile), and a retire or a completion of that
     * number must not reach an entry of the new epoch (a stripe journal retired its new entries,
     * torn writes and all, with the tail of a flush that began before them).
     */
    public synchronized void begin() throws IOException {
        beginAt(nextSeq);
    }

    /**
     * As {@link #begin}, numbering entries from {@code seq} (a mirror leg rebuilt from its twin
     * keeps the twin's sequence numbers).
     */
    public synchronized void beginAt(long seq) throws IOException {
        begun = true;
        headerFound = true;
        epoch = new SecureRandom().nextLong();
        nextSeq = seq;
        headPos = DATA;
        live.clear();
        writeHeader(seq, DATA);
        file.force();
    }

    public synchronized boolean isBegun() {
        return begun;
    }

    /** True when an entry of {@code payload} bytes fits now without overwriting a live one. */
    public synchronized boolean fits(long payload) {
        return place(entryLength(payload)) >= 0;
    }

    /** Where an entry of {@code length} bytes goes without overwriting a live one, or -1. */
    private long place(long length) {
        if (length > capacity - DATA) {
            return -1;
        }
        if (live.isEmpty()) {
            return headPos + length <= capacity ? headPos : DATA;
        }
        long tail = live.firstPos();
        if (headPos > tail) { // live entries are [tail, headPos)
            if (headPos + length <= capacity) {
                return headPos;
            }
            return DATA + length <= tail ? DATA : -1;
        }
        // wrapped: live entries are [tail, capacity) and [DATA, headPos)
        return headPos + length <= tail ? headPos : -1;
    }

    /**
     * Appends an entry (not forced) and returns its sequence number; -1 when it does not fit now
     * (the owner retires or waits). The first append of an opening begins a new epoch first,
     * unless {@link #adopt} kept the old one.
     */
    public long append(byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(payload);
        return append(new ByteBuffer[] {b}, Crc32c.of(b));
    }

    /**
     * Appends an entry whose payload is {@code parts}' remaining bytes one after the other, with
     * {@code partsCrc} their CRC32C: an owner that appends the same payload to two logs sums it
     * once. A large last part is written from the caller's buffer as it is, not copied.
     */
    public synchronized long append(ByteBuffer[] parts, int partsCrc) throws IOException {
        if (!begun) {
            begin();
        }
        long payloadLength = 0;
        for (ByteBuffer p : parts) {
            payloadLength += p.remaining();
        }
        long length = entryLength(payloadLength);
        long pos = place(length);
        if (pos < 0) {
            return -1;
        }
        // numbered, but the number taken only once the entry is written: a write that fails (the file
        // system full) leaves no gap, which would end every later reading of the ring at it
        long seq = nextSeq;
        ByteBuffer last = parts[parts.length - 1];
        boolean apart = last.remaining() >= SEPARATE_WRITE;
        long inline = length - (apart ? last.remaining() : 0);
        ByteBuffer b = ByteBuffer.allocate((int) inline).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, entryMagic).putLong(4, epoch).putLong(12, seq).putInt(20, (int) payloadLength);
        b.position(ENTRY_HEADER);
        for (int i = 0; i < parts.length - (apart ? 1 : 0); i++) {
            b.put(parts[i].duplicate());
        }
        CRC32C head = new CRC32C(); // the entry header but its CRC field, then the payload
        head.update(b.array(), 0, 24);
        head.update(b.array(), 28, ENTRY_HEADER - 28);
        b.putInt(24, Crc32c.combine((int) head.getValue(), partsCrc, payloadLength));
        b.clear();
        // a crash between the two writes leaves an entry whose CRC fails: it was never acknowledged
        file.writeFully(pos, b);
        if (apart) {
            file.writeFully(pos + inline, last.duplicate());
        }
        nextSeq = seq + 1;
        live.add(seq, pos, length);
        headPos = pos + length;
        return seq;
    }

    /** Makes every appended entry durable. */
    public void force() throws IOException {
        file.force();
    }

    /**
     * Drops every entry below {@code seq}: the header's tail moves up, durably. Nothing to do when
     * the tail is there already.
     */
    public synchronized void retire(long seq) throws IOException {
        if (live.isEmpty() || live.firstSeq() >= seq) {
            return;
        }
        while (!live.isEmpty() && live.firstSeq() < seq) {
            live.dropFirst();
        }
        long tailPos = live.isEmpty() ? headPos : live.firstPos();
        if (live.isEmpty() && headPos > capacity / 2) {
            headPos = DATA; // an empty ring starts over: entries stay near the start of the file
            tailPos = DATA;
        }
        writeHeader(seq, tailPos);
        file.force();
    }

    /**
     * Gives the file's space back when no entry is live: the header (tail at the start, durably)
     * first, then the file is cut to it; an entry appended later grows it again. For a ring that
     * is not expected to be written for a while (a stripe journal once its volume is whole).
     * Returns true when the file was cut.
     */
    public synchronized boolean shrinkIfEmpty() throws IOException {
        if (!live.isEmpty() || file.size() <= DATA) {
            return false;
        }
        headPos = DATA;
        writeHeader(nextSeq, DATA);
        file.force();
        file.setLength(DATA);
        file.force();
        return true;
    }

    private void writeHeader(long tailSeq, long tailPos) throws IOException {
        generation++;
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, headerMagic).putInt(4, VERSION).putLong(8, generation).putLong(16, epoch)
                .putLong(24, tailSeq).putLong(32, tailPos);
        b.putInt(44, headerCrc(b));
        file.writeFully((generation & 1) * SLOT, b);
    }

    /** The sequence number of the oldest live entry, or the next one when none is live. */
    public synchronized long oldestSeq() {
        return live.isEmpty() ? nextSeq : live.firstSeq();
    }

    public synchronized long nextSeq() {
        return nextSeq;
    }

    public synchronized boolean isEmpty() {
        return live.isEmpty();
    }

    /** Bytes the live entries occupy. */
    public synchronized long liveBytes() {
        return live.bytes;
    }

    private static int crc(byte[] bytes, int len) {
        CRC32C c = new CRC32C();
        c.update(bytes, 0, 24);
        c.update(bytes, 28, len - 28);
        return (int) c.getValue();
    }

    private static int headerCrc(ByteBuffer b) {
        CRC32C c = new CRC32C();
        c.update(b.array(), 0, 44);
        return (int) c.getValue();
    }

    public void close() throws IOException {
        file.close();
    }
}
