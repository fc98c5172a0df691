package org.splitpoint.engine.job;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Future;

/**
 * A copy job's periodic checkpoints, run beside the copy on a thread of their own.
 *
 * <p>Design. A checkpoint forces the target's members and then commits the tracks copied before
 * the force (data, then metadata); the force writes back what the copy put in the page cache since
 * the last one, which on a copy at full speed is most of a checkpoint's time (40% of an instant
 * restore's, half of an establish's when the copy waited for it). Here the copy goes on meanwhile:
 * one checkpoint at a time, and one still running when the next is due stands for it (the next
 * takes what was copied meanwhile). Nothing is lost by that: a copied track whose clear was not
 * committed is only copied again after a crash. The copy's end waits for the last one
 * ({@link #awaitIdle}) before its own, synchronous, checkpoint.
 */
public final class CheckpointThread {

    /** One checkpoint: force, then commit. */
    public interface Checkpoint {
        void run() throws IOException;
    }

    private final String name;
    private final Checkpoint checkpoint;
    private ExecutorService thread;
    private Future<?> running;

    public CheckpointThread(String name, Checkpoint checkpoint) {
        this.name = name;
        this.checkpoint = checkpoint;
    }

    /** Starts a checkpoint unless one runs; throws what the previous one failed with. */
    public synchronized void startIfIdle() throws IOException {
        if (running != null && !running.isDone()) {
            return;
        }
        rethrow();
        if (thread == null) {
            // no core thread: it ends a few seconds after the last checkpoint, so a job stopped
            // without an end (a pool closing) leaves no thread behind
            thread = new ThreadPoolExecutor(0, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }
        running = thread.submit(() -> {
            checkpoint.run();
            return null;
        });
    }

    /** Waits for the checkpoint under way, if any; throws what it failed with. */
    public synchronized void awaitIdle() throws IOException {
        if (running == null) {
            return;
        }
        try {
            running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a checkpoint of " + name);
        } catch (ExecutionException e) {
            running = null;
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    private void rethrow() throws IOException {
        if (running != null) {
            Future<?> done = running;
            running = null;
            try {
                done.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }
    }

    /** Waits for the checkpoint under way (its failure ignored: closing) and lets the thread go. */
    public synchronized void shutdown() {
        try {
            awaitIdle();
        } catch (IOException ignored) {
            // closing: the clears not committed are copied again next time
        }
        if (thread != null) {
            thread.shutdown();
        }
    }
}
