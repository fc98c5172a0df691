package org.splitpoint.engine.pair;

import java.io.IOException;
import org.splitpoint.engine.bitmap.DurableBitmap;
import org.splitpoint.engine.bitmap.TrackBitmap;

/**
 * One side's invalid tracks: a live bitmap the I/O path consults, over a durable one that lags.
 *
 * <p>Design. Setting is lazy but never late: {@link #mark} records new bits in memory, and
 * {@link #persistMarks} writes them in the volume's flush, before its write-intent bits may clear;
 * until then those write-intent bits cover the writes, and a crash folds them back in (see
 * {@code Pair.recoverAfterCrash}). So a mark costs no fsync of its own.
 *
 * <p>Clearing is the reverse, and follows dm-clone's commit: a copy or restore clears the live bit
 * at once, after its data write returned (so host I/O routes correctly), and the durable bit only
 * in a commit, which snapshots the clears made so far <em>before</em> it flushes the data and then
 * writes only that snapshot. A clear made while the flush runs (a hydrator, a copier thread) waits
 * for the next commit, so a durable clear never runs ahead of the data it describes; a track
 * marked again meanwhile keeps its durable bit. A crash between flush and commit only copies a
 * track again. Commits run one at a time; a caller whose clear an earlier commit covered returns
 * at once ({@link #commitThrough}), so concurrent writers share one. A commit whose force fails
 * takes its clears back (their durable bits set again, to be committed by the next): after an
 * fsync error the page may be lost, and a clear taken for durable let writes skip their commit.
 *
 * <p>A force that fails leaves every page to be written again, and the next force writes them
 * before it reports anything durable: the failed fsync may have dropped marks it was to make
 * durable, and the next fsync succeeds without them.
 */
public final class InvalidTracks implements AutoCloseable {

    /** Makes the data of cleared tracks durable (a volume flush). */
    public interface DataFlush {
        void flush() throws IOException;
    }

    private final DurableBitmap durable;
    private final TrackBitmap live;
    private final TrackBitmap pendingClear;
    private final Object commitLock = new Object();
    private long written;                  // guarded by this: page writes so far
    private final Object forceLock = new Object();
    private long forced;                   // guarded by forceLock: the page writes an fsync covered
    private long clearGeneration;          // guarded by this: one more at every live clear
    private volatile long committedGeneration;
    /**
     * Guarded by this: the clears an unforced commit ({@link #flushAndCommitUnforced}) wrote that no
     * force has covered yet, and the page writes that carry them. They still count as durably set
     * ({@link #isDurablySet}): a host write to such a track during a restore took its clear for
     * durable, skipped its own commit, and a flush that forced the data but not these pages let a
     * power cut bring the track back owed, the BCV's old track copied over the acknowledged write.
     */
    private final TrackBitmap clearedUnforced;
    private long unforcedWritten;

    public InvalidTracks(DurableBitmap durable) {
        this.durable = durable;
        this.live = new TrackBitmap(durable.bits().size());
        this.live.loadWords(durable.bits().toWords());
        this.pendingClear = new TrackBitmap(durable.bits().size());
        this.clearedUnforced = new TrackBitmap(durable.bits().size());
    }

    /** The live bits (read-only use: get, nextSetBit, cardinality). */
    public TrackBitmap live() {
        return live;
    }

    public long count() {
        return live.cardinality();
    }

    public boolean isSet(long track) {
        return live.get(track);
    }

    /**
     * True while the durable bit of {@code track} is set (its clear, if any, is not committed), or
     * its clear was committed without a force none has followed yet.
     */
    public synchronized boolean isDurablySet(long track) {
        return durable.bits().get(track) || clearedUnforced.get(track);
    }

    /** Marks tracks [from, to) invalid before the caller changes them; durable at the next flush. */
    public synchronized void mark(long from, long to) {
        for (long t = from; t < to; t++) {
            live.set(t);
            pendingClear.clear(t);
            if (durable.bits().set(t)) {
                durable.markChanged(t, t + 1);
            }
        }
    }

    /**
     * Makes marks durable (called in the side's flush, after its data is durable). The pages are
     * written under this object's monitor, the fsync outside it: host writes mark tracks under the
     * monitor, and would otherwise wait for the fsync.
     */
    public void persistMarks() throws IOException {
        long g;
        synchronized (this) {
            g = durable.hasUnwrittenPages() ? writePages() : written; // pages another caller wrote may still be unforced
        }
        forceThrough(g);
    }

    /** Writes the changed pages (no fsync); returns their generation for {@link #forceThrough}. Under this monitor. */
    private long writePages() throws IOException {
        durable.persist(false);
        return ++written;
    }

    /**
     * Returns once the pages of generation {@code g} are forced; one fsync serves every caller
     * waiting meanwhile. Pages left unwritten are written first: a force that failed leaves every
     * page so (the fsync error may have dropped any page written since the last good one, and the
     * next fsync succeeds without them), and marks a failed flush saved were then reported durable
     * by the next one, which wrote nothing.
     */
    private void forceThrough(long g) throws IOException {
        synchronized (forceLock) {
            if (forced >= g) {
                return;
            }
            long target;
            synchronized (this) {
                if (durable.hasUnwrittenPages()) {
                    writePages();
                }
                target = written;
            }
            durable.force();
            forced = target;
            synchronized (this) {
                if (target >= unforcedWritten) {
                    clearedUnforced.clearAll(); // the unforced commits' clears are durable now
                }
            }
        }
    }

    /**
     * Clears track {@code t} live, after the caller's data write for it returned; the durable bit
     * follows at a later commit.
     */
    public synchronized boolean clearLive(long t) {
        if (live.clear(t)) {
            pendingClear.set(t);
            clearGeneration++;
            return true;
        }
        return false;
    }

    /** The generation of the latest live clear, for {@link #commitThrough}. */
    public synchronized long clearGeneration() {
        return clearGeneration;
    }

    /**
     * Flushes the data ({@code dataFlush}, always) and commits the clears made before it began.
     */
    public void flushAndCommit(DataFlush dataFlush) throws IOException {
        commit(Long.MAX_VALUE, dataFlush, true, true);
    }

    /**
     * As {@link #flushAndCommit}, but the committed clears are written without an fsync of their
     * own: for a copy's last commit, after which its end records the pair's new state durably. The
     * data is durable before the clears are written, so the clears can never run ahead of it; a
     * crash that loses them leaves tracks marked that need no copy (copied once more), never one
     * unmarked. The next persist or commit forces them; until then they count as durably set, so a
     * host write to such a track during a restore commits (and forces them) before it returns.
     */
    public void flushAndCommitUnforced(DataFlush dataFlush) throws IOException {
        commit(Long.MAX_VALUE, dataFlush, true, false);
    }

    /**
     * Makes every clear up to generation {@code generation} durable: returns at once when a forced
     * commit already did, else flushes the data and commits, forcing what unforced commits wrote.
     */
    public void commitThrough(long generation, DataFlush dataFlush) throws IOException {
        commit(generation, dataFlush, false, true);
    }

    private void commit(long generation, DataFlush dataFlush, boolean alwaysFlush, boolean force) throws IOException {
        synchronized (commitLock) {
            if (!alwaysFlush && committedGeneration >= generation) {
                return;
            }
            TrackBitmap batch = new TrackBitmap(live.size());
            long taken;
            synchronized (this) {
                batch.loadWords(pendingClear.toWords());
                pendingClear.clearAll();
                taken = clearGeneration;
            }
            try {
                dataFlush.flush();
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    for (long t = batch.nextSetBit(0); t >= 0; t = batch.nextSetBit(t + 1)) {
                        if (!live.get(t)) {
                            pendingClear.set(t); // not committed: the next commit takes it again
                        }
                    }
                }
                throw e;
            }
            if (batch.cardinality() > 0) {
                long g;
                synchronized (this) {
                    for (long t = batch.nextSetBit(0); t >= 0; t = batch.nextSetBit(t + 1)) {
                        if (!live.get(t) && durable.bits().clear(t)) {
                            durable.markChanged(t, t + 1);
                            if (!force) {
                                clearedUnforced.set(t);
                            }
                        }
                    }
                    g = writePages();
                    if (!force) {
                        unforcedWritten = g;
                    }
                }
                if (force) {
                    try {
                        forceThrough(g); // outside the monitor: host marks and clears go on meanwhile
                    } catch (IOException | RuntimeException e) {
                        notCommitted(batch);
                        throw e;
                    }
                }
            }
            if (!force) {
                return; // not durable yet: a commitThrough of these clears commits again, and forces them
            }
            long unforced;
            synchronized (this) {
                unforced = clearedUnforced.cardinality() > 0 ? unforcedWritten : 0;
            }
            if (unforced > 0) {
                forceThrough(unforced); // an earlier unforced commit's clears, whose data was flushed before them
            }
            committedGeneration = Math.max(committedGeneration, taken);
        }
    }

    /**
     * The clears of {@code batch} whose force failed are not durable (after an fsync error the
     * kernel may drop the page): their durable bits are set again, so a write to such a track
     * commits before it is acknowledged ({@link #isDurablySet}), and the next commit takes them
     * again. Left cleared, a retried host write went unforced and a flush committed nothing, and a
     * power cut then had the track owed, its source copied over that write.
     */
    private synchronized void notCommitted(TrackBitmap batch) {
        for (long t = batch.nextSetBit(0); t >= 0; t = batch.nextSetBit(t + 1)) {
            if (!live.get(t)) {
                if (durable.bits().set(t)) {
                    durable.markChanged(t, t + 1); // written by the next persist or force (hasUnwrittenPages)
                }
                pendingClear.set(t);
            }
        }
    }

    /** Every track invalid (a full copy, or a pair never established), durably. */
    public synchronized void setAll() throws IOException {
        live.setAll();
        pendingClear.clearAll();
        durable.bits().setAll();
        durable.markChanged(0, live.size());
        durable.persist(true);
    }

    /** Adds {@code other}'s live bits to this side, durably. */
    public void addAll(InvalidTracks other) throws IOException {
        addAll(other.live);
    }

    /** Adds the tracks of a bitmap, durably. */
    public synchronized void addAll(TrackBitmap bits) throws IOException {
        for (long t = bits.nextSetBit(0); t >= 0 && t < live.size(); t = bits.nextSetBit(t + 1)) {
            live.set(t);
            pendingClear.clear(t);
            if (durable.bits().set(t)) {
                durable.markChanged(t, t + 1);
            }
        }
        durable.persist(true);
    }

    /** No track invalid, durably (the other side took them over). */
    public synchronized void clearAll() throws IOException {
        live.clearAll();
        pendingClear.clearAll();
        durable.bits().clearAll();
        durable.markChanged(0, live.size());
        durable.persist(true);
    }

    /**
     * No track invalid, written but not forced: for a clear whose loss in a crash only leaves an
     * over-count (tracks copied once more, never one missed); the next {@link #persistMarks} or
     * commit forces it with whatever else changed.
     */
    public synchronized void clearAllLazily() throws IOException {
        live.clearAll();
        pendingClear.clearAll();
        durable.bits().clearAll();
        durable.markChanged(0, live.size());
        writePages();
    }

    @Override
    public void close() throws IOException {
        durable.close();
    }
}
