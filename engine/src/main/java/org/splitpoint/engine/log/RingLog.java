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
 * <p>Not forced by append: the owner decides when ({@link #force}, {@link #forceEntry}) and what an
 * entry's durability means; {@link #retire} makes a new tail durable. {@link #forceEntry}, retires
 * and new epochs force one at a time; {@link #force} runs beside them.
 *
 * <p>A failed force. On Linux a failed fsync drops the pages it could not write back and marks
 * them clean, and the next fsync succeeds without them: every entry not yet covered by a force
 * that succeeded (and a header written since) may be gone. Taken as written, such an entry was a
 * hole that ended every later reading of the ring, so entries written and forced after it,
 * acknowledged, were dropped by the replay after a power cut. So a failed force marks those
 * entries lost: they are never reported durable ({@link #forceEntry} of one throws, and {@link
 * #force} throws while one is live), their payloads are not read, and before the next force each
 * is written again as a void entry (same place, length and number, its own magic, zeros) and the
 * header written since the last good force again, verbatim, to its slot; a new header never goes
 * to the other slot before that rewrite is durable, so the only durable copy is never the one
 * overwritten. Reading back passes void entries by and returns none of them (an older Splitpoint
 * stops at one, which is all the old reader could do). An owner whose entry was lost was told
 * its force failed; an owner retires lost entries as it would any other. An owner that never
 * retires (a service window's log) has every later force fail until it is opened again: it cannot
 * tell which of its records are gone, and nothing may be acknowledged over them (a data window then
 * stops relying on it and goes on by pointers: ServiceWindow).
 *
 * <p>Forced marks (an owner's choice, {@link #keepForcedMarks}: a service window's log). A replay
 * that stops at a bad entry cannot tell a crash's torn tail (entries never acknowledged) from
 * damage between two openings (a file cut short or overwritten: entries acknowledged long before).
 * So the ring keeps a claim of how far its entries are durable: a mark {epoch, sequence} in one of
 * two slots of its own (at 2 KiB and 6 KiB, beside the header slots, which they never touch), the
 * newer generation winning, each with its CRC32C. A mark says only what a force that succeeded
 * made durable before the mark was written: it is written just before the next force (no fsync of
 * its own; the force that acknowledges the entries after it makes it durable with them) and at the
 * close, with a force. So any mark that reads back whole is true, a torn one leaves the other slot's
 * older (true) claim, and a power cut, whatever it tears, never makes a replay look short: only
 * damage does ({@link #shortOfMark}). A mark lags one force behind in a run the power cut ends (the
 * last force's entries are claimed by the next force or the close; an owner that goes on with the
 * ring ({@link #adopt}) claims what it read back at its close even when it appends nothing). A
 * claim is a count, so once a ring is found short no mark is written but one saying a repair is
 * under way (how many were lost, forced before the owner writes anything again: {@link
 * #dropBeyondHead}) and the one that settles it ({@link #settleMark}): the owner's new entries
 * must never reach the old count while what was lost is not all written again. A file without
 * marks (an older Splitpoint's, or an owner that keeps none) claims nothing and is read as before;
 * an older Splitpoint reads a file with marks, as it never looks at those slots.
 *
 * <p>Forces side by side ({@link #force} runs beside {@link #forceEntry} and the forces made
 * under this monitor). Linux reports a writeback error to ONE fsync of the file only, the first
 * to look after it: a force that failed may still be on its way back with the error while one
 * beside it returns success having written nothing (the failed one dropped the pages), and that
 * success, taken at its word, acknowledged a host's flush over a lost entry. Only a force in
 * flight when the success came back can have taken its error (one begun later looks after it
 * did), so a success counts (entries durable, claimable by a mark, a header forced) only once
 * every force begun before it ended has told how it ended, none failing. Until then it is held
 * aside, and applied or dropped by the last of those to end. Who waits for that is the caller's
 * choice: {@link #force} and {@link #forceEntry} return only then (their success acknowledges
 * writes), {@link #forceLettingGo} does not (an owner about to stop relying on the ring, which
 * acknowledges nothing by it: a service window whose end put every byte on the members, forced;
 * it must not wait on a host's flush held in its own fsync: FlushAtWindowEndTest), nor do the
 * forces under this monitor (their callers hold it throughout; what they make durable is still
 * counted only once confirmed, and a header about to be overwritten waits: {@link #writeHeader}).
 * A force that fails counts its loss before it settles, so every success held aside beside it is
 * dropped, and its entries stay lost as before. Forces that never overlap pay nothing but a
 * counter.
 */
public final class RingLog {

    public static final long DATA = 8192;
    private static final int SLOT = 4096;
    private static final int HEADER_BYTES = 64;
    public static final int ENTRY_HEADER = 32;
    private static final int VERSION = 2;
    /** The forced marks' slots (see the class note): in the header slots' pages, apart from their bytes. */
    private static final long[] MARK_AT = {2048, SLOT + 2048};
    private static final int MARK_MAGIC_XOR = 0x4D41524B; // "MARK"
    private static final int MARK_VERSION = 1;
    /** An entry a failed force lost, written again without its payload (see the class note). */
    private static final int VOID_MAGIC_XOR = 0x564F4944; // "VOID"
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
    /** Forces one at a time; taken before this object's monitor, never inside it. */
    private final Object forceLock = new Object();
    /** Entries below it are durable (a force begun after they were written succeeded). Guarded by this. */
    private long durableSeq;
    /** Ranges [from, to) of entries a failed force may have lost: never durable, never read. Guarded by this. */
    private final java.util.TreeMap<Long, Long> lost = new java.util.TreeMap<>();
    /** Live lost entries not yet written void; the last header written, to write again when lost. Guarded by this. */
    private boolean voidsUnwritten;
    private ByteBuffer lastHeader;
    private long lastHeaderAt;
    private long headerWrites;
    private long headerForced;
    private boolean headerLost;
    /** Forces failed so far. Guarded by this. */
    private long failures;
    /** Forces begun so far (their numbers), and those in flight: not yet told how they ended. Guarded by this. */
    private long forcesBegun;
    private final java.util.TreeSet<Long> forcesInFlight = new java.util.TreeSet<>();
    /** Successes held aside until the forces begun before they ended have ended (see the class note). Guarded by this. */
    private final List<Success> unconfirmed = new ArrayList<>();

    /**
     * A force that succeeded: entries [from, through) and {@code headers} headers written before it
     * began, {@code failed} forces failed then; it counts once no force numbered below {@code
     * before} is in flight (the forces begun before it ended), none failing meanwhile.
     */
    private static final class Success {
        final long from;
        final long through;
        final long headers;
        final long failed;
        final long before;
        /** Told: applied, or dropped (a force failed meanwhile). */
        boolean told;
        boolean dropped;

        Success(long from, long through, long headers, long failed, long before) {
            this.from = from;
            this.through = through;
            this.headers = headers;
            this.failed = failed;
            this.before = before;
        }
    }
    /** Keeps forced marks (see the class note). */
    private boolean marks;
    /** This opening wrote the log (began it or appended): only then does it write marks. Guarded by this. */
    private boolean marking;
    /** Entries below it are known durable to this opening: a force that succeeded began after them. Guarded by this. */
    private long markable;
    /** The claim of the newest mark written (or read back), -1 for none; its generation. Guarded by this. */
    private long marked = -1;
    private long markGeneration;
    /**
     * Entries a mark claimed durable that the reading back did not find (damage: see the class
     * note). While it is more than 0 no mark is written but by {@link #settleMark}: entries appended
     * meanwhile (an owner's relog that another failure stopped part-way) must not raise the claim
     * past the damage, which the next opening then no longer saw (DamagedDeltaLogTest
     * .aRelogStoppedByAnotherFailureLeavesTheLogShortForTheNextOpening). Guarded by this.
     */
    private long shortOfMark;

    public RingLog(StorageFile file, long capacity, int headerMagic, int entryMagic) {
        this.file = file;
        this.capacity = Math.max(capacity, DATA + 64 * 1024);
        this.headerMagic = headerMagic;
        this.entryMagic = entryMagic;
    }

    /** Keeps forced marks (see the class note); before the ring is read back or begun. */
    public synchronized RingLog keepForcedMarks() {
        marks = true;
        return this;
    }

    /**
     * Entries the newest mark read back claimed durable that {@link #readLive} did not find: 0 when
     * the replay reached the claim (after a crash too), more when the file was damaged or cut short
     * since: entries acknowledged at a force are gone, not only a torn tail.
     */
    public synchronized long shortOfMark() {
        return shortOfMark;
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
        lost.clear();
        voidsUnwritten = false;
        headerLost = false;
        headerForced = headerWrites;
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
            Found found = readAt(pos, size, h.epoch, seq);
            if (found == null && !triedStart && pos != DATA) {
                triedStart = true; // the writer may have wrapped to the ring's start
                pos = DATA;
                continue;
            }
            if (found == null) {
                break;
            }
            long len = found.length();
            if (found.payload() != null) { // (a void entry only keeps its place: no owner knows it now)
                out.add(new Entry(seq, pos, len, found.payload()));
            }
            live.add(seq, pos, len);
            pos += len;
            end = pos;
            seq++;
            triedStart = false;
        }
        epoch = h.epoch;
        nextSeq = seq;
        durableSeq = seq;
        headPos = end;
        if (marks) {
            readMarks(seq);
        }
        return out;
    }

    /**
     * The newest whole mark of this epoch: {@link #shortOfMark} from it and {@code end}, the
     * replay's end. What is claimable starts at what it claims and the replay found both (entries
     * read back after a process crash may be in the page cache only: only a force of this opening
     * makes them claimable).
     */
    private void readMarks(long end) throws IOException {
        long size = file.size();
        Header best = null;
        for (long at : MARK_AT) {
            if (size < at + HEADER_BYTES) {
                continue;
            }
            ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            file.readFully(at, b);
            if (b.getInt(0) != (headerMagic ^ MARK_MAGIC_XOR) || b.getInt(4) != MARK_VERSION || b.getInt(44) != headerCrc(b)) {
                continue;
            }
            Header m = new Header(b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32));
            markGeneration = Math.max(markGeneration, m.generation);
            if (m.epoch == epoch && (best == null || m.generation > best.generation)) {
                best = m;
            }
        }
        marked = best == null ? -1 : best.tailSeq;
        // (a mark's tailPos field holds the entries lost to damage whose repair is under way: dropBeyondHead)
        shortOfMark = best == null ? 0 : best.tailPos > 0 ? best.tailPos : Math.max(0, best.tailSeq - end);
        markable = best == null ? oldestSeq() : Math.min(best.tailSeq, end);
    }

    /**
     * Writes a mark of what is claimable now when it claims more than the last one (under this
     * monitor, just before a force, which makes it durable with the entries it forces).
     */
    private void markBeforeForce() {
        if (marks && marking && shortOfMark == 0 && markable > marked) {
            try {
                writeMark();
            } catch (IOException | RuntimeException e) {
                // no newer claim: the older mark stands, and the force goes on (it fails itself if the file does)
            }
        }
    }

    /** Writes a mark of {@link #markable} to the slot the older mark holds; nothing changes in memory if the write fails. */
    private void writeMark() throws IOException {
        writeMark(markable, 0);
    }

    /**
     * Writes a mark claiming {@code claim}, with {@code repairing} entries lost to damage whose
     * repair is under way (0: none; see {@link #dropBeyondHead}).
     */
    private void writeMark(long claim, long repairing) throws IOException {
        long generation = markGeneration + 1;
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, headerMagic ^ MARK_MAGIC_XOR).putInt(4, MARK_VERSION).putLong(8, generation).putLong(16, epoch)
                .putLong(24, claim).putLong(32, repairing);
        b.putInt(44, headerCrc(b));
        file.writeFully(MARK_AT[(int) (generation & 1)], b);
        markGeneration = generation;
        marked = claim;
    }

    /**
     * Makes the mark say exactly what is claimable now, durably, even when that is less than an
     * earlier mark claimed: for an owner that found the ring short of its mark and wrote again what
     * it lost. Until this returns, the earlier claim stands (a torn write of this one leaves it in
     * its slot), so an opening after a power cut meanwhile finds the ring short again.
     */
    public void settleMark() throws IOException {
        synchronized (forceLock) {
            synchronized (this) {
                if (!marks) {
                    return;
                }
                marking = true; // (even with nothing appended again: the claim must come down to what is there)
                forceHere(); // what was appended is claimable first
                if (markable != marked || shortOfMark > 0) { // (a mark of a repair under way goes even if the count matches)
                    writeMark();
                    forceHere();
                }
                shortOfMark = 0;
            }
        }
    }

    /**
     * Cuts the file at the end of the last entry read back, when something lies beyond it: what a
     * replay that stopped short left there (the entries after damage, of the same epoch) can never
     * pass for a continuation of the entries appended from here on. Only for a ring that never
     * wrapped (a file of no fixed size).
     *
     * <p>When the ring is short of its mark, a mark saying that a repair is under way (with how
     * many entries were lost) is then made durable, before anything is appended again: the claim
     * is a count of entries, and the owner's own entries written again after the damage would
     * otherwise reach it, unforced ones landing at a power cut in the middle of the repair, or forced
     * ones of a repair another failure stopped part-way, and the next opening would find the ring
     * whole with entries still missing (DamagedDeltaLogTest). Until {@link #settleMark}, every
     * opening finds the ring short by that many, whatever follows the damage.
     */
    public void dropBeyondHead() throws IOException {
        synchronized (forceLock) {
            synchronized (this) {
                if (!live.isEmpty() && live.firstPos() > headPos) {
                    throw new IllegalStateException("a wrapped ring is not cut at its head");
                }
                if (file.size() > headPos) {
                    file.setLength(headPos);
                }
                if (marks && shortOfMark > 0) {
                    writeMark(marked, shortOfMark);
                    forceHere(); // (no other mark is written while the ring is short: markBeforeForce)
                }
            }
        }
    }

    /**
     * Goes on appending after the entries {@link #readLive} found, in their epoch (a journal whose
     * entries are still needed: the write journal keeps them across openings until they ship).
     * A file without a header has no epoch to go on in: it begins one at its first append.
     */
    public synchronized void adopt() {
        begun = headerFound;
        // an owner that goes on with the log claims what it read back too, at its next force or its
        // close, though it may append nothing: a crash left the last force's entries unclaimed (the
        // mark lags one force), and a clean close that claimed nothing let damage to them pass for a
        // torn tail at the next opening (RingLogMarkTest.aCleanCloseAfterACrashClaimsTheEntriesItReadBack)
        marking |= marks && headerFound;
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
        if (slot < 0 || isLost(seq) || at < 0 || at + dst.remaining() > live.len[slot] - ENTRY_HEADER) {
            return false;
        }
        file.readFully(live.pos[slot] + ENTRY_HEADER + at, dst);
        return true;
    }

    /** The payload of live entry {@code seq}, checked; null when it does not read back whole. */
    public synchronized byte[] read(long seq) throws IOException {
        int slot = live.slot(seq);
        if (slot < 0 || isLost(seq)) {
            return null;
        }
        Found found = readAt(live.pos[slot], file.size(), epoch, seq);
        return found == null ? null : found.payload();
    }

    /** An entry read back: its payload (null for a void entry) and its whole length on disk. */
    private record Found(byte[] payload, long length) { }

    private Found readAt(long pos, long size, long wantEpoch, long wantSeq) throws IOException {
        if (pos < DATA || pos + ENTRY_HEADER > Math.min(size, capacity)) {
            return null;
        }
        ByteBuffer h = ByteBuffer.allocate(ENTRY_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        file.readFully(pos, h);
        boolean isVoid = h.getInt(0) == (entryMagic ^ VOID_MAGIC_XOR);
        if ((h.getInt(0) != entryMagic && !isVoid) || h.getLong(4) != wantEpoch || h.getLong(12) != wantSeq) {
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
        if (isVoid) {
            return new Found(null, ENTRY_HEADER + payload);
        }
        byte[] out = new byte[payload];
        all.get(ENTRY_HEADER, out);
        return new Found(out, ENTRY_HEADER + payload);
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
    public void begin() throws IOException {
        synchronized (forceLock) {
            synchronized (this) {
                beginAt(nextSeq);
            }
        }
    }

    /**
     * As {@link #begin}, numbering entries from {@code seq} (a mirror leg rebuilt from its twin
     * keeps the twin's sequence numbers).
     */
    public void beginAt(long seq) throws IOException {
        synchronized (forceLock) {
            synchronized (this) {
                begun = true;
                headerFound = true;
                epoch = new SecureRandom().nextLong();
                nextSeq = seq;
                durableSeq = seq;
                marking = true;
                markable = seq;
                marked = -1; // (an earlier epoch's marks claim nothing of this one)
                shortOfMark = 0;
                headPos = DATA;
                live.clear();
                lost.clear();
                voidsUnwritten = false;
                writeHeader(seq, DATA);
                forceHere();
            }
        }
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
    public long append(ByteBuffer[] parts, int partsCrc) throws IOException {
        if (!isBegun()) { // (never waits for a force once begun: appends go on beside one)
            synchronized (forceLock) { // the epoch's header is forced before its first entry
                synchronized (this) {
                    if (!begun) {
                        beginAt(nextSeq);
                    }
                }
            }
        }
        return appendBegun(parts, partsCrc);
    }

    private synchronized long appendBegun(ByteBuffer[] parts, int partsCrc) throws IOException {
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
        marking = true;
        return seq;
    }

    /**
     * Makes every appended entry durable; throws when that fails, and while an entry a failed force
     * lost is live (see the class note): the owner was told of the loss by the failed force, and
     * a force now cannot make that entry durable. Returns once every force begun before its fsync
     * ended has told how it ended (see the class note): its success may be acknowledged.
     */
    public void force() throws IOException {
        // not under the force lock: a window's end forces its log while a host's flush may be in its own
        synchronized (this) {
            refuseLost(oldestSeq(), nextSeq);
        }
        awaitTold(writeVoidsAndForce());
    }

    /**
     * As {@link #force}, but returns as soon as its own fsync succeeded, without waiting for forces
     * beside it to tell how they ended: for an owner about to stop relying on the ring that
     * acknowledges nothing by this force (a service window whose end put every byte on the members,
     * forced, before pool.json says the window is over). What it wrote counts as durable only once
     * those forces ended well, as for any force (see the class note): a later {@link #forceEntry} or
     * {@link #force} never takes it for durable before.
     */
    public void forceLettingGo() throws IOException {
        synchronized (this) {
            refuseLost(oldestSeq(), nextSeq);
        }
        writeVoidsAndForce();
    }

    /**
     * Makes entry {@code seq} (and every one before it) durable, with one fsync for every caller
     * whose entry was written before it began (group commit). Throws when the force fails, or
     * when entry {@code seq} itself was lost by a failed force: then it never will be durable.
     */
    public void forceEntry(long seq) throws IOException {
        synchronized (forceLock) {
            synchronized (this) {
                refuseLost(seq, seq + 1);
                if (seq < durableSeq && !voidsUnwritten && !headerLost) {
                    return; // a force that began after it was written succeeded, confirmed
                }
            }
            awaitTold(writeVoidsAndForce());
            synchronized (this) {
                refuseLost(seq, seq + 1); // a force beside this one (force()) failed meanwhile
            }
        }
    }

    /** Writes what a failed force lost (void entries, the header) and forces, the fsync outside this monitor. */
    private Success writeVoidsAndForce() throws IOException {
        long from;
        long through;
        long headers;
        long failed;
        long number;
        synchronized (this) {
            writeVoids();
            markBeforeForce();
            from = durableSeq;
            through = nextSeq;
            headers = headerWrites;
            failed = failures;
            number = forceBegins();
        }
        return forceFile(number, from, through, headers, failed);
    }

    /**
     * Forces under this monitor (and the force lock), void entries and a lost header written first.
     * Does not wait for forces beside it (the caller holds the monitor throughout); its success
     * counts once they ended well (see the class note). Returns it, to wait for where needed.
     */
    private Success forceHere() throws IOException {
        writeVoids();
        markBeforeForce();
        return forceFile(forceBegins(), durableSeq, nextSeq, headerWrites, failures);
    }

    /** Numbers a force about to begin and counts it in flight (under this monitor). */
    private long forceBegins() {
        long number = forcesBegun++;
        forcesInFlight.add(number);
        return number;
    }

    /**
     * The fsync, force {@code number}: entries [from, through) and {@code headers} headers were
     * written before it began, with {@code failed} forces failed so far. When it fails, everything
     * not yet durable may be gone. When another force failed while it ran, its success says nothing
     * (one fsync may take the error another's pages met, the other then succeeding without them),
     * so it makes nothing durable; when a force begun before it ended has not told yet, its success
     * is held aside until that one has (see the class note). Returns the success, null when it made
     * nothing durable.
     */
    private Success forceFile(long number, long from, long through, long headers, long failed) throws IOException {
        try {
            file.force();
        } catch (Throwable e) { // (an Error too: the fsync's outcome is unknown, and the others must be told)
            synchronized (this) {
                loseSince(from); // counted before it settles: the successes held aside beside it are dropped
                settled(number);
            }
            throw e;
        }
        synchronized (this) {
            settled(number);
            if (failures != failed) {
                refuseLost(from, through);
                return null;
            }
            Success s = new Success(from, through, headers, failed, forcesBegun);
            if (inFlightBefore(s.before)) {
                unconfirmed.add(s); // the force that took an error in our place may be on its way back
            } else {
                apply(s);
            }
            return s;
        }
    }

    /** True when a force numbered below {@code before} is in flight. */
    private boolean inFlightBefore(long before) {
        return !forcesInFlight.isEmpty() && forcesInFlight.first() < before;
    }

    /**
     * Force {@code number} told how it ended (a failure counted first): successes held aside are
     * dropped when a force failed since they began, applied once nothing begun before them is in
     * flight.
     */
    private void settled(long number) {
        forcesInFlight.remove(number);
        for (java.util.Iterator<Success> it = unconfirmed.iterator(); it.hasNext(); ) {
            Success s = it.next();
            if (failures != s.failed) {
                s.dropped = true;
            } else if (!inFlightBefore(s.before)) {
                apply(s);
            } else {
                continue;
            }
            s.told = true;
            it.remove();
        }
        notifyAll();
    }

    /** A success confirmed: its entries durable and claimable, its headers forced. */
    private void apply(Success s) {
        s.told = true;
        durableSeq = Math.max(durableSeq, s.through);
        markable = Math.max(markable, s.through);
        headerForced = Math.max(headerForced, s.headers);
        if (headerForced >= headerWrites) {
            headerLost = false;
        }
    }

    /**
     * Waits until {@code s} (null: nothing to wait for) is applied or dropped; throws when it was
     * dropped and one of its entries was lost. The wait is behind fsyncs under way: bounded, and
     * needed for the answer, so an interrupt does not end it (it is kept for the caller).
     */
    private synchronized void awaitTold(Success s) throws IOException {
        if (s == null) {
            return;
        }
        boolean interrupted = false;
        while (!s.told) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (s.dropped) {
            refuseLost(s.from, s.through);
        }
    }

    /** A force failed: the entries from {@code from} on, and a header written since the last good force, may be gone. */
    private void loseSince(long from) {
        failures++;
        // not below what a confirmed success made durable, even one confirmed after this force
        // began: its fsync ended before this one began (or it would have waited for this one), so
        // this error is not its pages', and writing its entries void would destroy acknowledged ones
        // (RingLogForceRaceTest)
        from = Math.max(from, durableSeq);
        if (from < nextSeq) {
            lost.merge(from, nextSeq, Math::max);
            mergeLost();
            voidsUnwritten = !live.isEmpty() && live.firstSeq() + live.count > from;
        }
        if (headerForced < headerWrites) {
            headerLost = true;
        }
    }

    /** Joins overlapping or touching lost ranges. */
    private void mergeLost() {
        java.util.Map.Entry<Long, Long> prev = null;
        java.util.Iterator<java.util.Map.Entry<Long, Long>> it = lost.entrySet().iterator();
        java.util.TreeMap<Long, Long> joined = new java.util.TreeMap<>();
        while (it.hasNext()) {
            java.util.Map.Entry<Long, Long> e = it.next();
            if (prev != null && e.getKey() <= prev.getValue()) {
                joined.put(prev.getKey(), Math.max(prev.getValue(), e.getValue()));
                prev = java.util.Map.entry(prev.getKey(), Math.max(prev.getValue(), e.getValue()));
            } else {
                joined.put(e.getKey(), e.getValue());
                prev = e;
            }
        }
        lost.clear();
        lost.putAll(joined);
    }

    private boolean isLost(long seq) {
        java.util.Map.Entry<Long, Long> e = lost.floorEntry(seq);
        return e != null && seq < e.getValue();
    }

    /** Throws when a live entry of [from, to) was lost by a failed force. */
    private void refuseLost(long from, long to) throws IOException {
        long liveFrom = Math.max(from, oldestSeq());
        java.util.Map.Entry<Long, Long> e = lost.floorEntry(to - 1);
        if (e != null && e.getValue() > liveFrom && liveFrom < to) {
            long first = Math.max(e.getKey(), liveFrom);
            throw new IOException("log entry " + first + " was lost when a force of the log failed; it is not durable");
        }
    }

    /**
     * Writes the live lost entries again as void ones, and the last header again when a failed
     * force may have taken it, so that the next force leaves no hole (see the class note).
     */
    private void writeVoids() throws IOException {
        if (voidsUnwritten) {
            for (java.util.Map.Entry<Long, Long> e : lost.entrySet()) {
                for (long seq = Math.max(e.getKey(), oldestSeq()); seq < e.getValue(); seq++) {
                    int slot = live.slot(seq);
                    if (slot >= 0) {
                        writeVoid(seq, live.pos[slot], live.len[slot]);
                    }
                }
            }
            voidsUnwritten = false;
        }
        if (headerLost) {
            file.writeFully(lastHeaderAt, lastHeader.duplicate());
        }
    }

    private void writeVoid(long seq, long pos, long length) throws IOException {
        long payload = length - ENTRY_HEADER;
        ByteBuffer h = ByteBuffer.allocate(ENTRY_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0, entryMagic ^ VOID_MAGIC_XOR).putLong(4, epoch).putLong(12, seq).putInt(20, (int) payload);
        CRC32C sum = new CRC32C(); // the header but its CRC field, then the zeros
        sum.update(h.array(), 0, 24);
        sum.update(h.array(), 28, ENTRY_HEADER - 28);
        byte[] zeros = new byte[(int) Math.min(payload, 1 << 20)];
        for (long done = 0; done < payload; done += zeros.length) {
            sum.update(zeros, 0, (int) Math.min(zeros.length, payload - done));
        }
        h.putInt(24, (int) sum.getValue());
        file.writeFully(pos, h);
        for (long done = 0; done < payload; done += zeros.length) {
            file.writeFully(pos + ENTRY_HEADER + done, ByteBuffer.wrap(zeros, 0, (int) Math.min(zeros.length, payload - done)));
        }
    }

    /**
     * Drops every entry below {@code seq}: the header's tail moves up, durably. Nothing to do when
     * the tail is there already.
     */
    public void retire(long seq) throws IOException {
        synchronized (forceLock) {
            synchronized (this) {
                if (live.isEmpty() || live.firstSeq() >= seq) {
                    return;
                }
                while (!live.isEmpty() && live.firstSeq() < seq) {
                    live.dropFirst();
                }
                lost.headMap(oldestSeq()).entrySet().removeIf(e -> e.getValue() <= oldestSeq());
                long tailPos = live.isEmpty() ? headPos : live.firstPos();
                if (live.isEmpty() && headPos > capacity / 2) {
                    headPos = DATA; // an empty ring starts over: entries stay near the start of the file
                    tailPos = DATA;
                }
                writeHeader(seq, tailPos);
                forceHere();
            }
        }
    }

    /**
     * Gives the file's space back when no entry is live: the header (tail at the start, durably)
     * first, then the file is cut to it; an entry appended later grows it again. For a ring that
     * is not expected to be written for a while (a stripe journal once its volume is whole).
     * Returns true when the file was cut.
     */
    public boolean shrinkIfEmpty() throws IOException {
        synchronized (forceLock) {
            synchronized (this) {
                if (!live.isEmpty() || file.size() <= DATA) {
                    return false;
                }
                headPos = DATA;
                writeHeader(nextSeq, DATA);
                forceHere();
                file.setLength(DATA);
                forceHere();
                return true;
            }
        }
    }

    /**
     * Writes the next header to the slot the older one holds. When a failed force may have taken
     * the last header, that one is written again and forced first: the slot about to be written
     * may hold the only durable header.
     */
    private void writeHeader(long tailSeq, long tailPos) throws IOException {
        if (headerLost) {
            // the rewrite must be durable, confirmed, before the other slot is overwritten: a success
            // held aside may be one that wrote nothing (see the class note); the wait releases this
            // monitor only for the forces beside it to tell how they ended
            awaitTold(forceHere());
            if (headerLost) {
                throw new IOException("the log's header could not be made durable again after a force of the log failed");
            }
        }
        generation++;
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, headerMagic).putInt(4, VERSION).putLong(8, generation).putLong(16, epoch)
                .putLong(24, tailSeq).putLong(32, tailPos);
        b.putInt(44, headerCrc(b));
        lastHeader = b;
        lastHeaderAt = (generation & 1) * SLOT;
        headerWrites++;
        file.writeFully(lastHeaderAt, b.duplicate());
    }

    /** The length on disk (header and payload) of live entry {@code seq}; -1 when it is not live or a failed force lost it. */
    public synchronized long entryBytes(long seq) {
        int slot = live.slot(seq);
        return slot < 0 || isLost(seq) ? -1 : live.len[slot];
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

    /**
     * Closes the file, first marking (durably) what this opening's forces made durable when the
     * last mark claims less: a clean close leaves a claim of every entry forced, so damage that
     * takes even the last forced entry is seen at the next opening. A force that fails here marks
     * nothing more: the older mark, in the other slot, stands.
     */
    public void closeMarked() throws IOException {
        synchronized (forceLock) {
            synchronized (this) {
                if (marks && marking && file != null && shortOfMark == 0 && markable <= marked && nextSeq > marked) {
                    try {
                        forceHere(); // entries read back (in the page cache only, after a process crash) made durable first
                    } catch (IOException | RuntimeException e) {
                        // nothing more is claimable: the older mark stands
                    }
                }
                if (marks && marking && file != null && shortOfMark == 0 && markable > marked) {
                    try {
                        writeMark();
                        file.force();
                    } catch (IOException | RuntimeException ignored) {
                        // no claim more: the entries and the older marks are as they were
                    }
                }
            }
        }
        close();
    }

    public void close() throws IOException {
        if (file != null) { // a look at a parity volume whose journal file is missing has none (PoolRecovery.openVolume)
            file.close();
        }
    }
}
