package org.splitpoint.app.pair;

import java.util.ArrayDeque;
import org.splitpoint.engine.pair.HydrationFeed;
import org.splitpoint.engine.pair.Pair;

/**
 * Takes {@link TrackSample}s of one pair on a background thread: counts the invalid-track words
 * into cells and collects the tracks hydrated since the last tick (the engine keeps them in a ring;
 * a tick that comes late just misses some flashes). Not thread-safe: one sampling thread at a time.
 */
public final class TrackSampler {

    /** How long a track served on demand keeps flashing. */
    public static final long FLASH_NANOS = org.splitpoint.app.common.CellMapCanvas.FLASH_NANOS;
    private static final int MAX_FLASHES = 4096;

    private record Flash(long track, long nanos) { }

    private final ArrayDeque<Flash> flashes = new ArrayDeque<>();
    private long seq = -1;

    /** Samples {@code pair} now. */
    public TrackSample sample(Pair pair) {
        long now = System.nanoTime();
        long[] std = TrackWords.std(pair);
        long[] bcv = TrackWords.bcv(pair);
        HydrationFeed.Batch batch = pair.hydratedSince(Math.max(0, seq));
        if (seq >= 0) { // the first tick only learns where the feed is: older reads are not news
            for (long t : batch.tracks()) {
                flashes.addLast(new Flash(t, now));
            }
        }
        seq = batch.nextSeq();
        while (!flashes.isEmpty() && (flashes.size() > MAX_FLASHES || now - flashes.peekFirst().nanos() > FLASH_NANOS)) {
            flashes.removeFirst();
        }
        long[] ft = new long[flashes.size()];
        long[] fn = new long[flashes.size()];
        int i = 0;
        for (Flash f : flashes) {
            ft[i] = f.track();
            fn[i++] = f.nanos();
        }
        TrackCells cells = TrackCells.of(pair.totalTracks(), std, bcv);
        return new TrackSample(pair.name(), pair.state(), pair.trackSize(), cells, ft, fn, pair.onDemandReads(),
                pair.onDemandReadsPerSecond(), now);
    }
}
