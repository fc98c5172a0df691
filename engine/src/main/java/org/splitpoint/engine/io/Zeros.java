package org.splitpoint.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Zero bytes for the places that must carry them, and zero tests.
 *
 * <p>Design. A zeroing ({@link BlockDevice#writeZeroes}) needs no buffer as long as the layer
 * below can zero by itself (a file punches a hole); but some layers must be handed the bytes a
 * write would have carried: a staged journal's entry, a service window's data log, a logging
 * repository, a device that can only write. They get them from one shared, read-only, direct
 * megabyte of zeros, a megabyte at a time, so a zeroing of gigabytes never allocates gigabytes.
 */
public final class Zeros {

    /** The most zero bytes handed out at once. */
    public static final int CHUNK = 1 << 20;

    /**
     * The least bytes of one file worth giving back (or zeroing in place) with one call below the
     * JVM (see {@code Fallocate}: a process start); smaller zeroings are written, or skipped where
     * the bytes are zero already.
     */
    public static final long DEALLOCATE_MIN = 1 << 20;

    /** Ranges given back are aligned to this (a file-system block); the ends beyond are written. */
    public static final long DEALLOCATE_ALIGN = 4096;

    // one cache line into a page, never on one (where the JVM starts direct buffers on pages): zeros written stay buffered
    private static final ByteBuffer ZERO = BufferStash.lineBuffer(CHUNK).asReadOnlyBuffer();

    private Zeros() {
    }

    /**
     * How drive images are given ranges back now: "fallocate(2)" (a direct call, the JVM has the
     * foreign API enabled) or "util-linux fallocate" (a child process); see {@code Fallocate}.
     */
    public static String deallocator() {
        return Fallocate.isNative() ? "fallocate(2)" : "util-linux fallocate";
    }

    /** What takes zeros piece by piece: {@code zeros} are the bytes for [offset, offset + zeros.remaining()). */
    public interface Sink {
        void accept(long offset, ByteBuffer zeros) throws IOException;
    }

    /** A read-only buffer of {@code n} zero bytes (n at most {@link #CHUNK}), position 0. */
    public static ByteBuffer of(int n) {
        if (n < 0 || n > CHUNK) {
            throw new IllegalArgumentException("zero buffer of " + n + " bytes (at most " + CHUNK + ")");
        }
        return ZERO.duplicate().limit(n);
    }

    /** Hands [offset, offset+length) to {@code sink} as zeros, in order, at most {@link #CHUNK} bytes at a time. */
    public static void inChunks(long offset, long length, Sink sink) throws IOException {
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(CHUNK, length - done);
            sink.accept(offset + done, of(n));
            done += n;
        }
    }

    /** True when every byte of {@code b} from its position to its limit is zero (the buffer is not moved). */
    public static boolean isZero(ByteBuffer b) {
        return isZeroRange(b, b.position(), b.remaining());
    }

    /** True when the {@code len} bytes of {@code b} at index {@code from} are all zero (the buffer is not moved). */
    public static boolean isZeroRange(ByteBuffer b, int from, int len) {
        int i = from;
        int end = from + len;
        for (; i + 8 <= end; i += 8) {
            if (b.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < end; i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static final byte[] ZERO_BYTES = new byte[1 << 16];

    /** True when {@code len} bytes of {@code a} from {@code off} are all zero (compared a vector at a time). */
    public static boolean isZero(byte[] a, int off, int len) {
        for (int i = 0; i < len; i += ZERO_BYTES.length) {
            int n = Math.min(ZERO_BYTES.length, len - i);
            if (!java.util.Arrays.equals(a, off + i, off + i + n, ZERO_BYTES, 0, n)) {
                return false;
            }
        }
        return true;
    }
}
