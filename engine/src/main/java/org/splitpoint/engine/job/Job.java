package org.splitpoint.engine.job;

import java.util.function.Consumer;

/**
 * A background job that walks tracks [start, total) in order: rebuilds now, establish, restore and
 * resync later.
 *
 * <p>Design. One thread per job. The loop checks pause and cancel between tracks, paces itself
 * to the throttle (a token bucket of one second), and checkpoints about once a second, so a restart
 * resumes within a second of work of where it stopped. Progress goes out as immutable
 * {@link JobProgress} values through {@code onProgress}, at most every 200 ms. The total is what
 * the work owed when it started, grown by what it reports added on the way (tracks written during an
 * establish, an unprotected restore's catch-up), so "100%" and "ETA 0:00" mean nothing is left.
 * Its end is decided once, under its monitor, when its last checkpoint is made: a cancel until then
 * cancels it, a pause or a cancel after it changes nothing (a job that finished every track is not
 * cancelled, nor said paused while it finishes), and a pause never overwrites the state it ended in.
 */
public final class Job implements Runnable {

    /**
     * About once a second; crash tests shorten it (system property {@code splitpoint.checkpointMillis},
     * read per job; 0: at every step) so that short copies checkpoint, beside them too, before a cut.
     */
    private final long checkpointNanos = Long.getLong("splitpoint.checkpointMillis", 1000) * 1_000_000L;
    private static final long PROGRESS_NANOS = 200_000_000L;

    private final String id;
    private final String kind;
    private final String target;
    /** Grows when the work reports tracks added (never shrinks): total − done is what is left. */
    private volatile long total;
    private final long trackBytes;
    private final JobWork work;
    private final Consumer<JobProgress> onProgress;
    private final RateMeter rate = new RateMeter(3000);
    private volatile long done;
    private volatile JobState state;
    private volatile long throttle;
    /** The stamp of {@link #throttle}: written after it, read before it (so a read stamp never claims a newer limit). */
    private volatile long throttleStamp;
    /** One sequence for every job's limit stamps: a job created later stamps its first limit later. */
    private static final java.util.concurrent.atomic.AtomicLong THROTTLE_STAMPS = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean cancelRequested;
    /**
     * The job's end is decided (DONE or CANCELLED, under this monitor): a pause or resume that comes
     * meanwhile is not taken, and a cancel no longer changes the end.
     */
    private boolean ending;
    private volatile boolean stopRequested;
    /** {@link #drop()} was asked: the job ends CANCELLED without its work's {@link JobWork#stopped}. */
    private volatile boolean dropRequested;
    private volatile String message = "";
    private volatile String title;
    /** What other paths did for the work while it was paused ({@link JobWork#doneSinceLastStep}), fixed when it ended. */
    private volatile long doneElsewhereAtEnd;
    private Thread thread;
    private final java.util.List<JobListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.time.Instant startedAt = java.time.Instant.now();
    private final java.util.concurrent.atomic.AtomicLong bytesMoved = new java.util.concurrent.atomic.AtomicLong();

    public Job(String id, String kind, String target, long start, long total, long trackBytes,
               boolean paused, long throttle, JobWork work, Consumer<JobProgress> onProgress) {
        this.id = id;
        this.kind = kind;
        this.target = target;
        this.done = start;
        this.total = total;
        this.trackBytes = trackBytes;
        this.state = paused ? JobState.PAUSED : JobState.RUNNING;
        this.throttle = throttle;
        this.throttleStamp = THROTTLE_STAMPS.incrementAndGet();
        this.work = work;
        work.reportWithin(this::movedWithinStep);
        work.paceWithin(this::paceWithinStep);
        this.onProgress = onProgress;
    }

    public String id() {
        return id;
    }

    /** {@code l} hears this job pause, resume and finish (on the thread that does it). */
    public void addListener(JobListener l) {
        listeners.add(l);
    }

    /** When this job was made in this process (a job resumed after a restart: when it resumed). */
    public java.time.Instant startedAt() {
        return startedAt;
    }

    /** Bytes this job copied in this process (what a step moved, not the tracks it walked past). */
    public long bytesMoved() {
        return bytesMoved.get();
    }

    /** What the job does (its owner asks it what it reads, say, before changing that). */
    public JobWork work() {
        return work;
    }

    /** The timed steps done so far, or null for a job that copies tracks ({@link JobWork#steps}). */
    public JobWork.Steps steps() {
        return work.steps(done);
    }

    public String kind() {
        return kind;
    }

    /**
     * What the job does in words, when its kind and target do not say it (a rebuild from a backup
     * plus the journal runs as an instant restore's job), else null; kept in its history entry.
     */
    public String title() {
        return title;
    }

    /** Names what the job does ({@link #title}); returns this job. */
    public Job titled(String what) {
        this.title = what;
        return this;
    }

    /** What the finished job made, when its bytes and tracks do not say it ({@link JobWork#outcome}), else empty. */
    public String outcome() {
        return work.outcome();
    }

    /** What this job's track count counts ({@link JobWork#unit}). */
    public String unit() {
        return work.unit();
    }

    public String target() {
        return target;
    }

    public JobState state() {
        return state;
    }

    /** True once {@link #start()} gave the job its thread. */
    public synchronized boolean isStarted() {
        return thread != null;
    }

    /** Starts the job's thread (once). */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        thread = new Thread(this, "splitpoint-job-" + id);
        thread.setDaemon(true);
        thread.start();
    }

    // Settings are saved (work.settingsChanged, which writes pool.json) outside this monitor: the
    // monitor guards only the job's fields, so nothing that takes other locks runs under it.

    public void pause() {
        long t;
        synchronized (this) {
            if (state != JobState.RUNNING || ending) {
                return;
            }
            state = JobState.PAUSED;
            t = throttle;
            notifyAll();
        }
        work.settingsChanged(true, t);
        listeners.forEach(l -> l.pausedChanged(this, true));
    }

    public void resume() {
        long t;
        synchronized (this) {
            if (state != JobState.PAUSED || ending) {
                return;
            }
            state = JobState.RUNNING;
            t = throttle;
            notifyAll();
        }
        work.settingsChanged(false, t);
        listeners.forEach(l -> l.pausedChanged(this, false));
    }

    public synchronized void cancel() {
        cancelRequested = true;
        notifyAll();
    }

    /** After the pool closed: a job that did not finish lets go of what its work holds open ({@link JobWork#released}). */
    public void releaseIfUnfinished() {
        if (!state.isFinished()) {
            work.released();
        }
    }

    /**
     * Stops the thread at the next track with a checkpoint, without finishing or cancelling: the
     * job stays recorded and resumes when the pool is opened again (the pool is closing).
     */
    public synchronized void stop() {
        stopRequested = true;
        notifyAll();
    }

    /**
     * Sets the limit in bytes per second (0 = unlimited); applies from the next track on. Returns
     * the limit's stamp: a {@link JobProgress} with an older {@code throttleStamp} was taken before it.
     */
    public long setThrottle(long bytesPerSecond) {
        boolean paused;
        long stamp;
        synchronized (this) {
            throttle = Math.max(0, bytesPerSecond);
            stamp = THROTTLE_STAMPS.incrementAndGet();
            throttleStamp = stamp;
            paused = state == JobState.PAUSED;
            notifyAll();
        }
        work.settingsChanged(paused, Math.max(0, bytesPerSecond));
        return stamp;
    }

    /**
     * Ends the job CANCELLED at its next step, without its work's {@link JobWork#stopped} nor
     * {@link JobWork#finished}: its owner has already undone what the work was for (a rebuild whose
     * drive failed again). Before, such a job was stopped as for a close and stayed RUNNING with no
     * thread: listed as running for good, and waited for forever.
     */
    public synchronized void drop() {
        dropRequested = true;
        stopRequested = true;
        notifyAll();
    }

    /**
     * Ends a job whose thread could not start ({@link #start} threw: OutOfMemoryError, unable to
     * create native thread) FAILED with {@code why}, without its work's {@link JobWork#stopped}: what
     * the work is for stays as it is on record, for the next opening to resume. Its waiters see it end.
     */
    public void couldNotStart(String why) {
        synchronized (this) {
            if (state.isFinished()) {
                return;
            }
            message = why;
        }
        end(JobState.FAILED);
        onProgress.accept(progress());
        finishedNow();
    }

    /** Waits up to {@code millis} for the job to finish; returns true if it did. */
    public boolean await(long millis) throws InterruptedException {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.join(millis);
        }
        return state.isFinished();
    }

    public JobProgress progress() {
        long now = System.nanoTime();
        double bps = state == JobState.RUNNING ? rate.bytesPerSecond(now) : 0;
        long stamp = throttleStamp; // before the limit: the limit read is at least as new as its stamp says
        long limit = throttle;
        long stepped = done;
        long t = total; // read after done: it only grows, so it is never below the done read
        // a paused job takes no steps, but other paths may go on doing its work (a restore's
        // hydrating reads): they count, so a paused restore's figure follows the tracks restored
        long elsewhere = state == JobState.PAUSED ? work.doneSinceLastStep() : doneElsewhereAtEnd;
        long d = Math.min(t, stepped + elsewhere);
        long remaining = Math.max(0, (t - d) * trackBytes - withinStep);
        long eta = state.isFinished() ? 0 : bps > 0 ? (long) Math.ceil(remaining / bps) : -1;
        JobWork.Steps steps = work.steps(d);
        return new JobProgress(id, kind, target, state, d, t, trackBytes, bps, eta, limit, message, stamp,
                steps == null ? 0 : steps.done(), steps == null ? 0 : steps.total(), work.unit());
    }

    @Override
    public void run() {
        rate.add(System.nanoTime(), 0); // the rate's first point: the job's start
        bucketStart = System.nanoTime();
        bucketBytes = 0;
        try {
            while (work.hasMore(done, total)) {
                if (!waitWhilePaused()) {
                    break;
                }
                if (stopRequested && !dropRequested) {
                    checkpointAtStop();
                    return;
                }
                if (dropRequested) {
                    break; // complete() ends it dropped
                }
                long wait = bucketWait();
                if (wait > 0) {
                    sleepNanos(wait);
                    continue; // re-check pause/cancel/throttle after sleeping
                }
                long moved = step(); // apart: the step adds what it tells within to the bucket itself
                bucketBytes += moved;
            }
            complete();
        } catch (Exception e) {
            fail(e);
        } catch (Error e) {
            fail(failureOf(e)); // else the thread dies with the job RUNNING for good, its waiters with it
        }
        onProgress.accept(progress());
        finishedNow();
    }

    private static final System.Logger LOG = System.getLogger(Job.class.getName());

    /**
     * The checkpoint of a job stopped to resume later (the pool is closing). One that cannot be
     * saved (a full file system) leaves the one before on record, from which the job resumes, so it
     * is said in the log; the job has not ended, and before, it went FAILED (its history line said
     * so) though the next opening resumed it.
     */
    private void checkpointAtStop() {
        try {
            work.checkpoint(done);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, kind + " " + target + " stopped, but its checkpoint at track " + done
                    + " could not be saved (" + e.getMessage() + "); it resumes from the one before");
        }
    }

    private void finishedNow() {
        if (state.isFinished()) {
            JobProgress p = progress();
            listeners.forEach(l -> l.finished(this, p));
        }
    }

    /**
     * Runs one step on the calling thread, for a deterministic driver (tests stepping a job that
     * was never started). Returns false once the job has finished.
     */
    public boolean stepOnce() {
        if (state.isFinished()) {
            return false;
        }
        try {
            if (work.hasMore(done, total) && !cancelRequested) {
                step();
            }
            if (!work.hasMore(done, total) || cancelRequested) {
                complete();
                onProgress.accept(progress());
                finishedNow();
                return false;
            }
        } catch (Exception e) {
            fail(e);
            finishedNow();
            return false;
        } catch (Error e) {
            fail(failureOf(e));
            finishedNow();
            return false;
        }
        return true;
    }

    /**
     * An error thrown by the work (out of memory, most likely) as the job's failure: the job ends
     * FAILED and says why, as for an I/O error, instead of its thread dying with it RUNNING.
     */
    static Exception failureOf(Error e) {
        String why = e instanceof OutOfMemoryError
                ? "out of memory (" + e.getMessage() + "): the job's buffers did not fit in the Java heap"
                : e.toString();
        return new java.io.IOException(why, e);
    }

    /** The throttle's token bucket (one second): when it began and the bytes moved since; only this thread. */
    private long bucketStart;
    private long bucketBytes;

    /**
     * How long the throttle asks to wait before more bytes move (0: none, or no limit); a bucket
     * older than a second, once paid for, starts again.
     */
    private long bucketWait() {
        long t = throttle;
        if (t <= 0) {
            return 0;
        }
        long elapsed = System.nanoTime() - bucketStart;
        long allowedNanos = bucketBytes * 1_000_000_000L / t;
        if (allowedNanos > elapsed) {
            return allowedNanos - elapsed;
        }
        if (elapsed > 1_000_000_000L) {
            bucketStart = System.nanoTime();
            bucketBytes = 0;
        }
        return 0;
    }

    /** {@link JobWork#paceWithin}: waits as the throttle asks for the bytes moved; false when the step should end. */
    private boolean paceWithinStep() {
        while (!cancelRequested && !stopRequested && state != JobState.PAUSED) {
            long wait = bucketWait();
            if (wait == 0) {
                return true;
            }
            try {
                sleepNanos(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private long lastCheckpoint = System.nanoTime();
    private long lastProgress;
    /** Bytes the running step told it moved so far ({@link JobWork#reportWithin}); only this thread writes it. */
    private volatile long withinStep;

    /** A long step's bytes so far: into the rate now, and the ETA counts them done. */
    private void movedWithinStep(long bytes) {
        withinStep += bytes;
        bucketBytes += bytes;
        long now = System.nanoTime();
        rate.add(now, bytes);
        if (now - lastProgress >= PROGRESS_NANOS) {
            onProgress.accept(progress());
            lastProgress = now;
        }
    }

    /** One step of work, with a checkpoint about once a second; returns the bytes moved not yet in the bucket. */
    private long step() throws Exception {
        long t = throttle;
        work.stepBudget(t > 0 ? Math.max(trackBytes, t / 4) : Long.MAX_VALUE);
        JobWork.Step step = work.copyNext(done);
        if (step.added() > 0) {
            total += step.added(); // only this thread writes total and done
        }
        long toldWithin = withinStep;
        withinStep = 0;
        done = Math.min(total, done + step.tracks());
        bytesMoved.addAndGet(step.bytes());
        long now = System.nanoTime();
        long rest = Math.max(0, step.bytes() - toldWithin); // what the step told on the way is in the rate and bucket already
        rate.add(now, rest);
        if (now - lastCheckpoint >= checkpointNanos) {
            work.checkpointBeside(done);
            lastCheckpoint = now;
        }
        if (now - lastProgress >= PROGRESS_NANOS) {
            onProgress.accept(progress());
            lastProgress = now;
        }
        return rest;
    }

    private void complete() throws Exception {
        if (!dropRequested) {
            work.checkpoint(done);
        }
        boolean cancelled;
        boolean dropped;
        synchronized (this) { // one decision: a cancel or pause from now on does not change it
            ending = true;
            cancelled = cancelRequested;
            dropped = dropRequested;
        }
        if (dropped) {
            end(JobState.CANCELLED); // its owner undid its work already: nothing of the work's own end runs
        } else if (cancelled) {
            doneElsewhereAtEnd = work.doneSinceLastStep(); // a restore cancelled while paused: what reads restored meanwhile
            end(JobState.CANCELLED);
            work.stopped(JobState.CANCELLED, null);
        } else {
            done = total;
            work.finished();
            end(JobState.DONE);
        }
    }

    private void fail(Exception e) {
        message = e.getMessage() == null ? e.toString() : e.getMessage();
        end(JobState.FAILED);
        work.stopped(JobState.FAILED, e);
    }

    /** The job's last state, set under this monitor: a pause or resume checked under it cannot overwrite it. */
    private synchronized void end(JobState last) {
        ending = true;
        state = last;
        notifyAll();
    }

    /** Blocks while paused; returns false when cancelled. */
    private synchronized boolean waitWhilePaused() throws InterruptedException {
        if (stopRequested) {
            return true;
        }
        while (state == JobState.PAUSED && !cancelRequested && !stopRequested) {
            rate.reset();
            wait(500);
        }
        return !cancelRequested;
    }

    private synchronized void sleepNanos(long nanos) throws InterruptedException {
        long millis = Math.max(1, Math.min(200, nanos / 1_000_000L));
        wait(millis);
    }
}
