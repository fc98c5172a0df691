package org.splitpoint.engine.pair;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Direct buffers for a pair copy's runs, reused from run to run and shared by all copies: a new
 * direct buffer per run (1 MiB, zeroed, freed only by a later GC) was 1 GiB of allocation per GiB
 * copied, and the collections it brought stopped the window's thread too (bench/gui-bench.sh
 * during a full-speed restore).
 *
 * <p>Two kinds, by the length of the run. A whole run (a full copy) goes through the page cache:
 * the kernel writes it back behind the copier, which reads on meanwhile. A shorter run (scattered
 * tracks: an incremental copy) is copied from a page-aligned buffer, which the target's files write
 * around the page cache (see io.DirectWrites): written back at the copy's last commit, those tracks
 * took a third of an incremental restore after its reads were done; written as they are copied,
 * they overlap the reads of the others. A stash keeps as many idle buffers as runs go at once.
 */
final class CopyBuffers {

    private static final int ALIGN = 4096;

    static final CopyBuffers WHOLE_RUNS = new CopyBuffers(false, 8);
    static final CopyBuffers SHORT_RUNS = new CopyBuffers(true, 32);

    private final boolean aligned;
    private final int keep;
    private final ConcurrentLinkedDeque<ByteBuffer> idle = new ConcurrentLinkedDeque<>();

    CopyBuffers(boolean aligned, int keep) {
        this.aligned = aligned;
        this.keep = keep;
    }

    /** A buffer of at least {@code len} bytes, limited to {@code len}; give it back when done. */
    ByteBuffer take(int len) {
        ByteBuffer b = idle.pollFirst();
        if (b == null || b.capacity() < len) {
            int cap = (len + ALIGN - 1) / ALIGN * ALIGN; // a shorter one polled is dropped: sizes settle on the largest
            b = aligned ? ByteBuffer.allocateDirect(cap + ALIGN).alignedSlice(ALIGN) : ByteBuffer.allocateDirect(cap);
        }
        return b.clear().limit(len);
    }

    void give(ByteBuffer b) {
        if (idle.size() < keep) {
            idle.offerFirst(b);
        }
    }

    /** Idle buffers kept (for tests). */
    int idle() {
        return idle.size();
    }
}
