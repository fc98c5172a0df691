package org.splitpoint.engine.log;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C helpers, chiefly {@link #combine}: the CRC of A followed by B from the CRCs of A and of B
 * and B's length. A journal entry's CRC covers its header, which differs from leg to leg (each
 * leg has its own epoch), and then its bytes, which do not: the bytes are summed once per write,
 * not once per leg, and never copied to be summed.
 *
 * <p>The arithmetic is zlib's {@code crc32_combine} (polynomials over GF(2) modulo the CRC's, in
 * the reflected bit order), with the Castagnoli polynomial.
 */
public final class Crc32c {

    private static final int POLY = 0x82F63B78; // Castagnoli, reflected
    /**
     * X2N[k] = x^(2^k) modulo the polynomial, for every k a length in bits can need (zlib keeps 32
     * and wraps, which holds for its polynomial's order, not for Castagnoli's: lengths of 2^29
     * bytes and more came out wrong).
     */
    private static final int[] X2N = new int[64];

    static {
        int p = 1 << 30; // x^1
        X2N[0] = p;
        for (int n = 1; n < X2N.length; n++) {
            X2N[n] = p = multiply(p, p);
        }
    }

    private Crc32c() {
    }

    /** The CRC32C of {@code b}'s remaining bytes (its position does not move). */
    public static int of(ByteBuffer b) {
        CRC32C c = new CRC32C();
        c.update(b.duplicate());
        return (int) c.getValue();
    }

    /** The CRC32C of A followed by B, given crc(A), crc(B) and B's length. */
    public static int combine(int crcA, int crcB, long lengthB) {
        return multiply(xPow8n(lengthB), crcA) ^ crcB;
    }

    /** a(x) * b(x) modulo the polynomial (reflected: the bit for x^0 is the top one). */
    private static int multiply(int a, int b) {
        int m = 1 << 31;
        int p = 0;
        while (true) {
            if ((a & m) != 0) {
                p ^= b;
                if ((a & (m - 1)) == 0) {
                    break;
                }
            }
            m >>>= 1;
            b = (b & 1) != 0 ? (b >>> 1) ^ POLY : b >>> 1;
        }
        return p;
    }

    /** x^(8n) modulo the polynomial: the operator that appends n zero bytes. */
    private static int xPow8n(long n) {
        int p = 1 << 31; // x^0
        int k = 3;
        while (n != 0) {
            if ((n & 1) != 0) {
                p = multiply(X2N[k], p);
            }
            n >>>= 1;
            k++;
        }
        return p;
    }
}
