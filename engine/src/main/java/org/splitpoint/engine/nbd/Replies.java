package org.splitpoint.engine.nbd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.io.Zeros;

/**
 * Encodes the replies of the transmission phase: simple replies for a client that did not
 * negotiate structured replies, structured reply chunks for one that did.
 *
 * <p>Design. Every reply, whatever its number of chunks, goes out in one gathering write through
 * the connection's {@link Wire} (which serializes replies), so the chunks of one reply are never
 * interleaved with another's, although the protocol would allow it. A structured read is sent as
 * data chunks that point into the read buffer (no copy), with runs of at least {@link #HOLE_MIN}
 * zero bytes sent as hole chunks instead, unless the client asked for one chunk (DF). Errors are
 * error chunks carrying a sentence for the human at the client, at an offset where the failed
 * request has one.
 */
final class Replies {

    /** Where replies go: the parts are written in order, as one reply, with no other reply between. */
    interface Wire {
        /**
         * Queues a reply; {@code done} runs once it was written or dropped (the buffers it points
         * into may be reused from then on). A client that went away is the wire's business.
         */
        void send(Runnable done, ByteBuffer... parts);
    }

    /** Zero runs of a structured read at least this long (and 4 KiB aligned) go as hole chunks. */
    static final int HOLE_MIN = 64 * 1024;
    private static final int GRANULE = 4096;
    private static final int MAX_MESSAGE = 4096;

    private final Wire wire;
    private final boolean structured;

    Replies(Wire wire, boolean structured) {
        this.wire = wire;
        this.structured = structured;
    }

    boolean structured() {
        return structured;
    }

    /** Success with no data (a structured client may get a simple reply when there is no payload). */
    void ok(long handle, Runnable done) {
        wire.send(done, simpleHeader(handle, 0));
    }

    /** Failure with {@code error} (an NBD errno); structured clients also get {@code message}. */
    void error(long handle, int error, String message, Runnable done) {
        if (!structured) {
            wire.send(done, simpleHeader(handle, error));
            return;
        }
        byte[] m = message(message);
        ByteBuffer p = ByteBuffer.allocate(6 + m.length).putInt(error).putShort((short) m.length).put(m).flip();
        wire.send(done, chunkHeader(handle, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_ERROR, p.remaining()), p);
    }

    /** Failure of the part of a request from {@code offset} on (a read, a write, a zeroing). */
    void errorAt(long handle, int error, String message, long offset, Runnable done) {
        if (!structured) {
            wire.send(done, simpleHeader(handle, error));
            return;
        }
        byte[] m = message(message);
        ByteBuffer p = ByteBuffer.allocate(14 + m.length).putInt(error).putShort((short) m.length).put(m)
                .putLong(offset).flip();
        wire.send(done, chunkHeader(handle, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_ERROR_OFFSET, p.remaining()), p);
    }

    /**
     * The bytes of a successful read of {@code offset}: the pieces' positions to limits, one after
     * another. A structured reply is one data chunk with {@code df}, else data and hole chunks,
     * then the end.
     */
    void read(long handle, long offset, ByteBuffer[] pieces, boolean df, Runnable done) {
        List<ByteBuffer> parts = new ArrayList<>();
        if (!structured) {
            parts.add(simpleHeader(handle, 0));
            for (ByteBuffer p : pieces) {
                parts.add(p);
            }
            wire.send(done, parts.toArray(ByteBuffer[]::new));
            return;
        }
        long total = 0;
        for (ByteBuffer p : pieces) {
            total += p.remaining();
        }
        if (total > 0 && df) {
            parts.add(chunkHeader(handle, 0, Nbd.REPLY_TYPE_OFFSET_DATA, (int) (8 + total)));
            parts.add(ByteBuffer.allocate(8).putLong(0, offset));
            for (ByteBuffer p : pieces) {
                parts.add(p.duplicate());
            }
        } else {
            long at = offset;
            for (ByteBuffer p : pieces) {
                addChunks(parts, handle, at, p);
                at += p.remaining();
            }
        }
        parts.add(chunkHeader(handle, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_NONE, 0));
        wire.send(done, parts.toArray(ByteBuffer[]::new));
    }

    /** Data and hole chunks for {@code data} (position to limit) at {@code offset}. */
    private static void addChunks(List<ByteBuffer> parts, long handle, long offset, ByteBuffer data) {
        int start = data.position();
        int end = data.limit();
        int pos = start;
        int runStart = start;
        while (pos < end) {
            int holeEnd = zeroRunEnd(data, offset, start, pos, end);
            if (holeEnd > pos) {
                if (pos > runStart) {
                    addData(parts, handle, offset + (runStart - start), data.slice(runStart, pos - runStart));
                }
                ByteBuffer p = ByteBuffer.allocate(12).putLong(offset + (pos - start)).putInt(holeEnd - pos).flip();
                parts.add(chunkHeader(handle, 0, Nbd.REPLY_TYPE_OFFSET_HOLE, 12));
                parts.add(p);
                pos = holeEnd;
                runStart = pos;
            } else {
                pos = nextGranule(offset, start, pos, end);
            }
        }
        if (end > runStart) {
            addData(parts, handle, offset + (runStart - start), data.slice(runStart, end - runStart));
        }
    }

    /** The buffer index after the granule holding {@code pos} (granules are aligned to device offsets). */
    private static int nextGranule(long offset, int start, int pos, int end) {
        long dev = offset + (pos - start);
        long next = (dev / GRANULE + 1) * GRANULE;
        return (int) Math.min(end, pos + (next - dev));
    }

    /**
     * When a zero run of at least {@link #HOLE_MIN} bytes, made of whole aligned granules, starts at
     * {@code pos}, the index where it ends; else {@code pos}.
     */
    private static int zeroRunEnd(ByteBuffer data, long offset, int start, int pos, int end) {
        if ((offset + (pos - start)) % GRANULE != 0) {
            return pos;
        }
        int p = pos;
        while (p + GRANULE <= end && Zeros.isZeroRange(data, p, GRANULE)) {
            p += GRANULE;
        }
        return p - pos >= HOLE_MIN ? p : pos;
    }

    private static void addData(List<ByteBuffer> parts, long handle, long offset, ByteBuffer bytes) {
        parts.add(chunkHeader(handle, 0, Nbd.REPLY_TYPE_OFFSET_DATA, 8 + bytes.remaining()));
        parts.add(ByteBuffer.allocate(8).putLong(0, offset));
        parts.add(bytes.duplicate());
    }

    /** One block-status chunk per selected context, in the order given, the last one ending the reply. */
    void blockStatus(long handle, List<int[]> idAndExtents, Runnable done) {
        List<ByteBuffer> parts = new ArrayList<>();
        for (int i = 0; i < idAndExtents.size(); i++) {
            int[] c = idAndExtents.get(i); // id, then (length, flags) pairs
            ByteBuffer p = ByteBuffer.allocate(4 * c.length);
            for (int v : c) {
                p.putInt(v);
            }
            p.flip();
            int flags = i == idAndExtents.size() - 1 ? Nbd.REPLY_FLAG_DONE : 0;
            parts.add(chunkHeader(handle, flags, Nbd.REPLY_TYPE_BLOCK_STATUS, p.remaining()));
            parts.add(p);
        }
        wire.send(done, parts.toArray(ByteBuffer[]::new));
    }

    private static ByteBuffer simpleHeader(long handle, int error) {
        return ByteBuffer.allocate(16).putInt(Nbd.SIMPLE_REPLY_MAGIC).putInt(error).putLong(handle).flip();
    }

    private static ByteBuffer chunkHeader(long handle, int flags, int type, int length) {
        return ByteBuffer.allocate(20).putInt(Nbd.STRUCTURED_REPLY_MAGIC).putShort((short) flags).putShort((short) type)
                .putLong(handle).putInt(length).flip();
    }

    /** A message as UTF-8 of at most 4096 bytes, cut on a character boundary. */
    private static byte[] message(String message) {
        String m = message == null ? "" : message;
        byte[] b = m.getBytes(StandardCharsets.UTF_8);
        if (b.length <= MAX_MESSAGE) {
            return b;
        }
        int n = MAX_MESSAGE;
        while (n > 0 && (b[n] & 0xc0) == 0x80) {
            n--; // not in the middle of a character
        }
        return java.util.Arrays.copyOf(b, n);
    }
}
