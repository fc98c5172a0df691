package org.splitpoint.engine.pair;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.io.BufferStash;
import org.splitpoint.engine.io.RangeLocks;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.job.JobWork;
import org.splitpoint.engine.pool.Sizes;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * The copy job of an establish (STD → BCV over stdInvalid) or a restore (BCV → STD over
 * bcvInvalid). Walks the set bits in runs of up to 1 MiB, each run under its track locks,
 * re-checking every bit there since host I/O may have copied a track meanwhile (a hydrating read,
 * a merging write); only tracks still owed are copied, so newer host data is never overwritten.
 * Progress counts the tracks that left the set by any path, so on-demand reads advance it too;
 * tracks that joined it (host writes during an establish, the catch-up of an unprotected restore)
 * are reported as added, so the job's total grows rather than showing 100% with work left.
 * A run whose source drives lost writes at a failed flush during its copy stays owed (a failing
 * force drops the pages before its loss is counted, so the read may have taken old bytes unseen).
 */
public final class PairCopyWork implements JobWork {

    private final Pair pair;
    private final boolean restore;
    private volatile InvalidTracks set;
    private RaidVolume source;
    private volatile RaidVolume target;
    /** The periodic checkpoints, beside the copy: its writes go on while the target is forced. */
    private final org.splitpoint.engine.job.CheckpointThread beside;
    /** An unprotected restore ends by copying the STD's host-written tracks to the BCV. */
    private boolean catchingUp;
    private long cursor;
    private volatile long lastRemaining;
    /** Tracks this job's own copies took out of the set since the last step ended (copier threads add). */
    private final java.util.concurrent.atomic.AtomicLong copiedTracks = new java.util.concurrent.atomic.AtomicLong();

    PairCopyWork(Pair pair, boolean restore) {
        this.pair = pair;
        this.restore = restore;
        this.set = restore ? pair.bcvInvalid : pair.stdInvalid;
        this.source = restore ? pair.bcv() : pair.std();
        this.target = restore ? pair.std() : pair.bcv();
        this.lastRemaining = set.count();
        this.beside = new org.splitpoint.engine.job.CheckpointThread("splitpoint-" + kind() + "-commit-" + pair.name(),
                () -> set.flushAndCommit(target::flush));
    }

    /** Tracks still to copy when the job (re)starts: its total. */
    public long remaining() {
        return set.count();
    }

    public String kind() {
        return restore ? "restore" : "establish";
    }

    /** Bytes a run copies at most at once (a run of tracks larger than this goes in pieces of it). */
    static final int RUN_BYTES = 1 << 20;

    private long runTracks() {
        return Math.max(1, RUN_BYTES / pair.trackSize());
    }

    /**
     * Runs copied at once per step, at most: scattered tracks (an incremental copy) overlap their
     * I/O. Cold, a track read from the other side waits ~1 ms on the disk; 8 at a time, an
     * incremental restore of 1% of a GiB spent two thirds of its time in those waits.
     */
    private static final int PARALLEL_RUNS = 32;
    /** Bytes a step copies at most: 8 runs of 1 MiB in a full copy, more runs when they are shorter. */
    private static final long STEP_BYTES = 8L << 20;
    /**
     * The runs' buffers, shared by every copy: page-aligned, so the target's files write each run
     * around the page cache (see io.DirectWrites), and as many idle ones kept as runs go at once.
     * Whole runs (a full copy) went through the page cache once, on the idea that the kernel
     * would write them back behind the copier: on a machine with memory to spare it does not (a
     * GiB of a mirror's two members stays under the background dirty threshold), so the copy
     * read everything first and wrote everything at its last commit, one after the other, and
     * the two vCPUs copied every byte into the cache once per member on the way; now and then
     * the copier threads queued on the member files' inode locks and a full copy took 2.4-3.4 s
     * instead of 1.5 (bench/notes/pair-copy-direct-2026-12-03f.txt). Written as they are copied,
     * the writes overlap the reads of the runs after them. Short runs (scattered tracks: an
     * incremental copy) went this way already for the same reason: written back at the last
     * commit, they took a third of an incremental restore after its reads were done.
     */
    private static final BufferStash RUNS = new BufferStash(true, PARALLEL_RUNS * (1L << 20));
    /**
     * The runs' threads: up to {@link #PARALLEL_RUNS}, each ending after a minute without a run. A
     * fixed pool kept all 32 for the life of a holder that had copied once (a real-client audit
     * counted them in `serve` long after its establish).
     */
    private static final java.util.concurrent.ThreadPoolExecutor COPIERS = copiers();

    private static java.util.concurrent.ThreadPoolExecutor copiers() {
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(PARALLEL_RUNS,
                PARALLEL_RUNS, 60, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "splitpoint-copy");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Copy threads alive now, and how long an idle one stays (tests). */
    static int copierThreads() {
        return COPIERS.getPoolSize();
    }

    static void copierIdleMillis(long millis) {
        COPIERS.setKeepAliveTime(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private long budget = Long.MAX_VALUE;

    @Override
    public void stepBudget(long bytes) {
        budget = bytes;
    }

    @Override
    public Step copyNext(long done) throws IOException {
        long advanced = 0;
        long added = 0;
        if (restore && !catchingUp && !pair.isProtected() && pair.bcvInvalid.count() == 0) {
            advanced = lastRemaining; // restored since the last step by other paths (hydrating reads)
            catchUp();
            added = lastRemaining; // the tracks hosts wrote to the STD alone are work of this job too
        }
        List<long[]> runs = new ArrayList<>();
        long from = cursor;
        boolean wrapped = false;
        long maxTracks = Math.max(1, Math.min(budget, STEP_BYTES) / pair.trackSize());
        long planned = 0;
        while (runs.size() < PARALLEL_RUNS && planned < maxTracks) {
            long a = set.live().nextSetBit(from);
            if (a < 0) {
                if (wrapped || !runs.isEmpty()) {
                    break;
                }
                wrapped = true; // a bit set behind the cursor (a re-marked track)
                from = 0;
                continue;
            }
            long b = a;
            while (b < pair.totalTracks() && b - a < Math.min(runTracks(), maxTracks - planned) && set.isSet(b)) {
                b++;
            }
            runs.add(new long[] {a, b});
            planned += b - a;
            from = b;
        }
        long bytes = 0;
        if (!runs.isEmpty()) {
            cursor = runs.get(runs.size() - 1)[1];
            intendAhead(runs.get(0)[0]);
            bytes = copyRuns(runs);
        }
        // net change of what is owed: fewer tracks are progress, more (host writes during an
        // establish, the catch-up's tracks) grow the job's total, so total - done stays what is left
        long copied = copiedTracks.getAndSet(0);
        long remaining = set.count();
        long others = remaining - (lastRemaining - copied); // > 0: tracks marked meanwhile; < 0: cleared by reads
        advanced += copied + Math.max(0, -others);
        added += Math.max(0, others);
        lastRemaining = remaining;
        return new Step(advanced, bytes, added);
    }

    /** Tracks that left the set by other paths (hydrating reads, merging writes) since the last step. */
    @Override
    public long doneSinceLastStep() {
        return Math.max(0, lastRemaining - copiedTracks.get() - set.count());
    }

    @Override
    public boolean hasMore(long done, long total) {
        return set.count() > 0 || catchUpOwed();
    }

    /** An unprotected restore, not caught up yet, whose STD has tracks the BCV lacks (the host wrote them to the STD alone). */
    private boolean catchUpOwed() {
        return restore && !catchingUp && !pair.isProtected() && pair.stdInvalid.count() > 0;
    }

    /**
     * Everything is restored; the host wrote some tracks to the STD only meanwhile (claim 2). Those
     * go to the BCV now, as an establish does, so the pair ends with both sides identical; from
     * here host writes are mirrored, so the set only shrinks.
     */
    private void catchUp() throws IOException {
        checkpoint(0);
        pair.gate.writeLock().lock();
        try {
            catchingUp = true;
            set = pair.stdInvalid;
            source = pair.std();
            target = pair.bcv();
            cursor = 0;
            lastRemaining = set.count();
            // not recorded on its own: a crash resumes the recorded RestInProg, which finds every
            // track restored (the checkpoint above committed them) and comes here again; the
            // restore's end records Restored (one metadata write fewer for an incremental restore)
            pair.changeStateUnrecorded(PairState.SyncInProg, "restore of " + pair.name() + ": every track restored; copying "
                    + Sizes.count(set.count(), "track") + " written during the restore to the BCV");
        } finally {
            pair.gate.writeLock().unlock();
        }
    }

    /** Tracks of the set whose write intent is made durable together, ahead of the copy. */
    static final int INTENT_AHEAD = 1024;
    private RaidVolume intendedOn;
    private long intendedFrom;
    private long intendedTo;

    /**
     * Makes the target's write-intent bits of the next {@link #INTENT_AHEAD} tracks to copy from
     * {@code from} durable with one bitmap sync, when {@code from} is outside the window done last.
     * A copy of scattered tracks (an incremental restore) otherwise paid a sync of the target's
     * write-intent bitmap every step (its writes each finding clear bits); the writes then find
     * their bits set and durable. Setting bits early is always safe (a crash resyncs a few more).
     */
    private void intendAhead(long from) throws IOException {
        RaidVolume t = target;
        if (t == intendedOn && from >= intendedFrom && from < intendedTo) {
            return;
        }
        int ts = pair.trackSize();
        List<long[]> ranges = new ArrayList<>();
        long n = 0;
        long last = from;
        for (long a = set.live().nextSetBit(from); a >= 0 && n < INTENT_AHEAD; ) {
            long b = a;
            while (b < pair.totalTracks() && n < INTENT_AHEAD && set.isSet(b)) {
                b++;
                n++;
            }
            long off = a * ts;
            ranges.add(new long[] {off, Math.min(t.size(), b * ts) - off});
            last = b;
            a = b < pair.totalTracks() ? set.live().nextSetBit(b) : -1;
        }
        if (!ranges.isEmpty()) {
            t.intendWrites(ranges);
        }
        intendedOn = t;
        intendedFrom = from;
        intendedTo = Math.max(last, from + 1);
    }

    private long copyRuns(List<long[]> runs) throws IOException {
        if (runs.size() == 1) {
            return copyRun(runs.get(0)[0], runs.get(0)[1]);
        }
        List<java.util.concurrent.Future<Long>> futures = new ArrayList<>();
        for (long[] r : runs) {
            futures.add(COPIERS.submit(() -> copyRun(r[0], r[1])));
        }
        long bytes = 0;
        IOException first = null;
        for (java.util.concurrent.Future<Long> f : futures) {
            try {
                bytes += f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                first = first != null ? first : e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        if (first != null) {
            throw first;
        }
        return bytes;
    }

    private long copyRun(long a, long b) throws IOException {
        int ts = pair.trackSize();
        long moved = 0;
        pair.gate.readLock().lock();
        try (RangeLocks.Held h = pair.trackLocks.lock(a, b)) {
            long t = a;
            while (t < b) {
                if (!set.isSet(t)) {
                    t++;
                    continue;
                }
                long s = t;
                while (t < b && set.isSet(t)) {
                    t++;
                }
                long from = s * ts;
                long to = Math.min(source.size(), t * ts);
                long losses = source.memberLosses(); // before the copy's reads pick their members
                copy(source, target, from, to);
                if (source.settledMemberLosses() != losses) {
                    // a source drive's force failed for want of space during the copy, dropping its
                    // pages, maybe before the read took them and before the loss was counted (the
                    // read's own check then saw nothing): what the copy put on the target may be a
                    // write's old bytes. The tracks stay marked, copied again once the loss is on
                    // record (CopySourceLossTest)
                    moved += to - from;
                    continue;
                }
                for (long x = s; x < t; x++) {
                    if (set.clearLive(x)) {
                        copiedTracks.incrementAndGet();
                    }
                }
                moved += to - from;
            }
        } finally {
            pair.gate.readLock().unlock();
        }
        return moved;
    }

    /**
     * Copies volume bytes [from, to) of {@code source} to {@code target} (the caller holds their
     * tracks' locks), in pieces of at most {@link #RUN_BYTES} through the shared page-aligned
     * buffers. In pieces: a pool of 1 GiB tracks copied each track through a buffer of its own size,
     * 1 GiB of direct memory a track for the copy (3.2 GB resident for a 3 GiB pair), and a whole
     * track on the heap for every on-demand restore of one and every host write merged into one.
     */
    static void copy(RaidVolume source, RaidVolume target, long from, long to) throws IOException {
        for (long at = from; at < to; ) {
            int len = (int) Math.min(RUN_BYTES, to - at);
            ByteBuffer buf = RUNS.take(len);
            source.read(at, buf);
            buf.flip();
            target.write(at, buf);
            RUNS.give(buf); // not after a failure: nothing may still be using it then
            at += len;
        }
    }

    @Override
    public void checkpoint(long doneUpTo) throws IOException {
        beside.awaitIdle();
        if (set.count() == 0 && !hasMore(doneUpTo, doneUpTo)) {
            // the copy's last commit: its end records the pair's state next, durably; the clears
            // need not be forced on their own (an fsync of the bitmap, up to tens of ms on a busy
            // file system: a large share of an incremental copy), see flushAndCommitUnforced
            set.flushAndCommitUnforced(target::flush);
        } else {
            set.flushAndCommit(target::flush); // clears taken before the flush, committed after it
        }
    }

    @Override
    public void checkpointBeside(long doneUpTo) throws IOException {
        beside.startIfIdle();
    }

    @Override
    public void finished() throws IOException {
        pair.hydrator().drain();
        while (true) {
            pair.gate.writeLock().lock();
            try {
                // under the gate, with the state change: a host write between a look before it and the change
                // could mark a track (a mirrored write the BCV missed) that a Synchronized pair would then split
                // without, or (a restore's) a restored track written to the STD alone
                if (!catchUpOwed()) {
                    end();
                    return;
                }
            } finally {
                pair.gate.writeLock().unlock();
            }
            // a host wrote a restored track to the STD alone after the job's last look (hasMore; the last
            // checkpoint's flush lies between): the pair would end Restored with a track its BCV lacks, and its
            // split be refused (RestoreEndWriteTest). The catch-up the job would have run, here; from its start
            // host writes are mirrored, so the next round ends it
            catchUp();
            while (set.count() > 0) {
                copyNext(0);
                checkpoint(0);
            }
        }
    }

    /** The copy's end, under the gate: the pair's new state, or a failure when tracks became invalid again. */
    private void end() throws IOException {
        if (set.count() > 0) {
            throw new IOException(Sizes.count(set.count(), "track") + " of " + pair.name() + " became invalid again during the "
                    + kind() + "; run it again");
        }
        if (restore) {
            PairState next = pair.isProtected() ? PairState.Split : PairState.Restored;
            // an unprotected restore's catch-up copy ran as SyncInProg; it ends Restored
            pair.changeState(next, "restore of " + pair.name() + " finished; the pair is " + next
                    + (pair.isProtected() ? " and the BCV still holds its point-in-time image" : ""));
        } else {
            pair.changeState(PairState.Synchronized, "establish of " + pair.name() + " finished; the pair is Synchronized");
        }
    }

    @Override
    public void stopped(JobState state, Exception error) {
        if (state == JobState.CANCELLED) {
            pair.gate.writeLock().lock();
            try {
                try {
                    set.flushAndCommit(target::flush);
                } catch (IOException e) {
                    error = e;
                }
                if (!restore) {
                    // the BCV holds the STD's tracks copied so far and its old image's elsewhere: no
                    // point-in-time copy. Split again, it was offered as one: a restore copied that mix
                    // back over the STD (the tracks not copied came back from the old image, those
                    // copied stayed as the STD has them now), under the old split's time. So the pair
                    // stays SyncInProg, its copy stopped, until an establish finishes it (the state a
                    // crash during an establish leaves): a split and a restore are refused meanwhile
                    pair.setCopyCancelled(true); // recorded with the state: not resumed at the next opening
                    pair.changeState(PairState.SyncInProg, "establish of " + pair.name() + " was cancelled with "
                            + Sizes.count(pair.stdInvalidTracks(), "track") + " still to copy; the pair stays SyncInProg:"
                            + " " + pair.bcv().name() + " holds a partly copied image, no point-in-time copy to split"
                            + " or restore from; establish again to finish it");
                    return;
                }
                long std = pair.changes().either();
                long owed = pair.bcvInvalidTracks();
                pair.changeState(PairState.Split, kind() + " of " + pair.name() + " was cancelled; the pair is Split with "
                        + std + " STD and 0 BCV invalid tracks (the STD holds a partly restored image: its " + owed
                        + " tracks not restored count as changed on the STD)");
                // the tracks a cancelled restore did not copy hold the STD's own bytes, not the BCV's image:
                // they are the STD's changes; left as the BCV's (its bits while restoring), the BCV showed
                // "71 tracks changed" though nothing wrote to it (protected, too), and an establish then
                // warned that "what was written to prod-bcv since the split (71 tracks) is lost". After the
                // state is on record, so a crash in between leaves the bits where a resumed restore finds
                // them; each step durable, the union (what a copy copies) never loses a track.
                try {
                    pair.stdInvalid().addAll(pair.bcvInvalid());
                    pair.bcvInvalid().clearAll();
                } catch (IOException e) {
                    pair.problem("the tracks the cancelled restore of " + pair.name() + " did not copy stay counted"
                            + " as the BCV's: " + e.getMessage());
                }
            } finally {
                pair.gate.writeLock().unlock();
            }
        } else {
            pair.problem(kind() + " of " + pair.name() + " failed: " + (error == null ? "" : error.getMessage())
                    + "; the pair stays " + pair.state().described() + " and the " + kind() + " resumes when it is issued again");
        }
    }
}
