package org.splitpoint.engine.nbd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The server's shared workers, shared fairly between connections.
 *
 * <p>Design. A single FIFO in front of the workers let one client take all of them: 32 write-zeroes
 * of 1 GiB each held all 16 workers for seconds, and a 4 KiB read of another client waited behind
 * them (18.6 s seen). Here every connection has its own lane; a request is a job of one or more
 * pieces (bounded bytes each), and a worker takes one piece at a time from the lanes in turn (round
 * robin), so a new request of a quiet client waits at most for one piece of each busy lane, not
 * for whole requests. (A connection's reply writer runs a quick read itself instead, see {@link InlineReads}.) A lane runs at most {@code perLane} pieces at once, so while a single client
 * streams, the other workers stay free for everybody else. Within a lane the jobs take turns too,
 * so a client's small request is not stuck behind its own huge one. Workers only run pieces; they
 * never write to a socket (replies go to the connection's {@link Outbox}), so a client that does not
 * read cannot hold one.
 */
final class RequestScheduler implements AutoCloseable {

    /** Work of one request: {@link #pieces()} pieces, each run once by {@link #run(int)}. */
    interface Job {

        int pieces();

        /** Runs piece {@code piece}; must not throw (failures become the request's error reply). */
        void run(int piece);

        /** The piece threw anyway: answer the request with an error so its client is not left waiting. */
        void crashed(int piece, Throwable t);
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Lane> ready = new ArrayDeque<>();
    private final int perLane;
    private final List<Thread> threads = new ArrayList<>();
    private final Consumer<String> log;
    private boolean shutdown;

    RequestScheduler(int workers, int perLane, Consumer<String> log) {
        this.perLane = perLane;
        this.log = log;
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::workLoop, "splitpoint-nbd-worker-" + i);
            t.setDaemon(true); // blocking I/O: threads wait on disks, not CPU
            threads.add(t);
            t.start();
        }
    }

    /** A new lane, for one connection. */
    Lane lane() {
        return new Lane();
    }

    /** One connection's queue of jobs. */
    final class Lane {

        private final ArrayDeque<Entry> jobs = new ArrayDeque<>();
        private int running;
        private boolean queued;

        /** Queues {@code job}; throws {@link RejectedExecutionException} once the scheduler is closed. */
        void submit(Job job) {
            lock.lock();
            try {
                if (shutdown) {
                    throw new RejectedExecutionException("the NBD server is stopping");
                }
                jobs.add(new Entry(job));
                offer(this);
            } finally {
                lock.unlock();
            }
        }

        /** Pieces of this lane queued or running (for tests and diagnostics). */
        int busy() {
            lock.lock();
            try {
                int n = running;
                for (Entry e : jobs) {
                    n += e.job.pieces() - e.next;
                }
                return n;
            } finally {
                lock.unlock();
            }
        }
    }

    private static final class Entry {
        final Job job;
        int next;

        Entry(Job job) {
            this.job = job;
        }
    }

    /** Puts {@code l} in the round if it has work and room; lock held. */
    private void offer(Lane l) {
        if (!l.queued && !l.jobs.isEmpty() && l.running < perLane) {
            l.queued = true;
            ready.addLast(l);
            work.signal();
        }
    }

    private void workLoop() {
        while (true) {
            Lane lane;
            Entry entry;
            int piece;
            lock.lock();
            try {
                while (ready.isEmpty()) {
                    if (shutdown) {
                        return;
                    }
                    work.awaitUninterruptibly();
                }
                lane = ready.pollFirst();
                lane.queued = false;
                entry = lane.jobs.pollFirst();
                piece = entry.next++;
                if (entry.next < entry.job.pieces()) {
                    lane.jobs.addLast(entry); // the lane's other jobs take their turn first
                }
                lane.running++;
                offer(lane); // back at the end of the round, if it may run more
            } finally {
                lock.unlock();
            }
            runPiece(lane, entry.job, piece);
        }
    }

    /** Runs one piece of {@code job}, counted as running in {@code lane} (the caller counted it in). */
    private void runPiece(Lane lane, Job job, int piece) {
        try {
            job.run(piece);
        } catch (Throwable t) {
            try {
                job.crashed(piece, t);
            } catch (Throwable again) {
                log.accept("NBD worker: a request failed and its error reply failed too: " + again);
            }
        } finally {
            lock.lock();
            try {
                lane.running--;
                offer(lane);
            } finally {
                lock.unlock();
            }
        }
    }

    /** Runs what is queued, then stops the workers (waiting up to {@code millis}). */
    @Override
    public void close() {
        close(30_000);
    }

    void close(long millis) {
        lock.lock();
        try {
            shutdown = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Thread t : threads) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                break;
            }
            try {
                t.join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
