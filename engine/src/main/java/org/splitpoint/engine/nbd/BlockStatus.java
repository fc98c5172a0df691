package org.splitpoint.engine.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.Zeros;

/**
 * The extents of NBD_CMD_BLOCK_STATUS, per metadata context.
 *
 * <p>Design. {@code base:allocation} is answered by reading: a volume is striped or mirrored over
 * sparse images, and below it may be a pair or a restore, so no layer can say cheaply which bytes
 * are unallocated, but every layer can read them (reading holes of a sparse image moves no disk
 * data). 4 KiB granules that read as zeros are reported {@code NBD_STATE_ZERO}; {@code
 * NBD_STATE_HOLE} is never reported, since nothing here knows a range is unallocated (the spec
 * allows reporting allocated for anything). Reading costs what the client's own read of the data
 * costs, and a copying client (nbdcopy, qemu-img convert) asks before it reads: so a 1 MiB block
 * whose first granule holds data is reported as data unread (zeros inside it are copied as data),
 * and only blocks that start with zeros are read whole, to find where the zeros end. The work is
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
     * {@link #SCAN_MAX} bytes, a {@link #BLOCK} (aligned) at a time: a block whose first granule
     * holds data is reported as data without reading more of it; any other block is read whole and
     * reported granule by granule (zero or data). With {@code reqOne} only the first extent.
     */
    static int[] allocation(BlockDevice dev, int id, long offset, long length, boolean reqOne) throws IOException {
        Extents out = new Extents(id);
        long end = offset + Math.min(length, SCAN_MAX);
        // the first granule of a block in a buffer of its own; a block's buffer only for a block
        // that starts with zeros: a copy of a full volume asks about every MiB, and a 1 MiB heap
        // buffer per request (a humongous object for G1, zeroed, then collected) was most of what
        // a cold nbdcopy read allocated (bench/notes/nbd-profile-2026-12-03.txt)
        ByteBuffer head = ByteBuffer.allocate(GRANULE);
        ByteBuffer whole = null;
        // the blocks' first granules are read one after the other below: asked for at once first,
        // a cold volume fetches them side by side (eight 4 KiB disk reads in series had held up a
        // cold nbdcopy, which asks before it reads every 8 MiB)
        for (long pos = offset; pos < end; pos = Math.min(end, (pos / BLOCK + 1) * BLOCK)) {
            dev.willRead(pos, Math.min(end - pos, (pos / GRANULE + 1) * GRANULE - pos));
        }
        long runStart = offset;
        int runFlags = -1;
        for (long pos = offset; pos < end; ) {
            long blockEnd = Math.min(end, (pos / BLOCK + 1) * BLOCK);
            int first = (int) Math.min(blockEnd - pos, (pos / GRANULE + 1) * GRANULE - pos);
            head.clear().limit(first);
            dev.read(pos, head);
            boolean data = !Zeros.isZeroRange(head, 0, first);
            int n = (int) (blockEnd - pos);
            ByteBuffer buf = head;
            if (!data && n > first) {
                if (whole == null) {
                    whole = ByteBuffer.allocate((int) Math.min(BLOCK, end - offset));
                }
                buf = whole;
                buf.clear().limit(n);
                dev.read(pos, buf);
            }
            for (int i = 0; i < n; ) {
                long at = pos + i;
                int g = data ? n : (int) Math.min(n - i, (at / GRANULE + 1) * GRANULE - at);
                int flags = !data && Zeros.isZeroRange(buf, i, g) ? Nbd.STATE_ZERO : 0;
                if (runFlags < 0) {
                    runFlags = flags;
                } else if (flags != runFlags) {
                    out.add(at - runStart, runFlags);
                    if (reqOne) {
                        return out.toArray();
                    }
                    runStart = at;
                    runFlags = flags;
                }
                i += g;
            }
            pos = blockEnd;
        }
        out.add(end - runStart, runFlags);
        return out.toArray();
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
