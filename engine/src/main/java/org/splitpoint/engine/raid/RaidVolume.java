package org.splitpoint.engine.raid;

import org.splitpoint.engine.io.RangeLocks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.bitmap.WriteIntent;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.NoSpaceException;
import org.splitpoint.engine.io.Peek;
import org.splitpoint.engine.io.WritesLostException;
import org.splitpoint.engine.io.Zeros;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.VolumeState;

/**
 * A RAID volume over member drives: the shared part of the mirror and parity layouts.
 *
 * <p>Design. Every layout maps volume bytes onto "rows" of its members: row r is byte r of every
 * member, and all consistency work (write intent, resync, rebuild, verify) is done on row ranges,
 * which is what makes those procedures layout-independent. A host write takes the gate's read
 * lock, makes its write-intent bits durable, then locks its rows; {@link #flush()} waits for the
 * writes in flight when it began (writes that begin meanwhile go on: a flush covers the writes
 * completed before it, and holding new ones behind the slowest in flight stalled hosts at every
 * flush), forces the members, and lets the write-intent bits of idle tracks clear lazily.
 *
 * <p>Members fail on I/O errors (see {@link Member}); an operation that saw a member fail is
 * retried on the remaining members, so the caller sees an error only when the volume itself is
 * beyond its redundancy. A write that went on without a member returns only once that member's
 * absence is recorded durably ({@link MemberFailureListener}), as md completes no write before its
 * superblock records the failure: after a crash the member cannot come back trusted. A write that
 * failed part-way (no space, say) pins its write-intent tracks, so they stay dirty until a resync
 * has made the members agree (at a later flush, or the next open). A read compares the members'
 * losses at failed flushes ({@link Member#losses}) across its pick and read of them, and reads again
 * when one moved: the member it picked may have dropped a write's pages under it.
 *
 * <p>Parts. This class keeps the host data path (reads; a write or zeroing through its observers,
 * write intent, the staged journal's write log, a service window's log or repository, lost tracks,
 * retries on member failure), the exclusive change, the state derived from the members, and what
 * the layouts fill in. The rest is in classes of its own, each holding its own locks: {@link
 * HostGate} (the gate and the writes in flight a flush waits for), {@link VolumeFlush} (flush
 * tickets, hooks, pinned tracks), {@link RowRepair} (rebuild, resync, verify by row range), {@link
 * CrashDirtyTracks} (the tracks a crash left dirty), {@link AbsenceRecords} (absences on record
 * before an acknowledgement) and {@link MemberZeros} (member rows zeroed with little I/O).
 */
public abstract class RaidVolume implements BlockDevice {

    protected final String name;
    protected final Layout layout;
    protected final Member[] members;
    protected final long size;
    protected final int trackSize;
    protected final WriteIntent writeIntent;
    protected final RangeLocks rowLocks;
    private final HostGate gate = new HostGate();
    private final VolumeFlush flusher;
    private final RowRepair rowRepair;
    private final CrashDirtyTracks crashDirty;
    private final AbsenceRecords absences;
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final List<WriteObserver> observers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** A host write was attempted since open: from then on an absent member's data is stale. */
    private volatile boolean written;

    protected RaidVolume(String name, Layout layout, Member[] members, long size, int trackSize,
                         WriteIntent writeIntent) {
        this.name = name;
        this.layout = layout;
        this.members = members;
        this.size = size;
        this.trackSize = trackSize;
        this.writeIntent = writeIntent;
        this.rowLocks = new RangeLocks(trackSize);
        this.flusher = new VolumeFlush(this, gate, writeIntent);
        this.rowRepair = new RowRepair(this, gate, rowLocks, writeIntent);
        this.crashDirty = new CrashDirtyTracks(this, writeIntent);
        this.absences = new AbsenceRecords(this, members);
    }

    public String name() {
        return name;
    }

    public Layout layout() {
        return layout;
    }

    public List<Member> members() {
        return List.of(members);
    }

    public int trackSize() {
        return trackSize;
    }

    @Override
    public long size() {
        return size;
    }

    /** Bytes of each member the volume uses (rows 0..memberRows). */
    public abstract long memberRows();

    /** The member rows [from, to) that hold volume bytes [offset, offset+length). */
    protected abstract long[] rowsOf(long offset, long length);

    /** The member rows [from, to) whose data or parity volume bytes [offset, offset+length) change. */
    public long[] rowRange(long offset, long length) {
        return rowsOf(offset, length);
    }

    protected abstract void doRead(long offset, ByteBuffer dst) throws IOException;

    protected abstract void doWrite(long offset, ByteBuffer src) throws IOException;

    /** Recomputes rows [from, to) of {@code target} from the other members and writes them. */
    protected abstract void reconstructRows(Member target, long from, long to) throws IOException;

    /**
     * Counts inconsistent 512-byte sectors in rows [from, to); with a {@code repair} (null: a check
     * only) fixes them, running it before each write of the fix (it refuses the write once a drive
     * read may have dropped a write's pages: {@link #refuseRepairWriteAfterLoss}).
     */
    protected abstract long checkRows(long from, long to, IoAction repair) throws IOException;

    /**
     * Told before a write changes volume bytes [offset, offset+length), whoever writes (a host, a
     * pair's copier or hydrator): a backup copies the old contents first, change tracking marks the
     * tracks. Runs on the writer's thread, with the volume's gate held for reading.
     */
    public interface WriteObserver {
        void beforeWrite(long offset, long length) throws IOException;
    }

    public void addWriteObserver(WriteObserver o) {
        observers.add(o);
    }

    public void removeWriteObserver(WriteObserver o) {
        observers.remove(o);
    }

    /**
     * Gets the bytes of every write, in the order the volume applies them (a staged backup journal):
     * while one is set, writes to the same tracks are ordered by a lock held from the log's append
     * until the members have the write.
     */
    public interface WriteLog {
        void append(long offset, ByteBuffer data) throws IOException;

        /**
         * Told on the thread of an exclusive change ({@link #exclusive}), a flush ({@link #flush},
         * {@link #flushAll}) or a pair's change ({@link #awaitingWrites}) before it waits for the
         * writes in flight ({@code true}) and once it has them all ({@code false}): a write waiting
         * in {@link #append} for something that thread holds (a journal's ship needs the pool's
         * monitor) learns it would wait in vain.
         */
        default void exclusiveWaiting(boolean waiting) {
        }
    }

    private volatile WriteLog writeLog;
    /** A journaled write at least this large goes to the journal and the members at once. */
    private static final int PARALLEL_JOURNAL = 64 * 1024;
    private final RangeLocks orderLocks = new RangeLocks(1);

    public void setWriteLog(WriteLog log) {
        this.writeLog = log;
    }

    /**
     * The delta of a service window (a member OFFLINE on purpose, see the pool's ServiceWindow):
     * told, durably, which member-row tracks a write changes before the write goes on without the
     * offline member, and given the bytes that member would have got (kept in {@code data} mode).
     */
    public interface ServiceLog {
        void beforeWrite(long fromTrack, long toTrack) throws IOException;

        /** Rows [row, row + bytes.remaining()) of the OFFLINE member, as they would now be (not consumed). */
        void missed(long row, ByteBuffer bytes) throws IOException;

        /** Makes what it was given durable (called by every flush, before write-intent bits clear). */
        void force() throws IOException;
    }

    /**
     * A logging repository outside the volume (seed 001): while set, host writes go to it and not
     * to the members, and reads see its bytes over the members'.
     */
    public interface Redirect {
        void write(long offset, ByteBuffer src) throws IOException;

        boolean covers(long offset, long length);

        void overlay(long offset, ByteBuffer dst) throws IOException;

        void force() throws IOException;
    }

    /**
     * Member-row tracks whose data is lost on some members (a second failure in a service window):
     * reads of those members' bytes there fail, never returning stale bytes; a write that covers a
     * lost track whole makes it good again (then, its bytes forced to the members, {@code cleared} is told).
     */
    public record Lost(TrackBitmap tracks, java.util.Set<Integer> members, String why,
                       java.util.function.LongConsumer cleared) { }

    /** Thrown for a read (or partial write) of bytes a second failure lost. */
    public static final class LostDataException extends IOException {
        public LostDataException(String message) {
            super(message);
        }
    }

    private volatile ServiceLog serviceLog;
    private volatile Redirect redirect;
    private volatile Lost lost;

    public void setServiceLog(ServiceLog log) {
        this.serviceLog = log;
    }

    public ServiceLog serviceLog() {
        return serviceLog;
    }

    public void setRedirect(Redirect r) {
        this.redirect = r;
    }

    public Redirect redirect() {
        return redirect;
    }

    public void setLost(Lost l) {
        this.lost = l == null || l.tracks().cardinality() == 0 ? null : l;
    }

    public Lost lost() {
        return lost;
    }

    /** Gives the bytes an OFFLINE member would have got to the service log (data mode). */
    protected void missed(Member m, long row, ByteBuffer bytes) throws IOException {
        ServiceLog l = serviceLog;
        if (l != null && m.state() == DriveState.OFFLINE) {
            l.missed(row, bytes);
        }
    }

    /**
     * True when the layout tells the service log, per stripe, only the rows a write changes on the
     * OFFLINE member ({@link #offlineRowsChange}); false: every row of the write (a mirror's
     * write changes every member).
     */
    protected boolean marksDeltaPerSegment() {
        return false;
    }

    /** Member rows [row, row+len) of OFFLINE member {@code m} change: the delta says so, durably, first. */
    protected void offlineRowsChange(Member m, long row, long len) throws IOException {
        ServiceLog l = serviceLog;
        if (l != null && m.state() == DriveState.OFFLINE) {
            l.beforeWrite(row / trackSize, (row + len + trackSize - 1) / trackSize);
        }
    }

    /**
     * True when volume bytes [offset, offset+length) include bytes a second failure lost: by
     * default any lost track among their rows (a mirror); parity layouts look per strip.
     */
    protected boolean readsLost(Lost l, long offset, long length) {
        long[] rows = rowsOf(offset, length);
        long t = l.tracks().nextSetBit(rows[0] / trackSize);
        return t >= 0 && t * trackSize < rows[1];
    }

    private LostDataException lostError(Lost l, long offset, long length, String what) {
        long[] rows = rowsOf(offset, length);
        long t = l.tracks().nextSetBit(rows[0] / trackSize);
        return new LostDataException("volume " + name + ": " + what + " of bytes " + offset + ".." + (offset + length)
                + " touches track " + t + ", whose data was lost (" + l.why() + "); write the track whole or restore"
                + " it from a backup");
    }

    /** Who records a member's absence durably (the pool); see {@link MemberFailureListener}. */
    public void setFailureListener(MemberFailureListener listener) {
        absences.setListener(listener);
    }

    /** Total bytes served to and taken from hosts, for rate displays. */
    public long bytesRead() {
        return bytesRead.get();
    }

    public long bytesWritten() {
        return bytesWritten.get();
    }

    /** Tracks (member rows of {@code trackSize}) the volume spans. */
    public long rowTracks() {
        return (memberRows() + trackSize - 1) / trackSize;
    }

    /** The write-intent dirty tracks (live). */
    public TrackBitmap dirtyTracks() {
        return writeIntent.dirty();
    }

    /**
     * The tracks a member that lost writes at a failed flush may lack, a copy: the dirty ones (no
     * flush succeeded since the loss, so none of their bits cleared) and those written without a
     * bit since the last good flush (a refill on a clean track notes itself only: {@link
     * WriteIntent#writtenRecently}). Before, the heal wrote again the dirty ones only, and a refill
     * a failed flush dropped stayed lost under a flush that succeeded (MemberFlushNoSpaceTest).
     */
    public TrackBitmap tracksSinceLastGoodFlush() {
        TrackBitmap out = writeIntent.writtenRecently();
        TrackBitmap dirty = writeIntent.dirty();
        for (long t = dirty.nextSetBit(0); t >= 0; t = dirty.nextSetBit(t + 1)) {
            out.set(t);
        }
        return out;
    }

    @Override
    public void willRead(long offset, long length) {
        if (offset >= 0 && length > 0 && offset <= size - length && redirect == null && lost == null) {
            fetch(offset, offset + length);
        }
    }

    /**
     * Asks the members, under the gate, with nothing in the way: while a repository takes the
     * writes of a service window or tracks are lost, the members do not say what a read returns.
     */
    @Override
    public Peek peek(long offset, long length) {
        if (offset < 0 || length <= 0 || offset > size - length) {
            return Peek.UNKNOWN;
        }
        gate.lockRead();
        try {
            return redirect != null || lost != null ? Peek.UNKNOWN : peekMembers(offset, offset + length);
        } finally {
            gate.unlockRead();
        }
    }

    /** {@link #peek} of volume bytes [from, to) as the members' images tell it (called under the gate). */
    protected abstract Peek peekMembers(long from, long to);

    /**
     * Starts fetching the member rows of volume bytes [offset, end) where the layout fetches ahead
     * itself (see {@link ParityVolume}); a mirror's members keep the kernel's read-ahead: nothing.
     */
    protected void fetch(long offset, long end) {
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        read(offset, dst, false);
    }

    /**
     * Reads as {@link #read} does, for a reader that keeps what it reads for good (a snapshot's
     * save of a track before its first write): its check of the members' losses waits for their
     * forces under way ({@link #readUnspoiled(long, long, boolean, IoAction)} settled), since a
     * failing one drops the pages before it counts the loss, and a save that read them kept a
     * dropped write's old bytes as the snapshot's (SnapshotSaveForceUnderWayTest). A host's read
     * does not wait so (see there).
     */
    public void readToKeep(long offset, ByteBuffer dst) throws IOException {
        read(offset, dst, true);
    }

    private void read(long offset, ByteBuffer dst, boolean settled) throws IOException {
        BlockDevice.checkRange(name, size, offset, dst.remaining());
        gate.lockRead();
        try {
            int start = dst.position();
            int n = dst.remaining();
            Redirect rd = redirect;
            if (rd != null && rd.covers(offset, n)) {
                rd.overlay(offset, dst); // the repository has every byte: the members are not read
                dst.position(start + n);
                bytesRead.addAndGet(n);
                return;
            }
            Lost l = lost;
            if (l != null && readsLost(l, offset, n)) {
                throw lostError(l, offset, n, "a read");
            }
            // a member picked as one that had lost nothing may drop a write's pages under the read
            // (a pair's copy put its old bytes on the BCV and cleared the track: CopySourceLossTest);
            // where the volume derives what it reads from a drive's rows (not whole), a host's read
            // compares settled too: see readsDerivedRows
            readUnspoiled(offset, offset + n, settled || readsDerivedRows(), () -> {
                if (anyLostWrites()) {
                    refuseReadOfLostWrites(offset, n);
                }
                retrying(() -> {
                    dst.position(start);
                    doRead(offset, dst);
                });
            });
            if (rd != null) {
                rd.overlay(offset, dst.duplicate().position(start));
            }
            bytesRead.addAndGet(n);
        } finally {
            gate.unlockRead();
        }
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        write(offset, src, false, false);
    }

    /**
     * A refill (see {@link BlockDevice#writeRefill}): its tracks' write-intent bits are not made
     * durable first (an fsync of the bitmap per random track: three quarters of an on-demand fetch's
     * time), since a torn refill is written again whole after a crash, when the write alone decides
     * what the members hold: always on a mirror, on parity only for whole stripes (a partial one
     * would leave the parity of the stripe's other, current data torn). Not journaled: a refill
     * changes nothing the journal's base and entries do not already say.
     */
    @Override
    public void writeRefill(long offset, ByteBuffer src) throws IOException {
        write(offset, src, true, refillNeedsNoIntent(offset, src.remaining()));
    }

    /** True when a refill of volume bytes [offset, offset+length) can go without write-intent bits. */
    protected abstract boolean refillNeedsNoIntent(long offset, long length);

    /**
     * {@code refill}: a restore's refill, never journaled; {@code noIntent}: its write-intent bits
     * need not be durable first (a refill of whole stripes or on a mirror).
     */
    private void write(long offset, ByteBuffer src, boolean refill, boolean noIntent) throws IOException {
        write(offset, src, refill, noIntent, false);
    }

    /**
     * Marks the write-intent tracks of the volume byte ranges {offset, length} durably at once,
     * before a batch of {@link #writeBelowRedirect} replays them (one sync, not one per track).
     */
    public void intendWrites(List<long[]> volumeRanges) throws IOException {
        List<long[]> tracks = new ArrayList<>(volumeRanges.size());
        for (long[] r : volumeRanges) {
            long[] rows = rowsOf(r[0], r[1]);
            tracks.add(new long[] {rows[0] / trackSize, (rows[1] + trackSize - 1) / trackSize});
        }
        writeIntent.beginWrites(tracks);
    }

    /**
     * Writes to the members even while a repository takes host writes: its replay into the
     * volume when the offline drive returns (not journaled: the journal had the writes already).
     */
    public void writeBelowRedirect(long offset, ByteBuffer src) throws IOException {
        write(offset, src, true, false, true);
    }

    private void write(long offset, ByteBuffer src, boolean refill, boolean noIntent, boolean below) throws IOException {
        BlockDevice.checkRange(name, size, offset, src.remaining());
        if (!src.hasRemaining()) {
            return;
        }
        int start = src.position();
        change(offset, src.remaining(), refill, noIntent, below, new Body() {
            @Override
            public void log(WriteLog log) throws IOException {
                log.append(offset, src.duplicate().position(start));
            }

            @Override
            public void redirect(Redirect rd) throws IOException {
                rd.write(offset, src.duplicate().position(start));
            }

            @Override
            public void members() throws IOException {
                src.position(start);
                doWrite(offset, src);
            }
        });
    }

    /** A zeroing is cut into pieces of about this many bytes (whole stripes): bounded row locks and journal entries. */
    private static final long ZERO_PIECE = 32 << 20;

    /**
     * A write of zeros to volume bytes [offset, offset+length), through everything a write goes
     * through (observers first, write intent, the staged journal, a service window's log or
     * repository, lost tracks healed), of which only the members' part differs: the layout zeroes
     * them without moving zero bytes where it can ({@link #doZero}). Those that must be handed the
     * bytes (the journal, a data-mode delta, a repository) get zeros. Pieces of {@link #ZERO_PIECE}
     * (whole stripes) go one after the other, each acknowledged to the next only when done. They are
     * counted from the range's first whole stripe, not from the volume's start: cut at the volume's
     * multiples of a piece, a client's 32 MiB zeroings left a run of a few whole stripes in every
     * other request, under the size where member rows are given back without reading them (a RAID 5
     * of 4 drives read 60 MiB and wrote 54 MiB of its members per GiB zeroed). A rest shorter than half
     * a piece joins the last piece (pieces of at most 1.5 x {@link #ZERO_PIECE}).
     */
    @Override
    public void writeZeroes(long offset, long length, boolean mayUnmap) throws IOException {
        BlockDevice.checkRange(name, size, offset, length);
        long unit = wholeWriteUnit();
        long piece = Math.max(unit, ZERO_PIECE / unit * unit);
        long end = offset + length;
        long first = (offset + unit - 1) / unit * unit; // the first whole stripe: the head goes with the first piece
        for (long pos = offset; pos < end; ) {
            long at = pos;
            long cut = Math.min(end, first + (Math.max(0, pos - first) / piece + 1) * piece);
            // a short rest goes with this piece rather than alone after it: a client's 32 MiB zeroing is
            // then one piece, its partial stripes at both ends written beside its whole stripes
            long n = (end - cut < piece / 2 ? end : cut) - pos;
            change(at, n, false, false, false, new Body() {
                @Override
                public void log(WriteLog log) throws IOException {
                    Zeros.inChunks(at, n, log::append);
                }

                @Override
                public void redirect(Redirect rd) throws IOException {
                    Zeros.inChunks(at, n, rd::write);
                }

                @Override
                public void members() throws IOException {
                    doZero(at, n, mayUnmap);
                }
            });
            pos += n;
        }
    }

    /**
     * True when a zeroing of the range gives member space back (or zeroes it in place) instead of
     * writing zeros: large enough, and nothing that needs the zero bytes themselves is in the way (a
     * staged journal, a service window, a repository, lost tracks, a degraded parity layout), and
     * every member's image can do it: punch holes, or ({@code mayUnmap} false, NO_HOLE) zero in
     * place, which some file systems cannot (tmpfs: the zeros were then written, slowly, for a
     * client that had asked to be refused at once instead).
     */
    @Override
    public boolean zeroesFast(long offset, long length, boolean mayUnmap) {
        if (length < Zeros.DEALLOCATE_MIN || writeLog != null || redirect != null || serviceLog != null
                || lost != null || state() == VolumeState.FAILED || !zeroesWithoutWriting()) {
            return false;
        }
        for (Member m : members) {
            if (m.takesWrites() && !m.zeroesWithoutWriting(mayUnmap)) {
                return false;
            }
        }
        return true;
    }

    /** True when the layout can now zero members without writing zeros (a parity layout: not degraded). */
    protected boolean zeroesWithoutWriting() {
        return true;
    }

    /**
     * Zeroes volume bytes [offset, offset+length) on the members (called where {@link #doWrite}
     * would be, with the same bookkeeping done). A retry after a member failure calls it again.
     */
    protected abstract void doZero(long offset, long length, boolean mayUnmap) throws IOException;

    /** What a change puts on the volume: a buffer's bytes, or zeros. */
    private interface Body {
        /** To the staged journal, as the bytes of the change. */
        void log(WriteLog log) throws IOException;

        /** To a logging repository instead of the members. */
        void redirect(Redirect rd) throws IOException;

        /** To the members (the layout's part; may run again after a member failure). */
        void members() throws IOException;
    }

    /** A change of volume bytes [offset, offset+n): everything a write does around its {@link Body}. */
    private void change(long offset, long n, boolean refill, boolean noIntent, boolean below, Body body)
            throws IOException {
        long sharedEpoch = gate.enterShared();
        try {
            if ((below || redirect == null) && state() == VolumeState.FAILED) {
                // beyond its redundancy: a write would change parity the absent members' data is
                // reconstructed from, and fail anyway; nothing is touched
                throw new IOException("volume " + name + " is FAILED: " + stateReason() + "; the write was not done");
            }
            long[] rows = rowsOf(offset, n);
            long t0 = rows[0] / trackSize;
            long t1 = (rows[1] + trackSize - 1) / trackSize;
            written = true;
            WriteLog log = refill ? null : writeLog;
            RangeLocks.Held order = log == null ? null
                    : orderLocks.lock(offset / trackSize, (offset + n + trackSize - 1) / trackSize);
            try {
                if (!below) {
                    // a replay below the redirect changes nothing hosts see (they saw these bytes when
                    // the repository took them, and so did the observers); it also runs with the volume
                    // held exclusively, where an observer's own locks would invert the lock order
                    for (WriteObserver o : observers) {
                        o.beforeWrite(offset, n);
                    }
                }
                Redirect rd = below ? null : redirect;
                IoAction apply;
                if (rd != null) {
                    // the members are not written in a repository window, but the repository and the
                    // write's second copies (the staged journal, a mirroring BCV) may part in a crash:
                    // the bit names the track for the recoveries at open, as for a member write
                    writeIntent.beginWrite(t0, t1);
                    apply = () -> body.redirect(rd);
                } else {
                    Lost l = lost;
                    List<Long> healed = l == null ? List.of() : healedBy(l, offset, n);
                    if (noIntent) {
                        writeIntent.noteWritten(t0, t1); // a bit already set stays set two more intervals
                    } else {
                        writeIntent.beginWrite(t0, t1);
                    }
                    ServiceLog sl = serviceLog;
                    if (sl != null && !marksDeltaPerSegment()) {
                        sl.beforeWrite(t0, t1); // durable before any member has the write
                    }
                    apply = () -> {
                        retrying(body::members);
                        if (!healed.isEmpty()) {
                            // the bytes that heal a lost track are durable before it leaves the record:
                            // a power cut between left it on record as good over its members' old bytes,
                            // read back as data (LostTrackHealCrashTest)
                            forceMembers();
                            absences.ensureRecorded();
                        }
                        for (long t : healed) {
                            l.tracks().clear(t);
                            l.cleared().accept(t);
                        }
                        if (!healed.isEmpty() && l.tracks().cardinality() == 0) {
                            lost = null;
                        }
                    };
                }
                if (log == null) {
                    apply.run();
                } else {
                    // after the write-intent bits are durable: an entry that reaches the journal
                    // but not the volume before a crash, or the volume but not the journal, is on
                    // tracks the reopen finds dirty (and journals again as the volume has them);
                    // so a large write goes to the journal's drives and the members at once
                    IoAction journal = () -> body.log(log);
                    if (n >= PARALLEL_JOURNAL) {
                        MemberIo.beside(journal, apply);
                    } else {
                        journal.run();
                        apply.run();
                    }
                }
                // a member that failed meanwhile (here or in another thread's I/O) was skipped: the
                // write is acknowledged only once that is on record
                absences.ensureRecorded();
            } catch (IOException e) {
                writeIntent.pin(t0, t1); // the members may disagree on these tracks until a resync
                throw explain(e);
            } catch (RuntimeException e) {
                writeIntent.pin(t0, t1);
                throw e;
            } finally {
                if (order != null) {
                    order.close();
                }
            }
            bytesWritten.addAndGet(n);
        } finally {
            gate.exitShared(sharedEpoch);
        }
    }

    /**
     * The lost tracks a write of volume bytes [offset, offset+length) makes good (it covers all
     * their bytes); throws when it touches a lost track only in part (its other bytes are unknown).
     */
    private List<Long> healedBy(Lost l, long offset, long length) throws LostDataException {
        long[] rows = rowsOf(offset, length);
        List<Long> out = new ArrayList<>();
        for (long t = l.tracks().nextSetBit(rows[0] / trackSize); t >= 0 && t * trackSize < rows[1];
             t = l.tracks().nextSetBit(t + 1)) {
            long[] r = volumeRangeOfRows(t * trackSize, (t + 1) * trackSize);
            if (r[0] < offset || Math.min(size, r[1]) > offset + length) {
                throw lostError(l, offset, length, "a write");
            }
            out.add(t);
        }
        return out;
    }

    /** A full file system (or a file-size limit reached) said in the volume's words; anything else as it is. */
    private <E extends Exception> E explain(E e) {
        if (e instanceof NoSpaceException n && !(n instanceof WritesLostException)
                && !String.valueOf(n.getMessage()).startsWith("volume ")) {
            NoSpaceException x = new NoSpaceException("volume " + name + ": the write was not done: " + n.getMessage()
                    + "; drive images are sparse and grow as they are written, so " + NoSpaceException.remedy(n)
                    + " and write again");
            x.initCause(n);
            @SuppressWarnings("unchecked")
            E out = (E) x;
            return out;
        }
        return e;
    }

    /**
     * Forces the members that still take writes, when one has just stopped taking them (failed, or
     * taken out by command) and before any write done without it is acknowledged. The writes
     * completed before then were not journaled (the volume was whole); left in the page cache, a
     * power cut could keep some of a stripe's new strips and lose others, and with a member absent
     * that torn parity is what its rows are rebuilt from: bytes acknowledged and flushed long before
     * would read as garbage (StripeGatherCrashTest's member-failure case; the write-intent resync
     * that mends torn parity at open needs every member). Once forced, those stripes are consistent
     * for good; the writes after are journaled.
     */
    public void settleWithoutAbsent() throws IOException {
        forceMembers();
    }

    /**
     * Takes member {@code m} out of the writes, into {@code state} (FAILED, or OFFLINE for a service
     * window), inside an exclusive change: every member that takes writes, {@code m} still among
     * them, is forced first ({@link #settleWithoutAbsent}), so what the volume got while whole is
     * durable before any write is done without {@code m}. The one way a member leaves, so that no
     * path (a command, a failed image check, a stopped rebuild or return) forgets the settle. A
     * member that lost writes at a failed flush and goes FAILED is not forced: its force would fail
     * as all its flushes do, and a FAILED drive's image is never read again (it is rebuilt whole);
     * before, the settle failed, and a rebuild stopped so left its drive REBUILDING with no rebuild
     * to finish it (MemberFlushNoSpaceDuringRebuildTest). Going OFFLINE it is forced, and so refused:
     * a service window's return writes only what it missed while away.
     */
    public void takeOut(Member m, DriveState state) throws IOException {
        if (state == DriveState.FAILED && m.lostWrites()) {
            takeOutUnforced(m, state);
        } else {
            settleWithoutAbsent();
            m.setState(state, 0);
        }
    }

    /**
     * Takes member {@code m}, which lost writes at a failed flush, out into {@code state} without
     * forcing it (its force fails as all its flushes do); the others are forced. Going OFFLINE the
     * caller has first put every track it may lack in its window's delta: the dirty tracks
     * ({@link #tracksSinceLastGoodFlush}) beside what the delta names.
     */
    public void takeOutUnforced(Member m, DriveState state) throws IOException {
        forceMembersBut(m);
        m.setState(state, 0);
    }

    /** An action on the volume's files that may fail with an I/O error. */
    public interface IoAction {
        void run() throws IOException;
    }

    /** Runs {@code a}, again after each member failure, until it succeeds or the volume is FAILED. */
    private void retrying(IoAction a) throws IOException {
        for (int tries = 0; ; tries++) {
            try {
                a.run();
                return;
            } catch (Member.FailedException e) {
                if (tries >= members.length || state() == VolumeState.FAILED) {
                    throw new IOException("volume " + name + " is FAILED: " + stateReason(), e);
                }
                absences.ensureRecorded(); // the retry goes on without the member: on record first
            }
        }
    }

    /**
     * Makes every write completed before it durable, with the flush hooks run beside the members'
     * force and then the write-intent bits of idle tracks let clear (see {@link VolumeFlush}).
     */
    @Override
    public void flush() throws IOException {
        flusher.flush();
    }

    /**
     * Makes every completed write durable as {@link #flush} does (members, a service window's log or
     * repository, absences on record), without its barrier, hooks or write-intent bookkeeping: for a
     * caller that needs only its own completed writes durable, often (a snapshot's save commit);
     * write-intent bits set meanwhile stay set until the next flush.
     */
    public void forceCompleted() throws IOException {
        try {
            forceMembers();
            ServiceLog sl = serviceLog;
            if (sl != null) {
                sl.force();
            }
            Redirect rd = redirect;
            if (rd != null) {
                rd.force();
            }
        } catch (IOException e) {
            throw explain(e);
        }
        if (written) {
            absences.ensureRecorded(); // the writes this acknowledges went on without them
        }
        if (state() == VolumeState.FAILED && redirect == null) {
            throw new IOException("volume " + name + " is FAILED: " + stateReason());
        }
    }

    /**
     * Makes the members' completed writes durable without the flush's barrier: for a caller that
     * holds the volume exclusively ({@link #exclusive}), where a flush would wait for itself.
     */
    public void forceNow() throws IOException {
        forceMembers();
    }

    /**
     * Makes every completed member write durable. A member that fails to flush is FAILED now (the
     * volume carries on within its redundancy); a full file system or a halted storage fails the flush.
     * The members are forced at once, each on its own thread (one fsync's time, not one per member):
     * they are files of their own, often on disks of their own.
     */
    protected void forceMembers() throws IOException {
        forceMembersBut(null);
    }

    /** As {@link #forceMembers}, leaving {@code except} out (null: none). */
    private void forceMembersBut(Member except) throws IOException {
        List<IoAction> forces = new ArrayList<>(members.length);
        for (Member m : members) {
            if (m != except && m.takesWrites()) {
                forces.add(() -> forceOne(m));
            }
        }
        MemberIo.sideBySide(forces);
    }

    /** Forces every member that takes writes, one after the other on this thread (a member that fails to flush fails the caller). */
    void forceTakers() throws IOException {
        for (Member m : members) {
            if (m.takesWrites()) {
                m.force();
            }
        }
    }

    private static void forceOne(Member m) throws IOException {
        try {
            m.force();
        } catch (Member.FailedException e) {
            // the member is FAILED now; the volume carries on within its redundancy
        }
    }

    /**
     * Refuses a copy of rows [from, to) to {@code target} (a rebuild, a return's resync, a heal)
     * that would read a member which lost writes at a failed flush: its image may hold the bytes
     * from before a write whose pages the flush dropped, and the copy would put them on the target
     * over that write (which a host write beside had given it too); the heal then took them back
     * as good, and the next flush succeeded over a write no drive held (ReturnFlushNoSpaceTest).
     * A parity layout reads every other member that takes writes; a mirror overrides this, as it
     * reads one holder that did not lose writes where there is one.
     */
    protected void refuseLostSources(Member target, long from, long to) throws IOException {
        Member lossy = lostWritesBut(target);
        if (lossy != null) {
            throw lostSource(lossy, target);
        }
    }

    /**
     * Refuses a repair (verify's, a pinned track's resync) while a member that takes writes lost
     * writes at a failed flush: its image may hold the old bytes of a dropped write, which a repair
     * takes for good (a mirror's reference is the first holder, a parity is recomputed from the data
     * strips) and writes over the others' new ones; the heal then took them back from the others,
     * and the next flush succeeded over a write no drive held (MemberFlushNoSpaceTest).
     */
    void refuseRepairOverLostWrites() throws IOException {
        Member lossy = lostWritesBut(null);
        if (lossy != null) {
            throw new WritesLostException("volume " + name + ": drive " + lossy.drive() + " lost writes at a flush that"
                    + " failed for want of space, so nothing is repaired until they are written again: " + UNTIL_HEALED, null);
        }
    }

    /**
     * Refuses a repair's write once a member lost writes at a failed flush since {@code lossesBefore}
     * (its {@link #memberLosses} before it checked that none had, {@link #refuseRepairOverLostWrites}):
     * a member it read may have dropped a write's pages under the read, and the repair took its old
     * bytes for good (a mirror's reference, a parity's data strip) and wrote them, or a parity
     * computed from them, over the others' copies of the write; the heal then gave them back to the
     * drive, and the next flush succeeded over a write no drive held (RepairReferenceLossTest). It
     * waits for the members' forces under way first ({@link Member#settledLosses}): one may have
     * dropped the pages read, its loss not counted yet.
     */
    void refuseRepairWriteAfterLoss(long lossesBefore) throws IOException {
        if (settledMemberLosses() == lossesBefore) {
            return;
        }
        Member lossy = lostWritesBut(null);
        throw new WritesLostException("volume " + name + ": " + (lossy == null ? "a drive" : "drive " + lossy.drive())
                + " lost writes at a flush that failed for want of space while the repair read it, so nothing more is"
                + " repaired until they are written again: " + UNTIL_HEALED, null);
    }

    /** What ends a refusal over lost writes (a repair's, a copy's). */
    private static final String UNTIL_HEALED = "free space there, and the next flush writes them again from the other"
            + " drives (or, where none holds them, reopen the pool)";

    /** Why nothing is copied from {@code source} to {@code target} now. */
    protected static WritesLostException lostSource(Member source, Member target) {
        return new WritesLostException("drive " + source.drive() + " lost writes at a flush that failed for want of"
                + " space, so nothing is copied from it to " + target.drive() + " until they are written again: "
                + UNTIL_HEALED, null);
    }

    /** The failed flushes of the members that may have lost writes so far (see {@link Member#losses}): it only grows. */
    public long memberLosses() {
        return lossesBut(null);
    }

    /**
     * The failed flushes that may have lost writes so far of the members but {@code target} (null:
     * of every member, {@link #memberLosses}): a copy to {@code target} compares it across its reads
     * (a loss during them may have given it old bytes).
     */
    long lossesBut(Member target) {
        return lossesBut(target, false);
    }

    /** The losses of the members but {@code target}; {@code settled}: each once its forces under way have ended. */
    private long lossesBut(Member target, boolean settled) {
        long n = 0;
        for (Member m : members) {
            if (m != target) {
                n += settled ? m.settledLosses() : m.losses();
            }
        }
        return n;
    }

    /**
     * {@link #memberLosses}, once the forces of each member's image under way now have ended ({@link
     * Member#settledLosses}): a force that fails drops the pages before its loss is counted, so a
     * repair or a copy that read a member in that moment compares this before it trusts what it read
     * (a host's read does not wait for fsyncs so: see {@link #readUnspoiled}).
     */
    public long settledMemberLosses() {
        return settledLossesBut(null);
    }

    /** {@link #settledMemberLosses} of the members but {@code target} (null: of every member). */
    long settledLossesBut(Member target) {
        return lossesBut(target, true);
    }

    /**
     * Refuses a read of volume bytes [offset, offset+n) that only drives which lost writes at a
     * failed flush could answer ({@link #answeredOnlyByLossy}: a mirror's every holder) where a write
     * since the last good flush may be among what they lost: their images may hold the bytes from
     * before it, and the host read those back after a write that had succeeded (TwoLossyMembersReadTest).
     * A parity layout asks strip by strip, where it reconstructs ({@link #refuseReconstructionFromLossy}).
     */
    private void refuseReadOfLostWrites(long offset, int n) throws IOException {
        long[] rows = rowsOf(offset, n);
        if (answeredOnlyByLossy(rows[0], rows[1])) {
            refuseIfWrittenSinceGoodFlush(rows[0], rows[1], READ_OF_LOST_WRITES);
        }
    }

    /** What a read refused over drives that lost writes needed ({@link #refuseIfWrittenSinceGoodFlush}). */
    static final String READ_OF_LOST_WRITES = "a read of what was written since the last flush that succeeded needs"
            + " drives that lost writes at flushes that failed for want of space";

    /** True when a read of member rows [from, to) can only take bytes from members that lost writes (a mirror's; none by default). */
    protected boolean answeredOnlyByLossy(long from, long to) {
        return false;
    }

    /**
     * Refuses a reconstruction of {@code missing}'s rows [from, to) from the others where one of them
     * lost writes at a failed flush and the rows may have been written since the last good flush: the
     * XOR would mix its old bytes into the host's (a parity volume with two such drives, or one and a
     * drive absent). {@code needs} says who needed it: a read ({@link #READ_OF_LOST_WRITES}), or a
     * partial stripe's write, whose parity computed from it put the garbage on the absent drive's strip.
     */
    void refuseReconstructionFromLossy(Member missing, long from, long to, String needs) throws IOException {
        for (Member m : members) {
            if (m != missing && m.takesWrites() && m.lostWrites()) {
                refuseIfWrittenSinceGoodFlush(from, to, needs);
                return;
            }
        }
    }

    /**
     * Throws when member rows [from, to) lie on a track written since the last good flush ({@link
     * #tracksSinceLastGoodFlush}), saying that {@code needs} (what needed them, and from which drives).
     */
    void refuseIfWrittenSinceGoodFlush(long from, long to, String needs) throws IOException {
        TrackBitmap recent = tracksSinceLastGoodFlush();
        long t = recent.nextSetBit(from / trackSize);
        if (t >= 0 && t * trackSize < to) {
            throw new WritesLostException("volume " + name + ": " + needs + ", so no drive is"
                    + " known to hold it: it is refused until the pool is reopened (close it and open it again), whose"
                    + " resync makes the drives agree", null);
        }
    }

    /**
     * True when a read may answer bytes the host did not write since the last flush from rows a
     * failing force can drop: an absent drive's strips rebuilt from the others' (a dropped write's
     * old bytes there make the strip garbage), a drive being rebuilt or back from a service window
     * (the rebuild's or the return's copies, not forced yet, over a blank or the drive's old bytes),
     * a drive that lost writes at a failed flush (its rows rebuilt from the others). A host's read
     * compares the members' losses settled then (HostReadForceUnderWayTest): before, it took the
     * dropped rows before the loss was counted, acknowledged bytes the host had not touched read
     * as the blank's zeros or the XOR of a dropped write. The wait is behind the fsyncs under way,
     * only while the volume is not whole; a whole volume's read may take only the old bytes of the
     * host's own unflushed write, and does not wait (see {@link #readUnspoiled(long, long, boolean, IoAction)}).
     */
    private boolean readsDerivedRows() {
        for (Member m : members) {
            if (m.state() != DriveState.ONLINE || m.stale() != null || m.lostWrites()) {
                return true;
            }
        }
        return false;
    }

    /** Reads of the same bytes a run of member losses may spoil before the reader gives up ({@link #readUnspoiled}). */
    private static final int READS_OVER_LOSSES = 4;

    /**
     * Runs {@code read} (of what volume bytes or member rows [from, to) hold: a host's read, a
     * parity write's read of the strips it does not replace) again while the members' losses at
     * failed flushes moved across it: it picks the members to read by their flags, and a member
     * picked as one that had lost nothing may drop a write's pages under it, whose old bytes it
     * then took. Run again, it sees the loss on record and avoids the member (or is refused).
     */
    void readUnspoiled(long from, long to, IoAction read) throws IOException {
        readUnspoiled(from, to, false, read);
    }

    /**
     * As {@link #readUnspoiled(long, long, IoAction)}; {@code settled}: each comparison once the
     * members' forces under way have ended ({@link #settledMemberLosses}), for a reader that writes
     * what it read for good (a parity write's strips: the parity computed from a dropped write's old
     * bytes gave them back to the drive at the heal, ParityWriteForceUnderWayTest; a snapshot's save,
     * {@link #readToKeep}). A host's read of a whole volume does not wait so: it would wait behind
     * every flush's fsync that overlaps it (a reader of cached 4 KiB lost more than half its reads
     * per second beside a flush every 5 ms), and what it may take so is the old bytes of the host's
     * own unflushed write, for that read only: the next one sees the loss on record. Of a volume not
     * whole it does ({@link #readsDerivedRows}).
     */
    void readUnspoiled(long from, long to, boolean settled, IoAction read) throws IOException {
        for (int attempt = 1; ; attempt++) {
            long losses = memberLosses(); // before the pick: a loss after it is seen below
            read.run();
            if ((settled ? settledMemberLosses() : memberLosses()) == losses) {
                return;
            }
            if (attempt == READS_OVER_LOSSES) {
                throw new WritesLostException("volume " + name + ": " + READS_OVER_LOSSES + " reads of " + from + ".." + to
                        + " in a row met a flush of its drives that failed for want of space, so none is known to"
                        + " hold what was written there: " + UNTIL_HEALED, null);
            }
        }
    }

    /** Rows of lost tracks a heal rebuilds at a time: host writes to them wait that long, not the whole heal. */
    private static final int HEAL_BATCH = 64;

    /** True when a member that takes writes lost some at a failed flush (one taken out keeps its flag: its image is not read). */
    public boolean anyLostWrites() {
        return lostWritesBut(null) != null;
    }

    /** The first member but {@code except} (null: none) that takes writes and lost some at a failed flush, or null. */
    private Member lostWritesBut(Member except) {
        for (Member m : members) {
            if (m != except && m.takesWrites() && m.lostWrites()) {
                return m;
            }
        }
        return null;
    }

    /**
     * Gives the member that lost writes at a failed flush ({@link Member#force}) what it lost: the
     * tracks written since the last good flush ({@link #tracksSinceLastGoodFlush}: the dirty ones,
     * and refills that set no bit) rewritten from the other members, which were forced then, and the member forced; true
     * when no member has lost writes any more. Only one such member at a time, and only where the
     * others hold those tracks ({@link #healableFrom}: every other member for a parity layout, one
     * that lost no writes for a mirror, whose third drive may be out): two that lost writes, or a
     * volume without its redundancy, have no copy to take them from, and wait for the reopen. The caller (a flush) holds the gate's
     * read lock; host writes go on beside, each track's under its rows' lock.
     *
     * <p>A REBUILDING member lost the rebuild's copies since its last good force as well, which set
     * no write-intent bit: those rows are written again too (before, the heal trusted the image
     * again and the rebuild's next checkpoint recorded them rebuilt over the blank's zeros:
     * MemberFlushNoSpaceDuringRebuildTest); above its rebuilt mark the rebuild copies every row
     * later. A drive back from a service window skips its stale tracks: its return copies them, and
     * copies nothing it made before a loss (ReturnFlushNoSpaceTest). A source that loses writes
     * while the heal reads it leaves the member untrusted: what was read may be its old bytes; the
     * heal compares once the sources' forces under way have ended ({@link #settledMemberLosses}).
     */
    boolean healLostWrites() throws IOException {
        if (!anyLostWrites()) {
            return true;
        }
        long losses = memberLosses(); // before the sources' flags are read: a loss after that is seen below
        Member lossy = null;
        for (Member m : members) {
            if (!m.takesWrites()) {
                if (healNeedsEveryMember()) {
                    return false; // no copy of every row to take them from
                }
                continue; // a mirror's: the others may hold a copy (healableFrom, each range)
            }
            if (m.lostWrites()) {
                if (lossy != null) {
                    return false;
                }
                lossy = m;
            }
        }
        long before = lossy.losses();
        long rows = memberRows();
        boolean rebuilding = lossy.state() == DriveState.REBUILDING;
        long upTo = rebuilding ? Math.min(rows, lossy.rebuiltUpTo()) : rows; // above: the rebuild copies it later
        java.util.TreeSet<Long> tracks = new java.util.TreeSet<>();
        TrackBitmap dirty = tracksSinceLastGoodFlush();
        for (long t = dirty.nextSetBit(0); t >= 0 && t * trackSize < upTo; t = dirty.nextSetBit(t + 1)) {
            tracks.add(t);
        }
        if (rebuilding) {
            for (long t = lossy.forcedRebuiltUpTo() / trackSize; t * trackSize < upTo; t++) {
                tracks.add(t);
            }
        }
        List<long[]> ranges = new ArrayList<>(tracks.size());
        for (long t : tracks) {
            long from = t * trackSize;
            long to = Math.min(upTo, from + trackSize);
            if (!lossy.holds(from, to)) {
                continue; // stale on it (a service window's return): the return copies it, and trusts no copy a loss may have dropped
            }
            if (!healableFrom(lossy, from, to)) {
                return false;
            }
            ranges.add(new long[] {from, to});
        }
        for (int i = 0; i < ranges.size(); i += HEAL_BATCH) {
            rowRepair.reconstructRowRanges(lossy, ranges.subList(i, Math.min(ranges.size(), i + HEAL_BATCH)));
        }
        if (settledMemberLosses() != losses) {
            // a source's flush failed for want of space while the heal read it: it may have given
            // the old bytes of a write it dropped, written over the lossy drive's copy of it. Trusted
            // again, the lossy drive gave them back to the source at the next flush, which succeeded
            // over a write no drive held (HealSourceLossTest). It stays untrusted: a later flush heals
            // it again where a drive that lost nothing holds its tracks, else the reopen resyncs them.
            // Compared once the forces under way have ended: a failing one (a snapshot's save commit
            // beside this flush) drops the pages before it counts the loss
            return false;
        }
        return lossy.forceHealed(before);
    }

    /**
     * True when the heal ({@link #healLostWrites}) needs every member to take writes: a parity
     * layout reconstructs a strip from all the others; a mirror copies from one holder.
     */
    protected boolean healNeedsEveryMember() {
        return true;
    }

    /**
     * True when the heal can give {@code lossy} rows [from, to) from the others: a parity layout
     * needs every member to hold them; a mirror one holder that lost no writes ({@link MirrorVolume}).
     */
    protected boolean healableFrom(Member lossy, long from, long to) {
        return allHold(from, to);
    }

    /**
     * Flushes {@code volumes} side by side (each as {@link #flush}); returns when all have, and
     * throws the first failure. An administrative instant (a split, the start of a copy) flushes
     * both sides of its pairs: in parallel, the pause hosts see is the slowest volume's, not the sum.
     */
    public static void flushAll(List<? extends RaidVolume> volumes) throws IOException {
        List<IoAction> flushes = new ArrayList<>(volumes.size());
        for (RaidVolume v : volumes) {
            flushes.add(v::flush);
        }
        // the flushes wait for the writes in flight on threads of their own: told here, on the
        // caller's, which is the one that may hold what those writes wait for
        awaitingWrites(volumes, () -> MemberIo.sideBySide(flushes));
    }

    /**
     * Builds a volume of {@code layout} over {@code members}. {@code journal} (parity layouts only)
     * is the stripe journal's file; null only for a read-only open that found none (nothing reads or
     * writes it then, and the close has nothing to close).
     */
    public static RaidVolume assemble(String name, Layout layout, Member[] members, long size, int trackSize,
                                      int stripUnit, WriteIntent writeIntent,
                                      org.splitpoint.engine.io.StorageFile journal) {
        if (layout == Layout.RAID1) {
            return new MirrorVolume(name, members, size, trackSize, writeIntent);
        }
        return new ParityVolume(name, layout, members, size, trackSize, stripUnit, writeIntent,
                new StripeJournal(journal));
    }

    /** Capacity of {@code layout} over {@code n} members of {@code memberSize} bytes. */
    public static long capacity(Layout layout, int n, long memberSize, int stripUnit) {
        return layout == Layout.RAID1 ? MirrorVolume.capacity(memberSize)
                : ParityVolume.capacity(n, memberSize, stripUnit);
    }

    /**
     * At a writable open: re-applies the journaled stripe updates of the last opening and starts a
     * fresh journal epoch; returns how many (0 for a mirror). When the file system is full the
     * updates stay pending (reads see them; writes redo them first) and {@code NoSpaceException} is
     * thrown. A damaged journal throws {@code CorruptMetadataException}.
     */
    public int replayJournal() throws IOException {
        return 0;
    }

    /** Live stripe-journal entries (0 for a mirror), read without changing anything. */
    public int pendingJournalEntries() throws IOException {
        return 0;
    }

    /** Starts a fresh stripe-journal epoch (parity layouts): a new volume, or one whose journal was lost. */
    public void beginJournal() throws IOException {
    }

    /** Every track dirty: the next resync covers the whole volume (its journal or bitmap was lost). */
    public void markAllDirty() throws IOException {
        writeIntent.markAllDirty();
    }

    /**
     * Runs {@code hook} in every flush, after the members are durable and before write-intent bits
     * may clear. A pair uses it to make its invalid-track marks durable in time: until then the
     * write-intent bits cover those writes (see {@link #crashDirtyVolumeRanges()}).
     */
    public void addFlushHook(IoAction hook) {
        flusher.addHook(hook);
    }

    public void removeFlushHook(IoAction hook) {
        flusher.removeHook(hook);
    }

    /** Hooks its flushes run (a pair's, a journal's); none: a flush forces only the volume itself. */
    public int flushHookCount() {
        return flusher.hookCount();
    }

    /**
     * After an unclean shutdown: the volume byte ranges [from, to) that may have been written since
     * the last flush (the write-intent tracks found dirty at open), in order and merged, else an
     * empty list.
     */
    public List<long[]> crashDirtyVolumeRanges() {
        return crashDirty.volumeRanges();
    }

    /** The member-row tracks found dirty at open (see {@link #noteCrashDirty()}), or null. */
    public TrackBitmap crashDirtyTracks() {
        return crashDirty.tracks();
    }

    /** The volume bytes whose data or parity lives in member rows [from, to) (a superset). */
    protected abstract long[] volumeRangeOfRows(long from, long to);

    /**
     * Runs {@code action} with the volume's gate held for reading, as a write holds it around its
     * observers: for work an observer does ahead of the writes (a copy on write saving tracks a copier
     * is about to write), which must take its own locks after the gate, as writers do, never before.
     */
    public void shared(IoAction action) throws IOException {
        long sharedEpoch = gate.enterShared();
        try {
            action.run();
        } finally {
            gate.exitShared(sharedEpoch);
        }
    }

    /**
     * Takes the gate's write lock, telling the layout first that writes in flight should not wait for
     * writes that come after this point (they wait behind the barrier): see {@link #barrierWaiting}.
     */
    private void lockGateExclusively() {
        barrierWaiting(true);
        try {
            gate.lockExclusively();
        } finally {
            barrierWaiting(false);
        }
    }

    /**
     * Told while a flush or an exclusive change waits for the writes in flight ({@code waiting}), and
     * when it got them all: a layout whose writes wait for the pieces of later writes (a parity
     * layout's stripe gather) stops waiting for them then, since those writes are held behind it.
     */
    protected void barrierWaiting(boolean waiting) {
    }

    /** Runs {@code change} with no host I/O in flight (membership changes). */
    public void exclusive(IoAction change) throws IOException {
        awaitingWrites(this::lockGateExclusively);
        try {
            change.run();
        } finally {
            gate.unlockExclusively();
        }
    }

    /** A wait for writes in flight, with what it may throw. */
    @FunctionalInterface
    public interface WritesWait<E extends Exception> {
        void run() throws E;
    }

    /**
     * Runs {@code wait}, which waits for this volume's writes in flight, telling the write log
     * before and after ({@link WriteLog#exclusiveWaiting}), on this thread: {@link #exclusive}'s
     * wait for the gate, a flush's for its barrier, a host way's change.
     */
    public void awaitingWrites(Runnable wait) {
        awaitingWrites(List.of(this), wait::run);
    }

    /**
     * {@link #awaitingWrites(Runnable)} for a wait over several volumes' writes at once (a pair's
     * gate over its sides, {@link #flushAll}): each one's write log is told, on this thread.
     */
    public static <E extends Exception> void awaitingWrites(List<? extends RaidVolume> volumes, WritesWait<E> wait) throws E {
        List<WriteLog> told = new ArrayList<>();
        try {
            for (RaidVolume v : volumes) {
                WriteLog log = v.writeLog; // the one told before is told after
                if (log != null) {
                    log.exclusiveWaiting(true);
                    told.add(log);
                }
            }
            wait.run();
        } finally {
            for (WriteLog log : told) {
                log.exclusiveWaiting(false);
            }
        }
    }

    /**
     * Rebuilds rows [from, to) of {@code target} (a REBUILDING member) and advances its valid mark;
     * false, the mark left where it was, when a source lost writes at a flush that failed while the
     * rows were read (the caller heals and copies them again). The rows stay locked throughout, so
     * host writes to them wait and are never overwritten.
     */
    public boolean rebuildRows(Member target, long from, long to) throws IOException {
        return rowRepair.rebuildRows(target, from, to);
    }

    /** Rows [from, from+len) of {@code target} as the other members say they are (their XOR, or a mirror's copy). */
    protected abstract byte[] reconstructed(Member target, long from, int len) throws IOException;

    /**
     * Rows [from, from+len) of {@code target} (absent) as the other members say they should be,
     * under the rows' lock: what a drive back from a service window must get.
     */
    public byte[] rowsAsOthersHaveThem(Member target, long from, int len) throws IOException {
        return rowRepair.rowsAsOthersHaveThem(target, from, len);
    }

    /**
     * Resyncs the member-row {@code tracks} (ascending) of {@code target} (back from a service
     * window, its stale tracks marked) from the others: their rows locked in ascending order
     * throughout, so a host write lands wholly before (and is reconstructed) or after (and reaches
     * {@code target} too); each other member reads all of them on one thread, so a scattered delta
     * costs one hand-off per batch, not per track. The stale marks stay until the caller has made
     * the copies durable and said so: until then a write to such a track is journaled as a degraded
     * one is, since after a crash the track counts as stale again.
     */
    public void resyncTracks(Member target, long[] tracks) throws IOException {
        rowRepair.resyncTracks(target, tracks);
    }

    /**
     * Recomputes the row {@code ranges} of {@code target} from the other members and writes them;
     * by default range by range ({@link #reconstructRows}).
     */
    protected void reconstructRanges(Member target, List<long[]> ranges) throws IOException {
        for (long[] r : ranges) {
            reconstructRows(target, r[0], r[1]);
        }
    }

    /** Writes rows of {@code target} as they are given (a data-mode delta brought back), under their lock. */
    public void writeMemberRows(Member target, long row, ByteBuffer data) throws IOException {
        rowRepair.writeMemberRows(target, row, data);
    }

    /**
     * Checks (and with {@code repair} fixes) rows [from, to) under their lock, {@link RowRepair#PIECE} rows
     * at a time.
     */
    public long verifyRows(long from, long to, boolean repair) throws IOException {
        return rowRepair.verifyRows(from, to, repair);
    }

    /**
     * The tracks the write-intent bitmap marks dirty, remembered for {@link #crashDirtyVolumeRanges()}
     * (a pair folds them into its invalid tracks). Call once at open, before any write.
     */
    public long noteCrashDirty() {
        return crashDirty.note();
    }

    /**
     * Whether the tracks found dirty at open were left by a clean close (members a failed write, a
     * full file system say, left disagreeing, or the volume FAILED beyond its redundancy) rather
     * than by a crash.
     */
    public boolean dirtyFromCleanClose() {
        return writeIntent.closedClean();
    }

    /**
     * The open has made durable everything it derived from the tracks found dirty (a pair's marks,
     * a staged journal's re-journaled tracks): they may clear from now on.
     */
    public void endCrashRecovery() {
        try {
            writeIntent.releaseRecovery(state() != VolumeState.FAILED);
        } catch (IOException e) {
            // the cleared bits' pages stay to be written by the next persist; set on disk, they cost a resync
        }
    }

    /**
     * After an unclean shutdown: makes the members agree on every track the write-intent bitmap
     * marks dirty, then clears it. Tracks some member cannot take part in are left to the journal
     * (parity layouts); a mirror makes the members that hold them agree ({@link #resyncableAfterCrash}). When the file system
     * is full the tracks not done stay dirty and pinned, and the resync is finished later.
     *
     * @return the number of tracks resynced
     */
    public long resyncDirtyTracks() throws IOException {
        return rowRepair.resyncDirtyTracks();
    }

    /**
     * Clean shutdown: flush, then an all-clear write-intent bitmap (a FAILED volume's kept, marked
     * clean; a flush failed for want of space keeps the bits it did not clear, marked clean too).
     */
    @Override
    public void close() throws IOException {
        try {
            if (state() == VolumeState.FAILED) {
                // nothing more can be acknowledged: what the members still have goes to disk, and
                // the write-intent bits stay for whatever brings the volume back (marked as a clean
                // close's: the next open must not take them for a crash's)
                forceMembers();
                writeIntent.closeKeepingDirty();
                return;
            }
            try {
                flush();
            } catch (NoSpaceException e) {
                // a member lost writes at a flush (WritesLostException), or a parity stripe update
                // refused for want of space cannot be redone by this last flush: the tracks written
                // since the last good flush stay dirty (no failed flush clears any), for the next
                // open's resync to make the drives agree; the close is clean all the same, and the
                // mark says so (before, a RAID 5 write refused on a full file system made the next
                // open report a crash that did not happen)
                writeIntent.closeKeepingDirty();
                throw e;
            }
            writeIntent.closeClean();
        } finally {
            closeQuietly();
        }
    }

    /** Releases files without flushing (after a crash or a failed open). */
    public void closeQuietly() {
        for (Member m : members) {
            try {
                m.close();
            } catch (IOException ignored) {
                // nothing more can be done for a file that will not close
            }
        }
        try {
            writeIntent.close();
        } catch (IOException ignored) {
            // as above
        }
    }

    /**
     * True when the crash resync at open makes the members agree on rows [from, to) (see {@link
     * #resyncDirtyTracks}): a parity layout needs every member (a stripe short of one is the stripe
     * journal's), a mirror two that hold them ({@link MirrorVolume}).
     */
    protected boolean resyncableAfterCrash(long from, long to) {
        return allHold(from, to);
    }

    /**
     * The refusal of a read of {@code lossy}'s rows [from, to), a member that lost writes at a failed
     * flush, where a drive absent beside it leaves nothing to rebuild them from (a parity layout).
     */
    WritesLostException refusedBesideAbsent(Member lossy, long from, long to) {
        String absent = "another drive";
        for (Member o : members) {
            if (o != lossy && !o.holds(from, to)) {
                absent = "drive " + o.drive();
                break;
            }
        }
        return new WritesLostException("volume " + name + ": a read needs drive " + lossy.drive() + ", which lost writes at"
                + " a flush that failed for want of space, and " + absent + " is not there to rebuild them from, so no"
                + " drive is known to hold them: the read is refused until the pool is reopened (close it and open it"
                + " again), whose resync makes the drives agree", null);
    }

    /** True when every member but {@code m} holds member rows [from, to) (they can stand in for it). */
    boolean othersHold(Member m, long from, long to) {
        for (Member o : members) {
            if (o != m && !o.holds(from, to)) {
                return false;
            }
        }
        return true;
    }

    protected boolean allHold(long from, long to) {
        for (Member m : members) {
            if (!m.holds(from, to)) {
                return false;
            }
        }
        return true;
    }

    /** The volume's state, derived from its members (policy in one place). */
    public VolumeState state() {
        int unavailable = 0;
        boolean rebuilding = false;
        boolean offline = false;
        for (Member m : members) {
            DriveState s = m.state();
            if (s != DriveState.ONLINE) {
                unavailable++;
            }
            rebuilding |= s == DriveState.REBUILDING;
            offline |= s == DriveState.OFFLINE;
        }
        if (unavailable > layout.redundancy(members.length)) {
            return VolumeState.FAILED;
        }
        if (rebuilding) {
            return VolumeState.REBUILDING;
        }
        if (offline) {
            return VolumeState.SERVICE;
        }
        return unavailable > 0 ? VolumeState.DEGRADED : VolumeState.OPTIMAL;
    }

    /** "d3 FAILED, d4 REBUILDING" — the members that make the state what it is; empty when OPTIMAL. */
    public String stateReason() {
        List<String> parts = new ArrayList<>();
        for (Member m : members) {
            if (m.state() != DriveState.ONLINE) {
                parts.add(m.drive() + " " + m.state());
            }
        }
        return String.join(", ", parts);
    }

    /** Reads {@code len} bytes of member rows into a fresh array. */
    protected static byte[] readMember(Member m, long row, int len) throws IOException {
        byte[] b = new byte[len];
        m.read(row, ByteBuffer.wrap(b));
        return b;
    }
}
