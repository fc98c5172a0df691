package org.splitpoint.engine.raid;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.splitpoint.engine.io.NoSpaceException;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.io.StorageHaltedException;
import org.splitpoint.engine.io.WritesLostException;
import org.splitpoint.engine.io.Zeros;
import org.splitpoint.engine.pool.DriveState;

/**
 * One member of a volume: a drive image and its state as the data path sees it.
 *
 * <p>State changes are volatile writes so the I/O path can check them without locks. A REBUILDING
 * member holds valid rows below {@link #rebuiltUpTo()} only; above, it is treated as absent.
 * An I/O error marks the member FAILED at once; a failed member never silently comes back. Not
 * every error is the drive's: a full file system (the images are sparse) and a halted storage stack
 * (power cut, process ending) fail the operation but not the member. A flush that failed for want
 * of space may have lost writes, so every later flush of the member fails until they are written
 * again from the other members, or the pool is reopened ({@link #force}). A flush that fails with
 * EIO fails the member and is counted as such a loss too: its pages were dropped before the error
 * was back, and a reader of the image meanwhile reads again ({@link #failAtFlush}). A force that succeeds
 * while another of the same image is under way waits for that one's answer before it says so: the
 * kernel tells a failed writeback to one of them only.
 *
 * <p>Whether the member's absence is recorded durably ({@link #absenceRecorded()}) is tracked here,
 * because the volume must not acknowledge a write done without the member before it is (see
 * {@link MemberFailureListener}).
 */
public final class Member {

    /** Thrown to the volume when a member failed during an operation; the volume retries degraded. */
    static final class FailedException extends IOException {
        FailedException(String message, IOException cause) {
            super(message, cause);
        }
    }

    private final int index;
    private volatile String drive;
    private volatile StorageFile file;
    private volatile DriveState state;
    private volatile long rebuiltUpTo;
    private volatile boolean absenceRecorded;
    private volatile String absenceReason;
    /**
     * Tracks of member rows this member does not hold although its state says it does: a drive
     * back from a service window whose delta is being resynced (null: none).
     */
    private volatile org.splitpoint.engine.bitmap.TrackBitmap stale;
    private volatile int staleTrackSize;
    /**
     * Why this image may have lost writes it took (a flush failed for want of space; see {@link
     * WritesLostException}), or null. Every later flush of it fails until a heal ({@link #forceHealed})
     * or a new image clears it.
     */
    private volatile String writesLost;
    /** Whether {@link #writesLost} came from a sync an interrupt cut off (SyncCutOffException), not a full file system. */
    private volatile boolean writesLostToACutOff;
    /**
     * Failed flushes that may have lost writes so far (changed under this): for want of space, and
     * with EIO (the one that failed the drive: {@link #failAtFlush}); a heal clears only its own.
     * Volatile: every read of a volume compares it across its pick and read of the members.
     */
    private volatile long losses;
    /**
     * Of a REBUILDING member: the rows below which the rebuild's copies are known forced (its mark
     * when the last good force began). A failed flush loses the copies above as it does host writes,
     * and they have no write-intent bits: a heal writes them again ({@link RaidVolume#healLostWrites}).
     */
    private volatile long forcedRebuiltUpTo;
    /** Stripe updates to redo on this member, applied to reads until they are (see StripeUpdates). */
    private volatile List<StripeJournal.Segment> overlay;

    /**
     * A member in {@code state}. {@code stateIsDurable} says whether pool.json already says so (a
     * state read from it) or not (found at open: a missing or wrong-size image).
     */
    public Member(int index, String drive, StorageFile file, DriveState state, boolean stateIsDurable) {
        this.index = index;
        this.drive = drive;
        this.file = file;
        this.state = file == null && state != DriveState.FAILED ? DriveState.MISSING : state;
        this.absenceRecorded = takesWrites(this.state) || stateIsDurable && this.state == state;
        this.absenceReason = this.state + " at open";
    }

    public int index() {
        return index;
    }

    public String drive() {
        return drive;
    }

    public DriveState state() {
        return state;
    }

    public long rebuiltUpTo() {
        return rebuiltUpTo;
    }

    /** True when pool.json already says what this member's state says (no write may wait for it). */
    public boolean absenceRecorded() {
        return absenceRecorded;
    }

    public void markAbsenceRecorded() {
        absenceRecorded = true;
    }

    String absenceReason() {
        return absenceReason;
    }

    /**
     * Changes the state; for REBUILDING, {@code rebuiltUpTo} is the row below which data is valid.
     * A state that takes no writes must be recorded before the next write goes on without it.
     */
    public void setState(DriveState state, long rebuiltUpTo) {
        this.rebuiltUpTo = rebuiltUpTo;
        this.forcedRebuiltUpTo = rebuiltUpTo; // a rebuild resumes from a checkpoint it forced, or from 0
        this.state = state;
        if (!takesWrites(state)) {
            this.absenceReason = state + " by command";
            this.absenceRecorded = false;
        }
    }

    /** What a take-out changes of a member, to put back when it cannot be recorded ({@link #putBack}). */
    public record Standing(DriveState state, long rebuiltUpTo, long forcedRebuiltUpTo, String absenceReason,
                           boolean absenceRecorded) {
    }

    /**
     * This member's state, rebuilt mark, forced rebuilt mark and absence now: taken with no write in
     * flight (the volume's exclusive section of the take-out), as a write in flight may fail the member.
     */
    public Standing standing() {
        return new Standing(state, rebuiltUpTo, forcedRebuiltUpTo, absenceReason, absenceRecorded);
    }

    /**
     * Puts back what {@link #standing} said: a take-out whose record failed. Only while the member
     * missed no write since (the volume's exclusive section that took it out). Its absence is on
     * record as it was then: a member an I/O error failed whose record is still to be written stays so,
     * and the next write records it before it is acknowledged.
     */
    public void putBack(Standing s) {
        this.rebuiltUpTo = s.rebuiltUpTo();
        this.forcedRebuiltUpTo = s.forcedRebuiltUpTo();
        this.absenceReason = s.absenceReason();
        this.state = s.state();
        this.absenceRecorded = s.absenceRecorded();
    }

    void advanceRebuilt(long upTo) {
        this.rebuiltUpTo = upTo;
    }

    /**
     * Another drive takes this member's place (a spare named by a rebuild): its image, its name.
     * Called with no I/O in flight (the volume's exclusive section).
     */
    public void moveTo(String newDrive, StorageFile newFile) throws IOException {
        this.drive = newDrive;
        replaceFile(newFile);
    }

    /** Swaps in a new image (a replaced drive). */
    public void replaceFile(StorageFile newFile) throws IOException {
        StorageFile old = this.file;
        this.file = newFile;
        this.writesLost = null;
        if (old != null) {
            old.close();
        }
    }

    /** True when the member holds valid data for member rows [from, to). */
    public boolean holds(long from, long to) {
        DriveState s = state;
        boolean valid = s == DriveState.ONLINE || (s == DriveState.REBUILDING && to <= rebuiltUpTo);
        org.splitpoint.engine.bitmap.TrackBitmap st = stale;
        if (!valid || st == null) {
            return valid;
        }
        int ts = staleTrackSize;
        long next = st.nextSetBit(from / ts);
        return next < 0 || next * ts >= to;
    }

    /**
     * The tracks (of {@code trackSize} rows) this member does not hold while it is resynced after
     * a service window; the live bitmap, whose bits the resync clears as it goes (null: none).
     */
    public void setStale(org.splitpoint.engine.bitmap.TrackBitmap tracks, int trackSize) {
        this.staleTrackSize = trackSize;
        this.stale = tracks;
    }

    public org.splitpoint.engine.bitmap.TrackBitmap stale() {
        return stale;
    }

    /**
     * True when writes must reach this member. A REBUILDING member takes every write, also above its
     * rebuilt mark: the rebuild recomputes those rows from the same data later, so nothing is lost,
     * and no stripe is ever left short of a member (no write hole while rebuilding).
     */
    public boolean takesWrites() {
        return takesWrites(state);
    }

    private static boolean takesWrites(DriveState s) {
        return s == DriveState.ONLINE || s == DriveState.REBUILDING;
    }

    void setOverlay(List<StripeJournal.Segment> segments) {
        this.overlay = segments == null || segments.isEmpty() ? null : List.copyOf(segments);
    }

    void read(long position, ByteBuffer dst) throws IOException {
        read(position, dst, false);
    }

    /**
     * Reads member rows into {@code dst}; {@code fetchedAhead}: without the kernel's read-ahead,
     * the volume having asked for these rows with {@link #willNeed} (see {@link StorageFile#readWithoutReadAhead}).
     */
    void read(long position, ByteBuffer dst, boolean fetchedAhead) throws IOException {
        read(position, dst, fetchedAhead, false);
    }

    /**
     * Reads member rows as {@link #read(long, ByteBuffer, boolean)} does without read-ahead, except
     * that where the image is known to hold a hole there ({@link StorageFile#hole}) nothing is read:
     * the rows are zeros. For the strips a partial-stripe write must read: on a new volume they are
     * mostly holes, and reading them filled the page cache with small pages of zeros that the
     * writes after kept (a page per 4 KiB: the volume's later reads from the cache went 10-15%
     * slower than over the large pages the writes make; bench/notes/raid5-warm-read-2026-12-03e.txt).
     */
    void readSkippingHoles(long position, ByteBuffer dst) throws IOException {
        read(position, dst, true, true);
    }

    /**
     * True when member rows [position, position+length) are known to read as zeros without reading
     * them: the image holds a hole there ({@link StorageFile#hole}) and no overlaid journal segment
     * covers any of them. False whenever that cannot be told.
     */
    boolean holeAt(long position, long length) {
        StorageFile f = file;
        // the overlay before the image, as a read takes it: a redo between the two would otherwise
        // leave a hole answered for rows it had just written, and no overlay to say so
        List<StripeJournal.Segment> o = overlay;
        if (f == null || !f.hole(position, length)) {
            return false;
        }
        if (o != null) {
            for (StripeJournal.Segment seg : o) {
                if (seg.row() < position + length && position < seg.row() + seg.length()) {
                    return false;
                }
            }
        }
        return true;
    }

    private void read(long position, ByteBuffer dst, boolean fetchedAhead, boolean skipHoles) throws IOException {
        int start = dst.position();
        int len = dst.remaining();
        List<StripeJournal.Segment> o = overlay; // before the read: see overlay(...)
        try {
            if (skipHoles && file.hole(position, len)) {
                Zeros.inChunks(0, len, (at, zeros) -> dst.put(start + (int) at, zeros, 0, zeros.remaining()));
                dst.position(start + len);
            } else if (fetchedAhead) {
                file.readWithoutReadAhead(position, dst);
            } else {
                file.readFully(position, dst);
            }
        } catch (IOException e) {
            throw fail("read", e);
        }
        overlay(o, position, dst, start, len);
    }

    /**
     * Reads consecutive member rows from {@code position} into {@code dsts}, one after the other,
     * without the kernel's read-ahead ({@link #read(long, ByteBuffer, boolean)} with {@code
     * fetchedAhead}), with one call where the file can ({@link StorageFile#readWithoutReadAhead(long,
     * ByteBuffer[])}): a stream's strips of this member in neighbouring rows.
     */
    void readRun(long position, ByteBuffer[] dsts) throws IOException {
        int[] starts = new int[dsts.length];
        int[] lengths = new int[dsts.length];
        for (int i = 0; i < dsts.length; i++) {
            starts[i] = dsts[i].position();
            lengths[i] = dsts[i].remaining();
        }
        List<StripeJournal.Segment> o = overlay; // before the read: see overlay(...)
        try {
            file.readWithoutReadAhead(position, dsts);
        } catch (IOException e) {
            throw fail("read", e);
        }
        long pos = position;
        for (int i = 0; i < dsts.length; i++) {
            overlay(o, pos, dsts[i], starts[i], lengths[i]);
            pos += lengths[i];
        }
    }

    /**
     * Lays the journal's segments {@code o} over rows [position, position+len) just read into dst at
     * {@code start}. {@code o} is the overlay as it was before the rows were read: a redo (a write or
     * flush writes the pending updates to the member, then clears the overlay; reads do not wait for
     * it) that lands during the read would otherwise leave the read with the member's old bytes and
     * no overlay to correct them. Taken before, the updates show whether the redo got there or not.
     */
    private static void overlay(List<StripeJournal.Segment> o, long position, ByteBuffer dst, int start, int len) {
        if (o != null) {
            for (StripeJournal.Segment s : o) {
                long from = Math.max(position, s.row());
                long to = Math.min(position + len, s.row() + s.length());
                if (from < to) {
                    dst.put(start + (int) (from - position), s.data(), s.data().position() + (int) (from - s.row()), (int) (to - from));
                }
            }
        }
    }

    /** A hint: rows [position, position+length) will be read soon (see {@link StorageFile#willNeed}). */
    void willNeed(long position, long length) {
        StorageFile f = file;
        if (f != null) {
            f.willNeed(position, length);
        }
    }

    /** True when the byte at member row {@code position} is known not to be in the page cache (see {@link StorageFile#uncached}). */
    boolean uncached(long position) {
        StorageFile f = file;
        return f != null && f.uncached(position);
    }

    /** True when the byte at member row {@code position} is known to be in the page cache (see {@link StorageFile#cached}). */
    boolean cached(long position) {
        StorageFile f = file;
        return f != null && f.cached(position);
    }

    void write(long position, ByteBuffer src) throws IOException {
        try {
            file.writeFully(position, src);
        } catch (IOException e) {
            throw fail("write", e);
        }
    }

    /**
     * Makes rows [position, position+length) read as zeros without writing them where the image
     * file can (see {@link StorageFile#zeroRange}); fails the member on an I/O error, as a write does.
     */
    void zeroRange(long position, long length, boolean deallocate) throws IOException {
        try {
            file.zeroRange(position, length, deallocate);
        } catch (IOException e) {
            throw fail("write", e);
        }
    }

    /** True when its image zeroes a large range without writing zeros ({@link StorageFile#zeroesWithoutWriting}). */
    boolean zeroesWithoutWriting(boolean deallocate) {
        StorageFile f = file;
        return f != null && f.zeroesWithoutWriting(deallocate);
    }

    /**
     * Makes the member's completed writes durable. A flush that fails for want of space may have
     * lost some of them (see {@link WritesLostException}): from then on every flush of this image
     * fails, so none says they are on disk, until the volume has written them again from its other
     * members ({@link RaidVolume#healLostWrites}) or the pool is reopened; the member stays (the
     * drive is not at fault).
     */
    public void force() throws IOException {
        StorageFile f = file;
        if (f == null) {
            return;
        }
        long lossesBefore = losses(); // before the flag is read: a loss between the two is then seen
        String lost = writesLost;
        if (lost != null) {
            throw new WritesLostException("drive " + drive + " lost writes at an earlier flush (" + lost
                    + "), and they are not written again yet, so no flush can say that the writes since are on disk: "
                    + REOPEN, null);
        }
        long upTo = rebuiltUpTo; // the rebuild's copies below are written: this force covers them
        long ticket = forceBegins();
        try {
            f.force();
        } catch (NoSpaceException e) {
            lostAt(e); // before the force ends: a force that waits for it sees the loss
            throw new WritesLostException("drive " + drive + ": a flush failed (" + e.getMessage()
                    + "), and the writes it could not make durable may be lost from the drive's image;"
                    + " flushes of its volume fail until they are written again, since none could say they are on"
                    + " disk: " + REOPEN, e);
        } catch (IOException e) {
            throw failAtFlush(e); // before the force ends, as a loss for want of space is counted
        } finally {
            forceEnds(ticket);
        }
        if (!forced(upTo, lossesBefore)) {
            if (state == DriveState.FAILED) {
                // a force beside this one failed with EIO and failed the drive: its image is read
                // no more, and this success says nothing of the pages that one dropped
                throw new FailedException("drive " + drive + " failed on a flush beside this one", null);
            }
            // another force of the image failed while this one ran (a rebuild's checkpoint beside a
            // host's flush): the pages both were to make durable went with it, so this fsync's
            // success says nothing of them (MemberFlushNoSpaceTest.aForceThatEndsAfterAConcurrentOneLostWritesFailsToo)
            throw new WritesLostException("drive " + drive + " lost writes at a flush that failed beside this one ("
                    + writesLost + "), so this flush cannot say that they are on disk: " + REOPEN, null);
        }
    }

    /**
     * A force that began with the rebuild at {@code upTo} succeeded: true, and those copies are
     * durable, unless one failed meanwhile (false).
     */
    private synchronized boolean forced(long upTo, long lossesBefore) {
        awaitForcesBeside();
        if (losses != lossesBefore) {
            return false;
        }
        forcedRebuiltUpTo = Math.max(forcedRebuiltUpTo, upTo);
        return true;
    }

    /** Forces of this image begun so far (guarded by this); the ones under way, by ticket (guarded by this). */
    private long forceTickets;
    private final java.util.TreeSet<Long> forcesUnderWay = new java.util.TreeSet<>();

    private synchronized long forceBegins() {
        forcesUnderWay.add(++forceTickets);
        return forceTickets;
    }

    private synchronized void forceEnds(long ticket) {
        forcesUnderWay.remove(ticket);
        notifyAll();
    }

    /**
     * Waits (under this monitor, which it lets go meanwhile) for the forces of this image begun
     * before now to end: one may have failed for want of space, its loss not yet counted. Linux
     * reports a failed writeback to one fsync of a shared descriptor only, so a force beside it
     * succeeds over the pages it dropped; taken at its word before the other counted the loss, a
     * commit cleared marks of copies no drive held (ConcurrentForceLossTest). They are fsyncs on
     * their way back, holding nothing this thread may hold: the wait ends with them.
     */
    private void awaitForcesBeside() {
        long now = forceTickets;
        boolean interrupted = false;
        while (!forcesUnderWay.isEmpty() && forcesUnderWay.first() <= now) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true; // an fsync ends anyway: its answer is what this force needs
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@link #losses}, once the forces of this image under way now have ended: a force that fails
     * for want of space drops the pages before its error is back and its loss counted, so a reader
     * of the image meanwhile took old bytes no count showed. A repair compares this before it
     * trusts what it read (RepairReferenceLossTest); it waits for fsyncs only, as {@link
     * #awaitForcesBeside} does. A write-back the image started itself that failed is counted here
     * too, by a force made first (BackgroundWriteBackLossTest): otherwise only the next flush would
     * count it, and the reader meanwhile trust old bytes of pages the kernel evicted.
     */
    public long settledLosses() {
        StorageFile f = file;
        if (f != null && f.writeBackFailed()) {
            // a write-back the image started itself failed, and only its next force says so: force it
            // now, so the loss is counted before this reader trusts what it read (its pages may be
            // evicted by now, reading as the disk's old bytes), not at the next flush
            try {
                force();
            } catch (IOException e) {
                // counted by the force (or the drive failed on it): the count below shows it
            }
        }
        synchronized (this) {
            awaitForcesBeside();
            return losses;
        }
    }

    /** See {@link #forcedRebuiltUpTo}. */
    long forcedRebuiltUpTo() {
        return forcedRebuiltUpTo;
    }

    private static final String REOPEN = "free space there, and the next flush writes them again from the other"
            + " drives; where no other drive holds them (two drives lost writes, or a parity volume or two-way mirror is degraded), reopen"
            + " the pool (close it and open it again), whose resync makes the drives agree";

    /**
     * A force of this image failed with an error of the drive (EIO): the drive is FAILED, as on any
     * I/O error, and the failure is counted among the {@link #losses} as well. The kernel dropped
     * the pages the force could not write back before the error came back, so a reader of the image
     * in that moment (a parity write's read of the strips it keeps, a degraded read, a copy) took a
     * write's old bytes, or a rebuild's blank, while the drive still looked ONLINE; it compares the
     * losses across its read and reads again, without the drive. Before, only a failure for want
     * of space was counted, and such a reader kept what it read: the parity of a stripe computed from
     * the old bytes lost the write when the drive's strip was rebuilt from it (FlushEioUnderWayTest).
     * The state first, then the count: a reader that sees the count picks its members again by state.
     */
    private IOException failAtFlush(IOException e) {
        IOException failed = fail("flush", e);
        if (failed instanceof FailedException) {
            synchronized (this) {
                losses++;
            }
        }
        return failed;
    }

    /** A force of this image failed for want of space: the writes it did not make durable may be gone. */
    private synchronized void lostAt(NoSpaceException e) {
        writesLostToACutOff = e instanceof org.splitpoint.engine.io.SyncCutOffException;
        writesLost = e.getMessage();
        losses++;
    }

    /** Whether the writes this image may have lost ({@link #writesLostReason}) went at a flush an interrupt cut off, not for want of space. */
    public boolean writesLostToACutOff() {
        return writesLostToACutOff;
    }

    /**
     * How many flushes of this image failed so that writes may be lost; taken before a heal
     * ({@link #forceHealed}), and by a service window's return before its copies (whose own force
     * cannot see a loss that a host's flush met and healed before it began: ServiceResync.checkpoint).
     */
    public long losses() {
        return losses;
    }

    /**
     * Forces the image once its lost writes were written again (see {@link RaidVolume#healLostWrites});
     * true when that succeeded and no flush lost writes since {@code lossesBefore}: the image is
     * trusted again. False when the file system is still full (the flag stays).
     */
    boolean forceHealed(long lossesBefore) throws IOException {
        StorageFile f = file;
        if (f == null) {
            return false;
        }
        long upTo = rebuiltUpTo;
        long ticket = forceBegins();
        try {
            f.force();
        } catch (NoSpaceException e) {
            lostAt(e);
            return false;
        } catch (IOException e) {
            throw failAtFlush(e);
        } finally {
            forceEnds(ticket);
        }
        synchronized (this) {
            awaitForcesBeside();
            if (losses != lossesBefore) {
                return false; // another flush of it failed meanwhile: what it dropped may be healed pages
            }
            writesLost = null;
            forcedRebuiltUpTo = Math.max(forcedRebuiltUpTo, upTo);
            return true;
        }
    }

    /** Whether this image may have lost writes at a failed flush (see {@link #force}). */
    boolean lostWrites() {
        return writesLost != null;
    }

    /**
     * True when reads of rows [from, to) may come from this member: it holds them ({@link #holds})
     * and its image lost no writes at a failed flush, whose disk may have a write's old bytes where
     * the others have the new (a parity volume reconstructs such rows from the others).
     */
    boolean readable(long from, long to) {
        return writesLost == null && holds(from, to);
    }

    /** What the failed flush that may have lost writes said, or null (see {@link #force}). */
    public String writesLostReason() {
        return writesLost;
    }

    private IOException fail(String op, IOException e) {
        if (e instanceof StorageHaltedException || e instanceof NoSpaceException
                || e instanceof java.io.InterruptedIOException) {
            return e; // not the drive's fault: the power went, the file system is full, or the caller gave up
        }
        if (state != DriveState.FAILED) {
            absenceReason = op + " error: " + e.getMessage();
            absenceRecorded = false;
            state = DriveState.FAILED;
        }
        return new FailedException("drive " + drive + " failed on " + op + ": " + e.getMessage(), e);
    }

    void close() throws IOException {
        StorageFile f = file;
        if (f != null) {
            f.close();
        }
    }

    @Override
    public String toString() {
        return drive + "(" + state + ")";
    }
}
