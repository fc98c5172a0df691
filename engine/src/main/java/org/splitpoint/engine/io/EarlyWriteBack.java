package org.splitpoint.engine.io;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Starts a file's write-back early: once {@link #THRESHOLD} bytes were written to it buffered since
 * its last force, a force of it runs on a background thread while the writers go on, and the pages
 * it wrote back are then dropped from the page cache.
 *
 * <p>Design. Writes go to the page cache, and Linux starts writing dirty pages back only past
 * its background threshold (10% of memory, 2.3 GB on the bench VM); a RAID 1 volume's 1 GiB of
 * NBD writes left 2 GiB dirty for the client's final flush to write, after the copy instead of
 * beside it. Direct writes ({@link DirectWrites}, which NBD payloads took before) kept the disk busy
 * during the copy but in requests of 256 KiB, merged to ~600 KiB: the disk took 2 GiB in 1.1 s,
 * busy 98% of the copy. Written back by the kernel in its own large requests (~2.5 MiB), the same
 * 2 GiB took 0.7 s, and the copy ran level with nbdkit (bench/notes/nbd-early-writeback-2026-12-07.txt).
 * This is what the kernel's flusher does past a dirty limit, per file and without a system knob.
 *
 * <p>Durability is unchanged: a write is durable after the next {@link #force} as before; the
 * background force only makes some earlier. Its failure is not lost: Linux reports a failed
 * write-back once per open file, to whichever fsync sees it first, and the pages it could not
 * write are marked clean: no later fsync writes them. A background force that sees the error keeps it, and the file's next force
 * (which waits for a background one under way, so that one's outcome is known) throws it: the
 * engine then counts the loss as it would have, had its own fsync seen it. A reader that keeps
 * what it reads (a parity write, a rebuild, a repair: {@code Member.settledLosses}) does not wait
 * for the next flush: it asks {@link #failedUnreported} (StorageFile.writeBackFailed) and forces
 * the file first, so the loss is counted before it trusts the image. Left: a reader whose read
 * falls while the failing background fsync is still under way may take what it lost before any
 * count shows it, as after a failure of the kernel's own flusher (it writes back dirty pages 30 s
 * old, or past the threshold, with no force of ours under way); the engine waits for its own
 * forces under way, not for these. Linux keeps such pages in the cache, clean, with the bytes
 * written, so a reader takes old bytes there only once they are evicted; this class drops nothing
 * while a failure waits for the owner ({@link #failedUnreported}), lest it be the one that evicts them.
 *
 * <p>The crash tests run this class beside the engine's own forces on FaultInjector's page-cache
 * model (FaultInjector.writesBackEarly, a few KiB for a threshold): with the failure not handed on,
 * they lose acknowledged writes (SettledLossCrashTest, MemberFlushNoSpaceCrashTest, NbdCutAgainTest).
 */
final class EarlyWriteBack {

    /** Buffered bytes written to a file since its last force that start a background force of it. */
    static final long THRESHOLD = 32L << 20;

    /**
     * Forces of files, each on a thread of its own, started when none is idle: an fsync waits on
     * its disk, and a file system that stopped answering (a backup store on a hung mount) keeps
     * the thread for as long. With a fixed number of threads, that many hung forces left every
     * other file's background force queued behind them, and its owner's force, which waits for
     * the background one ({@link #settle}), hung on a healthy disk. A file has at most one
     * background force at a time, so the threads are bounded by the files written.
     */
    private static final ExecutorService FORCES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "splitpoint-early-writeback");
        t.setDaemon(true);
        return t;
    });

    /** How this file is forced: its data only (fdatasync), as the caller's channel. */
    interface Force {
        void run() throws IOException;
    }

    /** Drops [position, position+length) of the file from the page cache where it is clean (a hint). */
    interface Drop {
        void clean(long position, long length);
    }

    /** Background forces started in this process (a test sees a large buffered write start one). */
    static final java.util.concurrent.atomic.AtomicLong STARTED = new java.util.concurrent.atomic.AtomicLong();

    private final Force force;
    private final Drop drop;
    private final long threshold;
    private long dirty;
    /** The ranges written since the last background force started (null once too many to keep). */
    private WrittenRanges written = new WrittenRanges();
    private boolean running;
    private IOException failed;

    EarlyWriteBack(Force force, Drop drop) {
        this(force, drop, THRESHOLD);
    }

    EarlyWriteBack(Force force, Drop drop, long threshold) {
        this.force = force;
        this.drop = drop;
        this.threshold = threshold;
    }

    /**
     * {@code n} bytes were written buffered at {@code position}: starts a background force when
     * enough are dirty and none runs.
     */
    void wrote(long position, long n) {
        WrittenRanges ranges;
        synchronized (this) {
            dirty += n;
            if (written != null && !written.add(position, n)) {
                written = null; // more small writes than are worth keeping: none dropped this time
            }
            if (dirty < threshold || running) {
                return;
            }
            ranges = written;
            dirty = 0;
            written = new WrittenRanges();
            running = true;
        }
        STARTED.incrementAndGet();
        try {
            FORCES.execute(() -> forceInBackground(ranges));
        } catch (RejectedExecutionException e) {
            ended(null); // never: the pool is not shut down
        }
    }

    /**
     * Forces the file, then drops the ranges just written back from the page cache: what a host
     * wrote is not kept twice (its own cache has it), as with the direct writes this replaced, and
     * a zeroing over it later (WRITE_ZEROES, TRIM) has no pages to throw away (45 ms per cached GiB
     * against 4). Only the pages written are dropped, not those between (readers' pages), nor those
     * written again since it began ({@link #dropWrittenBack}). Dropping is a hint, done only after a
     * force that succeeded.
     */
    private void forceInBackground(WrittenRanges ranges) {
        IOException error = null;
        try {
            force.run();
            if (ranges != null && !failedUnreported()) {
                dropWrittenBack(ranges);
            }
        } catch (ClosedChannelException closed) {
            // the file was closed meanwhile: whatever it held was forced, or not asked to be, by its owner
        } catch (IOException e) {
            error = e;
        } catch (RuntimeException e) {
            error = new IOException("background force failed: " + e, e);
        }
        ended(error);
    }

    /**
     * Drops the ranges a background force wrote back, but not the pages written again since it
     * began. Those are dirty, and the kernel's DONTNEED starts their write-back before it drops
     * what is clean: one that failed at once would leave them clean, with no force of ours to say
     * so yet, and dropped, and a reader would take the disk's old bytes with no loss counted. When
     * too many writes came since to keep (a stream of small ones), nothing is dropped.
     */
    private void dropWrittenBack(WrittenRanges ranges) {
        long[] since;
        synchronized (this) {
            if (written == null) {
                return;
            }
            since = written.mergedPages();
        }
        int[] next = {0};
        ranges.forEachMerged((from, length) -> {
            long at = from;
            long end = from + length;
            // the runs written since are sorted and apart: skip those before this run, cut around the rest
            while (next[0] < since.length && since[next[0] + 1] <= at) {
                next[0] += 2;
            }
            for (int i = next[0]; i < since.length && since[i] < end && at < end; i += 2) {
                if (since[i] > at) {
                    drop.clean(at, since[i] - at);
                }
                at = Math.max(at, since[i + 1]);
            }
            if (at < end) {
                drop.clean(at, end - at);
            }
        });
    }

    /** True while a background force runs (tests). */
    synchronized boolean busyForTest() {
        return running;
    }

    /**
     * True while a background force's failure waits for the owner's next force. The pages a failed
     * write-back could not write stay in the cache, clean, with the bytes written (Linux marks them
     * so): a range written while the failed force ran may be among them and among the ranges this
     * force covered, and dropping it would put the disk's old bytes under readers who have no word
     * of a loss yet. So nothing is dropped until the owner has taken the failure (and counted it).
     */
    synchronized boolean failedUnreported() {
        return failed != null;
    }

    private synchronized void ended(IOException error) {
        if (error != null && failed == null) {
            failed = error;
        }
        running = false;
        notifyAll();
    }

    /**
     * The owner's force of the file: runs {@code own} (its fsync), then reports what a background
     * force saw fail ({@link #afterForce}); when {@code own} fails, that failure stands for the
     * background one too ({@link #afterFailedForce}).
     */
    void force(Force own) throws IOException {
        try {
            own.run();
        } catch (IOException | RuntimeException e) {
            afterFailedForce();
            throw e;
        }
        afterForce();
    }

    /**
     * Called after the owner's own force returned: waits for a background force under way, then
     * throws what a background force failed with since the last call (once), so that a failed
     * write-back the background force saw first reaches the owner's flush.
     */
    void afterForce() throws IOException {
        IOException error = settle();
        if (error != null) {
            throw error;
        }
    }

    /**
     * Called after the owner's own force failed: it reports the loss of everything written since
     * its last good force, a background failure's among it, which is not reported again.
     */
    void afterFailedForce() {
        settle();
    }

    /** Waits for a background force under way; returns (and forgets) what a background force failed with since the last settle. */
    private IOException settle() {
        IOException error;
        synchronized (this) {
            boolean interrupted = false;
            while (running) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the force's outcome must be known: keep waiting, say so after
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            dirty = 0;
            written = new WrittenRanges(); // forced by the owner: left in the cache, as any buffered write
            error = failed;
            failed = null;
        }
        return error;
    }

    /** The (position, length) of writes, to drop once written back; at most {@link #MAX} of them. */
    static final class WrittenRanges {

        /** 32 MiB of 4 KiB writes: 128 KiB of longs. */
        static final int MAX = 8192;

        private long[] at = new long[64];
        private int n;

        /** Records a write; false when full. */
        boolean add(long position, long length) {
            if (n > 0 && at[2 * n - 2] + at[2 * n - 1] == position) {
                at[2 * n - 1] += length; // the last one's continuation: a stream takes one entry
                return true;
            }
            if (n == MAX) {
                return false;
            }
            if (2 * n == at.length) {
                at = java.util.Arrays.copyOf(at, at.length * 2);
            }
            at[2 * n] = position;
            at[2 * n + 1] = length;
            n++;
            return true;
        }

        /** The runs of {@link #forEachMerged}, widened to whole 4 KiB pages and merged again: {start, end, start, end, ...}. */
        long[] mergedPages() {
            long[][] runs = {new long[16]};
            int[] k = {0};
            forEachMerged((from, length) -> {
                long start = from & ~4095L;
                long end = (from + length + 4095) & ~4095L;
                if (k[0] > 0 && start <= runs[0][k[0] - 1]) {
                    runs[0][k[0] - 1] = Math.max(runs[0][k[0] - 1], end);
                    return;
                }
                if (k[0] == runs[0].length) {
                    runs[0] = java.util.Arrays.copyOf(runs[0], k[0] * 2);
                }
                runs[0][k[0]++] = start;
                runs[0][k[0]++] = end;
            });
            return java.util.Arrays.copyOf(runs[0], k[0]);
        }

        /** Hands each run of overlapping or touching writes, in order of position, to {@code to}. */
        void forEachMerged(Drop to) {
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, java.util.Comparator.comparingLong(i -> at[2 * i]));
            long from = -1;
            long end = -1;
            for (int i : order) {
                long p = at[2 * i];
                long e = p + at[2 * i + 1];
                if (from >= 0 && p <= end) {
                    end = Math.max(end, e);
                    continue;
                }
                if (from >= 0) {
                    to.clean(from, end - from);
                }
                from = p;
                end = e;
            }
            if (from >= 0) {
                to.clean(from, end - from);
            }
        }
    }
}
