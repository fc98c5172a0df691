package org.splitpoint.engine.raid;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.splitpoint.engine.bitmap.WriteIntent;
import org.splitpoint.engine.io.Peek;
import org.splitpoint.engine.pool.DriveState;
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
 * retires only the entries whose member writes had returned before it forced the members. Updates
 * that could not be applied for lack of space are kept, shown to reads and redone first.
 *
 * <p>Parts. This class is the layout as {@link RaidVolume} sees it, and wires its parts, each in a
 * class of its own: {@link StripeGeometry} (where bytes live), {@link ParityReads} (reads, fetch
 * ahead), {@link StripeWrites} (full-stripe, reconstruct and gathered writes), {@link StripeZeroing},
 * {@link StripeUpdates} (the journal, its retire, replay and redo), {@link ParityReconstruction} (a
 * member's rows from the others') and {@link ParityCheck} (verify and repair). The locks they take
 * are the volume's row locks (one stripe update under its rows' lock), and in {@link StripeUpdates}
 * the redo lock and the lock an unjournaled stripe update shares with the settle before a member's
 * absence is recorded (taken under the rows' lock, never the other way round); the gate is taken
 * by {@link RaidVolume} before any of them is called.
 */
public final class ParityVolume extends RaidVolume {

    /** The most member rows one call writes in a run of whole stripes (or reads through spans). */
    static final int MAX_RUN_BYTES = 4 << 20;

    private final StripeGeometry geo;
    private final StripeJournal journal;
    private final StripeUpdates updates;
    private final ParityReconstruction rebuild;
    private final ParityReads reads;
    private final StripeWrites writes;
    private final StripeZeroing zeroing;

    ParityVolume(String name, Layout layout, Member[] members, long size, int trackSize, int stripUnit,
                 WriteIntent writeIntent, StripeJournal journal) {
        super(name, layout, members, size, trackSize, writeIntent);
        this.geo = new StripeGeometry(layout, members.length, stripUnit, size);
        this.journal = journal;
        this.rebuild = new ParityReconstruction(name, members);
        this.updates = new StripeUpdates(this, members, journal);
        this.reads = new ParityReads(this, geo, members, rowLocks, rebuild);
        this.writes = new StripeWrites(this, geo, members, rowLocks, rebuild, updates, journal);
        this.zeroing = new StripeZeroing(this, geo, members, rowLocks, writes, updates);
    }

    /** Capacity over {@code n} members of {@code memberSize} bytes with strip unit {@code u}. */
    public static long capacity(int n, long memberSize, int u) {
        return StripeGeometry.capacity(n, memberSize, u);
    }

    public int stripUnit() {
        return geo.unit;
    }

    @Override
    public long memberRows() {
        return geo.memberRows();
    }

    /** The member holding the parity of stripe {@code s}. */
    public int parityMember(long s) {
        return geo.parityMember(s);
    }

    /** The member holding data strip {@code k} of stripe {@code s}. */
    public int dataMember(long s, int k) {
        return geo.dataMember(s, k);
    }

    @Override
    protected long[] rowsOf(long offset, long length) {
        return geo.rowsOf(offset, length);
    }

    @Override
    public long wholeWriteUnit() {
        return geo.stripeData;
    }

    @Override
    protected boolean refillNeedsNoIntent(long offset, long length) {
        long end = offset + length;
        return offset % geo.stripeData == 0 && (end % geo.stripeData == 0 || end == size());
    }

    @Override
    protected long[] volumeRangeOfRows(long from, long to) {
        return geo.volumeRangeOfRows(from, to);
    }

    // ---- reads ----------------------------------------------------------------------------

    @Override
    protected boolean marksDeltaPerSegment() {
        return true;
    }

    /** Per strip: only the bytes on the members that lost a track are lost there. */
    @Override
    protected boolean readsLost(Lost l, long offset, long length) {
        return geo.anyStripPiece(offset, offset + length, (pos, m, row, len) -> {
            if (!l.members().contains(m)) {
                return false;
            }
            long t = l.tracks().nextSetBit(row / trackSize);
            return t >= 0 && t * trackSize < row + len;
        });
    }

    /**
     * Zeros where every data strip of the range is a hole on a member that holds it (a member that
     * does not, or lost writes at a failed flush, would be rebuilt from the others: not known); cold data where the first strip's
     * member holds it and has not cached its first byte.
     */
    @Override
    protected Peek peekMembers(long from, long to) {
        if (!geo.anyStripPiece(from, to, (pos, m, row, len) -> !members[m].readable(row, row + len) || !members[m].holeAt(row, len))) {
            return Peek.ZEROS;
        }
        boolean cold = geo.anyStripPiece(from, from + 1, (pos, m, row, len) -> members[m].readable(row, row + len) && members[m].uncached(row));
        return cold ? Peek.COLD_DATA : Peek.UNKNOWN;
    }

    /** See {@link ParityReads#read}. */
    @Override
    protected void doRead(long offset, ByteBuffer dst) throws IOException {
        reads.read(offset, dst);
    }

    /** See {@link ParityReads#fetch}. */
    @Override
    protected void fetch(long from, long to) {
        reads.fetch(from, to);
    }

    // ---- writes and zeroing ---------------------------------------------------------------

    @Override
    protected void doWrite(long offset, ByteBuffer src) throws IOException {
        writes.write(offset, src);
    }

    @Override
    protected void barrierWaiting(boolean waiting) {
        writes.barrier(waiting);
    }

    /** Gathers open now, written whole, and waited for in vain until their deadline (see {@link StripeGather}). */
    long[] gatherCounts() {
        return writes.gatherCounts();
    }

    @Override
    protected boolean zeroesWithoutWriting() {
        return !degraded() && !updates.redoNeeded();
    }

    /** See {@link StripeZeroing}. */
    @Override
    protected void doZero(long offset, long length, boolean mayUnmap) throws IOException {
        zeroing.zero(offset, length, mayUnmap);
    }

    /** True when some member may not hold some rows: writes may need the journal (and runs are cut for it). */
    boolean degraded() {
        for (Member m : members) {
            if (!m.takesWrites() || m.state() == DriveState.REBUILDING || m.stale() != null) {
                return true;
            }
        }
        return false;
    }

    // ---- journal: retire, replay, redo (see StripeUpdates) --------------------------------

    @Override
    protected void forceMembers() throws IOException {
        updates.redoPending();
        long retireBelow = journal.completedPrefix(); // before forcing: later writes keep their entries
        super.forceMembers();
        journal.retire(retireBelow);
        if (!degraded()) {
            journal.shrinkIfEmpty(); // whole again: the ring's space goes back to the file system
        }
    }

    /**
     * Forces the members once the stripe updates begun without the journal have ended (see {@link
     * StripeUpdates#whole}): a member failing among them leaves none of their stripes torn, its
     * first strips durable and its parity not, when its absence goes on record.
     */
    @Override
    public void settleWithoutAbsent() throws IOException {
        updates.settled(super::settleWithoutAbsent);
    }

    @Override
    public int replayJournal() throws IOException {
        return updates.replay();
    }

    /** The journal's live entries as a read-only look sees them: how many a replay would redo. */
    @Override
    public int pendingJournalEntries() throws IOException {
        return updates.pendingEntries();
    }

    /** Starts a new journal epoch now (a damaged journal is reset at open). */
    @Override
    public void beginJournal() throws IOException {
        updates.begin();
    }

    /** Bytes the journal's live entries hold now, its capacity, and the size of its file. */
    public long[] journalUse() throws IOException {
        return new long[] {journal.liveBytes(), journal.capacity(), journal.fileBytes()};
    }

    // ---- rebuild and verify (see ParityReconstruction, ParityCheck) -----------------------

    @Override
    protected void reconstructRows(Member target, long from, long to) throws IOException {
        rebuild.reconstructRows(target, from, to);
    }

    @Override
    protected void reconstructRanges(Member target, List<long[]> ranges) throws IOException {
        rebuild.reconstructRanges(target, ranges);
    }

    @Override
    protected byte[] reconstructed(Member target, long from, int len) throws IOException {
        return rebuild.xorOfOthers(target, from, len);
    }

    @Override
    protected long checkRows(long from, long to, IoAction repair) throws IOException {
        return ParityCheck.check(this, members, geo.unit, from, to, repair);
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
