package org.splitpoint.engine.pair;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.io.RangeLocks;

/**
 * Restores tracks that host reads touched during a restore (claim 11), behind the read.
 *
 * <p>Design. A read of an unrestored track is answered from the BCV at once, for just the bytes
 * asked; the whole track is then copied to the STD here, on a background thread, under the
 * track's lock and only if it is still unrestored, so a host write or the copier that got there
 * first is never overwritten. A track is queued once however often it is read meanwhile. The read
 * therefore costs what a read of the BCV costs, not a track's read and write.
 */
final class Hydrator {

    private final Pair pair;
    private final TrackBitmap queued;
    private final ExecutorService thread;

    Hydrator(Pair pair) {
        this.pair = pair;
        this.queued = new TrackBitmap(pair.totalTracks());
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "splitpoint-hydrate-" + pair.name());
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues track {@code t} for restoring to the STD (once). */
    void hydrateLater(long t) {
        if (!queued.set(t)) {
            return;
        }
        try {
            thread.execute(() -> {
                queued.clear(t);
                try {
                    hydrateNow(t);
                } catch (IOException e) {
                    pair.problem("pair " + pair.name() + ": restoring track " + t + " after a read failed ("
                            + e.getMessage() + "); the restore copies it later");
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            queued.clear(t); // the copier restores it
        }
    }

    /** Copies track {@code t} BCV → STD if it is still unrestored; returns whether it did. */
    boolean hydrateNow(long t) throws IOException {
        pair.gate.readLock().lock();
        try (RangeLocks.Held h = pair.trackLocks.lock(t, t + 1)) {
            if (pair.state() != PairState.RestInProg || !pair.bcvInvalid.isSet(t)) {
                return false;
            }
            pair.restoreTrack(t);
            return true;
        } finally {
            pair.gate.readLock().unlock();
        }
    }

    /** Waits until every queued track was handled (before a state change or a close). */
    void drain() {
        try {
            thread.submit(() -> { }).get(60, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // closing: what is left stays unrestored and the copier takes it
        }
    }

    void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
