package org.splitpoint.engine.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;
import org.splitpoint.engine.io.Retirement;
import org.splitpoint.engine.io.StorageFile;

/**
 * A volume's staged backup journal (seed 003): the second redundancy scheme. Every write of the
 * volume, in the order the volume applied them, is appended to a log mirrored on two legs (drive
 * images outside the volume); entries are {volume offset, time, bytes}, and the log's order with
 * those offsets is the "blueprint" that maps volume addresses to journal entries (claims 7, 17, 28).
 *
 * <p>Design. Each leg is a {@link RingLog}; an entry goes to both legs at once (leg 1 on a writer
 * thread; its bytes summed once, written uncopied) under this monitor, so both hold the same
 * entries at the same sequence numbers. {@link #sync} forces both: a write is
 * acknowledged (the volume's flush returns) only once both schemes hold it durably. Entries stay,
 * across openings, until they are shipped into the backup store; {@link #retire} then drops them.
 * A leg whose I/O fails is dropped (the journal carries on, the pool warns); with both gone the
 * journal records nothing more and says so ({@link #unprotected}). Only the leg in use is: the
 * failure of a leg dropped before (its drive failed by command, perhaps replaced since) is not
 * its successor's.
 *
 * <p>At open the legs are read back and brought level: the tail is the newer of the two (a retire
 * that reached one leg only had shipped its entries already), an entry one leg holds beyond the
 * other's end is copied to it (it was written, not yet acknowledged; keeping it is allowed).
 *
 * <p>A volume's flush syncs the journal under no lock its disabling waits for (a flush hook, taken
 * from the volume before the journal closes). {@link #close} therefore waits for syncs in flight
 * and a sync after it returns at once: a sync of closed legs failed, and the failure was taken for
 * the legs' drives failing, the drives of the journal enabled on them next.
 *
 * <p>Age. An entry records the wall clock's time (the only one that means anything after a
 * restart), but its age, which a journal's max-age ships by, is counted on the monotonic clock
 * while the journal is open: a clock set back (NTP stepping, a VM restored, an administrator's
 * date) delayed an age-based ship by as long as the step, a clock set forward shipped early. An
 * entry read back at open is as old as the wall clock says then; one dated after the opening's
 * time was written before a clock was set back, so how old it is cannot be told: it and every
 * entry before it count as due at once ({@link #oldestAgeKnown}), a ship early rather than late.
 */
public final class WriteJournal implements AutoCloseable {

    private static final int HEADER_MAGIC = 0x53505731; // "SPW1"
    private static final int ENTRY_MAGIC = 0x53505745;  // "SPWE"
    private static final int PAYLOAD_HEADER = 16;
    /** Writes at least this large go to both legs at once; smaller ones one after the other (a hand-off costs more). */
    private static final int PARALLEL_LEGS = 16 * 1024;
    /** Writes leg 1's copy of an entry while the appending thread writes leg 0's. */
    private static final ExecutorService LEG_WRITER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "splitpoint-journal-leg");
        t.setDaemon(true);
        return t;
    });

    /**
     * One journaled write: where it went in the volume, how long, when (the wall clock's time it
     * records, and its birth on the journal's monotonic clock, which its age is counted from); its
     * bytes stay on the legs.
     */
    public record Entry(long seq, long offset, int length, long timeMillis, long bornNanos) {
        public long end() {
            return offset + length;
        }
    }

    /** The clocks an entry's time and its age are read on (a test steps them). */
    public interface Clock {
        /** The wall clock, ms since the epoch: the time an entry records. */
        long millis();

        /** A monotonic clock, ns: the age of the entries written or read back in this opening. */
        long nanos();

        Clock SYSTEM = new Clock() {
            @Override
            public long millis() {
                return System.currentTimeMillis();
            }

            @Override
            public long nanos() {
                return System.nanoTime();
            }
        };
    }

    /** Told when a leg fails (the pool records it and warns). */
    public interface LegListener {
        void legFailed(int leg, IOException why);
    }

    private final RingLog[] legs;
    private final boolean[] healthy;
    private final LegListener listener;
    /** Each leg's size as asked at open: said also with no leg open (both drives FAILED then; a status NPE'd). */
    private final long capacity;
    private final ArrayDeque<Entry> index = new ArrayDeque<>();
    private final Clock clock;
    /** Entries below this number were dated after the opening: their age is unknown (the class note). */
    private long ageUnknownBelow = Long.MIN_VALUE;
    private long bytes;
    /** The next sequence number when no leg is left to say it. */
    private long floor;
    /** Syncs are its uses: {@link #close} never closes a leg under a sync. */
    private final Retirement retirement = new Retirement();

    private WriteJournal(RingLog[] legs, boolean[] healthy, LegListener listener, long capacity, Clock clock) {
        this.clock = clock;
        this.legs = legs;
        this.healthy = healthy;
        this.listener = listener;
        this.capacity = capacity;
    }

    /**
     * Opens the journal on {@code files} (two legs; null for a leg that is FAILED or missing) of
     * {@code capacity} bytes each, reading back and levelling the legs. Entries below
     * {@code shippedThrough} are in the backup store already and are dropped; numbering never goes
     * below it (two blank legs go on from there, so an old number can never be taken for a new
     * entry). A read-only opening reads and writes nothing back.
     */
    public static WriteJournal open(StorageFile[] files, long capacity, long shippedThrough, boolean readOnly,
                                    LegListener listener) throws IOException {
        return open(files, capacity, shippedThrough, readOnly, listener, Clock.SYSTEM);
    }

    /** As {@link #open(StorageFile[], long, long, boolean, LegListener)}, its times and ages on {@code clock}. */
    public static WriteJournal open(StorageFile[] files, long capacity, long shippedThrough, boolean readOnly,
                                    LegListener listener, Clock clock) throws IOException {
        RingLog[] legs = new RingLog[2];
        boolean[] healthy = new boolean[2];
        List<List<RingLog.Entry>> read = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            List<RingLog.Entry> entries = List.of();
            if (files[i] != null) {
                legs[i] = new RingLog(files[i], capacity, HEADER_MAGIC, ENTRY_MAGIC);
                try {
                    entries = legs[i].readLive();
                    healthy[i] = true;
                } catch (IOException e) {
                    listener.legFailed(i, e);
                }
            }
            read.add(entries);
        }
        WriteJournal j = new WriteJournal(legs, healthy, listener, capacity, clock);
        j.level(read, shippedThrough, readOnly);
        return j;
    }

    /** Brings the legs to the same entries (see the class note) and builds the index. */
    private void level(List<List<RingLog.Entry>> read, long shippedThrough, boolean readOnly) throws IOException {
        long tail = shippedThrough;
        long head = shippedThrough;
        for (int i = 0; i < 2; i++) {
            List<RingLog.Entry> e = read.get(i);
            if (healthy[i]) {
                head = Math.max(head, legs[i].nextSeq());
                if (!e.isEmpty()) {
                    tail = Math.max(tail, e.get(0).seq());
                }
            }
        }
        tail = Math.min(tail, head);
        long openMillis = clock.millis();
        long openNanos = clock.nanos();
        List<byte[]> payloads = new ArrayList<>();
        for (long seq = tail; seq < head; seq++) {
            byte[] payload = null;
            for (int i = 0; i < 2 && payload == null; i++) {
                payload = healthy[i] ? find(read.get(i), seq) : null;
            }
            if (payload == null) {
                head = seq; // both legs end here
                break;
            }
            payloads.add(payload);
            ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
            long time = b.getLong(8);
            if (time > openMillis) {
                ageUnknownBelow = seq + 1;
            }
            // as old as the wall clock says now (one dated later: 0 s, a lower bound, see oldestAgeKnown)
            long ageMillis = time > openMillis ? 0 : openMillis - time;
            long born = openNanos - Math.min(ageMillis < 0 ? Long.MAX_VALUE : ageMillis, 1L << 40) * 1_000_000L;
            index.addLast(new Entry(seq, b.getLong(0), payload.length - PAYLOAD_HEADER, time, born));
            bytes += payload.length - PAYLOAD_HEADER;
        }
        floor = head;
        if (readOnly) {
            return;
        }
        for (int i = 0; i < 2; i++) {
            int n = i;
            long t = tail;
            long h = head;
            guarded(n, () -> {
                RingLog leg = legs[n];
                boolean keep = leg.hasHeader() && leg.oldestSeq() <= t && leg.nextSeq() >= t && leg.nextSeq() <= h;
                if (keep) {
                    leg.adopt();
                    leg.retire(t);
                } else {
                    leg.beginAt(t); // blank, or nothing in common: this leg is rebuilt from its twin
                }
                for (long seq = leg.nextSeq(); seq < h; seq++) {
                    if (leg.append(payloads.get((int) (seq - t))) < 0) {
                        throw new IOException("leg " + n + " is smaller than its twin");
                    }
                }
                leg.force();
                return 0L;
            });
        }
    }

    private static byte[] find(List<RingLog.Entry> entries, long seq) {
        if (entries.isEmpty() || seq < entries.get(0).seq() || seq > entries.get(entries.size() - 1).seq()) {
            return null;
        }
        return entries.get((int) (seq - entries.get(0).seq())).payload();
    }

    private interface LegOp {
        long run() throws IOException;
    }

    /** Runs {@code op} on leg {@code i} if it is healthy; an I/O error drops the leg. Returns -1 when dropped. */
    private long guarded(int i, LegOp op) {
        RingLog leg;
        synchronized (this) {
            leg = legs[i];
        }
        return guarded(i, leg, op);
    }

    /**
     * {@link #guarded(int, LegOp)} for an {@code op} on {@code leg}, taken as leg {@code i} outside
     * this monitor (a sync's force, a read). If that leg was dropped meanwhile (its drive failed by
     * an administrator) its failure says nothing of the leg in its place now, a replaced drive that
     * got every entry from its twin and was forced: it is not dropped for it. (A sync held on the
     * old leg as the drive was failed and replaced marked the new drive FAILED:
     * JournalSyncAsLegsGoTest.)
     */
    private long guarded(int i, RingLog leg, LegOp op) {
        synchronized (this) {
            if (!healthy[i] || legs[i] != leg) {
                return -1;
            }
        }
        try {
            return op.run();
        } catch (IOException e) {
            boolean first;
            synchronized (this) {
                first = healthy[i] && legs[i] == leg;
                if (first) {
                    healthy[i] = false;
                }
            }
            if (first) {
                listener.legFailed(i, e);
            }
            return -1;
        }
    }

    /** Stops using leg {@code i} (its drive was failed by an administrator). */
    public void dropLeg(int i) {
        RingLog leg;
        synchronized (this) {
            if (!healthy[i]) {
                return;
            }
            healthy[i] = false;
            leg = legs[i];
        }
        try {
            leg.close();
        } catch (IOException ignored) {
            // the leg is gone either way
        }
    }

    /** What makes a rejoined leg's use durable (the pool's record of its drive), run before the leg counts. */
    public interface Record {
        void write() throws IOException;
    }

    /**
     * A replaced (blank) drive becomes leg {@code i} again: it gets every live entry from its twin,
     * with the twin's sequence numbers, is forced, and counts only once {@code record} wrote that it
     * does. All of it under this monitor, so no entry is appended between the copy and the use. When
     * anything fails the leg is not used and {@code file} is closed: memory says what the record says.
     */
    public synchronized void rejoin(int i, StorageFile file, Record record) throws IOException {
        try {
            int twin = 1 - i;
            if (!healthy[twin]) {
                throw new IOException("the other journal drive is not working either: there is nothing to copy from");
            }
            RingLog leg = new RingLog(file, legs[twin].capacity(), HEADER_MAGIC, ENTRY_MAGIC);
            long from = oldestSeq();
            long to = legs[twin].nextSeq();
            leg.beginAt(from);
            for (long seq = from; seq < to; seq++) {
                byte[] p = legs[twin].read(seq);
                if (p == null || leg.append(p) < 0) {
                    throw new IOException("journal entry " + seq + " could not be copied to the new drive");
                }
            }
            leg.force();
            record.write();
            legs[i] = leg;
            healthy[i] = true;
        } catch (IOException | RuntimeException e) {
            try {
                file.close(); // the leg's file: nothing else holds it
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** True when no leg is left: writes are not journaled (the volume keeps serving). */
    public synchronized boolean unprotected() {
        return !healthy[0] && !healthy[1];
    }

    /** Which legs are working. */
    public synchronized boolean legHealthy(int i) {
        return healthy[i];
    }

    /** True when the entry a write of {@code length} bytes makes fits now. */
    public synchronized boolean fits(int length) {
        for (int i = 0; i < 2; i++) {
            if (healthy[i] && !legs[i].fits(PAYLOAD_HEADER + length)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Journals a write of {@code data} at volume {@code offset} (not forced; {@link #sync} is).
     * Returns its sequence number, -1 when no leg is left, -2 when it does not fit (ship first).
     */
    public synchronized long append(long offset, ByteBuffer data) {
        if (unprotected()) {
            return -1;
        }
        if (!fits(data.remaining())) {
            return -2;
        }
        int len = data.remaining();
        long now = clock.millis();
        long nowNanos = clock.nanos();
        ByteBuffer head = ByteBuffer.allocate(PAYLOAD_HEADER).order(ByteOrder.LITTLE_ENDIAN).putLong(0, offset).putLong(8, now);
        CRC32C sum = new CRC32C(); // once for both legs
        sum.update(head.duplicate());
        sum.update(data.duplicate());
        int crc = (int) sum.getValue();
        // both legs at once (two drives): leg 1 on the journal's writer thread, leg 0 here
        Future<Long> second = healthy[0] && healthy[1] && len >= PARALLEL_LEGS
                ? LEG_WRITER.submit(() -> legAppend(1, head, data, crc)) : null;
        long[] seqs = new long[2];
        IOException[] failed = new IOException[2];
        // whatever leg 0 does, leg 1's write is waited for before this returns: the caller's buffer
        // and the legs' order must outlast it
        for (int i = 0; i < 2; i++) {
            if (!healthy[i]) {
                seqs[i] = -1;
                continue;
            }
            try {
                seqs[i] = i == 1 && second != null ? await(second) : legAppend(i, head, data, crc);
            } catch (IOException e) {
                seqs[i] = -1;
                failed[i] = e;
            } catch (RuntimeException e) { // a fault of ours: the leg is dropped like a failed one
                seqs[i] = -1;
                failed[i] = new IOException("journal leg " + i + " failed to take an entry: " + e, e);
            }
        }
        long seq = -1;
        for (int i = 0; i < 2; i++) {
            if (failed[i] != null) {
                healthy[i] = false;
                listener.legFailed(i, failed[i]);
            } else if (seqs[i] >= 0) {
                seq = seqs[i];
            }
        }
        if (seq < 0) {
            return -1;
        }
        index.addLast(new Entry(seq, offset, len, now, nowNanos));
        bytes += len;
        return seq;
    }

    /** Appends the entry to leg {@code i} (the caller holds this journal's monitor, or waits for us under it). */
    private long legAppend(int i, ByteBuffer head, ByteBuffer data, int crc) throws IOException {
        long s = legs[i].append(new ByteBuffer[] {head.duplicate(), data.duplicate()}, crc);
        if (s < 0) {
            throw new IOException("the entry did not fit on leg " + i + " although it fit on its twin");
        }
        return s;
    }

    private static <T> T await(Future<T> f) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the leg's write is under way: wait for it all the same
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof IOException io) {
                        throw io;
                    }
                    if (c instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IOException(c);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Makes every journaled write durable on every working leg; nothing once {@link #close}d (the
     * journal is disabled, or the pool closing after its volumes' last flush synced it).
     */
    public void sync() throws IOException {
        retirement.use(this::syncLegs);
    }

    private void syncLegs() {
        RingLog[] now = new RingLog[2];
        synchronized (this) {
            for (int i = 0; i < 2; i++) {
                now[i] = healthy[i] ? legs[i] : null;
            }
        }
        // both drives at once: a flush waits for the slower, not for the two in turn
        Future<?> second = now[0] != null && now[1] != null ? LEG_WRITER.submit(() -> guarded(1, now[1], () -> {
            now[1].force();
            return 0L;
        })) : null;
        for (int i = 0; i < 2; i++) {
            if (now[i] == null) {
                continue;
            }
            if (i == 1 && second != null) {
                awaitQuietly(second);
                continue;
            }
            int n = i;
            guarded(n, now[n], () -> {
                now[n].force();
                return 0L;
            });
        }
    }

    /** Waits for a task that reports its own failures (through {@link #guarded}). */
    private static void awaitQuietly(Future<?> f) {
        try {
            await(f);
        } catch (IOException e) {
            // guarded() recorded it
        }
    }

    /** The live entries with sequence numbers in [from, to), in order. */
    public synchronized List<Entry> entries(long from, long to) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : index) {
            if (e.seq() >= from && e.seq() < to) {
                out.add(e);
            }
        }
        return out;
    }

    /** Reads bytes [at, at + dst.remaining()) of entry {@code seq}'s data from a working leg. */
    public void readData(long seq, long at, ByteBuffer dst) throws IOException {
        for (int i = 0; i < 2; i++) {
            RingLog leg;
            synchronized (this) {
                leg = healthy[i] ? legs[i] : null;
            }
            int start = dst.position();
            try {
                if (leg != null && leg.readPayload(seq, PAYLOAD_HEADER + at, dst)) {
                    return;
                }
            } catch (IOException e) {
                dst.position(start);
                guarded(i, leg, () -> {
                    throw e;
                });
            }
        }
        throw new IOException("journal entry " + seq + " cannot be read from either journal drive");
    }

    /** Drops the entries below {@code seq} (shipped), durably on every working leg. */
    public synchronized void retire(long seq) {
        while (!index.isEmpty() && index.peekFirst().seq < seq) {
            bytes -= index.pollFirst().length;
        }
        for (int i = 0; i < 2; i++) {
            int n = i;
            guarded(n, () -> {
                legs[n].retire(seq);
                return 0L;
            });
        }
    }

    /** The oldest live entry's sequence number (the next one when none is live). */
    public synchronized long oldestSeq() {
        return index.isEmpty() ? nextSeq() : index.peekFirst().seq;
    }

    public synchronized long nextSeq() {
        for (int i = 0; i < 2; i++) {
            if (healthy[i]) {
                return legs[i].nextSeq();
            }
        }
        return index.isEmpty() ? floor : Math.max(floor, index.peekLast().seq + 1);
    }

    public synchronized int entries() {
        return index.size();
    }

    /** Bytes of volume data the live entries hold. */
    public synchronized long bytes() {
        return bytes;
    }

    /** Bytes the live entries take on a leg, with their headers. */
    public synchronized long liveBytes() {
        for (int i = 0; i < 2; i++) {
            if (healthy[i]) {
                return legs[i].liveBytes();
            }
        }
        return 0;
    }

    /** Each leg's size (as given at open when no leg was open: both drives FAILED then). */
    public long capacity() {
        return legs[0] != null ? legs[0].capacity() : legs[1] != null ? legs[1].capacity() : capacity;
    }

    /** When the oldest live entry was written (ms since the epoch), or -1 when none is live. */
    public synchronized long oldestTime() {
        return index.isEmpty() ? -1 : index.peekFirst().timeMillis;
    }

    /**
     * How long ago the oldest live entry was written, in ms on the monotonic clock (the class note),
     * -1 when none is live; a lower bound when {@link #oldestAgeKnown} is false.
     */
    public synchronized long oldestAgeMillis() {
        return index.isEmpty() ? -1 : Math.max(0, (clock.nanos() - index.peekFirst().bornNanos) / 1_000_000L);
    }

    /** False when the oldest live entry was read back dated after the opening (a clock set back since): its age is unknown. */
    public synchronized boolean oldestAgeKnown() {
        return index.isEmpty() || index.peekFirst().seq >= ageUnknownBelow;
    }

    /** Closes the legs once the syncs in flight ended (a host flush's, see the class note); later syncs return. */
    @Override
    public void close() throws IOException {
        retirement.retire(() -> {
            for (RingLog leg : legs) {
                if (leg != null) {
                    leg.close();
                }
            }
        });
    }
}
