package org.splitpoint.engine.nbd;

/**
 * Whether a connection's next read may run on the connection's reply writer instead of the shared workers.
 *
 * <p>Design. Handing a request to a worker costs a wake-up and a thread switch, which this machine's
 * paravirtual host makes dear: a streamed read of 1 GiB in 256 KiB requests woke a worker about once
 * per two requests and took 1.5-2.5 times nbdkit's CPU (bench/notes/nbd-inline-reads-2026-12-05.txt).
 * A read answered from the page cache takes microseconds; the connection's reply writer can do it
 * itself, into a buffer it takes right then, and write the reply while the bytes are still in the
 * CPU's cache (bench/notes/nbd-hot-reads-2026-12-07.txt; before, the connection's reader did the read
 * and the writer sent it later, cold). A read that waits for the disk must not: the client's other
 * replies would wait behind it where the workers would run it beside them. So a read runs on the
 * writer only while the connection's recent reads all came back fast (within {@link #budgetNanos},
 * far below a disk's latency): one slow read sends the following ones to the workers until
 * {@link #STREAK} in a row were fast again. A connection's first reads go to the workers. The counter
 * is a hint updated without a lock by whichever thread served a read: a lost update only moves one
 * read to the other side. Only reads of one piece: a write's piece may wait in a stripe gather for
 * its neighbour, and a long request's pieces belong on the workers, side by side.
 * {@code -Dsplitpoint.nbdInlineReads=false} sends every read to the workers (for comparisons).
 */
final class InlineReads {

    /** False: every read goes to the workers, as before this class (bench comparisons). */
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("splitpoint.nbdInlineReads", "true"));

    /** Fast reads in a row before the reader serves reads itself. */
    static final int STREAK = 16;

    private volatile int fast;

    /** True when the next read may run on the connection's reply writer. */
    boolean mayRunHere() {
        return ENABLED && fast >= STREAK;
    }

    /**
     * True when a read queued for the writer may still run there as its turn comes: unless the last
     * read served waited. A read queued behind one that waited goes to the workers (it may wait too,
     * and the replies behind it with it); once a read came back fast again, the queued ones stay on
     * the writer. Asking {@link #mayRunHere} instead sent every read queued in the 16 after a slow one
     * to the workers, and cold streamed reads, where one read in many waits for the kernel's
     * read-ahead, cost a fifth more server CPU for it (bench/notes/nbd-hot-reads-2026-12-07.txt).
     */
    boolean mayStayHere() {
        return ENABLED && fast > 0;
    }

    /** A read of {@code length} bytes took {@code nanos} on whatever thread served it (whether it succeeded or failed). */
    void served(long length, long nanos) {
        fast = nanos <= budgetNanos(length) ? Math.min(fast + 1, STREAK) : 0;
    }

    /** What a read served from memory may take: 50 us, plus 0.5 ms per MiB (2 GB/s). */
    static long budgetNanos(long length) {
        return 50_000L + (length * 500_000L >> 20);
    }
}
