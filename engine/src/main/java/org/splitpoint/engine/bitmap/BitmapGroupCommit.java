package org.splitpoint.engine.bitmap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One fsync for every writer that needs a bit of the same bitmap made durable meanwhile (group
 * commit), for the "durable before the write starts" bitmaps: write intent and changed-block
 * tracking.
 *
 * <p>Design. A writer sets its bits in memory and marks their pages changed under its owner's
 * monitor, then calls {@link #changed} for a generation number, leaves the monitor and
 * {@link #await}s it. One waiter at a time persists: it takes the newest generation, writes the
 * changed pages (which hold every bit set before that generation was handed out) and forces the
 * file outside any monitor; everyone whose generation it covered goes on, and those who set bits
 * during the force share the next one. Sixteen writers to sixteen clean tracks pay one or two
 * fsyncs instead of sixteen in a row.
 *
 * <p>A bit found set is not yet durable while the persist that will carry it is still to come:
 * {@link #pendingGeneration} tells the writer which generation to wait for (ranges still pending
 * are kept in a short list; there are about as many as writers in flight).
 */
final class BitmapGroupCommit {

    private record Pending(long from, long to, long generation) { }

    private final DurableBitmap durable;
    private final List<Pending> pending = new ArrayList<>();
    private long changeGeneration;
    private long durableGeneration;
    private boolean persisting;

    BitmapGroupCommit(DurableBitmap durable) {
        this.durable = durable;
    }

    /** True when every bit of [from, to) is set (in memory). */
    static boolean allSet(TrackBitmap bits, long from, long to) {
        for (long t = from; t < to; t++) {
            if (!bits.get(t)) {
                return false;
            }
        }
        return true;
    }

    /** How many set bits run right before {@code from}, up to {@code max}: a sequential writer's window. */
    static long runBefore(TrackBitmap bits, long from, long max) {
        long run = 0;
        while (run < max && from - run - 1 >= 0 && bits.get(from - run - 1)) {
            run++;
        }
        return run;
    }

    /** Bits [from, to) were set in memory and their pages marked changed: the generation to await. */
    synchronized long changed(long from, long to) {
        long g = ++changeGeneration;
        pending.add(new Pending(from, to, g));
        return g;
    }

    /** The generation to await before relying on bits [from, to), all set in memory; 0 when durable already. */
    synchronized long pendingGeneration(long from, long to) {
        long g = 0;
        for (Pending p : pending) {
            if (p.from < to && from < p.to) {
                g = Math.max(g, p.generation);
            }
        }
        return g <= durableGeneration ? 0 : g;
    }

    /**
     * Everything changed so far was made durable by the owner's own persist (under its monitor):
     * nothing is pending any more.
     */
    synchronized void allDurable() {
        durableGeneration = changeGeneration;
        pending.clear();
        notifyAll();
    }

    /** Returns once generation {@code g} is durable, persisting it (and everyone's since) if nobody is. */
    void await(long g) throws IOException {
        if (g <= 0) {
            return;
        }
        boolean interrupted = false;
        try {
            while (true) {
                long target;
                synchronized (this) {
                    while (durableGeneration < g && persisting) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            interrupted = true; // the bit must be durable before the write: wait anyway
                        }
                    }
                    if (durableGeneration >= g) {
                        return;
                    }
                    persisting = true;
                    target = changeGeneration;
                }
                boolean done = false;
                try {
                    durable.persist(false); // the changed pages, with every bit of generations <= target
                    durable.force();        // outside every monitor: others set bits meanwhile
                    done = true;
                } finally {
                    synchronized (this) {
                        persisting = false;
                        if (done && target > durableGeneration) {
                            durableGeneration = target;
                            pending.removeIf(p -> p.generation <= target);
                        }
                        notifyAll();
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
