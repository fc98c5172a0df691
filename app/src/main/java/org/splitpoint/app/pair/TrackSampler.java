package org.splitpoint.app.pair;

import java.util.ArrayDeque;
import org.splitpoint.engine.control.PoolFeed;
import org.splitpoint.engine.pair.HydrationFeed;
import org.splitpoint.engine.pair.Pair;
import org.splitpoint.engine.pair.PairState;

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
    /**
     * The tracks the running restore was seen to owe (the BCV side's bits, ORed at each sample), so
     * that a track it no longer owes is told apart as restored from one it never had to copy: every
     * track owing nothing showed as "restored", 75% of the map green at 154 of 490 tracks. A console
     * opened during a restore knows only what it saw owed since. Null while no restore runs.
     */
    private long[] owed;
    /** The tracks of {@link #owed} the BCV side no longer owes, made again at each sample in this array. */
    private long[] restored;

    /** Samples {@code pair} now. */
    public TrackSample sample(Pair pair) {
        HydrationFeed.Batch batch = pair.hydratedSince(Math.max(0, seq));
        long[] hydrated = seq >= 0 ? batch.tracks() : new long[0]; // the first tick only learns where the feed is
        seq = batch.nextSeq();
        return sample(pair.name(), pair.state(), pair.trackSize(), pair.totalTracks(), TrackWords.std(pair),
                TrackWords.bcv(pair), hydrated, pair.onDemandReads(), pair.onDemandReadsPerSecond());
    }

    /**
     * Samples a pair held by another process from its holder's {@code track} message (see
     * {@link org.splitpoint.engine.control.PoolFeed}): the holder sends the tracks read on demand
     * since its previous message, so every one of them flashes from now.
     */
    public TrackSample sample(com.fasterxml.jackson.databind.JsonNode m) throws java.io.IOException {
        long[] hydrated = new long[m.path("hydrated").size()];
        for (int i = 0; i < hydrated.length; i++) {
            hydrated[i] = m.get("hydrated").get(i).asLong();
        }
        return sample(m.path("pair").asText(), PairState.valueOf(m.path("state").asText()), m.path("trackSize").asInt(),
                m.path("totalTracks").asLong(), PoolFeed.words(m.get("std")), PoolFeed.words(m.get("bcv")), hydrated,
                m.path("onDemandReads").asLong(), m.path("onDemandPerSecond").asDouble());
    }

    TrackSample sample(String name, PairState state, int trackSize, long totalTracks, long[] std, long[] bcv,
                       long[] hydrated, long onDemandReads, double onDemandPerSecond) {
        long now = System.nanoTime();
        for (long t : hydrated) {
            flashes.addLast(new Flash(t, now));
        }
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
        if (state == PairState.RestInProg) {
            if (owed == null || owed.length < bcv.length) {
                owed = owed == null ? new long[bcv.length] : java.util.Arrays.copyOf(owed, bcv.length);
                restored = new long[owed.length];
            }
            for (int w = 0; w < owed.length; w++) {
                long b = w < bcv.length ? bcv[w] : 0;
                owed[w] |= b;
                restored[w] = owed[w] & ~b;
            }
        } else {
            owed = null;
            restored = null;
        }
        TrackCells cells = TrackCells.of(totalTracks, std, bcv, restored);
        return new TrackSample(name, state, trackSize, cells, ft, fn, onDemandReads, onDemandPerSecond, now);
    }
}
