package org.splitpoint.engine.nbd;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many buffer bytes, and how many unreplied requests, the connections may hold.
 *
 * <p>Design. Before, a connection read a write's payload (up to 32 MiB) into a fresh direct buffer
 * before it took a request slot, and kept up to 64 such buffers: four clients pipelining large
 * writes took 1.8-3.1 GB, and a read of another client died with OutOfMemoryError without a reply.
 * Now a request's bytes are granted here before anything is allocated or read from the socket,
 * and stay granted until its reply has been written (or, for a write's payload, until the piece is
 * on the device), so everything a client can make the server hold is counted: at most
 * {@code perAccount} bytes per connection, at most {@code total} over all of them. A connection
 * at its share waits for its own replies to be read (back-pressure on its client, as long as it
 * takes); a request that then does not get room among the others within the wait is answered
 * ENOMEM, so no client is left without a reply because of other clients. Requests wait for room
 * in arrival order across connections (FIFO), so a small request is not passed over forever by
 * larger ones that keep fitting. A single request larger than a share still runs when its
 * connection (or, for the total, the server) holds nothing else, so no size the protocol allows
 * can wait forever. The count of unreplied requests is the other half of the back-pressure: a
 * client that sends but does not read its replies stops being read once it has
 * {@code requestsPerAccount} waiting, without a worker or a socket write blocked for it.
 *
 * <p>A reserve for quiet connections. Five clients that pipelined 2 MiB reads and never read their
 * replies held the whole budget (their shares) until they were cut for stalling, a minute later;
 * meanwhile every 64 KiB write of a client of another export waited the memory wait and was
 * answered ENOMEM (h133). So the connections holding more than {@code little} bytes share
 * {@code total - reserve} only, and a request that leaves its connection holding at most
 * {@code little} may use the whole total, without queueing behind the bulk ones (it is small and
 * its connection holds little: it cannot pass a large one over for long). A host doing small I/O
 * is served while bulk clients, stuck or busy, hold theirs; only many quiet connections at once
 * can use up the reserve.
 */
final class MemoryBudget {

    /** What {@link Account#admit} got. */
    enum Grant {
        /** A request slot and the bytes. */
        GRANTED,
        /** A request slot, but the bytes did not come in time: answer ENOMEM. */
        NO_MEMORY,
        /** Nothing: the connection is closing. */
        ABORTED
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Account> waiting = new ArrayDeque<>();
    private final long total;
    private final long perAccount;
    private final int requestsPerAccount;
    /** Bytes of the total only connections holding at most {@link #little} may use. */
    private final long reserve;
    private final long little;
    private long used;

    MemoryBudget(long total, long perAccount, int requestsPerAccount) {
        this(total, perAccount, requestsPerAccount, 0, 0);
    }

    MemoryBudget(long total, long perAccount, int requestsPerAccount, long reserve, long little) {
        if (reserve < 0 || reserve >= total || little < 0) {
            throw new IllegalArgumentException("reserve " + reserve + " of " + total + ", little " + little);
        }
        this.total = total;
        this.perAccount = perAccount;
        this.requestsPerAccount = requestsPerAccount;
        this.reserve = reserve;
        this.little = little;
    }

    /** Bytes granted now, over all connections. */
    long used() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }

    /** A new account, for one connection. */
    Account open() {
        return new Account();
    }

    /** One connection's requests and bytes. Its {@link #admit} is called by one thread only. */
    final class Account {

        private long held;
        private int requests;
        private boolean aborted;

        /**
         * Takes a request slot, waiting as long as the connection has its maximum unreplied, then
         * {@code bytes}: waiting as long as the connection holds its share, then at most
         * {@code waitNanos} for the other connections to leave room.
         */
        Grant admit(long bytes, long waitNanos) {
            lock.lock();
            try {
                while (requests >= requestsPerAccount && !aborted) {
                    changed.await();
                }
                if (aborted) {
                    return Grant.ABORTED;
                }
                requests++;
                if (bytes == 0) {
                    return Grant.GRANTED;
                }
                // the connection's own share frees as its client reads its replies: back-pressure, no limit
                Grant g = waitWhile(() -> held != 0 && held + bytes > perAccount, Long.MAX_VALUE);
                if (g != null) {
                    return g;
                }
                // the others' use is not this client's doing: wait for it a bounded time only
                long deadline = System.nanoTime() + waitNanos;
                if (held + bytes <= little) { // a quiet connection: the reserve too, and no queue
                    g = waitWhile(() -> used != 0 && used + bytes > total, deadline);
                } else {
                    long bulk = total - reserve;
                    waiting.addLast(this);
                    try {
                        g = waitWhile(() -> waiting.peekFirst() != this || (used != 0 && used + bytes > bulk), deadline);
                    } finally {
                        waiting.remove(this);
                        changed.signalAll(); // the next in line may fit now
                    }
                }
                if (g != null) {
                    return g;
                }
                used += bytes;
                held += bytes;
                return Grant.GRANTED;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                requests--;
                return Grant.ABORTED;
            } finally {
                lock.unlock();
            }
        }

        /** Waits while {@code blocked}; a grant to return when the wait is over without bytes, else null. Lock held. */
        private Grant waitWhile(java.util.function.BooleanSupplier blocked, long deadline) throws InterruptedException {
            while (blocked.getAsBoolean()) {
                Grant g = waitOnce(deadline);
                if (g != null) {
                    return g;
                }
            }
            return null;
        }

        /** Waits once; a grant to return when the wait is over without bytes, else null. Lock held. */
        private Grant waitOnce(long deadline) throws InterruptedException {
            if (aborted) {
                requests--;
                changed.signalAll();
                return Grant.ABORTED;
            }
            if (deadline == Long.MAX_VALUE) {
                changed.await();
                return null;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Grant.NO_MEMORY;
            }
            changed.awaitNanos(left);
            return null;
        }

        /** Gives back {@code bytes} of what was granted. */
        void release(long bytes) {
            if (bytes == 0) {
                return;
            }
            lock.lock();
            try {
                long b = Math.min(bytes, held); // never below zero, even after close
                held -= b;
                used -= b;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** One request is over (its reply written, or dropped with its connection). */
        void finish() {
            lock.lock();
            try {
                if (requests > 0) {
                    requests--;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Wakes a waiting {@link #admit} and makes later ones return {@link Grant#ABORTED}. */
        void abort() {
            lock.lock();
            try {
                aborted = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Bytes held now. */
        long held() {
            lock.lock();
            try {
                return held;
            } finally {
                lock.unlock();
            }
        }

        /** Unreplied requests now. */
        int requests() {
            lock.lock();
            try {
                return requests;
            } finally {
                lock.unlock();
            }
        }

        /** The connection is gone: everything it still holds goes back to the server. */
        void close() {
            lock.lock();
            try {
                aborted = true;
                used -= held;
                held = 0;
                requests = 0;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
