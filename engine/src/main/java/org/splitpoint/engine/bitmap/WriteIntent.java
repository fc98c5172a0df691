package org.splitpoint.engine.bitmap;

import java.io.IOException;

/**
 * The write-intent protocol over a {@link DurableBitmap}, as md's bitmap does it.
 *
 * <p>Design. Bit i covers rows [i*track, (i+1)*track) of every member of a volume. Before a write
 * touches members, {@link #beginWrite} makes its bits durable (one fsync, only when a bit was
 * clear). A flush of the volume calls {@link #afterFlush}: bits of tracks not written during the
 * last two flush intervals are cleared in memory and written back lazily, without an fsync, since a
 * stale set bit costs only a needless resync. After a crash, the set bits name every track whose
 * members may disagree.
 *
 * <p>Sequential writers would pay one fsync per track; so a write that begins right after a run of
 * dirty tracks also dirties as many tracks ahead as that run is long (up to 1024), the way
 * read-ahead grows. It needs no stream tracking, so several interleaved sequential writers (a
 * multi-connection NBD copy) each get their window. A crash resyncs at most that window beyond
 * what was written.
 */
public final class WriteIntent {

    private static final long MAX_AHEAD = 1024;

    private final DurableBitmap durable;
    private final TrackBitmap bits;
    private TrackBitmap writtenThisInterval;
    private TrackBitmap writtenLastInterval;

    public WriteIntent(DurableBitmap durable) {
        this.durable = durable;
        this.bits = durable.bits();
        this.writtenThisInterval = new TrackBitmap(bits.size());
        this.writtenLastInterval = new TrackBitmap(bits.size());
    }

    /** The dirty tracks (live view). */
    public TrackBitmap dirty() {
        return bits;
    }

    /** Makes tracks [from, to) durable-dirty before a write to them starts. */
    public synchronized void beginWrite(long from, long to) throws IOException {
        writtenThisInterval.setRange(from, to);
        boolean allSet = true;
        for (long t = from; t < to; t++) {
            if (!bits.get(t)) {
                allSet = false;
                break;
            }
        }
        if (allSet) {
            return;
        }
        long run = 0;
        while (run < MAX_AHEAD && from - run - 1 >= 0 && bits.get(from - run - 1)) {
            run++;
        }
        long end = Math.min(bits.size(), to + Math.max(run, to - from));
        bits.setRange(from, end);
        durable.markChanged(from, end);
        durable.persist(true);
    }

    /**
     * Called after the volume's members were flushed: clears bits of tracks idle for the last two
     * intervals. {@code writtenSinceSwap} is what writes began after the flush's barrier.
     */
    public synchronized void afterFlush() throws IOException {
        TrackBitmap recent = writtenThisInterval;
        for (long t = bits.nextSetBit(0); t >= 0; t = bits.nextSetBit(t + 1)) {
            if (!recent.get(t) && !writtenLastInterval.get(t)) {
                bits.clear(t);
                durable.markChanged(t, t + 1);
            }
        }
        writtenLastInterval = recent;
        writtenThisInterval = new TrackBitmap(bits.size());
        durable.persist(false);
    }

    /** After a clean flush with no writer left (close) or a finished resync: everything clean. */
    public synchronized void clearAll() throws IOException {
        bits.clearAll();
        writtenThisInterval.clearAll();
        writtenLastInterval.clearAll();
        durable.markChanged(0, bits.size());
        durable.persist(true);
    }

    public void close() throws IOException {
        durable.close();
    }
}
