package org.splitpoint.engine.service;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * <p>Design. Each segment is a {@link RingLog} that is never retired (so it only grows): records
 * are checksummed, so a crash keeps every whole record and drops a torn last one, and the log is
 * kept across openings ({@link RingLog#adopt}). When a segment is full (a spare drive holds a
 * fixed number of bytes) the next record goes to the next segment, which the owner supplies
 * (a file in meta/). Records are made durable by {@link #force}: the volume's flush calls it, so
 * a flushed (acknowledged) write is in the log. The index is rebuilt at open from the records in
 * order, newest winning, exactly as it was built while they were appended.
 *
 * <p>A flush takes the log from its volume and forces it under no lock the window's end waits for:
 * the end forces the log itself, takes it from the volume and then {@link #retire}s it, which waits
 * for forces in flight before closing the files; a force after that has nothing left to make
 * durable (the members have every byte, forced) and returns.
 */
public final class DeltaLog implements AutoCloseable {

    private static final int HEADER_MAGIC = 0x53504448; // "SPDH"
    private static final int ENTRY_MAGIC = 0x53504445;  // "SPDE"

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
    private final Overflow overflow;
    private final TreeMap<Long, Piece> index = new TreeMap<>();
    private long records;
    private long bytes;
    /** Forces are its uses: {@link #retire} never closes a file a force is on. */
    private final Retirement retirement = new Retirement();

    private DeltaLog(Overflow overflow) {
        this.overflow = overflow;
    }

    /**
     * Opens the log over {@code files} (segment 0 first, each of the capacity given; a file that
     * was never written is empty), reading back every record into the index.
     */
    public static DeltaLog open(List<StorageFile> files, List<Long> capacities, Overflow overflow) throws IOException {
        DeltaLog log = new DeltaLog(overflow);
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
        }
        return log;
    }

    private void addSegment(StorageFile f, long capacity) {
        segments.add(new RingLog(f, capacity, HEADER_MAGIC, ENTRY_MAGIC));
        capacities.add(capacity);
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
        long seq = segments.get(s).append(new ByteBuffer[] {head, body}, crc);
        if (seq < 0) {
            // this segment is full: the next one (its creation is the owner's, made durable there)
            StorageFile f = overflow == null ? null : overflow.next(segments.size());
            if (f == null) {
                throw new IOException("the service log is full (" + bytes + " bytes in " + records + " records)");
            }
            addSegment(f, Long.MAX_VALUE / 4);
            s = segments.size() - 1;
            seq = segments.get(s).append(new ByteBuffer[] {head, body}, crc);
            if (seq < 0) {
                throw new IOException("a record of " + len + " bytes does not fit in a new service log segment");
            }
        }
        indexRecord(s, seq, at, len);
    }

    /** The newest bytes for [at, at+len) now come from this record. */
    private void indexRecord(int seg, long seq, long at, int len) {
        long end = at + len;
        trim(at, end);
        index.put(at, new Piece(at, end, seg, seq, at));
        records++;
        bytes += len;
    }

    /** Removes [from, to) from the index, keeping the parts of pieces outside it. */
    private void trim(long from, long to) {
        Map.Entry<Long, Piece> before = index.lowerEntry(from);
        if (before != null && before.getValue().end() > from) {
            Piece p = before.getValue();
            index.put(p.start(), new Piece(p.start(), from, p.seg(), p.seq(), p.recordStart()));
            if (p.end() > to) {
                index.put(to, new Piece(to, p.end(), p.seg(), p.seq(), p.recordStart()));
            }
        }
        for (Map.Entry<Long, Piece> e = index.ceilingEntry(from); e != null && e.getKey() < to;
             e = index.ceilingEntry(from)) {
            Piece p = e.getValue();
            index.remove(e.getKey());
            if (p.end() > to) {
                index.put(to, new Piece(to, p.end(), p.seg(), p.seq(), p.recordStart()));
            }
        }
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
        retirement.use(() -> {
            List<RingLog> now;
            synchronized (this) {
                now = new ArrayList<>(segments);
            }
            for (RingLog r : now) {
                r.force();
            }
        });
    }

    /**
     * Closes a log whose window is over: its owner forced it and the members hold its bytes durably.
     * Waits for forces in flight (a host flush that took the log before the end) and makes later
     * ones return at once, so neither meets a closed file.
     */
    public void retire() throws IOException {
        retirement.retire(this::close);
    }

    /** Bytes appended (live records' payloads), records appended, and positions held now. */
    public synchronized long bytes() {
        return bytes;
    }

    public synchronized long records() {
        return records;
    }

    public synchronized long heldPositions() {
        long n = 0;
        for (Piece p : index.values()) {
            n += p.length();
        }
        return n;
    }

    /** Segments in use (1 unless the first filled up). */
    public synchronized int segmentCount() {
        return segments.size();
    }

    @Override
    public synchronized void close() throws IOException {
        for (RingLog r : segments) {
            r.close();
        }
    }
}
