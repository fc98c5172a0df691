package org.splitpoint.engine.nbd;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reusable direct buffers for request payloads. Allocating a direct buffer per request costs a
 * zeroing pass and, under load, GC pressure that stalls the whole server; a connection keeps a
 * few and hands them back when the reply is sent.
 */
final class BufferPool {

    private static final int KEEP = 64;
    private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger kept = new AtomicInteger();
    private final boolean aligned;

    BufferPool() {
        this(false);
    }

    /**
     * {@code aligned}: page-aligned buffers, for write payloads (see DirectWrites). Not for reads:
     * a buffered read into, and a socket send out of, page-aligned buffers measured 2-4x the CPU.
     */
    BufferPool(boolean aligned) {
        this.aligned = aligned;
    }

    /** A buffer with position 0 and limit {@code length}. */
    ByteBuffer take(int length) {
        for (int tries = 0; tries < 4; tries++) {
            ByteBuffer b = free.poll();
            if (b == null) {
                break;
            }
            kept.decrementAndGet();
            if (b.capacity() >= length) {
                return b.clear().limit(length);
            }
        }
        if (!aligned) {
            return ByteBuffer.allocateDirect(Math.max(length, 64 * 1024)).limit(length);
        }
        // page-aligned, so a member file can take a large write payload around the page cache
        // (DirectWrites); the extra page is what aligning the start costs
        int cap = (Math.max(length, 64 * 1024) + 4095) & ~4095;
        return ByteBuffer.allocateDirect(cap + 4096).alignedSlice(4096).limit(length);
    }

    void give(ByteBuffer b) {
        if (b != null && kept.incrementAndGet() <= KEEP) {
            free.offer(b);
        } else if (b != null) {
            kept.decrementAndGet();
        }
    }
}
