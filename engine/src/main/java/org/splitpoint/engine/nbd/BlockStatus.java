package org.splitpoint.engine.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.Peek;
import org.splitpoint.engine.io.Zeros;

/**
 * The extents of NBD_CMD_BLOCK_STATUS, per metadata context.
 *
 * <p>Design. {@code base:allocation} asks the device first what it can tell without reading
 * ({@link BlockDevice#peek}): a RAID volume asks its members' images (lseek SEEK_DATA for holes,
 * cachestat for whether a page is cached), through a pair's side or the pool's host view when
 * nothing in between changes where the bytes come from. Holes are reported {@code NBD_STATE_ZERO};
 * data that is not cached is reported as data unread, as nbdkit's file plugin and qemu-nbd do: a
 * copying client (nbdcopy, qemu-img convert) asks before it reads, and reading the first 4 KiB of
 * every MiB to look for zeros was a cold disk read of its own ahead of the client's (1024 per GiB,
 * a quarter more server CPU per GiB copied; bench/notes/nbd-block-status-2026-12-04.txt). Where the
 * device cannot tell (a restore's view, a service window, a fault injector), or the data is cached,
 * the block is read: 4 KiB granules that read as zeros are reported {@code NBD_STATE_ZERO}, a 1 MiB
 * block whose first granule holds data is reported as data unread (zeros inside it are copied as
 * data), and only blocks that start with zeros are read whole, to find where the zeros end. {@code
 * NBD_STATE_HOLE} is never reported: a volume's zeros may be allocated on some member (the spec
 * allows reporting allocated for anything). The work is
 * bounded: at most {@link #SCAN_MAX} bytes per request, the reply covering that prefix of the range
 * (the protocol lets a server answer for less than asked; clients ask again from where it ended). Track contexts
 * ({@link TrackContext}) are answered from their bitmaps, one track at a time, at most
 * {@link #MAX_TRACKS} tracks per request.
 */
final class BlockStatus {

    /** Bytes read at most to answer one base:allocation request. */
    static final int SCAN_MAX = 8 << 20;
    /** Tracks looked at most for one track-context request. */
    static final long MAX_TRACKS = 1 << 20;
    private static final int GRANULE = 4096;
    /** Data is claimed, unread, a block at a time: a copy of a full volume does not read it twice. */
    private static final int BLOCK = 1 << 20;

    private BlockStatus() {
    }

    /** A chunk's payload: the context id, then (length, flags) per extent. */
    private static final class Extents {
        private final List<Integer> values = new ArrayList<>();

        Extents(int id) {
            values.add(id);
        }

        void add(long length, int flags) {
            values.add((int) length); // lengths never exceed the request's 32-bit length
            values.add(flags);
        }

        int[] toArray() {
            return values.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /**
     * base:allocation of [offset, offset+length) (length > 0, inside the device), over at most
     * {@link #SCAN_MAX} bytes, a {@link #BLOCK} (aligned) at a time. The device is asked first what
     * it knows unread ({@link BlockDevice#peek}): a block of holes is zeros, a block of data not in
     * the page cache is data, neither read. Any other block is read: one whose first granule holds
     * data is reported as data without reading more of it, the rest is read whole and reported
     * granule by granule (zero or data). With {@code reqOne} only the first extent.
     */
    static int[] allocation(BlockDevice dev, int id, long offset, long length, boolean reqOne) throws IOException {
        Runs out = new Runs(id, reqOne);
        long end = offset + Math.min(length, SCAN_MAX);
        List<long[]> blocks = new ArrayList<>(); // from, to, Peek ordinal
        for (long pos = offset; pos < end; pos = Math.min(end, (pos / BLOCK + 1) * BLOCK)) {
            long blockEnd = Math.min(end, (pos / BLOCK + 1) * BLOCK);
            blocks.add(new long[] {pos, blockEnd, dev.peek(pos, blockEnd - pos).ordinal()});
        }
        // the first granules of the blocks to read are asked for at once: a cold volume fetches them
        // side by side (eight 4 KiB disk reads in series had held up a cold nbdcopy)
        for (long[] b : blocks) {
            if (b[2] == Peek.UNKNOWN.ordinal()) {
                dev.willRead(b[0], Math.min(b[1] - b[0], (b[0] / GRANULE + 1) * GRANULE - b[0]));
            }
        }
        // the first granule of a block in a buffer of its own; a block's buffer only for a block
        // that starts with zeros: a copy of a full volume asks about every MiB, and a 1 MiB heap
        // buffer per request (a humongous object for G1, zeroed, then collected) was most of what
        // a cold nbdcopy read allocated (bench/notes/nbd-profile-2026-12-03.txt)
        ByteBuffer head = ByteBuffer.allocate(GRANULE);
        ByteBuffer whole = null;
        for (long[] b : blocks) {
            long pos = b[0];
            int n = (int) (b[1] - pos);
            if (b[2] != Peek.UNKNOWN.ordinal()) {
                if (out.add(pos, n, b[2] == Peek.ZEROS.ordinal() ? Nbd.STATE_ZERO : 0)) {
                    return out.toArray();
                }
                continue;
            }
            int first = (int) Math.min(n, (pos / GRANULE + 1) * GRANULE - pos);
            head.clear().limit(first);
            dev.read(pos, head);
            if (!Zeros.isZeroRange(head, 0, first)) {
                if (out.add(pos, n, 0)) {
                    return out.toArray();
                }
                continue;
            }
            ByteBuffer buf = head;
            if (n > first) {
                if (whole == null) {
                    whole = ByteBuffer.allocate((int) Math.min(BLOCK, end - offset));
                }
                buf = whole;
                buf.clear().limit(n);
                dev.read(pos, buf);
            }
            for (int i = 0; i < n; ) {
                long at = pos + i;
                int g = (int) Math.min(n - i, (at / GRANULE + 1) * GRANULE - at);
                if (out.add(at, g, Zeros.isZeroRange(buf, i, g) ? Nbd.STATE_ZERO : 0)) {
                    return out.toArray();
                }
                i += g;
            }
        }
        return out.finish(end);
    }

    /** Extents built from consecutive runs, equal flags merged; with {@code reqOne}, done at the first change. */
    private static final class Runs {
        private final Extents out;
        private final boolean reqOne;
        private long runStart = -1;
        private int runFlags;

        Runs(int id, boolean reqOne) {
            this.out = new Extents(id);
            this.reqOne = reqOne;
        }

        /** Adds [at, at+length) with {@code flags}; true when the answer is complete (reqOne, first extent ended). */
        boolean add(long at, long length, int flags) {
            if (runStart < 0) {
                runStart = at;
                runFlags = flags;
            } else if (flags != runFlags) {
                out.add(at - runStart, runFlags);
                if (reqOne) {
                    return true;
                }
                runStart = at;
                runFlags = flags;
            }
            return false;
        }

        int[] toArray() {
            return out.toArray();
        }

        /** The extents, the last run ending at {@code end}. */
        int[] finish(long end) {
            out.add(end - runStart, runFlags);
            return out.toArray();
        }
    }

    /**
     * A track context over [offset, offset+length) (length > 0): runs of tracks with equal flags, the
     * first from {@code offset}, the last to the range's end, over at most {@link #MAX_TRACKS}
     * tracks; with {@code reqOne} only the first run.
     */
    static int[] tracks(TrackContext ctx, int id, long offset, long length, boolean reqOne) throws IOException {
        TrackContext.Flags f = ctx.now();
        long ts = ctx.trackSize();
        Extents out = new Extents(id);
        long t = offset / ts;
        long end = Math.min(offset + length, (t + MAX_TRACKS) * ts);
        long runStart = offset;
        int runFlags = f.of(t);
        for (long boundary = (t + 1) * ts; boundary < end; boundary += ts) {
            int flags = f.of(boundary / ts);
            if (flags != runFlags) {
                out.add(boundary - runStart, runFlags);
                if (reqOne) {
                    return out.toArray();
                }
                runStart = boundary;
                runFlags = flags;
            }
        }
        out.add(end - runStart, runFlags);
        return out.toArray();
    }
}
