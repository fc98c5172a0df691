package org.splitpoint.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The one abstraction of the data path. Drive images, RAID volumes, and later a pair's restore
 * view or a snapshot are block devices that stack, as device-mapper targets and nbdkit filters do.
 *
 * <p>Offsets and lengths are in bytes and need no alignment: implementations split unaligned
 * requests into head, body and tail themselves. A write is acknowledged (durable) only after a
 * subsequent {@link #flush()} returned.
 */
public interface BlockDevice extends AutoCloseable {

    /** Size of the device in bytes; constant for the life of the device. */
    long size();

    /** Fills {@code dst} from its position to its limit with the bytes at {@code offset}. */
    void read(long offset, ByteBuffer dst) throws IOException;

    /**
     * A hint: [offset, offset+length) will be read soon. A device that fetches ahead of its reads
     * itself (a parity volume, whose members read without the kernel's read-ahead) may start
     * fetching it now, without waiting; by default nothing is done.
     */
    default void willRead(long offset, long length) {
    }

    /**
     * What is known of [offset, offset+length) without reading it: holes beneath ({@link Peek#ZEROS}),
     * or data not in the page cache ({@link Peek#COLD_DATA}). A hint for a client's question about
     * allocation, which may always be answered "data"; {@link Peek#ZEROS} must be true, since the
     * client then skips the bytes. By default, and where any layer cannot tell: {@link Peek#UNKNOWN}.
     */
    default Peek peek(long offset, long length) {
        return Peek.UNKNOWN;
    }

    /** Writes {@code src} from its position to its limit at {@code offset}. */
    void write(long offset, ByteBuffer src) throws IOException;

    /** Makes every write that returned before this call durable. */
    void flush() throws IOException;

    /**
     * Writes data that the caller's own durable map will have written again if a crash comes
     * before the next flush (an instant restore's tracks still owed: their clears commit only after
     * a flush). A device may skip its own crash bookkeeping for it; by default it is a plain write.
     */
    default void writeRefill(long offset, ByteBuffer src) throws IOException {
        write(offset, src);
    }

    /**
     * Makes [offset, offset+length) read as zeros: a write of zeros in every respect (acknowledged
     * the same way, durable after a flush, seen by every layer that watches writes), which a device
     * may carry out without moving zero bytes. {@code mayUnmap}: the space under the range may be
     * given back (holes punched in the drive images; a TRIM, or a zeroing without NO_HOLE); false:
     * it stays allocated, so later writes there cannot fail for space. By default the zeros are
     * written, a megabyte at a time.
     */
    default void writeZeroes(long offset, long length, boolean mayUnmap) throws IOException {
        checkRange("zeroing", size(), offset, length);
        Zeros.inChunks(offset, length, this::write);
    }

    /**
     * True when {@link #writeZeroes} of the range (space given back) is clearly cheaper than writing
     * the zeros (the NBD fast-zero question); false when it would write them, or cannot tell in advance.
     */
    default boolean zeroesFast(long offset, long length) {
        return zeroesFast(offset, length, true);
    }

    /** {@link #zeroesFast(long, long)} for a zeroing that may give space back or ({@code mayUnmap} false, NO_HOLE) not. */
    default boolean zeroesFast(long offset, long length, boolean mayUnmap) {
        return false;
    }

    /**
     * Bytes a large write should start and end on to be written whole, without reading back what
     * it does not cover (a parity volume's stripe of data); 1 when any write is.
     */
    default long wholeWriteUnit() {
        return 1;
    }

    @Override
    default void close() throws IOException {
    }

    /** Throws a clear error when [offset, offset+length) is not inside a device of {@code size}. */
    static void checkRange(String what, long size, long offset, long length) {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new IllegalArgumentException(what + ": range " + offset + "+" + length
                    + " is outside the device (size " + size + " bytes)");
        }
    }
}
