package org.splitpoint.engine.bitmap;

import java.io.IOException;

/**
 * The tracks of a volume changed since its last backup (a changed-block tracking bitmap).
 *
 * <p>Design. Like the write-intent bitmap, a bit is durable before the write it covers starts (one
 * fsync when a bit was clear; a writer that continues a run of marked tracks marks as many ahead,
 * so a sequential stream does not pay one per track, while a lone write marks only its own), and a
 * bit set too eagerly only puts a track needlessly in the next incremental backup. Unlike it, bits never clear on a flush: only a backup takes them ({@link #take}), at the
 * backup's consistent instant, and gives them back if it does not complete ({@link #giveBack}).
 */
public final class ChangeTracker {

    private static final long MAX_AHEAD = 1024;

    private final DurableBitmap durable;
    private final BitmapGroupCommit group;
    private final TrackBitmap bits;

    public ChangeTracker(DurableBitmap durable) {
        this.durable = durable;
        this.group = new BitmapGroupCommit(durable);
        this.bits = durable.bits();
    }

    /** The changed tracks (live view). */
    public TrackBitmap changed() {
        return bits;
    }

    /**
     * Marks tracks [from, to) changed, durably, before a write to them starts: writers that find
     * clear bits at the same time share one fsync ({@link BitmapGroupCommit}).
     */
    public void beginWrite(long from, long to) throws IOException {
        long generation;
        synchronized (this) {
            if (BitmapGroupCommit.allSet(bits, from, to)) {
                generation = group.pendingGeneration(from, to); // set by a writer whose fsync may be under way
            } else {
                long run = BitmapGroupCommit.runBefore(bits, from, MAX_AHEAD);
                long end = Math.min(bits.size(), to + run); // only a writer that continues a run looks ahead
                bits.setRange(from, end);
                durable.markChanged(from, end);
                generation = group.changed(from, end);
            }
        }
        group.await(generation);
    }

    /**
     * The changed tracks as of now, removed from the tracker durably: what a backup taken at this
     * instant must hold. The caller has saved them first (so a crash cannot lose them). One that
     * cannot be made durable takes nothing: the marks stay, in memory as on disk.
     */
    public synchronized TrackBitmap take() throws IOException {
        TrackBitmap out = new TrackBitmap(bits.size());
        out.loadWords(bits.toWords());
        bits.clearAll();
        durable.markChanged(0, bits.size());
        try {
            durable.persist(true);
        } catch (IOException | RuntimeException e) {
            // not taken: the marks go back (their pages are written again with the next persist), else
            // the caller, told it failed, left them out of the next incremental backup
            for (long t = out.nextSetBit(0); t >= 0; t = out.nextSetBit(t + 1)) {
                bits.set(t);
            }
            throw e;
        }
        group.allDurable();
        return out;
    }

    /**
     * Counts every track changed, in memory only: the map could not mark a write, and its owner has
     * recorded elsewhere (pool.json) that the file is not to be trusted until a backup takes it.
     * The next {@link #take} makes the file durable as it is then, and returns every track.
     */
    public synchronized void allChanged() {
        bits.setAll();
    }

    /** Puts tracks back (a backup that took them did not complete), durably. */
    public void giveBack(TrackBitmap tracks) throws IOException {
        mark(tracks);
    }

    /** Marks {@code tracks} changed, durably (known changed by other means, e.g. a snapshot's saves). */
    public synchronized void mark(TrackBitmap tracks) throws IOException {
        for (long t = tracks.nextSetBit(0); t >= 0; t = tracks.nextSetBit(t + 1)) {
            if (bits.set(t)) {
                durable.markChanged(t, t + 1);
            }
        }
        durable.persist(true);
        group.allDurable();
    }

    public void close() throws IOException {
        durable.close();
    }
}
