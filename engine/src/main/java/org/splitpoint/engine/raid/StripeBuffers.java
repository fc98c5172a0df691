package org.splitpoint.engine.raid;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each thread's member arrays for full-stripe writes, kept from one write to the next.
 *
 * <p>Design. A full-stripe write assembles every member's rows (data and parity) in arrays of
 * exactly the rows' length, which is what a {@link StripeJournal.Segment} carries. New arrays per
 * write were most of what a copy onto RAID 5 allocated: 2.7 GB for a 1 GiB restore, in arrays of
 * 512 KiB (a 1 MiB run over two data strips) that G1 allocates as humongous objects, each
 * allocation able to start a collection; a JFR of bench/gui-bench.sh counted 300 collections in a
 * restore of 14 s, every pause stopping the window's thread too. A thread here writes runs of a few
 * lengths (a copier's 1 MiB runs, a client's 256 KiB requests), so it keeps a set of arrays per
 * length for its last {@link #LENGTHS} lengths, up to {@link #MAX_ROWS} rows each; longer writes
 * take new arrays. One instance serves every volume (ParityVolume holds it statically), so what a
 * thread keeps does not grow with the volumes it writes: at most 3 x members x 1 MiB. The arrays are only the writer's while its write lasts: nothing keeps a segment
 * past it (the stripe journal copies what it appends; an update kept to redo is copied, see
 * ParityVolume.abandon).
 */
final class StripeBuffers {

    static final int LENGTHS = 3;
    static final int MAX_ROWS = 1 << 20;

    private final ThreadLocal<Map<Integer, byte[][]>> kept = ThreadLocal.withInitial(() ->
            new LinkedHashMap<>(4, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Integer, byte[][]> eldest) {
                    return size() > LENGTHS;
                }
            });

    /** {@code members} arrays of {@code rows} bytes each, this thread's until its next call; contents undefined. */
    byte[][] take(int members, int rows) {
        if (rows > MAX_ROWS) {
            return new byte[members][rows];
        }
        Map<Integer, byte[][]> mine = kept.get();
        byte[][] b = mine.get(rows);
        if (b == null || b.length != members) {
            b = new byte[members][rows];
            mine.put(rows, b);
        }
        return b;
    }
}
