package org.splitpoint.engine.io;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct buffers reused from one use to the next and shared by every thread and every volume, up
 * to a number of idle bytes.
 *
 * <p>Design. A new direct buffer per use is a zeroing pass and memory freed only by a later GC (a
 * pair copy allocated 1 GiB per GiB copied, and its collections stopped the window's thread too).
 * Kept per thread and per volume instead, buffers grew with both: RAID 3's span reads kept 4 MiB per
 * member for every volume object every thread had read, in a map of the thread's that nothing
 * emptied, and a crash test opening its pools hundreds of times in one JVM ran its 32 copier
 * threads out of direct memory (6 GB; the copy failed with OutOfMemoryError). Here what is kept is
 * bounded once for the process: an idle buffer is kept while the stash's idle bytes stay within
 * its bound, else dropped. A polled buffer shorter than asked for is dropped too, so the sizes
 * settle on the largest in use.
 */
public final class BufferStash {

    private static final int ALIGN = 4096;
    /**
     * The others start on a cache line: allocateDirect's start where malloc puts them (16 bytes into
     * a page for large ones), and the kernel's copy into or out of such a buffer took 1.8x as long
     * here (bench/notes/nbd-buffer-floor-2026-12-06.txt).
     */
    public static final int LINE = 64;

    private final boolean aligned;
    private final long maxIdleBytes;
    private final ConcurrentLinkedDeque<ByteBuffer> idle = new ConcurrentLinkedDeque<>();
    private final AtomicLong idleBytes = new AtomicLong();

    /**
     * {@code aligned}: buffers start on a page (for writes around the page cache, see
     * {@link DirectWrites}), else one cache line into a page ({@link #oneLineIntoAPage}); {@code maxIdleBytes}: capacity kept idle at most.
     */
    public BufferStash(boolean aligned, long maxIdleBytes) {
        this.aligned = aligned;
        this.maxIdleBytes = maxIdleBytes;
    }

    /** A buffer of at least {@code len} bytes, limited to {@code len}; give it back when done. */
    public ByteBuffer take(int len) {
        ByteBuffer b = idle.pollFirst();
        if (b != null) {
            idleBytes.addAndGet(-b.capacity());
        }
        if (b == null || b.capacity() < len) {
            int cap = (len + ALIGN - 1) / ALIGN * ALIGN;
            ByteBuffer raw = ByteBuffer.allocateDirect(cap + ALIGN);
            b = aligned ? raw.alignedSlice(ALIGN).slice(0, cap) : oneLineIntoAPage(raw, cap);
        }
        return b.clear().limit(len);
    }

    /**
     * Gives back a buffer {@link #take} gave, once nothing uses it (not after a failed I/O that
     * may still be under way on another thread: drop it then).
     */
    public void give(ByteBuffer b) {
        if (idleBytes.addAndGet(b.capacity()) <= maxIdleBytes) {
            idle.offerFirst(b);
        } else {
            idleBytes.addAndGet(-b.capacity());
        }
    }

    /**
     * Gives back those of {@code bufs} that are direct (a stash's: a null, or a heap buffer a caller
     * made instead of taking one, is skipped), as {@link #give} does each.
     */
    public void giveAll(ByteBuffer... bufs) {
        for (ByteBuffer b : bufs) {
            if (b != null && b.isDirect()) {
                give(b);
            }
        }
    }

    /**
     * {@code cap} bytes of {@code raw} (at least a page longer) starting one cache line into a page:
     * on a cache line for the kernel's copies, and never on a page, so that a write from it stays in
     * the page cache ({@link #pageAligned} is what asks for the other way) even in a JVM that starts
     * every direct buffer on a page (the launcher's).
     */
    public static ByteBuffer oneLineIntoAPage(ByteBuffer raw, int cap) {
        int at = Math.floorMod(LINE - raw.alignmentOffset(0, ALIGN), ALIGN);
        return raw.slice(at, cap);
    }

    /** A new direct buffer of {@code cap} bytes one cache line into a page ({@link #oneLineIntoAPage}). */
    public static ByteBuffer lineBuffer(int cap) {
        return oneLineIntoAPage(ByteBuffer.allocateDirect(cap + ALIGN), cap);
    }

    /**
     * True when {@code b} is a direct buffer whose bytes start on a page, as an aligned stash's do:
     * what a writer hands over when it wants its bytes written around the page cache ({@link DirectWrites}).
     */
    public static boolean pageAligned(ByteBuffer b) {
        return b.isDirect() && b.alignmentOffset(b.position(), ALIGN) == 0;
    }

    /** Capacity kept idle now (for tests). */
    public long idleBytes() {
        return idleBytes.get();
    }
}
