package org.splitpoint.engine.raid;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.io.BufferStash;
import org.splitpoint.engine.io.RangeLocks;

/**
 * A parity volume's writes: runs of whole stripes written without reads, a partial stripe as a
 * reconstruct-write over the rows it touches, and the pieces of a stripe that neighbouring writes
 * in flight complete gathered and written whole ({@link StripeGather}).
 *
 * <p>Design. A run of whole stripes is assembled per member in direct buffers shared through
 * {@link BufferStash}es (page-aligned when the host's payload is, so that the member files write
 * them around the page cache) and written with one call per member: one copy of the payload, parity
 * computed in place. A partial stripe reads only the data strips the write does not replace, on the
 * rows it touches (one of a drive that lost writes at a failed flush from the others, as a read
 * takes it; all again when a drive's flush failed during the reads, seen once the forces under way ended; refused, as a read is, when a
 * short member's strip would be the XOR of a drive's lost writes), then recomputes parity. Each stripe update is applied under its rows' lock by
 * {@link StripeUpdates}, which journals it when a member is short. A degraded volume, or one with
 * updates to redo, writes every piece as it comes (no gathers) and cuts its runs so that one journal
 * entry stays well inside the ring.
 */
final class StripeWrites {

    /**
     * Member rows of stripe updates whose new bytes came in page-aligned direct buffers (a pair
     * copy's runs, see {@code PairCopyWork}): direct and page-aligned too, so that the
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

    private final ParityVolume volume;
    private final StripeGeometry geo;
    private final Member[] members;
    private final RangeLocks rowLocks;
    private final ParityReconstruction rebuild;
    private final StripeUpdates updates;
    private final StripeGather gather;
    private final StripeJournal journal;
    private final int unit;
    private final int dataStrips;
    private final long stripeData;

    StripeWrites(ParityVolume volume, StripeGeometry geo, Member[] members, RangeLocks rowLocks,
                 ParityReconstruction rebuild, StripeUpdates updates, StripeJournal journal) {
        this.volume = volume;
        this.geo = geo;
        this.members = members;
        this.rowLocks = rowLocks;
        this.rebuild = rebuild;
        this.updates = updates;
        this.journal = journal;
        this.unit = geo.unit;
        this.dataStrips = geo.dataStrips;
        this.stripeData = geo.stripeData;
        // a test can lengthen the wait, to tell a wait ended by its deadline from one ended otherwise
        long waitMillis = Long.getLong("splitpoint.stripeGatherWaitMillis", StripeGather.WAIT_NANOS / 1_000_000);
        this.gather = new StripeGather(geo, waitMillis * 1_000_000);
    }

    /** Degraded full-stripe runs are cut so that one journal entry stays within its bound. */
    private long maxJournaledRun() {
        return Math.max(unit, Math.min(ParityVolume.MAX_RUN_BYTES, journal.entryBound() / members.length) / unit * unit);
    }

    /** Writes {@code src} at volume byte {@code offset} to the members (see the class note). */
    void write(long offset, ByteBuffer src) throws IOException {
        long end = offset + src.remaining();
        // pieces of stripes that neighbouring writes in flight complete are gathered (see StripeGather);
        // a degraded volume or one with updates to redo writes every piece as it comes
        StripeGather.Writer w = volume.degraded() || updates.redoNeeded() ? null : gather.enter(offset, end);
        List<StripeGather.Gather> waits = new ArrayList<>(2);
        boolean ok = false;
        try {
            long pos = offset;
            while (pos < end) {
                long s = pos / stripeData;
                long within = pos - s * stripeData;
                if (within == 0 && end - pos >= stripeData) {
                    long run = volume.degraded() ? maxJournaledRun() : ParityVolume.MAX_RUN_BYTES;
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
            ByteBuffer parity = buf[geo.parityMember(s)];
            for (int k = 0; k < dataStrips; k++) {
                int from = base + (int) (i * stripeData) + k * unit;
                buf[geo.dataMember(s, k)].put(at, src, from, unit);
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
            updates.apply(segs);
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
    void writePartialStripe(long s, int within, int len, ByteBuffer src, boolean zeroing) throws IOException {
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
     * Member#readSkippingHoles}); a short one keeps the kernel's way, as small reads do in {@link ParityReads#read}.
     */
    private static ByteBuffer oldStrip(Member m, long row, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        if (len >= ParityReads.EXACT_READ) {
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
            // a strip read may be a member's whose flush fails under the read, dropping a write's
            // pages: its old bytes went into the parity, and the heal gave them back to it from that
            // parity (ParityReadSourceLossTest). Read again once the loss is on record, compared once
            // the forces under way have ended: a failing one drops the pages before it counts the
            // loss (ParityWriteForceUnderWayTest)
            int first = r0;
            volume.readUnspoiled(row, row + rl, true, () -> readOthers(s, data, whole, strips, first, rl, row));
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
                    segs.add(new StripeJournal.Segment(geo.dataMember(s, k), row, data[k]));
                }
            }
            segs.add(new StripeJournal.Segment(geo.parityMember(s), row, parity));
            updates.apply(segs);
            ROWS_AROUND.giveAll(parity); // a stash's when the strips are, else the heap's
        }
    }

    /**
     * Reads into {@code data} the data strips of stripe {@code s}'s rows [row, row+rl) that the
     * write does not replace whole: from their members, or as the others' XOR where a member is
     * short, or lost writes at a failed flush and the others can give its bytes. A short member's
     * strip is refused where another lost writes that may be in the XOR.
     */
    private void readOthers(long s, ByteBuffer[] data, boolean[] whole, ByteBuffer[] strips, int r0, int rl, long row)
            throws IOException {
        int missing = -1;
        int lossy = -1;
        for (int k = 0; k < dataStrips; k++) {
            if (whole[k]) {
                data[k] = r0 == 0 && rl == unit ? strips[k] : strips[k].slice(r0, rl);
                continue;
            }
            Member m = members[geo.dataMember(s, k)];
            if (!m.holds(row, row + rl)) {
                missing = k;
            } else if (m.lostWrites()) {
                if (lossy >= 0) {
                    data[lossy] = oldStrip(members[geo.dataMember(s, lossy)], row, rl); // two: no other copy of either
                }
                lossy = k; // read below, unless the others can give its bytes
            } else {
                data[k] = oldStrip(m, row, rl);
            }
        }
        if (lossy >= 0) {
            Member m = members[geo.dataMember(s, lossy)];
            if (missing < 0 && othersReadable(m, row, row + rl)) {
                // its image may hold the old bytes of a write a failed flush dropped: the
                // others' XOR has the write, as a read takes it (ParityReads). Read from the
                // image, the old bytes went into the new parity, and the heal then recomputed
                // the strip from that parity: the write was gone under a flush that succeeded
                // (MemberFlushNoSpaceTest.aParityIsNotComputedFromTheOldBytesOfAStripAFailedFlushDropped)
                missing = lossy;
            } else {
                // no other copy (a member short, or another that lost writes: the parity's, a
                // data strip's read above): as a read would, its image. Before, a second lossy
                // strip was left unread and the write failed with a NullPointerException
                // (MemberFlushNoSpaceTest.aPartialStripeWriteBesideTwoDrivesThatLostWritesIsWritten)
                if (!othersHold(m, row, row + rl)) {
                    // A member is out (this write replaces its strip whole, or it is the parity's):
                    // the image may hold the old bytes of a write its failed flush dropped, whose
                    // only copy is the parity. Taken into the new parity, they left the write
                    // nowhere; once the member was back, the heal rebuilt this one from it and the
                    // parity, which agreed on the old bytes, and its flush acknowledged the lost
                    // write (LossyStripUnderWholeStripWriteTest). Refused where the rows were
                    // written since the last good flush, as the absent strip's XOR is below
                    volume.refuseIfWrittenSinceGoodFlush(row, row + rl, "a write's parity needs what drive "
                            + m.drive() + " holds there, written since the last flush that succeeded, which it may"
                            + " have lost at a flush that failed for want of space, and a drive it could be rebuilt"
                            + " from is out");
                }
                data[lossy] = oldStrip(m, row, rl);
            }
        }
        if (missing >= 0) {
            Member m = members[geo.dataMember(s, missing)];
            // a strip of an absent member lives only as the others' XOR: one of them that lost writes
            // may give a dropped write's old bytes to it, and the parity computed from that put the
            // garbage on the absent member's strip for good (DegradedParityLossyWriteTest). Refused
            // where a write since the last good flush may be among what it lost, as a read is
            volume.refuseReconstructionFromLossy(m, row, row + rl, "a write's parity needs what absent drive " + m.drive()
                    + " holds there, written since the last flush that succeeded, which only the XOR of drives that lost"
                    + " writes at flushes that failed for want of space gives");
            data[missing] = ByteBuffer.wrap(rebuild.xorOfOthers(m, row, rl));
        }
    }

    /** True when every member but {@code except} holds rows [from, to) (whether or not it lost writes). */
    private boolean othersHold(Member except, long from, long to) {
        for (Member m : members) {
            if (m != except && !m.holds(from, to)) {
                return false;
            }
        }
        return true;
    }

    /** True when every member but {@code except} holds rows [from, to) and lost no writes: their XOR is {@code except}'s. */
    private boolean othersReadable(Member except, long from, long to) {
        for (Member m : members) {
            if (m != except && (!m.holds(from, to) || m.lostWrites())) {
                return false;
            }
        }
        return true;
    }

    /** True when every touched data strip of stripe {@code s} is a hole on its member over rows [row, row+rl). */
    private boolean touchedAreHoles(long s, boolean[] touched, long row, int rl) {
        for (int k = 0; k < dataStrips; k++) {
            if (touched[k]) {
                Member m = members[geo.dataMember(s, k)];
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

    /** See {@link RaidVolume#barrierWaiting}: the gathers stop waiting for writes held behind a barrier. */
    void barrier(boolean waiting) {
        gather.barrier(waiting);
    }
}
