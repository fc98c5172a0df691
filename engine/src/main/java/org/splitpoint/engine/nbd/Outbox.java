package org.splitpoint.engine.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One connection's replies on their way to the client, written by a thread of the connection's own.
 *
 * <p>Design. Workers used to write replies to the socket themselves: a client that sent 64 reads
 * and never read the replies held every shared worker in a blocked socket write, and all other
 * clients froze. Now a worker only queues a reply here and goes back to other clients' work; this
 * connection's writer thread is the only one that ever blocks on its socket. What is queued is
 * bounded without a limit of its own: a reply's buffers and request slot stay charged to the
 * connection's {@link MemoryBudget.Account} until written, so a client that does not read makes
 * the server stop reading its requests. Replies go out in completion order, several per gathering
 * write when they queue up. {@link #stalledNanos} tells how long the client has accepted no byte
 * while replies wait, so the server can drop a client that stopped reading for good. A read
 * answered from memory is run by the writer itself, as a {@link Task} in its turn, and its reply
 * written at once ({@link #run(Task)}): the time it runs is not counted as a stall.
 * {@link #finish} writes what is queued and then half-closes (FIN), the polite end of a
 * connection the server closes: the client gets every reply, then end of stream. Whatever ends the
 * writer (the client gone, or an Error such as running out of direct memory for a header's
 * temporary copy) drops what is queued and tells the connection, which disconnects the client: a
 * writer that died unnoticed left replies queued for good and the client waiting forever.
 */
final class Outbox {

    private static final int BATCH = 64; // buffers per gathering write, well under IOV_MAX
    private static final long STEP = 1 << 20;

    /**
     * Work the writer thread does itself before it writes what the work sends: a read answered from
     * the page cache ({@link InlineReads}). Done here, the read's bytes are copied from the page cache
     * into a buffer and from that buffer into the socket back to back on one thread, the buffer still
     * in the CPU's cache for the second copy; read on one thread and written on another, with the
     * client's other requests in between, the second copy took about twice the time
     * (bench/notes/nbd-hot-reads-2026-12-07.txt).
     */
    interface Task {
        /** Runs on the writer thread and must not throw; what it {@link #send}s is written next, before anything queued. */
        void run();

        /** The connection ended before the task could run: give back what it holds and end its request. */
        void dropped();
    }

    /** A reply to write ({@code parts}, then {@code done}), or a {@link Task} to run ({@code parts} null). */
    private record Message(ByteBuffer[] parts, Runnable done, Task task) { }

    private final SocketChannel ch;
    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    /** What a {@link Task} sent while it ran: written as soon as it ends. Only the writer thread touches it. */
    private final List<Message> fromTask = new ArrayList<>();
    /** True while the writer thread runs a {@link Task} (written and read by that thread only). */
    private boolean inTask;
    private final java.util.function.Consumer<Throwable> broken;
    private Thread writer;
    private boolean finishing;
    private Runnable afterFinish;
    private boolean dead;
    private volatile long busySince; // 0 while nothing waits to be written
    private volatile long lastProgress;

    /** {@code broken} is told (once) why the writer ended early: a write failed (the client is gone), or an Error. */
    Outbox(SocketChannel ch, java.util.function.Consumer<Throwable> broken) {
        this.ch = ch;
        this.broken = broken;
    }

    /** Starts the writer thread. */
    synchronized void start(String name) {
        writer = new Thread(this::writeLoop, name);
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Queues one message (header and data, written together); {@code done} runs once it was written
     * or dropped (the connection ended). Returns false, having run {@code done}, when it is dropped.
     */
    boolean send(Runnable done, ByteBuffer... parts) {
        boolean mine = Thread.currentThread() == writer && inTask; // a Task's reply: written right after it
        synchronized (this) {
            if (!dead && !finishing) {
                if (mine) {
                    fromTask.add(new Message(parts, done, null));
                } else {
                    queue.addLast(new Message(parts, done, null));
                    notifyAll();
                }
                return true;
            }
        }
        runQuietly(done);
        return false;
    }

    /**
     * Queues {@code task} to run on the writer thread in its turn among the replies; false, having
     * run its {@link Task#dropped}, when the connection ended already.
     */
    boolean run(Task task) {
        synchronized (this) {
            if (!dead && !finishing) {
                queue.addLast(new Message(null, null, task));
                notifyAll();
                return true;
            }
        }
        task.dropped();
        return false;
    }

    /**
     * Writes what is queued, then half-closes the socket and runs {@code after} (null: nothing);
     * later messages are dropped. Idempotent; the first {@code after} wins.
     */
    synchronized void finish(Runnable after) {
        if (!finishing) {
            finishing = true;
            afterFinish = after;
            notifyAll();
        }
    }

    /** Drops what is queued (its {@code done}s run) and stops; a blocked write ends when the channel closes. */
    void abort() {
        List<Message> dropped;
        synchronized (this) {
            dead = true;
            dropped = new ArrayList<>(queue);
            queue.clear();
            notifyAll();
        }
        dropped.forEach(Outbox::drop);
    }

    /** Waits up to {@code millis} for the writer to end; true when it did. */
    boolean awaitEnd(long millis) throws InterruptedException {
        Thread t;
        synchronized (this) {
            t = writer;
        }
        if (t == null) {
            return true;
        }
        t.join(millis);
        return !t.isAlive();
    }

    /** How long replies have been waiting with no byte accepted by the client; 0 when none wait. */
    long stalledNanos() {
        long since = busySince;
        if (since == 0) {
            return 0;
        }
        return System.nanoTime() - Math.max(since, lastProgress);
    }

    private void writeLoop() {
        List<Message> batch = new ArrayList<>();
        try {
            while (true) {
                Runnable after;
                Task task = null;
                synchronized (this) {
                    while (queue.isEmpty() && !finishing && !dead) {
                        wait();
                    }
                    if (dead) {
                        return;
                    }
                    if (queue.isEmpty()) { // finishing, all written
                        after = afterFinish;
                        dead = true;
                    } else if (queue.peekFirst().task != null) {
                        after = null;
                        task = queue.pollFirst().task;
                    } else {
                        after = null;
                        int buffers = 0;
                        while (!queue.isEmpty() && queue.peekFirst().task == null
                                && (batch.isEmpty() || buffers + queue.peekFirst().parts.length <= BATCH)) {
                            Message m = queue.pollFirst();
                            buffers += m.parts.length;
                            batch.add(m);
                        }
                        busySince = System.nanoTime();
                    }
                }
                if (task != null) {
                    inTask = true;
                    try {
                        task.run();
                    } finally {
                        inTask = false;
                        batch.addAll(fromTask); // a task that threw still has its replies' dones run, below or in abort
                        fromTask.clear();
                    }
                    if (batch.isEmpty()) {
                        continue;
                    }
                    busySince = System.nanoTime();
                } else if (batch.isEmpty()) {
                    halfClose();
                    if (after != null) {
                        runQuietly(after);
                    }
                    return;
                }
                try {
                    write(batch);
                } finally {
                    busySince = 0;
                    batch.forEach(m -> runQuietly(m.done));
                    batch.clear();
                }
            }
        } catch (InterruptedException e) {
            abort();
            Thread.currentThread().interrupt();
        } catch (Throwable gone) { // the client left, or the JDK could not write (no descriptor, no direct memory)
            batch.forEach(m -> runQuietly(m.done)); // a task's replies, if its run threw before their write
            abort();
            broken.accept(gone);
        }
    }

    private void write(List<Message> batch) throws IOException {
        int n = 0;
        for (Message m : batch) {
            n += m.parts.length;
        }
        ByteBuffer[] all = new ByteBuffer[n];
        int i = 0;
        for (Message m : batch) {
            for (ByteBuffer b : m.parts) {
                all[i++] = b;
            }
        }
        int first = 0;
        while (first < all.length) {
            // a blocking write returns only when all it was given is sent: give it about a MiB at a
            // time, so a slow but reading client shows progress and is not taken for a stalled one
            int count = 1;
            long bytes = all[first].remaining();
            while (first + count < all.length && bytes + all[first + count].remaining() <= STEP) {
                bytes += all[first + count].remaining();
                count++;
            }
            if (ch.write(all, first, count) > 0) {
                lastProgress = System.nanoTime();
            }
            while (first < all.length && !all[first].hasRemaining()) {
                first++;
            }
        }
    }

    private void halfClose() {
        try {
            ch.shutdownOutput();
        } catch (IOException | RuntimeException | LinkageError ignored) {
            // the client is gone already: nothing more to tell it
        }
    }

    private static void drop(Message m) {
        if (m.task != null) {
            m.task.dropped();
        } else {
            runQuietly(m.done);
        }
    }

    private static void runQuietly(Runnable r) {
        if (r != null) {
            r.run();
        }
    }
}
