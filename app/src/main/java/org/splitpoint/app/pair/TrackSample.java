package org.splitpoint.app.pair;

import org.splitpoint.engine.pair.PairState;

/**
 * The pair's track map at one instant, as the console draws it: counted cells, the tracks just
 * served on demand from the BCV (to flash, with the time each was seen), and the on-demand counters.
 *
 * @param flashTracks tracks hydrated by host reads in the last {@link TrackSampler#FLASH_NANOS}
 * @param flashNanos  when each was seen (System.nanoTime)
 */
public record TrackSample(String pair, PairState state, int trackSize, TrackCells cells, long[] flashTracks,
                          long[] flashNanos, long onDemandReads, double onDemandPerSecond, long nanos) {
}
