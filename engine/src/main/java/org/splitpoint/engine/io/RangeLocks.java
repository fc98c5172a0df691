package org.splitpoint.engine.io;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Locks over ranges of a linear space (member rows, volume tracks), so a read-modify-write of a
 * stripe, a rebuild chunk, a resync or a track copy never interleave on the same range. Positions
 * are grouped in grains hashed onto a fixed set of locks; a range takes its distinct locks in
 * ascending index order, so two ranges never deadlock.
 */
public final class RangeLocks {

    private static final int LOCKS = 1024;
    private final ReentrantLock[] locks = new ReentrantLock[LOCKS];
    private final long grain;

    public RangeLocks(long grain) {
        this.grain = grain;
        for (int i = 0; i < LOCKS; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** A held range; close to release. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** Locks positions [fromRow, toRow) if no one holds any of their locks now, else returns null at once. */
    public Held tryLock(long fromRow, long toRow) {
        int[] idx = indexes(fromRow, toRow);
        for (int k = 0; k < idx.length; k++) {
            if (!locks[idx[k]].tryLock()) {
                for (int i = k - 1; i >= 0; i--) {
                    locks[idx[i]].unlock();
                }
                return null;
            }
        }
        return release(idx);
    }

    /** Locks positions [fromRow, toRow); close the result to unlock. */
    public Held lock(long fromRow, long toRow) {
        int[] idx = indexes(fromRow, toRow);
        for (int i : idx) {
            locks[i].lock();
        }
        return release(idx);
    }

    /**
     * Locks several ranges [from, to) at once: the distinct locks of them all in ascending index
     * order, as one range takes its own. Locking them one range after the other is not that order
     * (a range past a multiple of the locks' count takes low indexes after a lower range's high
     * ones) and can deadlock with a single range over both.
     */
    public Held lockRanges(java.util.List<long[]> ranges) {
        int[] idx = ranges.stream().flatMapToInt(r -> Arrays.stream(indexes(r[0], r[1]))).sorted().distinct().toArray();
        for (int i : idx) {
            locks[i].lock();
        }
        return release(idx);
    }

    /**
     * Locks the positions of {@code positions} (any order, scattered) at once: their distinct locks
     * in ascending index order, as a range takes them, so this never deadlocks with ranges either.
     */
    public Held lockAll(long[] positions) {
        int[] idx = new int[positions.length];
        for (int i = 0; i < positions.length; i++) {
            idx[i] = (int) Math.floorMod(positions[i] / grain, (long) LOCKS);
        }
        Arrays.sort(idx);
        idx = Arrays.stream(idx).distinct().toArray();
        for (int i : idx) {
            locks[i].lock();
        }
        return release(idx);
    }

    private Held release(int[] taken) {
        return () -> {
            for (int i = taken.length - 1; i >= 0; i--) {
                locks[taken[i]].unlock();
            }
        };
    }

    /** The distinct locks of positions [fromRow, toRow), in ascending order. */
    private int[] indexes(long fromRow, long toRow) {
        long g0 = fromRow / grain;
        long g1 = Math.max(g0, (toRow - 1) / grain);
        int[] idx;
        if (g1 - g0 + 1 >= LOCKS) {
            idx = new int[LOCKS];
            Arrays.setAll(idx, i -> i);
        } else {
            idx = new int[(int) (g1 - g0 + 1)];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = (int) Math.floorMod(g0 + i, (long) LOCKS);
            }
            Arrays.sort(idx);
            idx = Arrays.stream(idx).distinct().toArray();
        }
        return idx;
    }
}
