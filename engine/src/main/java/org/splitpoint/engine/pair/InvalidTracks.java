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
 * {@code Pair.recoverAfterCrash}). So a mark costs no fsync of its own. Clearing is the reverse: a copy or restore clears
 * the live bit at once (so host I/O routes correctly) but the durable bit only in
 * {@link #commitClears}, which the caller runs after the copied data was flushed — data, flush,
 * then metadata. A crash in between only copies a track again.
 */
public final class InvalidTracks implements AutoCloseable {

    private final DurableBitmap durable;
    private final TrackBitmap live;
    private final TrackBitmap pendingClear;
    private boolean unpersisted;

    public InvalidTracks(DurableBitmap durable) {
        this.durable = durable;
        this.live = new TrackBitmap(durable.bits().size());
        this.live.loadWords(durable.bits().toWords());
        this.pendingClear = new TrackBitmap(durable.bits().size());
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

    /** Marks tracks [from, to) invalid before the caller changes them; durable at the next flush. */
    public synchronized void mark(long from, long to) {
        for (long t = from; t < to; t++) {
            live.set(t);
            pendingClear.clear(t);
            if (durable.bits().set(t)) {
                durable.markChanged(t, t + 1);
                unpersisted = true;
            }
        }
    }

    /** Makes marks durable (called in the side's flush, after its data is durable). */
    public synchronized void persistMarks() throws IOException {
        if (unpersisted) {
            durable.persist(true);
            unpersisted = false;
        }
    }

    /** Clears track {@code t} live; the durable bit follows at the next {@link #commitClears}. */
    public synchronized boolean clearLive(long t) {
        if (live.clear(t)) {
            pendingClear.set(t);
            return true;
        }
        return false;
    }

    /** After the data of cleared tracks is durable: clears their durable bits and persists. */
    public synchronized void commitClears() throws IOException {
        if (pendingClear.cardinality() == 0) {
            return;
        }
        for (long t = pendingClear.nextSetBit(0); t >= 0; t = pendingClear.nextSetBit(t + 1)) {
            if (durable.bits().clear(t)) {
                durable.markChanged(t, t + 1);
            }
        }
        pendingClear.clearAll();
        durable.persist(true);
        unpersisted = false;
    }

    /** Every track invalid (a full copy, or a pair never established), durably. */
    public synchronized void setAll() throws IOException {
        live.setAll();
        pendingClear.clearAll();
        durable.bits().setAll();
        durable.markChanged(0, live.size());
        durable.persist(true);
        unpersisted = false;
    }

    /** Adds {@code other}'s live bits to this side, durably. */
    public void addAll(InvalidTracks other) throws IOException {
        addAll(other.live);
    }

    /** Adds the tracks of a bitmap (e.g. write-intent bits found after a crash), durably. */
    public synchronized void addAll(TrackBitmap bits) throws IOException {
        for (long t = bits.nextSetBit(0); t >= 0 && t < live.size(); t = bits.nextSetBit(t + 1)) {
            live.set(t);
            pendingClear.clear(t);
            if (durable.bits().set(t)) {
                durable.markChanged(t, t + 1);
            }
        }
        durable.persist(true);
        unpersisted = false;
    }

    /** No track invalid, durably (the other side took them over). */
    public synchronized void clearAll() throws IOException {
        live.clearAll();
        pendingClear.clearAll();
        durable.bits().clearAll();
        durable.markChanged(0, live.size());
        durable.persist(true);
        unpersisted = false;
    }

    @Override
    public void close() throws IOException {
        durable.close();
    }
}
