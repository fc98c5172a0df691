package org.splitpoint.engine.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.io.BlockDevice;

/**
 * The checks every request passes before it runs, and the commands beyond read, write and flush:
 * NBD_CMD_WRITE_ZEROES, NBD_CMD_TRIM, NBD_CMD_CACHE and NBD_CMD_BLOCK_STATUS.
 *
 * <p>Design. The contract is checked at the boundary, in one place, in the order a mature server
 * checks it (nbdkit's {@code validate_request}): a change to a read-only export is EPERM whatever
 * else is wrong with it; then a length of 0, EINVAL for every command but a flush (nbdkit's range
 * check needs a count above 0, qemu-nbd refuses a block status of 0 bytes, and libnbd sends none:
 * the protocol leaves them unspecified, and one answered success did nothing a client could rely
 * on); then the range (ENOSPC for writes and zeroings past the end, as the
 * protocol asks, else EINVAL); then the flags — any flag the command does not take, or that was
 * not negotiated (DF without structured replies), is EINVAL, never ignored; then what the command
 * needs (structured replies and a selected context for block status). A TRIM is a zeroing that may
 * give space back: after it, the range reads as zeros here (the protocol would allow anything). A
 * WRITE_ZEROES with NO_HOLE leaves the range allocated, and its FAST_ZERO is answered for that:
 * ENOTSUP where the device would write the zeros to keep them allocated (a file system that punches
 * holes but cannot zero in place), before anything is touched.
 */
final class Requests {

    private static final int KNOWN_FLAGS = Nbd.CMD_FLAG_FUA | Nbd.CMD_FLAG_NO_HOLE | Nbd.CMD_FLAG_DF
            | Nbd.CMD_FLAG_REQ_ONE | Nbd.CMD_FLAG_FAST_ZERO;
    /** Bytes a CACHE reads ahead at most (the hint asks for no more than the client will read soon). */
    static final long CACHE_MAX = Nbd.MAX_REQUEST;

    /** Why a request is refused before it runs. */
    record Refusal(int error, String why) { }

    private Requests() {
    }

    /** Null when the request may run, else the error to answer with and a sentence for the client. */
    static Refusal check(Negotiation.Session s, int type, int flags, long offset, long length) {
        Export e = s.export();
        boolean changes = type == Nbd.CMD_WRITE || type == Nbd.CMD_TRIM || type == Nbd.CMD_WRITE_ZEROES;
        if (changes && e.readOnly()) {
            return new Refusal(Nbd.EPERM, "export " + e.name() + " is read-only");
        }
        long size = e.device().size();
        boolean inside = offset >= 0 && offset <= size && length <= size - offset;
        switch (type) {
            case Nbd.CMD_READ, Nbd.CMD_CACHE, Nbd.CMD_TRIM, Nbd.CMD_BLOCK_STATUS -> {
                if (length == 0) {
                    return empty();
                }
                if (!inside) {
                    return new Refusal(Nbd.EINVAL, outside(offset, length, size));
                }
            }
            case Nbd.CMD_WRITE, Nbd.CMD_WRITE_ZEROES -> {
                if (length == 0) {
                    return empty();
                }
                if (!inside) {
                    return new Refusal(Nbd.ENOSPC, outside(offset, length, size));
                }
            }
            case Nbd.CMD_FLUSH -> {
                if (offset != 0 || length != 0) {
                    return new Refusal(Nbd.EINVAL, "a flush takes offset and length 0");
                }
            }
            default -> {
                return new Refusal(Nbd.EINVAL, "unknown command " + type);
            }
        }
        if ((flags & ~KNOWN_FLAGS) != 0) {
            return new Refusal(Nbd.EINVAL, "unknown command flags 0x" + Integer.toHexString(flags & ~KNOWN_FLAGS));
        }
        if ((flags & (Nbd.CMD_FLAG_NO_HOLE | Nbd.CMD_FLAG_FAST_ZERO)) != 0 && type != Nbd.CMD_WRITE_ZEROES) {
            return new Refusal(Nbd.EINVAL, "NO_HOLE and FAST_ZERO are flags of WRITE_ZEROES only");
        }
        if ((flags & Nbd.CMD_FLAG_DF) != 0 && (type != Nbd.CMD_READ || !s.structured())) {
            return new Refusal(Nbd.EINVAL, type != Nbd.CMD_READ ? "DF is a flag of READ only"
                    : "DF needs structured replies, which were not negotiated");
        }
        if ((flags & Nbd.CMD_FLAG_REQ_ONE) != 0 && type != Nbd.CMD_BLOCK_STATUS) {
            return new Refusal(Nbd.EINVAL, "REQ_ONE is a flag of BLOCK_STATUS only");
        }
        if ((type == Nbd.CMD_READ || type == Nbd.CMD_WRITE) && length > Nbd.MAX_REQUEST) {
            return new Refusal(Nbd.EINVAL, "requests carry at most " + Nbd.MAX_REQUEST + " bytes");
        }
        if (type == Nbd.CMD_BLOCK_STATUS) {
            if (!s.structured()) {
                return new Refusal(Nbd.EINVAL, "block status needs structured replies, which were not negotiated");
            }
            if (s.contexts().isEmpty()) {
                return new Refusal(Nbd.EINVAL, "block status needs a metadata context selected (NBD_OPT_SET_META_CONTEXT)");
            }
        }
        return null;
    }

    private static Refusal empty() {
        return new Refusal(Nbd.EINVAL, "a request of 0 bytes names no byte: its length must be 1 or more");
    }

    private static String outside(long offset, long length, long size) {
        return "range " + Long.toUnsignedString(offset) + "+" + length + " is outside the export (size " + size + " bytes)";
    }

    /**
     * WRITE_ZEROES or TRIM; false (nothing done) when FAST_ZERO was asked and the device could not
     * zero the range faster than writing it.
     */
    static boolean zero(BlockDevice dev, int type, int flags, long offset, long length) throws IOException {
        boolean mayUnmap = mayUnmap(type, flags);
        if ((flags & Nbd.CMD_FLAG_FAST_ZERO) != 0 && !dev.zeroesFast(offset, length, mayUnmap)) {
            return false;
        }
        dev.writeZeroes(offset, length, mayUnmap);
        if ((flags & Nbd.CMD_FLAG_FUA) != 0) {
            dev.flush();
        }
        return true;
    }

    /** True when a TRIM or WRITE_ZEROES with {@code flags} may give the space back (a TRIM, or a zeroing without NO_HOLE). */
    static boolean mayUnmap(int type, int flags) {
        return type == Nbd.CMD_TRIM || (flags & Nbd.CMD_FLAG_NO_HOLE) == 0;
    }

    /**
     * CACHE: reads the range ahead (at most {@link #CACHE_MAX} bytes) and drops the bytes, so the
     * members' page cache holds them, and during a restore the tracks are fetched and written behind.
     */
    static void cache(BlockDevice dev, long offset, long length) throws IOException {
        long end = offset + Math.min(length, CACHE_MAX);
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(1 << 20, Math.max(1, end - offset)));
        for (long pos = offset; pos < end; ) {
            int n = (int) Math.min(b.capacity(), end - pos);
            b.clear().limit(n);
            dev.read(pos, b);
            pos += n;
        }
    }

    /** BLOCK_STATUS: one list of extents per selected context (context id first). */
    static List<int[]> blockStatus(Negotiation.Session s, int flags, long offset, long length) throws IOException {
        boolean reqOne = (flags & Nbd.CMD_FLAG_REQ_ONE) != 0;
        List<int[]> out = new ArrayList<>();
        for (MetaContexts.Selected c : s.contexts()) {
            out.add(c.track() == null ? BlockStatus.allocation(s.export().device(), c.id(), offset, length, reqOne)
                    : BlockStatus.tracks(c.track(), c.id(), offset, length, reqOne));
        }
        return out;
    }
}
