package org.splitpoint.engine.raid;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.splitpoint.engine.io.BufferStash;
import org.splitpoint.engine.io.RangeLocks;
import org.splitpoint.engine.raid.RaidVolume.IoAction;

/**
 * A parity volume's reads: the data strips of a request read straight into the caller's buffer,
 * a missing member's strips recomputed from the others, and the members told what a stream will
 * read next.
 *
 * <p>Design. Reads of a stream, and large reads, go to the members without the kernel's read-ahead
 * (which took the parity strips between a stream's data strips: 4/3 of the bytes from the disk), the
 * volume fetching ahead of each stream itself, data strips only ({@link StreamFetch}); small random
 * reads keep the kernel's way, which fills the cache sooner. A large read with every member present
 * reads each member's strips in one pass, on the caller's thread when it continues a stream, on all
 * members' threads at once otherwise; small strips (RAID 3's 512 B) go through one span per member.
 * A read holds the volume's gate (taken by {@link RaidVolume#read}) and, for a strip it reconstructs,
 * the strip's rows' lock, so that it never sees a stripe half written.
 */
final class ParityReads {

    /** Strips at least this long are read straight into the destination; smaller ones through {@link #readThroughSpans}. */
    private static final int DIRECT_STRIP = 16 << 10;

    /**
     * Member buffers of small-strip reads, shared by every thread and volume (see
     * {@link BufferStash}): per thread and per volume, they were 4 MiB a member for every volume
     * object a thread had read, held by the thread long after the volume was closed.
     */
    private static final BufferStash SPANS = new BufferStash(false, 48L << 20);

    /** Reads at least this long are read exactly, without the kernel's read-ahead, stream or not. */
    static final int EXACT_READ = 64 << 10;

    /** The streams among this volume's reads, and what to fetch ahead of them. */
    private final StreamFetch streams;

    private final ParityVolume volume;
    private final StripeGeometry geo;
    private final Member[] members;
    private final RangeLocks rowLocks;
    private final ParityReconstruction rebuild;
    private final int unit;
    private final long stripeData;

    ParityReads(ParityVolume volume, StripeGeometry geo, Member[] members, RangeLocks rowLocks, ParityReconstruction rebuild) {
        this.volume = volume;
        this.geo = geo;
        this.members = members;
        this.rowLocks = rowLocks;
        this.rebuild = rebuild;
        this.unit = geo.unit;
        this.stripeData = geo.stripeData;
        this.streams = new StreamFetch(geo.size);
    }

    /**
     * Reads of a stream, and large reads, go to the members without the kernel's read-ahead (see
     * {@link Member#read(long, ByteBuffer, boolean)}), the volume fetching ahead of each stream
     * itself, data strips only ({@link #fetch}). Small reads elsewhere keep the kernel's way: on
     * a volume that fits in memory it reads more than asked around a random miss (large folios),
     * which filled the cache sooner: 4 KiB random reads at depth 16 through NBD went at 74-77k
     * IOPS that way and 48-51k read exactly.
     */
    void read(long offset, ByteBuffer dst) throws IOException {
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
        geo.anyStripPiece(offset, offset + n, (pos, k, row, len) -> {
            Member m = members[k];
            ByteBuffer slice = dst.slice(base + (int) (pos - offset), len);
            if (m.readable(row, row + len)) {
                m.read(row, slice, exact);
            } else if (m.holds(row, row + len) && !volume.othersHold(m, row, row + len)) {
                // m lost writes at a failed flush and a drive absent beside it leaves nothing to rebuild
                // its rows from: refused as a read of lost writes until the reopen resyncs the drives.
                // Before, the reconstruction failed the read as if the volume were FAILED
                // (DegradedLossyDriveReadTest). Not read from m's image even where no write-intent bit
                // says the track was written since the last good flush: ConcurrentAdminDeadlockTest
                // read a write acknowledged long before as its old bytes so (not understood yet)
                throw volume.refusedBesideAbsent(m, row, row + len);
            } else {
                try (RangeLocks.Held h = rowLocks.lock(row, row + len)) {
                    volume.refuseReconstructionFromLossy(m, row, row + len, RaidVolume.READ_OF_LOST_WRITES); // no guess from a second lossy drive
                    slice.put(rebuild.xorOfOthers(m, row, len));
                }
            }
            return false;
        });
        dst.position(base + n);
    }

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
    void fetch(long from, long to) {
        if (geo.anyStripPiece(to - 1, to, (pos, m, row, len) -> members[m].cached(row))) {
            return; // the stream's bytes ahead are in the page cache already: a hint would walk them for nothing
        }
        int n = members.length;
        long[] runFrom = new long[n];
        long[] runTo = new long[n];
        Arrays.fill(runFrom, -1);
        geo.anyStripPiece(from, to, (pos, m, row, len) -> {
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
        long[] rows = geo.rowsOf(offset, end - offset);
        if (!volume.allHold(rows[0], rows[1]) || volume.anyLostWrites()) {
            return false; // strip by strip, each from where it can be read
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
        geo.anyStripPiece(offset, end, (pos, m, row, len) -> {
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
        long[] rows = geo.rowsOf(offset, end - offset);
        if (!volume.allHold(rows[0], rows[1]) || rows[1] - rows[0] > ParityVolume.MAX_RUN_BYTES) {
            return false;
        }
        long[] first = new long[n];
        long[] last = new long[n];
        Arrays.fill(first, Long.MAX_VALUE);
        Arrays.fill(last, Long.MIN_VALUE);
        geo.anyStripPiece(offset, end, (pos, m, row, len) -> {
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
            geo.anyStripPiece(offset, end, (pos, m, row, len) -> {
                dst.put(base + (int) (pos - offset), bufs[m], (int) (row - first[m]), len);
                return false;
            });
            dst.position(base + (int) (end - offset));
        } finally {
            SPANS.giveAll(bufs);
        }
        return true;
    }
}
