package org.splitpoint.engine.service;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.splitpoint.engine.io.Retirement;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.log.Crc32c;
import org.splitpoint.engine.log.RingLog;

/**
 * The bytes of a service window, kept outside the volume's members: an append-only log of records
 * {position, bytes} over one or more files (segments), with an index of the newest bytes of every
 * position written.
 *
 * <p>Two uses. In {@code data} mode (seed 000 claim 8) a position is a member row of the offline
 * drive and the log holds what that drive would have got; bringing it back writes the index's
 * pieces to it and reads no other member. In {@code repository} mode (seed 001) a position is a
 * volume byte: every host write of the window lands here instead of the members, reads look here
 * first, and the return replays the index into the volume.
 *
 * <p>Design. Each segment is a {@link RingLog}: records are checksummed, so a crash keeps every
 * whole record and drops a torn last one, and the log is kept across openings ({@link
 * RingLog#adopt}). A file of no fixed size only grows (compaction replaces it, below). A segment
 * of fixed size (a SPARE drive) is cleaned while it is the only one: when less than an eighth of
 * it is free, its oldest records' live pieces are appended again at the ring's head, forced, and
 * the ring's tail moved past those records ({@link #clean}), so overwrites stay on the SPARE
 * (before, it only grew, and 1 MiB overwritten 20 times on a 16 MiB SPARE went on into meta/,
 * SpareRepositoryReuseTest). When it is really full (its oldest record's live bytes do not fit)
 * the next record goes to the next segment, which the owner supplies (a file in meta/); from
 * then on records go there, and the SPARE's records stay as they are (a segment's records are
 * read back in the order of the segments, so the SPARE cannot take newer ones again). Records are made durable by {@link #force}: the volume's flush calls it, so
 * a flushed (acknowledged) write is in the log. The index is rebuilt at open from the records in
 * order, newest winning, exactly as it was built while they were appended.
 *
 * <p>Damage. A replay stops at the first bad record, as after a crash's torn tail; a file cut
 * short or overwritten between two openings loses every record from there on, acknowledged ones
 * too, and a position that keeps an older record would be read back with the older bytes. Each
 * segment keeps a forced mark (RingLog: how far its records were durable, written before the next
 * force and at the close, so no fsync of its own), and {@link #lostAcknowledgedRecords} says when
 * the replay ended short of it; the owner then writes the lost positions again from elsewhere
 * ({@link #dropBeyondReplay}, {@link #settleMarks}) or refuses to rely on the log.
 *
 * <p>A flush takes the log from its volume and forces it under no lock the window's end waits for:
 * the end forces the log itself, takes it from the volume and then {@link #retire}s it, which waits
 * for forces in flight before closing the files; a force after that has nothing left to make
 * durable (the members have every byte, forced) and returns. The end's own force does not wait for
 * a flush's fsync beside it to tell how it ended ({@link #forceLettingGo}); a flush's does.
 *
 * <p>Compaction ({@link #compact}). Append-only, the log grew with every host write, not with the
 * positions written (1 MiB overwritten 100 times took 100 MiB; a long window under load filled the
 * file system). When the last segment is a file of no fixed size (a data log; a repository in
 * meta/ or its overflow past a full SPARE) and holds more than twice the positions held plus
 * {@link #COMPACTION_SLACK}, the index is copied into a new generation of that file: first the
 * pieces as they were at a mark while writes go on appending, then, in a short section that
 * appends nothing else, the pieces of records appended since the mark (they come later in the new
 * file, so they win as they did). The new file is forced, then renamed over the last segment (the
 * switch: one atomic name change) and the directory synced, all before any append goes to it, so
 * a flush never acknowledges a write that a lost rename would take back. When that sync fails,
 * appends go on into the new file and every force syncs again before it succeeds, failing with
 * {@link NameNotDurableException} (nothing lost: the records are in the file) while it cannot;
 * a force clears only the rename it saw before its sync began. A crash before the
 * rename keeps the old file whole (the new one is a leftover the owner deletes at open); after
 * it, the new file holds every position the log held, newest bytes, so the segments before it (a
 * SPARE's full ring) are read back first and overridden as before. The file replaced is closed
 * once the forces that took it are done. A return reads the pieces it took later ({@link #read}),
 * so it {@link #freeze}s compaction first; a retire or close stops one under way, which then
 * drops its new file. A force that failed stops compaction for good: records may be lost, and a
 * copy would make durable what the page cache holds of them now.
 *
 * <p>Room. A compaction's peak is the old generation and the new one side by side: the log when
 * it became due (at most twice the positions held plus the slack) and a copy of the positions
 * held, so about three times the distinct bytes plus the slack, or one and a half times the log
 * (measured: 64 MiB written eight times over, compacted from 144 MiB to 68 MiB, peak 212 MiB of
 * both files; 4 MiB so, 16 MiB to 4 MiB, peak 20 MiB). That is the price of the crash rules:
 * the old file must stay whole until the new one is forced and its name durable (an in-place copy
 * would overwrite the only copy of acknowledged records), and one file cannot be copied a part at
 * a time. Bounding the peak below that needs a log of several files compacted one at a time (the
 * peak then the log and one file's copy); not done. A compaction that finds no room (ENOSPC on the
 * new file) drops its new file, leaves the log as it was, and the next one waits for the slack
 * more; its owner says so once ({@code ServiceWindow}).
 *
 * <p>Locks: a force takes the retirement's use, then {@code filesInUse} shared, then this monitor
 * briefly; a compaction takes this monitor (its exclusive section forces the new file and renames
 * it under it) and, only once it let it go, {@code filesInUse} exclusive. A compaction takes no
 * lock of the pool or the volume, so a retire under any of them may wait for it to stop.
 */
public final class DeltaLog implements AutoCloseable {

    private static final int HEADER_MAGIC = 0x53504448; // "SPDH"
    private static final int ENTRY_MAGIC = 0x53504445;  // "SPDE"

    /** Bytes a compactable last segment may hold beyond twice the positions held before it is compacted. */
    public static final long COMPACTION_SLACK = 8L << 20;
    /** The capacity of a segment that is a file of no fixed size. */
    public static final long UNBOUNDED = Long.MAX_VALUE / 4;
    /** A copied piece is appended in records of at most this many bytes. */
    private static final int COPY_CHUNK = 1 << 20;

    /**
     * The files of a compaction's new generation of segment {@code segment} (the owner's names):
     * made, renamed over the segment's file, made durable, or dropped.
     */
    public interface Generations {
        /** A new empty file for the next generation of {@code segment} (a leftover one replaced). */
        StorageFile create(int segment) throws IOException;

        /** Renames the new generation's file over {@code segment}'s (atomic; durable only at {@link #sync}). */
        void install(int segment) throws IOException;

        /** Makes the rename durable (its directory synced). */
        void sync() throws IOException;

        /** Deletes the new generation's file of a compaction that did not switch. */
        void discard(int segment) throws IOException;
    }

    /**
     * A force that made every record durable in its file but could not make durable the name a
     * compaction gave that file (its directory sync failed): nothing is lost, nothing it forced may
     * be acknowledged yet, and the next force syncs again.
     */
    public static final class NameNotDurableException extends IOException {
        NameNotDurableException(IOException cause) {
            super("the records are in the log's file, but the new name of its compacted file is not durable yet ("
                    + (cause.getMessage() != null ? cause.getMessage() : cause.toString()) + ")", cause);
        }
    }

    /** Supplies the next segment's file when the last one is full. */
    public interface Overflow {
        StorageFile next(int index) throws IOException;
    }

    /** A run of positions [start, end) whose newest bytes are in record {@code seq} of segment {@code seg}. */
    public record Piece(long start, long end, int seg, long seq, long recordStart) {
        public long length() {
            return end - start;
        }
    }

    private final List<RingLog> segments = new ArrayList<>();
    private final List<Long> capacities = new ArrayList<>();
    /** Per segment: payload bytes and records of its live records. */
    private final List<long[]> segmentSums = new ArrayList<>();
    private final Overflow overflow;
    private final Generations generations;
    private final TreeMap<Long, Piece> index = new TreeMap<>();
    private long records;
    private long bytes;
    /** See {@link #lostAcknowledgedRecords}. */
    private long lostAcknowledged;
    /** Positions the index holds (the sum of its pieces' lengths). */
    private long held;
    /** Forces are its uses: {@link #retire} never closes a file a force is on. */
    private final Retirement retirement = new Retirement();
    /** Forces hold it shared; the close of a segment file a compaction replaced, exclusive. */
    private final ReentrantReadWriteLock filesInUse = new ReentrantReadWriteLock();
    /** A compaction under way; none may start (frozen: a return holds pieces; stopped: retired or closed). */
    private boolean compacting;
    private boolean frozen;
    private boolean stopped;
    /** {@link #COMPACTION_SLACK}, or less for tests that compact small logs. */
    private final long slack = Long.getLong("splitpoint.serviceLogSlack", COMPACTION_SLACK);
    /** {@link #bytes} below which no cleaning of a SPARE's ring is tried again (one freed too little). */
    private long nextCleanAt;
    private long cleanedRecords;
    /** The last segment's live bytes when a compaction failed: the next waits for the slack more. */
    private long failedAt = -1;
    /**
     * Set once a force failed: records may be lost (RingLog), and a compaction would make durable
     * a copy read from what the page cache has now, taking away the refusal the owner relies on.
     */
    private volatile boolean forceFailed;
    /**
     * A compaction's rename whose directory sync failed: a force syncs it before it succeeds. A
     * number, not a flag: each such rename takes a new one, and a force clears only the one it saw
     * before its sync began. A sync begun before a later rename says nothing of that rename, and a
     * flag cleared by it let the next force acknowledge records of a file whose name a power cut
     * could give back to the generation before (DeltaLogUnsyncedNameTest).
     */
    private final java.util.concurrent.atomic.AtomicLong installUnsynced = new java.util.concurrent.atomic.AtomicLong();
    /** Numbers {@link #installUnsynced}; guarded by this. */
    private long unsyncedInstalls;

    private DeltaLog(Overflow overflow, Generations generations) {
        this.overflow = overflow;
        this.generations = generations;
    }

    /**
     * Opens the log over {@code files} (segment 0 first, each of the capacity given; a file that
     * was never written is empty), reading back every record into the index.
     */
    public static DeltaLog open(List<StorageFile> files, List<Long> capacities, Overflow overflow) throws IOException {
        return open(files, capacities, overflow, null);
    }

    /** As {@link #open(List, List, Overflow)}, compacting its last segment through {@code generations} (null: never). */
    public static DeltaLog open(List<StorageFile> files, List<Long> capacities, Overflow overflow, Generations generations)
            throws IOException {
        DeltaLog log = new DeltaLog(overflow, generations);
        for (int i = 0; i < files.size(); i++) {
            log.addSegment(files.get(i), capacities.get(i));
        }
        for (int s = 0; s < log.segments.size(); s++) {
            RingLog r = log.segments.get(s);
            for (RingLog.Entry e : r.readLive()) {
                long at = ByteBuffer.wrap(e.payload()).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                log.indexRecord(s, e.seq(), at, e.payload().length - 8);
            }
            r.adopt();
            log.lostAcknowledged += r.shortOfMark();
        }
        return log;
    }

    /**
     * Records its flushes had acknowledged that the opening did not find (RingLog's forced marks):
     * 0 after a crash's torn tail, more when a file was damaged or cut short between two openings.
     * The replay stops at the first bad record, so every record after it is gone too, and which
     * positions they held is not known.
     */
    public synchronized long lostAcknowledgedRecords() {
        return lostAcknowledged;
    }

    /**
     * For an owner that writes again what a damaged log lost (after {@link #lostAcknowledgedRecords}):
     * the file is cut where the replay stopped, so the records left beyond the damage (of the same
     * epoch, older than anything appended from here on) can never be read back after the new ones.
     * A data log only (one file of no fixed size, which never wraps).
     */
    public synchronized void dropBeyondReplay() throws IOException {
        if (segments.size() != 1 || capacities.get(0) < UNBOUNDED) {
            throw new IllegalStateException("only a data log is cut where its replay stopped");
        }
        segments.get(0).dropBeyondHead();
    }

    /**
     * Once what the log lost is written again and forced: its marks say exactly how far it reaches,
     * durably (until then the earlier claim stands, and an opening after a power cut finds it short
     * again and writes it all again).
     */
    public void settleMarks() throws IOException {
        List<RingLog> now;
        synchronized (this) {
            now = new ArrayList<>(segments);
        }
        for (RingLog r : now) {
            r.settleMark();
        }
        synchronized (this) {
            lostAcknowledged = 0;
        }
    }

    private void addSegment(StorageFile f, long capacity) {
        segments.add(new RingLog(f, capacity, HEADER_MAGIC, ENTRY_MAGIC).keepForcedMarks());
        capacities.add(capacity);
        segmentSums.add(new long[2]);
    }

    /** Appends the bytes for positions [at, at + data.remaining()) (not forced); data is not consumed. */
    public synchronized void append(long at, ByteBuffer data) throws IOException {
        int len = data.remaining();
        if (len == 0) {
            return;
        }
        ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, at);
        ByteBuffer body = data.duplicate();
        int crc = Crc32c.combine(Crc32c.of(head.duplicate()), Crc32c.of(body.duplicate()), len);
        int s = segments.size() - 1;
        if (s == 0 && cleanable() && bytes >= nextCleanAt && !segments.get(0).fits(8L + len + reserve())) {
            clean(8L + len + reserve());
        }
        long seq = segments.get(s).append(new ByteBuffer[] {head, body}, crc);
        if (seq < 0) {
            // this segment is full: the next one (its creation is the owner's, made durable there)
            StorageFile f = overflow == null ? null : overflow.next(segments.size());
            if (f == null) {
                throw new IOException("the service log is full (" + bytes + " bytes in " + records + " records)");
            }
            addSegment(f, UNBOUNDED);
            s = segments.size() - 1;
            seq = segments.get(s).append(new ByteBuffer[] {head, body}, crc);
            if (seq < 0) {
                throw new IOException("a record of " + len + " bytes does not fit in a new service log segment");
            }
        }
        indexRecord(s, seq, at, len);
    }

    // ---- cleaning a SPARE's ring ----------------------------------------------------------------

    /** Room a bounded first segment keeps free by cleaning its oldest records (see the class note). */
    private long reserve() {
        long capacity = capacities.get(0);
        return Math.max(capacity / 8, Math.min(2L * COPY_CHUNK, capacity / 4));
    }

    /** True when the only segment is bounded (a SPARE) and its oldest records may be cleaned now. */
    private boolean cleanable() {
        return segments.size() == 1 && capacities.get(0) < UNBOUNDED && !frozen && !stopped && !forceFailed
                && !compacting;
    }

    /**
     * Frees at least {@code want} bytes of the first segment's ring if its oldest records allow:
     * each one's live pieces are appended again at the ring's head (records newer than any, with
     * the same bytes), the copies forced, and only then the ring's tail moved past it, durably
     * (RingLog.retire). A crash before the retire keeps both, the copies winning with the same
     * bytes; after it, the copies hold them. It stops at a record whose live bytes do not fit any
     * more (the SPARE really full), and is not tried again until {@code reserve} more bytes were
     * appended. Under this monitor: no append, read or compaction meanwhile.
     */
    private void clean(long want) throws IOException {
        RingLog ring = segments.get(0);
        TreeMap<Long, List<Piece>> bySeq = new TreeMap<>();
        for (Piece p : index.values()) {
            if (p.seg() == 0) {
                bySeq.computeIfAbsent(p.seq(), k -> new ArrayList<>()).add(p);
            }
        }
        long first = ring.oldestSeq();
        long end = ring.nextSeq();
        long freed = 0;
        long upTo = first;
        long retiredPayload = 0;
        long retiredRecords = 0;
        try {
            for (long seq = first; seq < end && freed < want; seq++) {
                long entry = ring.entryBytes(seq);
                if (entry < 0) {
                    break;
                }
                boolean copied = true;
                for (Piece p : bySeq.getOrDefault(seq, List.of())) {
                    if (!copyForward(ring, p)) {
                        copied = false;
                        break;
                    }
                }
                if (!copied) {
                    break;
                }
                freed += entry;
                upTo = seq + 1;
                retiredPayload += entry - RingLog.ENTRY_HEADER - 8;
                retiredRecords++;
            }
            if (upTo > first) {
                ring.force(); // the copies durable before the records they replace are dropped
                ring.retire(upTo);
                long[] sums = segmentSums.get(0);
                sums[0] -= retiredPayload;
                sums[1] -= retiredRecords;
                bytes -= retiredPayload;
                records -= retiredRecords;
                cleanedRecords += retiredRecords;
            }
        } catch (IOException e) {
            forceFailed = true; // a force or a retire failed: records may be lost (see force)
            throw e;
        }
        if (!ring.fits(want)) {
            nextCleanAt = bytes + reserve(); // really full, or nothing to free now: not at every append
        }
    }

    /**
     * Appends piece {@code p}'s bytes (a record of the first segment) again at the ring's head and
     * points the index at the copy; false, changing nothing more, when it does not fit.
     */
    private boolean copyForward(RingLog ring, Piece p) throws IOException {
        for (long from = p.start(); from < p.end(); from += COPY_CHUNK) {
            int len = (int) Math.min(COPY_CHUNK, p.end() - from);
            if (!ring.fits(8L + len)) {
                return false;
            }
            ByteBuffer body = ByteBuffer.allocate(len);
            if (!ring.readPayload(p.seq(), 8 + (from - p.recordStart()), body.duplicate())) {
                throw new IOException("service log record " + p.seq() + " cannot be read back to clean it");
            }
            ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, from);
            int crc = Crc32c.combine(Crc32c.of(head.duplicate()), Crc32c.of(body.duplicate()), len);
            long seq = ring.append(new ByteBuffer[] {head, body}, crc);
            if (seq < 0) {
                return false;
            }
            indexRecord(0, seq, from, len); // (the same positions: held does not change)
        }
        return true;
    }

    /** The newest bytes for [at, at+len) now come from this record. */
    private void indexRecord(int seg, long seq, long at, int len) {
        held += len - put(index, new Piece(at, at + len, seg, seq, at));
        records++;
        bytes += len;
        long[] sums = segmentSums.get(seg);
        sums[0] += len;
        sums[1]++;
    }

    /** Puts {@code p} in {@code map} over what it held of p's positions; returns how many positions it held. */
    private static long put(TreeMap<Long, Piece> map, Piece p) {
        long was = trim(map, p.start(), p.end());
        map.put(p.start(), p);
        return was;
    }

    /** Removes [from, to) from {@code map}, keeping the parts of pieces outside it; returns the positions removed. */
    private static long trim(TreeMap<Long, Piece> map, long from, long to) {
        long removed = 0;
        Map.Entry<Long, Piece> before = map.lowerEntry(from);
        if (before != null && before.getValue().end() > from) {
            Piece p = before.getValue();
            removed += Math.min(p.end(), to) - from;
            map.put(p.start(), new Piece(p.start(), from, p.seg(), p.seq(), p.recordStart()));
            if (p.end() > to) {
                map.put(to, new Piece(to, p.end(), p.seg(), p.seq(), p.recordStart()));
            }
        }
        for (Map.Entry<Long, Piece> e = map.ceilingEntry(from); e != null && e.getKey() < to;
             e = map.ceilingEntry(from)) {
            Piece p = e.getValue();
            removed += Math.min(p.end(), to) - p.start();
            map.remove(e.getKey());
            if (p.end() > to) {
                map.put(to, new Piece(to, p.end(), p.seg(), p.seq(), p.recordStart()));
            }
        }
        return removed;
    }

    /** True when every position of [at, at+len) has bytes here. */
    public synchronized boolean covers(long at, long len) {
        long pos = at;
        long end = at + len;
        Map.Entry<Long, Piece> e = index.floorEntry(pos);
        if (e == null || e.getValue().end() <= pos) {
            return false;
        }
        while (pos < end) {
            if (e == null || e.getKey() > pos || e.getValue().end() <= pos) {
                return false;
            }
            pos = e.getValue().end();
            e = index.ceilingEntry(pos);
        }
        return true;
    }

    /** True when some position of [at, at+len) has bytes here. */
    public synchronized boolean touches(long at, long len) {
        Map.Entry<Long, Piece> e = index.lowerEntry(at + len);
        return e != null && e.getValue().end() > at;
    }

    /** Puts the newest bytes held for positions [at, at + dst.remaining()) into dst (others left as they are). */
    public synchronized void overlay(long at, ByteBuffer dst) throws IOException {
        int base = dst.position();
        long end = at + dst.remaining();
        Map.Entry<Long, Piece> e = index.floorEntry(at);
        if (e == null || e.getValue().end() <= at) {
            e = index.ceilingEntry(at);
        }
        for (; e != null && e.getKey() < end; e = index.higherEntry(e.getKey())) {
            Piece p = e.getValue();
            long from = Math.max(at, p.start());
            long to = Math.min(end, p.end());
            if (from >= to) {
                continue;
            }
            ByteBuffer slice = dst.slice(base + (int) (from - at), (int) (to - from));
            if (!segments.get(p.seg()).readPayload(p.seq(), 8 + (from - p.recordStart()), slice)) {
                throw new IOException("service log record " + p.seq() + " cannot be read back");
            }
        }
    }

    /** The index now, in position order: what a replay writes. */
    public synchronized List<Piece> pieces() {
        return new ArrayList<>(index.values());
    }

    /** Reads piece {@code p}'s bytes. */
    public synchronized byte[] read(Piece p) throws IOException {
        byte[] b = new byte[(int) p.length()];
        if (!segments.get(p.seg()).readPayload(p.seq(), 8 + (p.start() - p.recordStart()), ByteBuffer.wrap(b))) {
            throw new IOException("service log record " + p.seq() + " cannot be read back");
        }
        return b;
    }

    /** Makes every appended record durable (nothing once {@link #retire}d). */
    public void force() throws IOException {
        force(true);
    }

    /**
     * As {@link #force}, for the window's end: it does not wait for a host's flush forcing the log
     * beside it to tell how its fsync ended (RingLog.forceLettingGo; the end acknowledges nothing by
     * it, and a flush may be held in its fsync: FlushAtWindowEndTest). What it forced counts as
     * durable only once that flush's fsync ended well, so no flush is acknowledged over a record
     * the other's failure dropped meanwhile.
     */
    public void forceLettingGo() throws IOException {
        force(false);
    }

    private void force(boolean confirmed) throws IOException {
        retirement.use(() -> {
            filesInUse.readLock().lock();
            try {
                List<RingLog> now;
                synchronized (this) {
                    now = new ArrayList<>(segments);
                }
                try {
                    for (RingLog r : now) {
                        if (confirmed) {
                            r.force();
                        } else {
                            r.forceLettingGo();
                        }
                    }
                } catch (IOException e) {
                    forceFailed = true; // no compaction copies what the failed force may have lost (see compact)
                    throw e;
                }
                long unsynced = installUnsynced.get();
                if (unsynced != 0) { // a compaction's rename not yet durable: the records since are in its file
                    try {
                        generations.sync();
                    } catch (IOException e) {
                        throw new NameNotDurableException(e);
                    }
                    installUnsynced.compareAndSet(unsynced, 0); // (a rename since stays for the next force)
                }
            } finally {
                filesInUse.readLock().unlock();
            }
        });
    }

    /**
     * Closes a log whose window is over: its owner forced it and the members hold its bytes durably.
     * Waits for forces in flight (a host flush that took the log before the end) and makes later
     * ones return at once, so neither meets a closed file.
     */
    public void retire() throws IOException {
        stopCompaction();
        retirement.retire(this::close);
    }

    /** Stops compaction for good and waits for one under way to drop its new file. */
    private synchronized void stopCompaction() {
        stopped = true;
        boolean interrupted = false;
        while (compacting) {
            try {
                wait(); // (releases the monitor: the compaction sees it stopped at its next piece)
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- compaction -----------------------------------------------------------------------------

    /** No compaction switches generations from now until {@link #thaw}: a return reads the pieces it took. */
    public synchronized void freeze() {
        frozen = true;
    }

    public synchronized void thaw() {
        frozen = false;
    }

    /** True when the last segment holds enough dead bytes for {@link #compact} (see the class note). */
    public synchronized boolean compactionDue() {
        if (!compactable()) {
            return false;
        }
        long onDisk = segments.get(segments.size() - 1).liveBytes();
        return onDisk > 2 * held + slack && (failedAt < 0 || onDisk > failedAt + slack);
    }

    private boolean compactable() {
        return generations != null && !frozen && !stopped && !compacting && !forceFailed
                && capacities.get(capacities.size() - 1) >= UNBOUNDED;
    }

    /** A compaction that meets a freeze, a retire or a close stops, changing nothing. */
    private static final class Stopped extends Exception {
        Stopped() {
            super(null, null, false, false);
        }
    }

    private void refuseIfStopped() throws Stopped {
        if (frozen || stopped || forceFailed) {
            throw new Stopped();
        }
    }

    /**
     * Copies the index into a new generation of the last segment and switches to it (see the class
     * note). True when it switched; false when there was nothing to do or it was stopped. Throws
     * when it failed: the log is as it was (the new file dropped), or, past the switch, whole in
     * the new generation.
     */
    public boolean compact() throws IOException {
        int last;
        long mark;
        List<Piece> snapshot;
        synchronized (this) {
            if (!compactable()) {
                return false;
            }
            compacting = true;
            last = segments.size() - 1;
            mark = segments.get(last).nextSeq();
            snapshot = new ArrayList<>(index.values());
        }
        RingLog next = null;
        RingLog replaced = null;
        try {
            next = new RingLog(generations.create(last), UNBOUNDED, HEADER_MAGIC, ENTRY_MAGIC).keepForcedMarks();
            TreeMap<Long, Piece> nextIndex = new TreeMap<>();
            long[] nextSums = new long[2];
            for (Piece p : snapshot) { // writes go on: each piece read under the monitor, appended outside it
                copy(p, next, last, nextIndex, nextSums);
            }
            synchronized (this) { // nothing else is appended from here to the switch
                refuseIfStopped();
                for (Piece p : new ArrayList<>(index.values())) {
                    if (p.seg() > last || p.seg() == last && p.seq() >= mark) {
                        copy(p, next, last, nextIndex, nextSums);
                    }
                }
                long nextHeld = 0;
                for (Piece p : nextIndex.values()) {
                    nextHeld += p.length();
                }
                if (nextHeld != held) {
                    throw new IllegalStateException("a compaction of the service log copied " + nextHeld + " of " + held
                            + " positions");
                }
                next.force(); // whole on disk before its name is the log's
                refuseIfStopped(); // (a force of the old file that failed meanwhile: see forceFailed)
                generations.install(last);
                replaced = segments.set(last, next);
                next = null;
                index.clear();
                index.putAll(nextIndex);
                long[] sums = segmentSums.get(last);
                bytes += nextSums[0] - sums[0];
                records += nextSums[1] - sums[1];
                segmentSums.set(last, nextSums);
                try {
                    generations.sync(); // before any append goes to the new file
                } catch (IOException e) {
                    installUnsynced.set(++unsyncedInstalls); // a force syncs it before it acknowledges anything
                }
                failedAt = -1;
            }
            filesInUse.writeLock().lock(); // no force is on the replaced file when it closes
            try {
                replaced.close();
            } catch (IOException ignored) {
                // the switch is done: its name is gone, and the close of its descriptor changes nothing on disk
            } finally {
                filesInUse.writeLock().unlock();
            }
            return true;
        } catch (Stopped s) {
            return false;
        } catch (IOException | RuntimeException | Error e) {
            synchronized (this) {
                failedAt = segments.get(last).liveBytes();
            }
            throw e;
        } finally {
            if (next != null) { // it did not switch: the new file goes
                try {
                    next.close();
                } catch (IOException ignored) {
                    // dropped next
                }
                try {
                    generations.discard(last);
                } catch (IOException ignored) {
                    // a leftover the next opening deletes
                }
            }
            synchronized (this) {
                compacting = false;
                notifyAll();
            }
        }
    }

    /**
     * Appends piece {@code p}'s bytes to {@code next} in records of at most {@link #COPY_CHUNK}
     * bytes, indexing them in {@code nextIndex} as segment {@code seg}. Reads under this monitor
     * (a close or a freeze stops it).
     */
    private void copy(Piece p, RingLog next, int seg, TreeMap<Long, Piece> nextIndex, long[] sums)
            throws IOException, Stopped {
        for (long from = p.start(); from < p.end(); from += COPY_CHUNK) {
            int len = (int) Math.min(COPY_CHUNK, p.end() - from);
            ByteBuffer body = ByteBuffer.allocate(len);
            synchronized (this) {
                refuseIfStopped();
                if (!segments.get(p.seg()).readPayload(p.seq(), 8 + (from - p.recordStart()), body.duplicate())) {
                    throw new IOException("service log record " + p.seq() + " cannot be read back for its compaction");
                }
            }
            ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, from);
            int crc = Crc32c.combine(Crc32c.of(head.duplicate()), Crc32c.of(body.duplicate()), len);
            long seq = next.append(new ByteBuffer[] {head, body}, crc);
            if (seq < 0) {
                throw new IOException("a record of " + len + " bytes does not fit in a new service log generation");
            }
            put(nextIndex, new Piece(from, from + len, seg, seq, from));
            sums[0] += len;
            sums[1]++;
        }
    }

    /** Bytes of the records the log's files hold (payloads), its records, and positions held now. */
    public synchronized long bytes() {
        return bytes;
    }

    public synchronized long records() {
        return records;
    }

    public synchronized long heldPositions() {
        return held;
    }

    /** Records a cleaning of the SPARE's ring dropped so far (their live bytes copied forward). */
    public synchronized long cleanedRecords() {
        return cleanedRecords;
    }

    /** Segments in use (1 unless the first filled up). */
    public synchronized int segmentCount() {
        return segments.size();
    }

    @Override
    public synchronized void close() throws IOException {
        stopped = true; // a compaction under way stops at its next piece
        for (RingLog r : segments) {
            r.closeMarked(); // a clean close claims every record forced: damage to the last one is seen too
        }
    }
}
