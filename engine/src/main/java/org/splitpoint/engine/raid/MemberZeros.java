package org.splitpoint.engine.raid;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.splitpoint.engine.io.Zeros;

/**
 * Makes member rows read as zeros with as little I/O as it can: the aligned body of a large range is
 * given back to the image file (or zeroed in place), and the rest is written with zeros only where it
 * is not zero already, so zeroing zeros writes nothing. Used by every layout's zeroing of whole rows.
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
            zeroWhereNotZero(m, row, a - row);
            m.zeroRange(a, b - a, mayUnmap);
            zeroWhereNotZero(m, b, end - b);
        } else {
            zeroWhereNotZero(m, row, len);
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
