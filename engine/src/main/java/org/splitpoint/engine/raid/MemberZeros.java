package org.splitpoint.engine.raid;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.splitpoint.engine.io.Zeros;

/**
 * Makes member rows read as zeros with as little I/O as it can: the aligned body of a large range is
 * given back to the image file (or zeroed in place), and the rest is written with zeros only where it
 * is not zero already, so zeroing zeros writes nothing. Used by every layout's zeroing of whole rows.
 *
 * <p>Except for a zeroing that must leave the rows allocated (NBD's NO_HOLE: "the area MUST be fully
 * provisioned", so later writes there cannot fail for space): rows that read as zeros may be a hole
 * of the sparse image, so the rest is written with zeros whatever it holds, and the body is zeroed in
 * place, which allocates what was a hole.
 */
final class MemberZeros {

    private MemberZeros() {
    }

    /**
     * Makes member rows [row, row+len) of {@code m} read as zeros: the aligned body of a large
     * range is given back to the image file (or zeroed in place when {@code mayUnmap} is false); the
     * rest is read and written with zeros only where it is not zero already. The caller holds the
     * rows' lock.
     */
    static void zeroRows(Member m, long row, long len, boolean mayUnmap) throws IOException {
        long end = row + len;
        long a = (row + Zeros.DEALLOCATE_ALIGN - 1) / Zeros.DEALLOCATE_ALIGN * Zeros.DEALLOCATE_ALIGN;
        long b = end / Zeros.DEALLOCATE_ALIGN * Zeros.DEALLOCATE_ALIGN;
        if (b - a >= Zeros.DEALLOCATE_MIN) {
            zeroRest(m, row, a - row, mayUnmap);
            m.zeroRange(a, b - a, mayUnmap);
            zeroRest(m, b, end - b, mayUnmap);
        } else {
            zeroRest(m, row, len, mayUnmap);
        }
    }

    /** Rows not given to fallocate: zeros written where they are not zero, or everywhere when they must stay allocated. */
    private static void zeroRest(Member m, long row, long len, boolean mayUnmap) throws IOException {
        if (mayUnmap) {
            zeroWhereNotZero(m, row, len);
        } else {
            Zeros.inChunks(row, len, m::write); // zeros read from a hole are not allocated: NO_HOLE needs the write
        }
    }

    /** Checks member rows a segment at a time, writing zeros over the segments that are not zero. */
    private static void zeroWhereNotZero(Member m, long row, long len) throws IOException {
        final int segment = 64 * 1024;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(len, Zeros.CHUNK));
        for (long done = 0; done < len; ) {
            int n = (int) Math.min(buf.capacity(), len - done);
            buf.clear().limit(n);
            m.read(row + done, buf);
            for (int at = 0; at < n; at += segment) {
                int k = Math.min(segment, n - at);
                if (!Zeros.isZero(buf.duplicate().position(at).limit(at + k))) {
                    m.write(row + done + at, Zeros.of(k));
                }
            }
            done += n;
        }
    }
}
