package org.splitpoint.engine.bitmap;

import java.io.IOException;
import java.util.List;

/**
 * The write-intent protocol over a {@link DurableBitmap}, as md's bitmap does it.
 *
 * <p>Design. Bit i covers rows [i*track, (i+1)*track) of every member of a volume. Before a write
 * touches members, {@link #beginWrite} makes its bits durable (an fsync, only when a bit was
 * clear, shared by every writer needing one meanwhile). A flush of the volume calls {@link #afterFlush}: bits of tracks not written during the
 * last two flush intervals are cleared in memory and written back lazily, without an fsync, since a
 * stale set bit costs only a needless resync. After a crash, the set bits name every track whose
 * members may disagree.
 *
 * <p>A write that failed part-way (a full file system, say) may leave the members disagreeing
 * while the volume runs on; its tracks are {@linkplain #pin pinned}: they stay dirty, through flushes
 * and a clean close, until a resync made them agree and {@link #unpin} let them go. A clean close
 * that leaves only such tracks says so in the file ({@link #closeClean}), so that the next open
 * resyncs them as it would after a crash but does not report a crash that did not happen. A volume
 * FAILED beyond its redundancy keeps all its bits at a close, marked the same way
 * ({@link #closeKeepingDirty}): they name what to resync when its drives come back.
 *
 * <p>After a crash the bits found set at open are <em>held</em> ({@link #holdForRecovery}) until the
 * open has made durable everything it derives from them (a pair's invalid-track marks, a staged
 * journal's re-journaled tracks): the resync at open does not clear them, nor do flushes, so a
 * second crash during that recovery finds the same tracks uncertain again. {@link #releaseRecovery}
 * lets them clear like any written track.
 *
 * <p>A bit also stays set until its track was idle for {@link #DEFAULT_IDLE_MILLIS} (md's bitmap
 * clears after its daemon's sleep, 5 s, in the same spirit): hosts flush often (a database, fio's
 * fsync every few hundred writes), and a bit cleared after two such short intervals is set again
 * by the next write near it, which then waits for an fsync of the bitmap, holding back every write
 * queued behind it. Clearing later costs only a longer resync after a crash; the bits are still
 * durable before every write, so nothing is weakened.
 *
 * <p>Random writers would pay one fsync per track they touch first; so a write dirties the whole
 * aligned group of {@link #GROUP} tracks around it (md's bitmap chunk is larger still).
 *
 * <p>Sequential writers would pay one fsync per track; so a write that begins right after a run of
 * dirty tracks also dirties as many tracks ahead as that run is long (up to 1024), the way
 * read-ahead grows. It needs no stream tracking, so several interleaved sequential writers (a
 * multi-connection NBD copy) each get their window. A crash resyncs at most that window beyond
 * what was written.
 */
public final class WriteIntent {

    private static final long MAX_AHEAD = 1024;
    /** How long a track stays dirty at least after its last write (the splitpoint.writeIntentIdleMillis property). */
    public static final long DEFAULT_IDLE_MILLIS = Long.getLong("splitpoint.writeIntentIdleMillis", 5000);
    /** Tracks dirtied together, aligned (1 MiB of 64 KiB tracks); a crash resyncs at most this around a write. */
    static final long GROUP = 16;

    private final DurableBitmap durable;
    private final BitmapGroupCommit group;
    private final TrackBitmap bits;
    private final TrackBitmap pinned;
    private final TrackBitmap recovering;
    /** Every held track was resynced and forced since it was held (see {@link #heldTracksResynced}). */
    private boolean heldResynced;
    private TrackBitmap writtenThisInterval;
    private TrackBitmap writtenLastInterval;
    private final long idleNanos;
    private final java.util.function.LongSupplier clock;
    private long intervalStart;

    public WriteIntent(DurableBitmap durable) {
        this(durable, DEFAULT_IDLE_MILLIS, System::nanoTime);
    }

    /**
     * A write intent whose tracks stay dirty at least {@code idleMillis} after their last write
     * (0: clear after two idle flushes), on {@code clock}'s nanoseconds.
     */
    public WriteIntent(DurableBitmap durable, long idleMillis, java.util.function.LongSupplier clock) {
        this.durable = durable;
        this.idleNanos = idleMillis * 1_000_000L;
        this.clock = clock;
        this.intervalStart = clock.getAsLong();
        this.group = new BitmapGroupCommit(durable);
        this.bits = durable.bits();
        this.pinned = new TrackBitmap(bits.size());
        this.recovering = new TrackBitmap(bits.size());
        this.writtenThisInterval = new TrackBitmap(bits.size());
        this.writtenLastInterval = new TrackBitmap(bits.size());
    }

    /** The dirty tracks (live view). */
    public TrackBitmap dirty() {
        return bits;
    }

    /** Tracks that stay dirty until a resync (live view). */
    public TrackBitmap pinned() {
        return pinned;
    }

    /**
     * Makes tracks [from, to) durable-dirty before a write to them starts: writers that find clear
     * bits at the same time share one fsync ({@link BitmapGroupCommit}).
     */
    public void beginWrite(long from, long to) throws IOException {
        long generation;
        synchronized (this) {
            writtenThisInterval.setRange(from, to);
            if (BitmapGroupCommit.allSet(bits, from, to)) {
                generation = group.pendingGeneration(from, to); // set by a writer whose fsync may be under way
            } else {
                long run = BitmapGroupCommit.runBefore(bits, from, MAX_AHEAD);
                long end = Math.min(bits.size(), to + Math.max(run, to - from));
                // a random write dirties its whole aligned group of tracks, as md's bitmap chunk
                // does: the next writes near it find their bits set and pay no fsync
                long start = from / GROUP * GROUP;
                end = Math.min(bits.size(), Math.max(end, (to + GROUP - 1) / GROUP * GROUP));
                bits.setRange(start, end);
                durable.markChanged(start, end);
                generation = group.changed(start, end);
            }
        }
        group.await(generation);
    }

    /**
     * Makes the tracks of every range {from, to} durable-dirty with one persist: a batch of writes
     * about to go out (a repository's replay), each of which then finds its bits set and pays no sync.
     */
    public synchronized void beginWrites(List<long[]> ranges) throws IOException {
        boolean changed = false;
        for (long[] r : ranges) {
            writtenThisInterval.setRange(r[0], r[1]);
            if (bits.setRange(r[0], r[1]) > 0) {
                durable.markChanged(r[0], r[1]);
                changed = true;
            }
        }
        if (changed) {
            durable.persist(true);
            group.allDurable();
        }
    }

    /** Counts tracks [from, to) as written in this interval (writes that bypass beginWrite, such as a repair). */
    public synchronized void noteWritten(long from, long to) {
        writtenThisInterval.setRange(from, to);
    }

    /**
     * The tracks written (with a bit, or without one: a refill, see {@link #noteWritten}) since the
     * interval before the current one began, a copy. Intervals end only at flushes that succeeded,
     * after their barrier: every track written since the last such flush's barrier is here (what a
     * failed flush of a member may have dropped), and more.
     */
    public synchronized TrackBitmap writtenRecently() {
        TrackBitmap out = new TrackBitmap(bits.size());
        out.loadWords(writtenThisInterval.toWords());
        for (long t = writtenLastInterval.nextSetBit(0); t >= 0; t = writtenLastInterval.nextSetBit(t + 1)) {
            out.set(t);
        }
        return out;
    }

    /** Tracks [from, to), already dirty, stay dirty until unpinned. */
    public synchronized void pin(long from, long to) {
        pinned.setRange(from, to);
    }

    /** Track {@code t} was resynced; it may clear like any other from now on. */
    public synchronized void unpin(long t) {
        pinned.clear(t);
        writtenThisInterval.set(t); // its resync wrote it: clear only once that is durable
    }

    /**
     * Holds every bit set now (found at open after a crash) until {@link #releaseRecovery}: neither
     * a flush nor {@link #clearAll} clears them meanwhile.
     */
    public synchronized void holdForRecovery() {
        recovering.loadWords(bits.toWords());
    }

    /**
     * The resync at open made the members agree on every dirty track and forced them ({@code
     * RowRepair.resyncDirtyTracks}): the held tracks need no flush of their own before they clear.
     */
    public synchronized void heldTracksResynced() {
        heldResynced = recovering.cardinality() > 0;
    }

    /**
     * The open made its recovery durable. With {@code clearResynced} (the volume is not FAILED, whose
     * dirty tracks must wait for its drives' return), held tracks the resync at open made agree and
     * forced ({@link #heldTracksResynced}), and nothing wrote since, clear now, lazily, as a flush
     * clears an idle track: before, they cleared only after two flush intervals, and a volume no
     * host flushes kept them set, so every later crash resynced them again (and a pair marked them
     * invalid again). Any other held track clears like a written one, after two idle flushes.
     */
    public synchronized void releaseRecovery(boolean clearResynced) throws IOException {
        boolean clear = clearResynced && heldResynced;
        boolean cleared = false;
        for (long t = recovering.nextSetBit(0); t >= 0; t = recovering.nextSetBit(t + 1)) {
            if (clear && !pinned.get(t) && !writtenThisInterval.get(t) && !writtenLastInterval.get(t)) {
                bits.clear(t);
                durable.markChanged(t, t + 1);
                cleared = true;
            } else {
                writtenThisInterval.set(t);
            }
        }
        recovering.clearAll();
        heldResynced = false;
        if (cleared) {
            durable.persist(false); // a bit left set on disk by a crash costs only a resync
        }
    }

    /**
     * Called after the volume's members were flushed: clears bits of tracks idle for the last two
     * intervals, unless pinned. An interval ends at a flush that comes at least the idle time after
     * the interval began; earlier flushes leave it open (a track written during it stays dirty).
     * Safe because every interval ends after a flush: a track written in neither of the last two
     * was last written before the previous interval began, so the flush that ended that interval
     * (whose barrier waited for the write) made it durable.
     */
    public synchronized void afterFlush() throws IOException {
        long now = clock.getAsLong();
        if (now - intervalStart < idleNanos) {
            return;
        }
        intervalStart = now;
        TrackBitmap recent = writtenThisInterval;
        for (long t = bits.nextSetBit(0); t >= 0; t = bits.nextSetBit(t + 1)) {
            if (!recent.get(t) && !writtenLastInterval.get(t) && !pinned.get(t) && !recovering.get(t)) {
                bits.clear(t);
                durable.markChanged(t, t + 1);
            }
        }
        writtenLastInterval = recent;
        writtenThisInterval = new TrackBitmap(bits.size());
        durable.persist(false);
    }

    /** Every track dirty, durably (a lost journal or bitmap: resync everything). */
    public synchronized void markAllDirty() throws IOException {
        bits.setAll();
        durable.markChanged(0, bits.size());
        durable.persist(true);
        group.allDurable();
    }

    /** After a clean flush with no writer left (close) or a finished resync: everything clean but what is pinned or held. */
    public synchronized void clearAll() throws IOException {
        bits.clearAll();
        for (long t = pinned.nextSetBit(0); t >= 0; t = pinned.nextSetBit(t + 1)) {
            bits.set(t);
        }
        for (long t = recovering.nextSetBit(0); t >= 0; t = recovering.nextSetBit(t + 1)) {
            bits.set(t);
        }
        writtenThisInterval.clearAll();
        writtenLastInterval.clearAll();
        durable.markChanged(0, bits.size());
        durable.persist(true);
        group.allDurable();
    }

    /**
     * A clean close's last word, with no writer left: {@link #clearAll}, and when what stays set
     * is only pinned tracks (no crash recovery still held), a mark saying the close was clean. An
     * all-clear file needs no mark (and its first write after the next open no extra fsync).
     */
    public synchronized void closeClean() throws IOException {
        clearAll();
        if (recovering.cardinality() == 0 && bits.cardinality() > 0) {
            durable.markClosedClean();
        }
    }

    /**
     * The clean close of a volume FAILED beyond its redundancy, with no writer left: every bit
     * stays, since nothing can make its members agree until its drives come back (no flush reaches
     * a FAILED volume, so its bits never clear), and they are made durable and, when no crash
     * recovery is still held, marked as a clean close's, as {@link #closeClean} marks pinned
     * tracks. Without the mark every later open took them for a crash's and said so.
     */
    public synchronized void closeKeepingDirty() throws IOException {
        durable.persist(true); // bits cleared in memory were cleared after a flush made their writes durable
        group.allDurable();
        if (recovering.cardinality() == 0 && bits.cardinality() > 0) {
            durable.markClosedClean();
        }
    }

    /** Whether the bits found set at open were left by a clean close (pinned tracks), not by a crash. */
    public boolean closedClean() {
        return durable.closedClean();
    }

    public void close() throws IOException {
        durable.close();
    }
}
