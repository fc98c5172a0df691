package org.splitpoint.engine.nbd;

import org.splitpoint.engine.io.BufferStash;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The server's direct buffers for request payloads and read replies, reused across connections.
 *
 * <p>Design. Allocating a direct buffer per request costs a zeroing pass and, under load, GC
 * pressure; so buffers are reused. Before, each connection kept up to 64 buffers of up to 32 MiB,
 * and nothing gave them back: memory stayed at gigabytes after the clients left. Now buffers are at
 * most one piece ({@link NbdLimits#pieceBytes}) each, sized in powers of two from 4 KiB, and
 * what is in use is bounded by the {@link MemoryBudget} (a request is charged
 * {@link #capacityFor} of its pieces before any is taken). An idle buffer is kept while the
 * buffers lent and kept together stay within {@code keepBytes} (the server's buffer budget), so a
 * busy server allocates nothing in its steady state; and {@link #trim} frees them all once nothing
 * was taken for a while, so the server's memory returns to its baseline when clients go quiet.
 * (Keeping only 16 MiB idle, under nbdcopy's 32 MiB in flight, freed and allocated again a buffer
 * for every other request: a zeroing pass and fresh pages each time, for the reads' copies into
 * them twice the system time of copies into reused ones; bench/notes/nbd-profile-2026-12-03.txt.) Freeing is explicit (the
 * buffer's cleaner, where the JDK lets us) rather than left to a garbage collection that a quiet
 * server may not run for hours. Only buffers this pool lent and got back are ever freed, and a
 * buffer given back twice is ignored, so a freed buffer can never still be in use.
 */
final class BufferPool implements AutoCloseable {

    static final int MIN = 4096;
    private static final int ALIGN = 4096;
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);
    private static final MethodHandle FREE = cleaner();

    private final long keepBytes;
    /** Idle bytes kept through a short pause ({@link #trim(long, long)}). */
    private final long idleKeepBytes;
    private final Map<Integer, ArrayDeque<ByteBuffer>> free = new HashMap<>();
    private final Set<ByteBuffer> lent = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Slices lent or kept, and the buffers they are cut from (only a whole buffer can be freed). */
    private final Map<ByteBuffer, ByteBuffer> parents = new IdentityHashMap<>();
    private long kept;
    /** Capacity of the buffers lent now. */
    private long lentBytes;
    private long lastTake = System.nanoTime();

    BufferPool(long keepBytes) {
        this(keepBytes, 0);
    }

    /** A pool keeping up to {@code keepBytes} (lent and idle together), {@code idleKeepBytes} of them through a short pause. */
    BufferPool(long keepBytes, long idleKeepBytes) {
        this.keepBytes = keepBytes;
        this.idleKeepBytes = Math.min(keepBytes, idleKeepBytes);
    }

    /** The capacity of the buffer {@link #take} gives for {@code length} bytes. */
    static int capacityFor(int length) {
        if (length == 0) {
            return 0;
        }
        return Math.max(MIN, Integer.highestOneBit(length - 1) << 1);
    }

    /**
     * A buffer with position 0 and limit {@code length}, one cache line into a page. Throws
     * OutOfMemoryError when direct memory cannot be had (the caller answers ENOMEM). Write payloads
     * too: the member files take them into the page cache and write them back behind the writers
     * ({@code io.EarlyWriteBack}); page-aligned, they went around it (O_DIRECT), 0.76-0.85 of nbdkit
     * against 0.95-1.07 now (bench/notes/nbd-early-writeback-2026-12-07.txt).
     */
    ByteBuffer take(int length) {
        if (length == 0) {
            return EMPTY.duplicate();
        }
        int cap = capacityFor(length);
        ByteBuffer b;
        synchronized (this) {
            lastTake = System.nanoTime();
            ArrayDeque<ByteBuffer> q = free.get(cap);
            b = q == null ? null : q.pollFirst();
            if (b != null) {
                kept -= cap;
                lentBytes += cap;
                lent.add(b);
                return b.clear().limit(length);
            }
        }
        // a page more, so the chosen start always fits; the slice is freed through its parent. Read buffers
        // start one cache line into a page (BufferStash.oneLineIntoAPage): allocateDirect's start where malloc
        // puts them (16 bytes into a page for 256 KiB), and the kernel's copy into a buffer off a cache line
        // took 1.8x as long here (bench/notes/nbd-buffer-floor-2026-12-06.txt)
        ByteBuffer parent = ByteBuffer.allocateDirect(cap + ALIGN);
        b = BufferStash.oneLineIntoAPage(parent, cap);
        synchronized (this) {
            parents.put(b, parent);
            lent.add(b);
            lentBytes += cap;
        }
        return b.limit(length);
    }

    /** Gives back a buffer {@link #take} gave; anything else (or a second give) is ignored. */
    void give(ByteBuffer b) {
        if (b == null || b.capacity() == 0) {
            return;
        }
        synchronized (this) {
            if (!lent.remove(b)) {
                return;
            }
            lentBytes -= b.capacity();
            if (kept + lentBytes + b.capacity() <= keepBytes) {
                free.computeIfAbsent(b.clear().capacity(), c -> new ArrayDeque<>()).addFirst(b);
                kept += b.capacity();
                return;
            }
            b = unslice(b);
        }
        release(b);
    }

    /** The buffer to free for {@code b}: its parent when it is a slice (forgotten here). */
    private ByteBuffer unslice(ByteBuffer b) {
        ByteBuffer parent = parents.remove(b);
        return parent == null ? b : parent;
    }

    /**
     * After a pause: once nothing was taken for {@code shortIdleNanos}, the idle buffers beyond
     * {@code idleKeepBytes} are freed; once nothing was taken for {@code longIdleNanos}, all of them.
     * Freeing them all after the short pause (as before) made every burst of a client that comes
     * back a few seconds later (a backup tool's next run, a VM after a quiet spell) fault its
     * buffers' pages in again, zeroed: 11,000 page faults and 90-120 ms of the server's CPU per
     * nbdcopy read of 1 GiB on this VM (bench/notes/nbd-buffer-floor-2026-12-06.txt); the floor
     * keeps what one such client keeps in flight, and a quiet server still returns to its baseline.
     */
    void trim(long shortIdleNanos, long longIdleNanos) {
        java.util.List<ByteBuffer> drop = new java.util.ArrayList<>();
        synchronized (this) {
            long idle = System.nanoTime() - lastTake;
            long target = idle >= longIdleNanos ? 0 : idle >= shortIdleNanos ? Math.min(idleKeepBytes, kept) : kept;
            if (kept == 0 || kept <= target) {
                return;
            }
            // each size keeps its share of the floor, its most recently given buffers (at the front)
            long before = kept;
            for (ArrayDeque<ByteBuffer> q : free.values()) {
                int keep = (int) (q.size() * target / before);
                while (q.size() > keep) {
                    ByteBuffer b = q.pollLast();
                    kept -= b.capacity();
                    drop.add(unslice(b));
                }
            }
            free.values().removeIf(ArrayDeque::isEmpty);
        }
        drop.forEach(BufferPool::release);
    }

    /** Bytes kept idle now. */
    synchronized long kept() {
        return kept;
    }

    /** Frees every idle buffer; buffers still lent are freed by the collector once dropped. */
    @Override
    public void close() {
        trim(-1, -1);
    }

    private static void release(ByteBuffer b) {
        if (FREE != null) {
            try {
                FREE.invokeExact(b);
            } catch (Throwable ignored) {
                // left to the garbage collector, as any dropped direct buffer
            }
        }
    }

    /** sun.misc.Unsafe.invokeCleaner, bound; null where the JDK does not offer it. */
    private static MethodHandle cleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            java.lang.reflect.Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner",
                    MethodType.methodType(void.class, ByteBuffer.class)).bindTo(f.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
