package org.splitpoint.engine.raid;

import org.splitpoint.engine.io.RangeLocks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.splitpoint.engine.bitmap.WriteIntent;
import org.splitpoint.engine.io.BufferStash;
import org.splitpoint.engine.io.Peek;
import org.splitpoint.engine.io.Zeros;
import org.splitpoint.engine.pool.Layout;

/**
 * RAID 3 (dedicated parity member) and RAID 5 (left-symmetric rotating parity).
 *
 * <p>Design. Stripe s occupies rows [s*u, (s+1)*u) of every member (u = strip unit); it has n-1
 * data strips and one parity strip, so parity is a row-wise XOR and any one member's rows are the
 * XOR of all the others' — which is how reads of a missing member, rebuilds and resyncs all work,
 * whatever the member's role. RAID 3 puts parity on the last member and uses a small strip unit
 * so every request spans all data members; RAID 5 rotates parity to member (n-1) - (s mod n) and
 * places data strip k on member (parity + 1 + k) mod n (left-symmetric, as md's default).
 *
 * <p>Writes: runs of whole stripes are assembled per member and written with one call per member,
 * without reading; a partial stripe is a reconstruct-write over the touched rows (read the rows
 * of the data strips the write does not replace there, overlay, recompute parity). A partial piece
 * whose stripe's other bytes are still to come from writes in flight (a client streaming requests
 * that are not whole stripes) is gathered with them ({@link StripeGather}) and the stripe written
 * whole, without reads, once they are all there. When any member cannot take the write,
 * the stripe update goes through the {@link StripeJournal} first, closing the write hole; a flush
 * retires only the entries whose member writes had returned before it forced the members.
 *
 * <p>Redo. A journaled update whose member writes could not be done (the file system is full), or
 * the replay at open when it could not be done for the same reason, leaves stripes torn. Their
 * updates are kept: the members' reads see them (an overlay), so acknowledged data still reads
 * right, and every later write or flush first redoes them, failing with the same sentence while
 * there is no space. Nothing is written past a pending redo.
 */
public final class ParityVolume extends RaidVolume {

    private static final int MAX_RUN_BYTES = 4 << 20;

    /** Strips at least this long are read straight into the destination; smaller ones through {@link #readThroughSpans}. */
    private static final int DIRECT_STRIP = 16 << 10;

    /**
     * Member buffers of small-strip reads, shared by every thread and volume (see
     * {@link BufferStash}): per thread and per volume, they were 4 MiB a member for every volume
     * object a thread had read, held by the thread long after the volume was closed.
     */
    private static final BufferStash SPANS = new BufferStash(false, 48L << 20);
    /** Each thread's rebuild buffers, one set for every volume (rebuilds run on their jobs' threads). */
    private static final ThreadLocal<byte[][]> REBUILD_BUFFERS = new ThreadLocal<>();
    /**
     * Member rows of stripe updates whose new bytes came in page-aligned direct buffers (NBD
     * payloads, the short runs of an incremental copy): direct and page-aligned too, so that the
     * member files write them around the page cache as they write a mirror's ({@link
     * org.splitpoint.engine.io.DirectWrites}) and no byte is copied on the heap on the way. Shared
     * by every thread and volume, bounded once (see {@link BufferStash}).
     */
    private static final BufferStash ROWS_AROUND = new BufferStash(true, 32L << 20);
    /**
     * Member rows of full-stripe writes from other buffers (a full copy's runs, heap arrays): direct,
     * so the JDK does not copy them again into a temporary buffer of its own for the write, but not
     * aligned, so that they stay in the page cache, written back behind the copier as it reads on.
     */
    private static final BufferStash ROWS_CACHED = new BufferStash(false, 32L << 20);

    private final int unit;
    private final int dataStrips;
    private final long stripeData;
    private final StripeJournal journal;
    private final StripeGather gather;

    ParityVolume(String name, Layout layout, Member[] members, long size, int trackSize, int stripUnit,
                 WriteIntent writeIntent, StripeJournal journal) {
        super(name, layout, members, size, trackSize, writeIntent);
        this.unit = stripUnit;
        this.dataStrips = members.length - 1;
        this.stripeData = (long) stripUnit * dataStrips;
        this.journal = journal;
        this.streams = new StreamFetch(size);
        // a test can lengthen the wait, to tell a wait ended by its deadline from one ended otherwise
        long waitMillis = Long.getLong("splitpoint.stripeGatherWaitMillis", StripeGather.WAIT_NANOS / 1_000_000);
        this.gather = new StripeGather(stripUnit, dataStrips, size, waitMillis * 1_000_000);
        journal.setCheckpointer(this::checkpointJournal);
    }

    /** Degraded full-stripe runs are cut so that one journal entry stays well inside the ring. */
    private long maxJournaledRun() {
        return Math.max(unit, Math.min(MAX_RUN_BYTES, journal.capacity() / 8 / members.length) / unit * unit);
    }

    /** Capacity over {@code n} members of {@code memberSize} bytes with strip unit {@code u}. */
    public static long capacity(int n, long memberSize, int u) {
        return (memberSize / u) * (long) u * (n - 1);
    }

    public int stripUnit() {
        return unit;
    }

    @Override
    public long memberRows() {
        return ((size + stripeData - 1) / stripeData) * unit;
    }

    /** The member holding the parity of stripe {@code s}. */
    public int parityMember(long s) {
        int n = members.length;
        return layout == Layout.RAID3 ? n - 1 : (int) ((n - 1) - (s % n));
    }

    /** The member holding data strip {@code k} of stripe {@code s}. */
    public int dataMember(long s, int k) {
        return layout == Layout.RAID3 ? k : (parityMember(s) + 1 + k) % members.length;
    }

    @Override
    protected long[] rowsOf(long offset, long length) {
        long s0 = offset / stripeData;
        long s1 = (offset + length + stripeData - 1) / stripeData;
        return new long[] {s0 * unit, s1 * unit};
    }

    @Override
    public long wholeWriteUnit() {
        return stripeData;
    }

    @Override
    protected boolean refillNeedsNoIntent(long offset, long length) {
        long end = offset + length;
        return offset % stripeData == 0 && (end % stripeData == 0 || end == size());
    }

    @Override
    protected long[] volumeRangeOfRows(long from, long to) {
        long s0 = from / unit;
        long s1 = (to + unit - 1) / unit;
        return new long[] {s0 * stripeData, s1 * stripeData};
    }

    // ---- reads ----------------------------------------------------------------------------

    @Override
    protected boolean marksDeltaPerSegment() {
        return true;
    }

    /** Per strip: only the bytes on the members that lost a track are lost there. */
    @Override
    protected boolean readsLost(Lost l, long offset, long length) {
        return anyStripPiece(offset, offset + length, (pos, m, row, len) -> {
            if (!l.members().contains(m)) {
                return false;
            }
            long t = l.tracks().nextSetBit(row / trackSize);
            return t >= 0 && t * trackSize < row + len;
        });
    }

    /** A piece of volume bytes [pos, pos+len) within one data strip: on member {@code m}, at member row {@code row}. */
    private interface StripPiece<E extends Exception> {
        /** True to stop the walk here. */
        boolean at(long pos, int m, long row, int len) throws E;
    }

    /** Walks volume bytes [offset, end) strip by strip; true when {@code piece} stopped it. */
    private <E extends Exception> boolean anyStripPiece(long offset, long end, StripPiece<E> piece) throws E {
        for (long pos = offset; pos < end; ) {
            long s = pos / stripeData;
            long within = pos - s * stripeData;
            int k = (int) (within / unit);
            int o = (int) (within - (long) k * unit);
            int len = (int) Math.min(unit - o, end - pos);
            if (piece.at(pos, dataMember(s, k), s * unit + o, len)) {
                return true;
            }
            pos += len;
        }
        return false;
    }

    /**
     * Zeros where every data strip of the range is a hole on a member that holds it (a member that
     * does not would be rebuilt from the others: not known); cold data where the first strip's
     * member holds it and has not cached its first byte.
     */
    @Override
    protected Peek peekMembers(long from, long to) {
        if (!anyStripPiece(from, to, (pos, m, row, len) -> !members[m].holds(row, row + len) || !members[m].holeAt(row, len))) {
            return Peek.ZEROS;
        }
        boolean cold = anyStripPiece(from, from + 1, (pos, m, row, len) -> members[m].holds(row, row + len) && members[m].uncached(row));
        return cold ? Peek.COLD_DATA : Peek.UNKNOWN;
    }

    /** Reads at least this long are read exactly, without the kernel's read-ahead, stream or not. */
    private static final int EXACT_READ = 64 << 10;

    /**
     * Reads of a stream, and large reads, go to the members without the kernel's read-ahead (see
     * {@link Member#read(long, ByteBuffer, boolean)}), the volume fetching ahead of each stream
     * itself, data strips only ({@link #fetch}). Small reads elsewhere keep the kernel's way: on
     * a volume that fits in memory it reads more than asked around a random miss (large folios),
     * which filled the cache sooner: 4 KiB random reads at depth 16 through NBD went at 74-77k
     * IOPS that way and 48-51k read exactly.
     */
    @Override
    protected void doRead(long offset, ByteBuffer dst) throws IOException {
        StreamFetch.Ahead ahead = streams.read(offset, offset + dst.remaining());
        if (ahead.fetches()) {
            fetch(ahead.from(), ahead.to());
        }
        boolean exact = ahead.stream() || dst.remaining() >= EXACT_READ;
        if (dst.remaining() >= 2 * stripeData && readInParallel(offset, dst, ahead.stream(), exact)) {
            return;
        }
        int base = dst.position();
        int n = dst.remaining();
        anyStripPiece(offset, offset + n, (pos, k, row, len) -> {
            Member m = members[k];
            ByteBuffer slice = dst.slice(base + (int) (pos - offset), len);
            if (m.holds(row, row + len)) {
                m.read(row, slice, exact);
            } else {
                try (RangeLocks.Held h = rowLocks.lock(row, row + len)) {
                    slice.put(xorOfOthers(m, row, len));
                }
            }
            return false;
        });
        dst.position(base + n);
    }

    /** The streams among this volume's reads, and what to fetch ahead of them. */
    private final StreamFetch streams;

    /**
     * Asks the members to fetch the data strips of volume bytes [from, to), ahead of a stream
     * ({@link StreamFetch}), data strips only: the members read without the kernel's read-ahead
     * ({@link Member#read(long, ByteBuffer, boolean)}), which would have fetched the parity strips
     * between them too. A 4-drive volume's cold sequential read made the disk read 1367 MiB per
     * 1026 MiB served that way, 4/3 of a plain file; fetching ahead this way it reads what it
     * serves, four members at once (bench/notes/raid5-fetch-ahead-2026-12-03d.txt). Where the
     * kernel cannot be told (no native access), the hints do nothing and the members' reads keep
     * the kernel's read-ahead. Where the last byte of the range is cached already (a warm volume),
     * no hint is given: over cached pages it costs time and fetches nothing.
     */
    @Override
    protected void fetch(long from, long to) {
        if (anyStripPiece(to - 1, to, (pos, m, row, len) -> members[m].cached(row))) {
            return; // the stream's bytes ahead are in the page cache already: a hint would walk them for nothing
        }
        int n = members.length;
        long[] runFrom = new long[n];
        long[] runTo = new long[n];
        Arrays.fill(runFrom, -1);
        anyStripPiece(from, to, (pos, m, row, len) -> {
            if (runFrom[m] >= 0 && runTo[m] == row) {
                runTo[m] += len; // the next row's strip on the same member: one hint for both
                return false;
            }
            if (runFrom[m] >= 0) {
                members[m].willNeed(runFrom[m], runTo[m] - runFrom[m]);
            }
            runFrom[m] = row;
            runTo[m] = row + len;
            return false;
        });
        for (int m = 0; m < n; m++) {
            if (runFrom[m] >= 0) {
                members[m].willNeed(runFrom[m], runTo[m] - runFrom[m]);
            }
        }
    }

    /**
     * A large read with every member present: each member reads its data strips of the request
     * straight into the destination, one positioned read per strip. A read that continues a
     * {@code stream} reads the members one after the other on the caller's thread, its strips being
     * fetched already: handed to other threads, a 1 MiB read from the page cache went at 2.1-3.5
     * GB/s on two cores against 4.0-5.3 GB/s on one thread (fio on a plain file: 5.7), and cold
     * reads were the same either way. A read elsewhere (random) is spread over the members'
     * threads, so a cold one waits for the slowest member, not for their sum. Nothing is read twice or copied
     * twice: the parity strips between them are not read, not even by the kernel's read-ahead
     * (the members read without it; a stream's strips are fetched ahead by {@link #fetch}),
     * and no bounce buffer gathers the pieces (that second copy and the parity's third of extra
     * bytes had held a 1 MiB read to a quarter of a mirror's rate;
     * bench/notes/raid5-read-2026-12-03.txt). Returns false (nothing read) when a member is absent.
     */
    private boolean readInParallel(long offset, ByteBuffer dst, boolean stream, boolean exact) throws IOException {
        int n = members.length;
        long end = offset + dst.remaining();
        long[] rows = rowsOf(offset, end - offset);
        if (!allHold(rows[0], rows[1])) {
            return false;
        }
        if (unit < DIRECT_STRIP) {
            return readThroughSpans(offset, dst);
        }
        List<List<ByteBuffer>> slices = new ArrayList<>(n);
        List<List<Long>> at = new ArrayList<>(n);
        for (int m = 0; m < n; m++) {
            slices.add(new ArrayList<>());
            at.add(new ArrayList<>());
        }
        int base = dst.position();
        anyStripPiece(offset, end, (pos, m, row, len) -> {
            slices.get(m).add(dst.slice(base + (int) (pos - offset), len));
            at.get(m).add(row);
            return false;
        });
        List<IoAction> tasks = new ArrayList<>(n);
        for (int m = 0; m < n; m++) {
            List<ByteBuffer> mine = slices.get(m);
            if (!mine.isEmpty()) {
                Member member = members[m];
                List<Long> where = at.get(m);
                tasks.add(() -> readRuns(member, where, mine, exact));
            }
        }
        if (stream) {
            for (IoAction t : tasks) {
                t.run(); // the strips ahead are already being fetched: no thread to hand them to
            }
        } else {
            MemberIo.all(tasks);
        }
        dst.position(base + (int) (end - offset));
        return true;
    }

    /**
     * A member's strips of a large read, rows ascending: those in neighbouring rows (a run between
     * two of its parity strips) with one call where {@code exact} ({@link Member#readRun}): 16 calls
     * of 64 KiB per MiB became 8-9 over 4 drives, and where a call costs as much as copying 64 KiB
     * from the page cache that was a third of a warm stream's time
     * (bench/notes/raid5-warm-read-2026-12-04.txt).
     */
    private static void readRuns(Member member, List<Long> rows, List<ByteBuffer> slices, boolean exact) throws IOException {
        int i = 0;
        while (i < slices.size()) {
            int j = i + 1;
            long next = rows.get(i) + slices.get(i).remaining();
            while (exact && j < slices.size() && rows.get(j) == next) {
                next += slices.get(j).remaining();
                j++;
            }
            if (j - i == 1) {
                member.read(rows.get(i), slices.get(i), exact);
            } else {
                member.readRun(rows.get(i), slices.subList(i, j).toArray(new ByteBuffer[0]));
            }
            i = j;
        }
    }

    /**
     * A large read of small strips (RAID 3's 512 B): each member reads the rows from its first to its
     * last piece of the request with one call, into a buffer of {@link #SPANS}, on its own thread; then
     * the pieces are gathered into the destination. One read per strip would be thousands of calls
     * per MiB here. Returns false (nothing read) when a member is absent or the rows are too many.
     */
    private boolean readThroughSpans(long offset, ByteBuffer dst) throws IOException {
        int n = members.length;
        long end = offset + dst.remaining();
        long[] rows = rowsOf(offset, end - offset);
        if (!allHold(rows[0], rows[1]) || rows[1] - rows[0] > MAX_RUN_BYTES) {
            return false;
        }
        long[] first = new long[n];
        long[] last = new long[n];
        Arrays.fill(first, Long.MAX_VALUE);
        Arrays.fill(last, Long.MIN_VALUE);
        anyStripPiece(offset, end, (pos, m, row, len) -> {
            first[m] = Math.min(first[m], row);
            last[m] = Math.max(last[m], row + len);
            return false;
        });
        ByteBuffer[] bufs = new ByteBuffer[n];
        try {
            List<IoAction> tasks = new ArrayList<>();
            for (int m = 0; m < n; m++) {
                if (last[m] > first[m]) {
                    Member member = members[m];
                    ByteBuffer b = bufs[m] = SPANS.take((int) (last[m] - first[m]));
                    long row = first[m];
                    tasks.add(() -> member.read(row, b));
                }
            }
            MemberIo.all(tasks); // returns or throws once every read has ended: the buffers are free after
            int base = dst.position();
            anyStripPiece(offset, end, (pos, m, row, len) -> {
                dst.put(base + (int) (pos - offset), bufs[m], (int) (row - first[m]), len);
                return false;
            });
            dst.position(base + (int) (end - offset));
        } finally {
            SPANS.giveAll(bufs);
        }
        return true;
    }

    /** Rows [row, row+len) of {@code missing}, recomputed from every other member. */
    private byte[] xorOfOthers(Member missing, long row, int len) throws IOException {
        List<Member> others = new ArrayList<>();
        for (Member m : members) {
            if (m == missing) {
                continue;
            }
            if (!m.holds(row, row + len)) {
                throw new Member.FailedException("volume " + name + " cannot reconstruct " + missing.drive()
                        + ": " + m.drive() + " is " + m.state() + " too", null);
            }
            others.add(m);
        }
        byte[][] rows = new byte[others.size()][];
        List<IoAction> reads = new ArrayList<>();
        for (int i = 0; i < others.size(); i++) {
            int at = i;
            reads.add(() -> rows[at] = readMember(others.get(at), row, len));
        }
        if (len >= 64 * 1024) {
            MemberIo.all(reads); // large (rebuild): all members at once
        } else {
            for (IoAction r : reads) {
                r.run();
            }
        }
        byte[] acc = rows[0];
        for (int i = 1; i < rows.length; i++) {
            Xor.into(acc, 0, rows[i], 0, len);
        }
        return acc;
    }

    // ---- writes ---------------------------------------------------------------------------

    @Override
    protected void doWrite(long offset, ByteBuffer src) throws IOException {
        long end = offset + src.remaining();
        // pieces of stripes that neighbouring writes in flight complete are gathered (see StripeGather);
        // a degraded volume or one with updates to redo writes every piece as it comes
        StripeGather.Writer w = degraded() || redoNeeded ? null : gather.enter(offset, end);
        List<StripeGather.Gather> waits = new ArrayList<>(2);
        boolean ok = false;
        try {
            long pos = offset;
            while (pos < end) {
                long s = pos / stripeData;
                long within = pos - s * stripeData;
                if (within == 0 && end - pos >= stripeData) {
                    long run = degraded() ? maxJournaledRun() : MAX_RUN_BYTES;
                    long stripes = Math.min((end - pos) / stripeData, Math.max(1, run / unit));
                    writeFullStripes(s, stripes, src);
                    pos += stripes * stripeData;
                } else {
                    int len = (int) Math.min(end - pos, stripeData - within);
                    // where a streaming-size write begins or ends inside a stripe, its neighbour may bring the rest
                    boolean boundary = end - offset >= stripeData && (pos == offset || pos + len == end);
                    StripeGather.Offer o = w == null ? null : gather.offer(w, s, (int) within, len, src, boundary);
                    if (o == null) {
                        writePartialStripe(s, (int) within, len, src);
                    } else if (o.commitNow()) {
                        gather.commit(o.gather(), this::writeGathered);
                    } else {
                        waits.add(o.gather());
                    }
                    pos += len;
                }
            }
            if (w != null) {
                gather.leave(w); // everything handed out: no one waits for more from this write
            }
            for (StripeGather.Gather g : waits) {
                gather.await(g, this::writeGathered);
            }
            ok = true;
        } finally {
            if (w != null) {
                gather.leave(w);
            }
            if (!ok) {
                // the write fails; the pieces it left in gathers are written now, not at their deadline,
                // so that no gather waits on a write that has given up (their partners' bytes are there)
                for (StripeGather.Gather g : waits) {
                    try {
                        gather.settleNow(g, this::writeGathered);
                    } catch (IOException | RuntimeException e) {
                        // this write's own failure is the one reported; each partner sees this one itself
                    }
                }
            }
        }
    }

    @Override
    protected void barrierWaiting(boolean waiting) {
        gather.barrier(waiting);
    }

    /** Gathers open now, written whole, and waited for in vain until their deadline (see {@link StripeGather}). */
    long[] gatherCounts() {
        return gather.counts();
    }

    /**
     * Stripes [s0, s0+count) entirely from {@code src}: no reads, one write per member, from direct
     * buffers the strips are copied into (one copy: the payload to the member's rows) and parity
     * computed in.
     */
    private void writeFullStripes(long s0, long count, ByteBuffer src) throws IOException {
        int n = members.length;
        int perMember = (int) (count * unit);
        BufferStash stash = BufferStash.pageAligned(src) ? ROWS_AROUND : ROWS_CACHED; // the writer's choice of the page cache
        ByteBuffer[] buf = new ByteBuffer[n];
        for (int m = 0; m < n; m++) {
            buf[m] = stash.take(perMember);
        }
        int base = src.position();
        for (long i = 0; i < count; i++) {
            long s = s0 + i;
            int at = (int) (i * unit);
            ByteBuffer parity = buf[parityMember(s)];
            for (int k = 0; k < dataStrips; k++) {
                int from = base + (int) (i * stripeData) + k * unit;
                buf[dataMember(s, k)].put(at, src, from, unit);
                if (k == 0) {
                    parity.put(at, src, from, unit); // the buffers are reused: parity starts from the first strip
                } else {
                    Xor.into(parity, at, src, from, unit);
                }
            }
        }
        src.position(base + (int) (count * stripeData));
        long row = s0 * unit;
        List<StripeJournal.Segment> segs = new ArrayList<>(n);
        for (int m = 0; m < n; m++) {
            segs.add(new StripeJournal.Segment(m, row, buf[m]));
        }
        try (RangeLocks.Held h = rowLocks.lock(row, row + perMember)) {
            apply(segs);
        }
        stash.giveAll(buf); // not after a failure: drop them then (see BufferStash.give)
    }

    /** A write of {@code len} bytes at {@code within} of stripe {@code s}: reconstruct-write. */
    private void writePartialStripe(long s, int within, int len, ByteBuffer src) throws IOException {
        writePartialStripe(s, within, len, src, false);
    }

    /**
     * A reconstruct-write; {@code zeroing}: {@code src} is zeros, and a stripe whose bytes there are
     * zero already is left as it is (nothing changes, so neither data nor parity is written).
     */
    private void writePartialStripe(long s, int within, int len, ByteBuffer src, boolean zeroing) throws IOException {
        ByteBuffer[] strips = new ByteBuffer[dataStrips];
        for (int pos = within; pos < within + len; ) {
            int k = pos / unit;
            int o = pos % unit;
            int n = Math.min(unit - o, within + len - pos);
            byte[] strip = new byte[unit];
            src.get(strip, o, n);
            strips[k] = ByteBuffer.wrap(strip);
            pos += n;
        }
        writeStripe(s, strips, List.of(new int[] {within, within + len}), zeroing, false);
    }

    /**
     * The old bytes of a data strip a partial-stripe write does not cover (for the parity): a long
     * one is read without the kernel's read-ahead, which on a stream of writes fetched megabytes
     * ahead of them, and not read at all where the image holds a hole (see {@link
     * Member#readSkippingHoles}); a short one keeps the kernel's way, as small reads do in {@link #doRead}.
     */
    private static ByteBuffer oldStrip(Member m, long row, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        if (len >= EXACT_READ) {
            m.readSkippingHoles(row, b);
        } else {
            m.read(row, b);
        }
        return b.flip();
    }

    /** The stripe update of a closed gather: whole (no reads), or with the reads its missing bytes need. */
    private void writeGathered(StripeGather.Gather g) throws IOException {
        writeStripe(g.stripe, g.strips, g.covered, false, g.aroundPageCache);
    }

    /**
     * Writes the new bytes of stripe {@code s}: {@code strips[k]} holds data strip k's new bytes at
     * their rows' offsets where {@code covered} (sorted disjoint [from, to) ranges of the stripe's
     * data) says. Only the rows the new bytes span are touched; of those, a data strip is read only
     * where the new bytes do not cover it (a strip the write replaces on those rows is not read:
     * parity needs its new bytes, not its old ones), then parity is recomputed: a reconstruct-write,
     * and no reads at all when the whole stripe is new. {@code zeroing}: the new bytes are zeros, and
     * a stripe whose strips they touch are holes there is left as it is, unread and unwritten
     * (zeros already: nothing changes). Over data the strips they cover are not read, as for any
     * write: knowing whether data is zero would cost a read of every covered strip, cold on the disk
     * for a client zeroing over data (qemu's 32 MiB write-zeroes: two or three 64 KiB reads in
     * series at each end of every request); zeros written over zeros are the same bytes. {@code around}:
     * the strips are page-aligned direct buffers, and parity is computed in one too, so that rows
     * written whole go around the page cache (see {@link #ROWS_AROUND}).
     */
    private void writeStripe(long s, ByteBuffer[] strips, List<int[]> covered, boolean zeroing, boolean around)
            throws IOException {
        int r0 = unit;
        int r1 = 0;
        for (int[] c : covered) {
            int k0 = c[0] / unit;
            int k1 = (c[1] - 1) / unit;
            r0 = Math.min(r0, k0 == k1 ? c[0] - k0 * unit : 0);
            r1 = Math.max(r1, k0 == k1 ? c[1] - k0 * unit : unit);
        }
        int rl = r1 - r0;
        long row = s * unit + r0;
        boolean[] touched = new boolean[dataStrips];
        boolean[] whole = new boolean[dataStrips];
        for (int k = 0; k < dataStrips; k++) {
            touched[k] = overlapsAny(covered, k * unit + r0, k * unit + r1);
            whole[k] = coversAll(covered, k * unit + r0, k * unit + r1);
        }
        try (RangeLocks.Held h = rowLocks.lock(row, row + rl)) {
            if (zeroing && touchedAreHoles(s, touched, row, rl)) {
                return; // zeros over holes: the stripe is what it would become
            }
            ByteBuffer[] data = new ByteBuffer[dataStrips];
            int missing = -1;
            for (int k = 0; k < dataStrips; k++) {
                if (whole[k]) {
                    data[k] = r0 == 0 && rl == unit ? strips[k] : strips[k].slice(r0, rl);
                    continue;
                }
                Member m = members[dataMember(s, k)];
                if (m.holds(row, row + rl)) {
                    data[k] = oldStrip(m, row, rl);
                } else {
                    missing = k;
                }
            }
            if (missing >= 0) {
                data[missing] = ByteBuffer.wrap(xorOfOthers(members[dataMember(s, missing)], row, rl));
            }
            // overlay the new bytes on the strips that were read
            for (int[] c : covered) {
                for (int pos = c[0]; pos < c[1]; ) {
                    int k = pos / unit;
                    int o = pos % unit;
                    int n = Math.min(unit - o, c[1] - pos);
                    if (!whole[k]) {
                        data[k].put(o - r0, strips[k], o, n);
                    }
                    pos += n;
                }
            }
            ByteBuffer parity = around ? ROWS_AROUND.take(rl) : ByteBuffer.allocate(rl);
            parity.put(0, data[0], 0, rl);
            for (int k = 1; k < dataStrips; k++) {
                Xor.into(parity, 0, data[k], 0, rl);
            }
            List<StripeJournal.Segment> segs = new ArrayList<>(dataStrips + 1);
            for (int k = 0; k < dataStrips; k++) {
                if (touched[k]) {
                    segs.add(new StripeJournal.Segment(dataMember(s, k), row, data[k]));
                }
            }
            segs.add(new StripeJournal.Segment(parityMember(s), row, parity));
            apply(segs);
            ROWS_AROUND.giveAll(parity); // a stash's when the strips are, else the heap's
        }
    }

    /** True when every touched data strip of stripe {@code s} is a hole on its member over rows [row, row+rl). */
    private boolean touchedAreHoles(long s, boolean[] touched, long row, int rl) {
        for (int k = 0; k < dataStrips; k++) {
            if (touched[k]) {
                Member m = members[dataMember(s, k)];
                if (!m.holds(row, row + rl) || !m.holeAt(row, rl)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean overlapsAny(List<int[]> covered, int from, int to) {
        for (int[] c : covered) {
            if (from < c[1] && c[0] < to) {
                return true;
            }
        }
        return false;
    }

    private static boolean coversAll(List<int[]> covered, int from, int to) {
        for (int[] c : covered) {
            if (c[0] <= from && to <= c[1]) {
                return true;
            }
        }
        return false;
    }

    // ---- zeroing --------------------------------------------------------------------------

    @Override
    protected boolean zeroesWithoutWriting() {
        return !degraded() && !redoNeeded;
    }

    /**
     * Whole stripes are zeroed on every member at once, data and parity alike (zero data has zero
     * parity, so the stripes stay consistent without reading anything); a partial stripe at either
     * end is a reconstruct-write of zeros, skipped where its bytes are zero already. A degraded
     * volume writes the zeros as any write (its stripe journal must carry the updates).
     */
    @Override
    protected void doZero(long offset, long length, boolean mayUnmap) throws IOException {
        redoPending();
        if (degraded()) {
            writeZeros(offset, length);
            return;
        }
        long end = offset + length;
        long firstWhole = (offset + stripeData - 1) / stripeData * stripeData;
        long lastWhole = end / stripeData * stripeData;
        if (lastWhole <= firstWhole) {
            zeroPartialStripes(offset, end); // no whole stripe in the range
            return;
        }
        RaidVolume.IoAction whole = () -> zeroFullStripes(firstWhole / stripeData, (lastWhole - firstWhole) / stripeData, mayUnmap);
        if (firstWhole == offset && lastWhole == end) {
            whole.run();
            return;
        }
        // the partial stripes at the ends (reads, then zeros and parity written) go beside the whole
        // stripes' fallocates, not before and after them: other stripes, other rows, other row locks. A
        // client's 32 MiB zeroings are never whole stripes, so each had its two ends' I/O in series with
        // the rest (bench/notes/raid5-cold-read-zero-fx-2026-12-03c.txt)
        MemberIo.beside(() -> {
            zeroPartialStripes(offset, firstWhole);
            zeroPartialStripes(lastWhole, end);
        }, whole);
    }

    /** Zeros over volume bytes [from, to), none of its stripes whole: a reconstruct-write per stripe, skipped where zero. */
    private void zeroPartialStripes(long from, long to) throws IOException {
        for (long pos = from; pos < to; ) {
            long s = pos / stripeData;
            long within = pos - s * stripeData;
            int len = (int) Math.min(to - pos, stripeData - within);
            writePartialStripe(s, (int) within, len, Zeros.of(len), true);
            pos += len;
        }
    }

    /** Zeros written as any write, in pieces that end on whole stripes where they can (no reads for those). */
    private void writeZeros(long offset, long length) throws IOException {
        long per = stripeData <= Zeros.CHUNK ? Zeros.CHUNK / stripeData * stripeData : Zeros.CHUNK;
        long end = offset + length;
        for (long pos = offset; pos < end; ) {
            long next = Math.min(end, (pos / per + 1) * per);
            doWrite(pos, Zeros.of((int) (next - pos)));
            pos = next;
        }
    }

    /** Stripes [s0, s0+count) zeroed on every member, each on its own thread, under the rows' lock. */
    private void zeroFullStripes(long s0, long count, boolean mayUnmap) throws IOException {
        long row = s0 * unit;
        long len = count * unit;
        try (RangeLocks.Held h = rowLocks.lock(row, row + len)) {
            if (degraded() || !allHold(row, row + len)) {
                // a member went meanwhile: the stripes go through the journal as zeros written
                writeZeros(s0 * stripeData, count * stripeData);
                return;
            }
            List<IoAction> tasks = new ArrayList<>(members.length);
            AtomicReference<Member.FailedException> failed = new AtomicReference<>();
            for (Member m : members) {
                tasks.add(() -> {
                    try {
                        MemberZeros.zeroRows(m, row, len, mayUnmap);
                    } catch (Member.FailedException e) {
                        failed.set(e); // the others' rows are zero: consistent without it, as after a degraded write
                    }
                });
            }
            MemberIo.all(tasks);
            if (failed.get() != null && state() == org.splitpoint.engine.pool.VolumeState.FAILED) {
                throw failed.get();
            }
        }
    }

    /** True when some member may not hold some rows: writes may need the journal (and runs are cut for it). */
    private boolean degraded() {
        for (Member m : members) {
            if (!m.takesWrites() || m.state() == org.splitpoint.engine.pool.DriveState.REBUILDING || m.stale() != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes the segments to their members (the caller holds their rows' lock), through the journal
     * when the stripe is degraded. Segments of members that take no writes are left out of both.
     */
    private void apply(List<StripeJournal.Segment> segs) throws IOException {
        redoPending();
        List<StripeJournal.Segment> writes = new ArrayList<>(segs.size());
        for (StripeJournal.Segment seg : segs) {
            Member m = members[seg.member()];
            if (m.takesWrites()) {
                writes.add(seg);
            } else {
                // before any member or the journal has the update: only a stripe whose strip on the
                // offline drive changes (its data, or the parity it holds) is in its delta
                offlineRowsChange(m, seg.row(), seg.length());
                missed(m, seg.row(), seg.bytes());
            }
        }
        // only a stripe short of a member has a write hole to close: a member that takes no writes,
        // or one that takes them but does not hold these rows yet (rebuilding above its mark, or a
        // drive back from a service window on a track still stale), whose rows a torn write would
        // leave to be reconstructed from torn parity
        boolean journaled = degraded() || !allHold(segs.get(0).row(), segs.get(0).row() + segs.get(0).length());
        long seq = journaled ? journal.append(writes) : -1;
        int written = 0;
        Member.FailedException failed = null;
        try {
            for (StripeJournal.Segment seg : writes) {
                Member m = members[seg.member()];
                if (!m.takesWrites()) {
                    continue;
                }
                try {
                    m.write(seg.row(), seg.bytes());
                    written++;
                } catch (Member.FailedException e) {
                    failed = e;
                }
            }
        } catch (IOException | RuntimeException e) {
            if (journaled) {
                abandon(seq, writes); // the stripe may be torn: keep its update to redo
            }
            throw e;
        }
        if (journaled) {
            journal.complete(seq);
        }
        if (failed != null && state() == org.splitpoint.engine.pool.VolumeState.FAILED) {
            throw failed;
        }
        if (written == 0 && failed != null) {
            throw failed;
        }
    }

    // ---- journal: retire, replay, redo -----------------------------------------------------------

    private final Object redoLock = new Object();
    /** Updates to redo before anything else is written (entries of the journal, or of a replay at open). */
    private final List<java.util.Map.Entry<Long, List<StripeJournal.Segment>>> redo = new ArrayList<>();
    private volatile boolean redoNeeded;
    /** The journal still holds the replayed entries of an earlier opening (redo them, then begin). */
    private boolean replayPending;

    private void abandon(long seq, List<StripeJournal.Segment> writes) {
        synchronized (redoLock) {
            journal.abandon(seq);
            // kept to redo: copies, since a write's buffers go back to a stash (or its caller) when it returns
            List<StripeJournal.Segment> kept = new ArrayList<>(writes.size());
            for (StripeJournal.Segment w : writes) {
                byte[] copy = new byte[w.length()];
                w.bytes().get(copy);
                kept.add(new StripeJournal.Segment(w.member(), w.row(), copy));
            }
            redo.add(java.util.Map.entry(seq, kept));
            showRedoToReads();
            redoNeeded = true;
        }
    }

    /** Reads of the members see the updates waiting to be redone, as if they were. */
    private void showRedoToReads() {
        List<List<StripeJournal.Segment>> perMember = new ArrayList<>();
        for (int i = 0; i < members.length; i++) {
            perMember.add(new ArrayList<>());
        }
        for (var e : redo) {
            for (StripeJournal.Segment seg : e.getValue()) {
                perMember.get(seg.member()).add(seg);
            }
        }
        for (int i = 0; i < members.length; i++) {
            members[i].setOverlay(perMember.get(i));
        }
    }

    /** Redoes what is pending, or throws (e.g. still no space) so that nothing is written past it. */
    private void redoPending() throws IOException {
        if (!redoNeeded) {
            return;
        }
        synchronized (redoLock) {
            if (!redoNeeded) {
                return;
            }
            for (var e : redo) {
                for (StripeJournal.Segment seg : e.getValue()) {
                    Member m = members[seg.member()];
                    if (m.takesWrites()) {
                        m.write(seg.row(), seg.bytes());
                    }
                }
            }
            if (replayPending) {
                forceTakers(); // the replayed entries are durable on the members before a new epoch forgets them
                journal.begin();
                replayPending = false;
            }
            for (var e : redo) {
                if (e.getKey() >= 0) {
                    journal.complete(e.getKey());
                }
            }
            redo.clear();
            showRedoToReads();
            redoNeeded = false;
        }
    }

    @Override
    protected void forceMembers() throws IOException {
        redoPending();
        long retireBelow = journal.completedPrefix(); // before forcing: later writes keep their entries
        super.forceMembers();
        journal.retire(retireBelow);
        if (!degraded()) {
            journal.shrinkIfEmpty(); // whole again: the ring's space goes back to the file system
        }
    }

    /** The ring is full: make the members durable and retire what that covers. */
    private void checkpointJournal() throws IOException {
        long retireBelow = journal.completedPrefix();
        forceTakers();
        journal.retire(retireBelow);
    }

    @Override
    public int replayJournal() throws IOException {
        List<List<StripeJournal.Segment>> entries = journal.readEntries();
        try {
            for (List<StripeJournal.Segment> e : entries) {
                for (StripeJournal.Segment seg : e) {
                    Member m = members[seg.member()];
                    if (m.takesWrites()) {
                        m.write(seg.row(), seg.bytes());
                    }
                }
            }
            forceTakers();
        } catch (org.splitpoint.engine.io.NoSpaceException e) {
            synchronized (redoLock) {
                for (List<StripeJournal.Segment> entry : entries) {
                    redo.add(java.util.Map.entry(-1L, entry));
                }
                replayPending = true;
                showRedoToReads();
                redoNeeded = true;
            }
            throw e;
        }
        if (!entries.isEmpty()) {
            journal.begin(); // the replayed entries are durable on the members: a new epoch forgets them
        }
        return entries.size();
    }

    /** The journal's live entries as a read-only look sees them: how many a replay would redo. */
    @Override
    public int pendingJournalEntries() throws IOException {
        return journal.readEntries().size();
    }

    /** Starts a new journal epoch now (a damaged journal is reset at open). */
    @Override
    public void beginJournal() throws IOException {
        if (!replayPending) {
            journal.begin();
        }
    }

    /** Bytes the journal's live entries hold now, its capacity, and the size of its file. */
    public long[] journalUse() throws IOException {
        return new long[] {journal.liveBytes(), journal.capacity(), journal.fileBytes()};
    }

    // ---- rebuild and verify ---------------------------------------------------------------

    @Override
    protected void reconstructRows(Member target, long from, long to) throws IOException {
        // the other members are read in parallel into buffers reused from step to step, then XORed
        int len = (int) (to - from);
        int n = members.length;
        byte[][] bufs = REBUILD_BUFFERS.get();
        if (bufs == null || bufs.length != n || bufs[0].length < len) {
            bufs = new byte[n][len];
            REBUILD_BUFFERS.set(bufs);
        }
        List<IoAction> reads = new ArrayList<>(n - 1);
        for (int i = 0; i < n; i++) {
            Member m = members[i];
            if (m == target) {
                continue;
            }
            if (!m.holds(from, to)) {
                throw new Member.FailedException("volume " + name + " cannot reconstruct " + target.drive()
                        + ": " + m.drive() + " is " + m.state() + " too", null);
            }
            ByteBuffer b = ByteBuffer.wrap(bufs[i], 0, len);
            reads.add(() -> m.read(from, b));
        }
        MemberIo.all(reads);
        byte[] acc = bufs[target.index()];
        Arrays.fill(acc, 0, len, (byte) 0);
        for (int i = 0; i < n; i++) {
            if (members[i] != target) {
                Xor.into(acc, 0, bufs[i], 0, len);
            }
        }
        target.write(from, ByteBuffer.wrap(acc, 0, len));
    }

    /** Each other member reads every range on one thread; then each range is XORed and written. */
    @Override
    protected void reconstructRanges(Member target, List<long[]> ranges) throws IOException {
        int n = members.length;
        int total = 0;
        for (long[] r : ranges) {
            total += (int) (r[1] - r[0]);
        }
        byte[][] bufs = new byte[n][];
        List<IoAction> reads = new ArrayList<>(n - 1);
        for (int i = 0; i < n; i++) {
            Member m = members[i];
            if (m == target) {
                continue;
            }
            for (long[] r : ranges) {
                if (!m.holds(r[0], r[1])) {
                    throw new Member.FailedException("volume " + name + " cannot reconstruct " + target.drive()
                            + ": " + m.drive() + " is " + m.state() + " too", null);
                }
            }
            byte[] b = new byte[total];
            bufs[i] = b;
            reads.add(() -> {
                int at = 0;
                for (long[] r : ranges) {
                    int len = (int) (r[1] - r[0]);
                    m.read(r[0], ByteBuffer.wrap(b, at, len));
                    at += len;
                }
            });
        }
        MemberIo.all(reads);
        byte[] acc = new byte[total];
        for (int i = 0; i < n; i++) {
            if (bufs[i] != null) {
                Xor.into(acc, 0, bufs[i], 0, total);
            }
        }
        int at = 0;
        for (long[] r : ranges) {
            int len = (int) (r[1] - r[0]);
            target.write(r[0], ByteBuffer.wrap(acc, at, len));
            at += len;
        }
    }

    @Override
    protected byte[] reconstructed(Member target, long from, int len) throws IOException {
        return xorOfOthers(target, from, len);
    }

    @Override
    protected long checkRows(long from, long to, boolean repair) throws IOException {
        return ParityCheck.check(this, members, unit, from, to, repair);
    }

    @Override
    public void closeQuietly() {
        super.closeQuietly();
        try {
            journal.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }
}
