package org.splitpoint.engine.pair;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.RangeLocks;
import org.splitpoint.engine.job.RateMeter;
import org.splitpoint.engine.pool.Sizes;
import org.splitpoint.engine.pool.VolumeState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A BCV pair (seed 004): a standard volume (STD), a business-continuance volume (BCV) of the same
 * size, and the track bitmaps that say where they differ.
 *
 * <p>Design. Two {@link InvalidTracks}: {@code stdInvalid} (tracks changed on the STD since the
 * split, and during an establish the tracks still to copy STD → BCV) and {@code bcvInvalid} (tracks
 * changed on the BCV since the split, and during a restore the tracks still to copy BCV → STD).
 * While the pair mirrors (SyncInProg, Synchronized, Restored) a host write goes to both sides; a
 * crash between the two, or before a lazily saved mark, is found through the volumes' write-intent
 * bitmaps: their dirty tracks are compared side by side and those that differ marked
 * ({@link #recoverAfterCrash}). For that to hold, a flush of the STD also flushes the BCV while
 * they mirror, and saves the marks before any write-intent bit may clear: flush hooks on both.
 *
 * <p>A process crash (not a power cut) keeps every write the process made, flushed or not. So a
 * host write during a restore to a track whose "to restore" bit is still set durably (unrestored,
 * or restored but not yet committed) makes that bit's clear durable before it returns; otherwise
 * the resumed restore would copy the BCV's older track over it.
 *
 * <p>Lock order (see {@code Pool}): the pool's monitor, then this pair's gate, then its track
 * locks, then the volumes'. State changes that persist do so through the listener, which takes
 * only the pool's innermost lock.
 *
 * <p>Host I/O goes through {@link #stdView()} and {@link #bcvView()}; the I/O decision during a
 * restore is the three-way branch of dm-clone: a read of a restored track is served by the STD; a
 * read of an unrestored track by the BCV, whose data is then written to the STD and the track
 * marked restored (claims 4, 11); a write goes to the STD (claim 2), a partial one first merging
 * the BCV's track. Per-track locks keep the copier and host I/O off the same track; the pair's
 * gate (a read-write lock) makes state changes, such as a split, a single instant for host I/O.
 */
public final class Pair {

    private final String name;
    private final RaidVolume std;
    private final RaidVolume bcv;
    /** Its sides' flush hooks, taken off them at {@link #close} (a deleted pair left one per side on each volume). */
    private final RaidVolume.IoAction stdFlushHook;
    private final RaidVolume.IoAction bcvFlushHook;
    private final int trackSize;
    private final long tracks;
    final InvalidTracks stdInvalid;
    final InvalidTracks bcvInvalid;
    private volatile boolean closed;
    /** Opened only to look (a read-only pool): reads of unrestored tracks restore nothing behind them. */
    private volatile boolean readOnly;
    final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    final RangeLocks trackLocks = new RangeLocks(1);
    private final PairListener listener;
    private volatile PairState state;
    /** Set while a split writes its record: what pool.json is to say, ahead of {@link #state}. */
    private volatile PairState recordAs;
    private volatile boolean protect;
    private final AtomicLong onDemandReads;
    private final RateMeter onDemandRate = new RateMeter(3000);
    private final HydrationFeed feed = new HydrationFeed(4096);
    private final BlockDevice stdView = new PairSideView(this, true);
    private final BlockDevice bcvView = new PairSideView(this, false);
    private final Hydrator hydrator;

    public Pair(String name, RaidVolume std, RaidVolume bcv, int trackSize, PairState state, boolean protect,
                InvalidTracks stdInvalid, InvalidTracks bcvInvalid, PairListener listener, long onDemandReads) {
        this.name = name;
        this.onDemandReads = new AtomicLong(onDemandReads);
        this.std = std;
        this.bcv = bcv;
        this.trackSize = trackSize;
        this.tracks = (std.size() + trackSize - 1) / trackSize;
        this.state = state;
        this.protect = protect;
        this.stdInvalid = stdInvalid;
        this.bcvInvalid = bcvInvalid;
        this.listener = listener;
        this.hydrator = new Hydrator(this);
        stdFlushHook = () -> {
            if (closed) {
                return;
            }
            PairState s = this.state;
            if (s.mirrors() || s == PairState.SplitInProg) {
                // mirrored writes are durable on both sides before the STD's bits clear (a split
                // under way flushes the BCV too, but a host flush may have begun before it)
                try {
                    bcv.flush();
                    bcvFlushFailing = false;
                } catch (IOException e) {
                    if (e instanceof org.splitpoint.engine.io.StorageHaltedException) {
                        throw e; // the power is gone: nothing is durable, the STD's flush fails too
                    }
                    bcvMissedFlush(e);
                }
            }
            stdInvalid.persistMarks();
        };
        bcvFlushHook = () -> {
            if (!closed) {
                bcvInvalid.persistMarks();
            }
        };
        std.addFlushHook(stdFlushHook);
        bcv.addFlushHook(bcvFlushHook);
    }

    public String name() {
        return name;
    }

    /** Marks the pair as opened only to look: nothing is written behind reads. */
    public void setReadOnly(boolean readOnly) {
        this.readOnly = readOnly;
    }

    boolean isReadOnly() {
        return readOnly;
    }

    public RaidVolume std() {
        return std;
    }

    public RaidVolume bcv() {
        return bcv;
    }

    public PairState state() {
        return state;
    }

    public boolean isProtected() {
        return protect;
    }

    public long totalTracks() {
        return tracks;
    }

    public int trackSize() {
        return trackSize;
    }

    /** The STD side's invalid tracks (set-up and tests). */
    public InvalidTracks stdInvalid() {
        return stdInvalid;
    }

    /** The BCV side's invalid tracks (track maps read their live words). */
    public InvalidTracks bcvInvalid() {
        return bcvInvalid;
    }

    /** Tracks changed on the STD since the split (during an establish: still to copy). */
    public long stdInvalidTracks() {
        return stdInvalid.count();
    }

    /** Tracks changed on the BCV since the split (during a restore: still to restore). */
    public long bcvInvalidTracks() {
        return bcvInvalid.count();
    }

    /**
     * Tracks changed since the split on the STD, on the BCV, and on either side (what an
     * incremental restore or establish copies: one track changed on both is copied once).
     */
    public record Changes(long std, long bcv, long either) { }

    /** The changes since the split now, counted from one reading of both sides' live bits. */
    public Changes changes() {
        long[] a = stdInvalid.live().toWords();
        long[] b = bcvInvalid.live().toWords();
        long std = 0;
        long bcv = 0;
        long either = 0;
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            long x = i < a.length ? a[i] : 0;
            long y = i < b.length ? b[i] : 0;
            std += Long.bitCount(x);
            bcv += Long.bitCount(y);
            either += Long.bitCount(x | y);
        }
        return new Changes(std, bcv, either);
    }

    /** The STD as hosts see it. */
    public BlockDevice stdView() {
        return stdView;
    }

    /** The BCV as hosts see it: writable only while split. */
    public BlockDevice bcvView() {
        return bcvView;
    }

    /** Reads served from the BCV during restores, over the pair's life (claim 4). */
    public long onDemandReads() {
        return onDemandReads.get();
    }

    /** Reads served from the BCV per second over the last few seconds; 0 once none came for a while. */
    public double onDemandReadsPerSecond() {
        return onDemandRate.recentPerSecond(System.nanoTime());
    }

    /** Tracks hydrated on demand since {@code afterSeq}, for live views that flash them. */
    public HydrationFeed.Batch hydratedSince(long afterSeq) {
        return feed.since(afterSeq);
    }

    /** Whether track {@code t} is restored (claim 10): true unless a restore still owes it. */
    public boolean isRestored(long t) {
        return !(state == PairState.RestInProg && bcvInvalid.isSet(t));
    }

    /** A copy of the live bits of both sides, for track maps and queries. */
    public TrackMap trackMap() {
        return new TrackMap(state, trackSize, tracks, stdInvalid.live().toWords(), bcvInvalid.live().toWords());
    }

    long tracksOf(long offset, long length, boolean end) {
        return end ? (offset + length + trackSize - 1) / trackSize : offset / trackSize;
    }

    /**
     * Sets the state and records it (the caller holds the gate exclusively); when the record cannot
     * be written the state is as it was, so a verb that fails for it changes nothing hosts see
     * (UnrecordedPairChangeTest).
     */
    void changeState(PairState next, String message) {
        PairState was = state;
        state = next;
        try {
            listener.stateChanged(this, message);
        } catch (RuntimeException e) {
            state = was;
            throw e;
        }
    }

    /** As {@link #changeState}, without a metadata write of its own (see {@link PairListener#stateChangedUnrecorded}). */
    void changeStateUnrecorded(PairState next, String message) {
        state = next;
        listener.stateChangedUnrecorded(this, message);
    }

    void problem(String message) {
        listener.problem(this, message);
    }

    /** Set while the BCV's flushes fail in the STD's (said once per run of failures). */
    private volatile boolean bcvFlushFailing;

    /**
     * The BCV's flush in a host's flush of the STD failed ({@code e}: its drives failing, their file
     * system full, the BCV FAILED). A host's flush is never refused because of the BCV, as a host's
     * write is not ({@link PairSideView}): the mirrored writes the BCV may have lost are not known
     * track by track, so every track is marked (live now, durable in the hook's persistMarks before
     * the STD's write-intent bits may clear), writes stop going to the BCV, and a pair that was in
     * sync goes SyncInProg (quietly, as for a failed mirrored write: pool.json's Synchronized with
     * tracks marked reads as SyncInProg at the next open), so only an establish that copies them
     * makes it whole. Marked before the state is read: a split's flip that finds an in-sync pair
     * with marks refuses ({@link #split}), one before the marks finds the BCV's own flush failing.
     * The STD's flush goes on and succeeds.
     */
    private void bcvMissedFlush(IOException e) {
        stdInvalid.mark(0, tracks);
        PairState s = state;
        boolean wasInSync = s == PairState.Synchronized || s == PairState.Restored;
        if (wasInSync) {
            setStateQuiet(PairState.SyncInProg);
        }
        if (!bcvFlushFailing) {
            bcvFlushFailing = true;
            problem("pair " + name + ": the BCV " + bcv.name() + " could not be flushed (" + e.getMessage()
                    + "); the host's flush of " + std.name() + " went ahead, and every track is marked invalid"
                    + (wasInSync || s == PairState.SyncInProg ? "; the pair is SyncInProg until an establish copies them" : ""));
        }
    }

    // ---- state transitions (rules are checked by the caller; these are mechanism) -------------

    /** Starts an establish (STD → BCV): the tracks to copy go to stdInvalid; what hosts wrote to a Split BCV is overwritten. */
    public void beginEstablish(boolean full) throws IOException {
        beginEstablish(full, true);
    }

    /**
     * As {@link #beginEstablish(boolean)}; unless {@code overwriteBcvWrites}, a Split pair whose BCV
     * hosts wrote since the split is refused with {@link WrittenSinceSplitException} and nothing changes. The
     * count is read under the gate the establish starts under: host writes to the BCV mark their tracks
     * holding it shared, so none lands between the check and the state change (one checked before only
     * would let a write in between, overwritten though nobody agreed to lose it).
     */
    public void beginEstablish(boolean full, boolean overwriteBcvWrites) throws IOException {
        if (!overwriteBcvWrites) {
            refuseIfWrittenSinceSplit(bcvInvalid, bcv); // before the flushes: a refusal need not wait for them
        }
        settle(List.of(this)); // most of the flush while hosts go on: the one under the gate has little left
        lockGate();
        try {
            if (!overwriteBcvWrites) {
                refuseIfWrittenSinceSplit(bcvInvalid, bcv); // the check that counts: no host write to the BCV can come in now
            }
            flushSides(List.of(this)); // the copy starts from a durable point
            if (full) {
                stdInvalid.setAll();
            } else {
                stdInvalid.addAll(bcvInvalid);
            }
            bcvInvalid.clearAll(); // its tracks are in stdInvalid: an establish or restore copies them as before
            boolean wasProtected = protect;
            protect = false;
            try {
                changeState(PairState.SyncInProg, "establish of " + name + " started: "
                        + Sizes.count(stdInvalid.count(), "track") + " to copy" + (full ? " (full)" : " (incremental)"));
            } catch (RuntimeException e) {
                protect = wasProtected; // still Split
                throw e;
            }
        } finally {
            gate.writeLock().unlock();
        }
    }

    /**
     * Throws when the pair is Split and {@code side} (the BCV for an establish, the STD for a restore)
     * has tracks hosts wrote since the split, as {@code marks} count them (at a copy's start: under the gate).
     */
    private void refuseIfWrittenSinceSplit(InvalidTracks marks, RaidVolume side) throws WrittenSinceSplitException {
        long written = marks.count();
        if (state == PairState.Split && written > 0) {
            throw new WrittenSinceSplitException(name, side.name(), written);
        }
    }

    /** Starts a restore (BCV → STD): the tracks to restore go to bcvInvalid; what hosts wrote to the STD since the split is overwritten. */
    public void beginRestore(boolean full, boolean protectBcv) throws IOException {
        beginRestore(full, protectBcv, true);
    }

    /**
     * As {@link #beginRestore(boolean, boolean)}; unless {@code overwriteStdWrites}, a Split pair whose STD
     * hosts wrote since the split is refused with {@link WrittenSinceSplitException} and nothing changes. The count
     * is read under the gate the restore starts under: host writes to the STD mark their tracks holding it
     * shared, so none lands between the check and the state change. Writes to the BCV are not counted: the
     * restore copies them to the STD, so nothing of theirs is lost.
     */
    public void beginRestore(boolean full, boolean protectBcv, boolean overwriteStdWrites) throws IOException {
        if (!overwriteStdWrites) {
            refuseIfWrittenSinceSplit(stdInvalid, std); // before the flushes: a refusal need not wait for them
        }
        settle(List.of(this)); // most of the flush while hosts go on: the one under the gate has little left
        lockGate();
        try {
            if (!overwriteStdWrites) {
                refuseIfWrittenSinceSplit(stdInvalid, std); // the check that counts: no host write to the STD can come in now
            }
            flushSides(List.of(this)); // the restore starts from a durable BCV image
            if (full) {
                bcvInvalid.setAll();
            } else {
                bcvInvalid.addAll(stdInvalid);
            }
            boolean wasProtected = protect;
            protect = protectBcv;
            // the state is durable before stdInvalid is emptied: a crash leaves an over-count, never a
            // miss; so the emptying itself need not be durable at once (no fsync of its own: the
            // restore's first flush or commit carries it)
            try {
                changeState(PairState.RestInProg, "restore of " + name + " started: " + Sizes.count(bcvInvalid.count(),
                        "track") + " to restore" + (full ? " (full)" : " (incremental)") + (protectBcv ? ", BCV protected" : ""));
            } catch (RuntimeException e) {
                protect = wasProtected; // still Split: the tracks added to bcvInvalid are only copied once more
                throw e;
            }
            stdInvalid.clearAllLazily();
        } finally {
            gate.writeLock().unlock();
        }
    }

    /**
     * Takes the gate exclusively, once the host writes under way on either side ended, telling the
     * sides so: such a write may wait for its staged journal's ship, which cannot start while the
     * caller holds the pool's monitor (an establish, a split, a restore), so it stops waiting
     * rather than hold both up for 20 s (FullJournalPairWriteTest).
     */
    private void lockGate() {
        RaidVolume.awaitingWrites(List.of(std, bcv), () -> gate.writeLock().lock());
    }

    /** A pre-flush that ends quickly is one the flush under the gate can follow with little left to write. */
    private static final long SETTLED_NANOS = 20_000_000L;
    private static final int SETTLE_ROUNDS = 4;

    /**
     * Flushes both sides of {@code pairs} while hosts go on writing, again while a round took long
     * (what hosts wrote meanwhile is the next round's work, a fraction of the last as long as the
     * disks write back faster than hosts write), so the flush under the gates that follows holds
     * hosts only for the writes of the last short round.
     */
    private static void settle(List<Pair> pairs) throws IOException {
        for (int round = 0; round < SETTLE_ROUNDS; round++) {
            long t0 = System.nanoTime();
            flushSides(pairs);
            if (System.nanoTime() - t0 < SETTLED_NANOS) {
                return;
            }
        }
    }

    private static void flushSides(List<Pair> pairs) throws IOException {
        List<RaidVolume> sides = new ArrayList<>();
        for (Pair p : pairs) {
            sides.add(p.std);
            sides.add(p.bcv);
        }
        RaidVolume.flushAll(sides);
    }

    /**
     * Splits {@code pairs} at one instant, held for hosts only as long as a flag flip: under the
     * gates of all of them (no host write halfway between the sides) each goes SplitInProg, in
     * which STD writes go to the STD only, marked, and BCV writes are refused. Then, while hosts go
     * on, the BCVs are flushed (their image is durable) and the states are written as Split
     * in one atomic metadata write ({@code persistAll}); only then do the pairs show Split and take
     * BCV writes, so no BCV write is acknowledged before the split is on record. A crash before
     * that finds them mirroring with the STD's changes to copy ({@link #recoverAfterCrash}).
     * On failure a pair whose STD changed meanwhile is left SyncInProg (its copy to start), else
     * as it was.
     */
    public static void split(List<Pair> pairs, Runnable persistAll) throws IOException {
        List<Pair> ordered = pairs.stream().sorted(Comparator.comparing(Pair::name)).toList();
        java.util.Map<Pair, PairState> before = new java.util.HashMap<>();
        for (Pair p : ordered) {
            p.lockGate();
        }
        try {
            for (Pair p : ordered) {
                PairState s = p.state;
                if ((s == PairState.Synchronized || s == PairState.Restored) && p.stdInvalid.count() > 0) {
                    // in sync by its state, but its BCV missed a flush meanwhile (bcvMissedFlush marks
                    // before it changes the state): its image lacks writes, so no split hands it out
                    p.state = PairState.SyncInProg;
                    throw new PairRefusedException("pair " + p.name + " is not in sync: its BCV " + p.bcv.name()
                            + " missed writes (" + Sizes.count(p.stdInvalid.count(), "track") + " to copy); establish it,"
                            + " then split");
                }
            }
            for (Pair p : ordered) {
                before.put(p, p.state);
                p.state = PairState.SplitInProg;
            }
        } finally {
            for (Pair p : ordered) {
                p.gate.writeLock().unlock();
            }
        }
        try {
            // The BCVs only: their image is what the split keeps. The STDs need no flush of their
            // own: what hosts wrote to them before the flip and lose in a power cut, and what they
            // write after it, is on tracks their write-intent bits hold dirty, which the recovery
            // compares side by side and marks. A split that flushed the STDs too held every host
            // FLUSH arriving meanwhile behind that flush (the STD's flush lock) and then its own.
            List<RaidVolume> bcvs = new ArrayList<>();
            for (Pair p : ordered) {
                bcvs.add(p.bcv);
            }
            RaidVolume.flushAll(bcvs);
            for (Pair p : ordered) {
                p.protect = false;
                p.recordAs = PairState.Split;
            }
            persistAll.run();
            for (Pair p : ordered) {
                p.state = PairState.Split; // on record: the BCV takes host writes from now on
            }
        } catch (IOException | RuntimeException e) {
            for (Pair p : ordered) {
                p.lockGate();
                try {
                    p.state = p.stdInvalid.count() > 0 ? PairState.SyncInProg : before.get(p);
                } finally {
                    p.gate.writeLock().unlock();
                }
            }
            throw e;
        } finally {
            for (Pair p : ordered) {
                p.recordAs = null;
            }
        }
    }

    /**
     * Set when an establish was cancelled: the pair stays SyncInProg with its BCV partly copied, and
     * its copy does not resume at the next opening as a copy a crash stopped does; the next copy's
     * start clears it. Recorded in pool.json with the state.
     */
    private volatile boolean copyCancelled;

    /** Whether this pair's last establish was cancelled and no copy started since (see the field). */
    public boolean copyCancelled() {
        return copyCancelled;
    }

    /** Marks (or clears) a cancelled establish; recorded at the next metadata write. */
    public void setCopyCancelled(boolean cancelled) {
        copyCancelled = cancelled;
    }

    /** The state pool.json records for this pair now (Split while a split is being recorded). */
    public PairState recordedState() {
        PairState r = recordAs;
        return r != null ? r : state;
    }

    /**
     * After a crash: the tracks each side may have written since its last flush (from the volumes'
     * write-intent bitmaps) are compared side by side, and those that differ become invalid, so no
     * change goes unrecorded and no half-mirrored write stays different on the two sides; tracks
     * that agree need no copy. A track a restore still owes is skipped (the restore overwrites it).
     * A pair that was mirroring resumes as SyncInProg to copy what differs.
     */
    public void recoverAfterCrash() throws IOException {
        if (state == PairState.NeverEstab) {
            return; // every STD track is to copy already
        }
        TrackBitmap stdDirty = crashDirtyTracks(std);
        TrackBitmap bcvDirty = crashDirtyTracks(bcv);
        boolean readable = bothSidesServe();
        for (long t = 0; t < tracks; t++) {
            t = nextOf(stdDirty, bcvDirty, t);
            if (t < 0) {
                break;
            }
            if (stdInvalid.isSet(t) || (state == PairState.RestInProg && bcvInvalid.isSet(t))) {
                continue; // recorded already, or owed by the restore, which overwrites it
            }
            if (readable && !sidesDiffer(t)) {
                continue; // the sides agree: nothing to copy
            } // a FAILED side cannot be read to compare: the track counts as differing (it is copied, never lost)
            if (state == PairState.Split) {
                if (stdDirty.get(t)) {
                    stdInvalid.mark(t, t + 1);
                }
                if (bcvDirty.get(t) && !bcvInvalid.isSet(t)) {
                    bcvInvalid.mark(t, t + 1);
                }
            } else {
                stdInvalid.mark(t, t + 1); // mirroring or restoring: the STD has the newer data
            }
        }
        stdInvalid.persistMarks();
        bcvInvalid.persistMarks();
        if (state == PairState.SplitInProg) {
            // a split not on record when the process stopped (its command had not returned): the
            // BCV took no host write; the STD's changes since are marked, to copy
            state = stdInvalid.count() > 0 ? PairState.SyncInProg : PairState.Synchronized;
        } else if ((state == PairState.Synchronized || state == PairState.Restored) && stdInvalid.count() > 0) {
            state = PairState.SyncInProg;
        }
    }

    /** The pair tracks a volume may have written since its last flush before the crash. */
    private TrackBitmap crashDirtyTracks(RaidVolume side) {
        TrackBitmap out = new TrackBitmap(tracks);
        for (long[] r : side.crashDirtyVolumeRanges()) {
            long a = tracksOf(r[0], r[1] - r[0], false);
            long b = Math.min(tracks, tracksOf(r[0], r[1] - r[0], true));
            if (a < b) {
                out.setRange(a, b);
            }
        }
        return out;
    }

    private static long nextOf(TrackBitmap a, TrackBitmap b, long from) {
        long x = a.nextSetBit(from);
        long y = b.nextSetBit(from);
        return x < 0 ? y : y < 0 ? x : Math.min(x, y);
    }

    /**
     * Copies track {@code t} BCV → STD and takes it out of the tracks still to restore: an on-demand
     * restore, or the merge before a host write that covers the track only in part. The caller
     * holds the track's lock and has seen it still to restore.
     */
    void restoreTrack(long t) throws IOException {
        long from = t * trackSize;
        PairCopyWork.copy(bcv, std, from, Math.min(bcv.size(), from + trackSize));
        bcvInvalid.clearLive(t);
    }

    /**
     * True when track {@code t} differs between the sides, compared a piece of at most
     * {@link PairCopyWork#RUN_BYTES} at a time: a pool may have tracks of up to 1 GiB, and two
     * buffers of a track's size each were 2 GiB of heap for the open after a crash.
     */
    private boolean sidesDiffer(long t) throws IOException {
        long from = t * trackSize;
        long to = Math.min(std.size(), from + trackSize);
        int piece = (int) Math.min(PairCopyWork.RUN_BYTES, to - from);
        java.nio.ByteBuffer a = java.nio.ByteBuffer.allocate(piece);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(piece);
        for (long at = from; at < to; at += piece) {
            int n = (int) Math.min(piece, to - at);
            a.clear().limit(n);
            b.clear().limit(n);
            std.read(at, a);
            bcv.read(at, b);
            if (!a.flip().equals(b.flip())) {
                return true;
            }
        }
        return false;
    }

    /** The copy job's work for the current state (establish or restore). */
    public PairCopyWork copyWork() {
        return new PairCopyWork(this, state == PairState.RestInProg);
    }

    Hydrator hydrator() {
        return hydrator;
    }

    void countOnDemand(long track) {
        onDemandReads.incrementAndGet();
        onDemandRate.add(System.nanoTime(), 1);
        feed.add(track);
    }

    void setStateQuiet(PairState s) {
        state = s;
    }

    /**
     * Clean shutdown: flushes both sides (which saves the marks) and commits cleared bits (their
     * data is durable now); then closes the bitmaps.
     */
    public void flushAndClose() throws IOException {
        hydrator.close();
        try {
            gate.writeLock().lock();
            try {
                // nothing is in flight (the gate is held, the hydrator and jobs stopped): flush both
                // sides, then commit what was cleared before; a FAILED side acknowledges nothing more
                // (its flush refuses), so the clears stay uncommitted: those tracks are copied once more
                if (bothSidesServe()) {
                    stdInvalid.flushAndCommit(() -> flushSides(List.of(this)));
                    bcvInvalid.flushAndCommit(() -> { });
                } else {
                    // but every mark is saved: a write to the healthy side whose mark was lost here
                    // (its write-intent bits clear at its clean close) would be a track the next
                    // copy skips. A mark saved ahead of its data only costs a copy.
                    stdInvalid.persistMarks();
                    bcvInvalid.persistMarks();
                }
            } finally {
                gate.writeLock().unlock();
            }
        } finally {
            close();
        }
    }

    /** Neither side is FAILED: both can be read to compare and flushed (a FAILED side refuses both). */
    private boolean bothSidesServe() {
        return std.state() != VolumeState.FAILED && bcv.state() != VolumeState.FAILED;
    }

    public void close() throws IOException {
        closed = true;
        std.removeFlushHook(stdFlushHook);
        bcv.removeFlushHook(bcvFlushHook);
        hydrator.close();
        stdInvalid.close();
        bcvInvalid.close();
    }
}
