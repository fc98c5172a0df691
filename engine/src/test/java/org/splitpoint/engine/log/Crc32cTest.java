package org.splitpoint.engine.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class Crc32cTest {

    @Test
    void combiningTwoPartsGivesTheCrcOfTheWhole() {
        Random r = new Random(7);
        for (int i = 0; i < 300; i++) {
            byte[] all = new byte[r.nextInt(i < 100 ? 64 : 300_000) + 1];
            r.nextBytes(all);
            int cut = r.nextInt(all.length + 1);
            CRC32C whole = new CRC32C();
            whole.update(all);
            int a = Crc32c.of(ByteBuffer.wrap(all, 0, cut));
            int b = Crc32c.of(ByteBuffer.wrap(all, cut, all.length - cut));
            assertThat(Crc32c.combine(a, b, all.length - cut)).as("length %d cut at %d", all.length, cut)
                    .isEqualTo((int) whole.getValue());
        }
    }

    /** Lengths of 2^29 bytes and more need powers of x past 2^31 bits (zlib's table of 32 wraps). */
    @Test
    void combiningHoldsForSecondPartsOfHalfAGibibyteAndMore() {
        byte[] a = new byte[100];
        new Random(3).nextBytes(a);
        byte[] zeros = new byte[1 << 20];
        for (long lengthB : new long[] {(1L << 29) - 1, 1L << 29, (1L << 29) + 12345, (1L << 30) + 7}) {
            CRC32C whole = new CRC32C();
            whole.update(a);
            CRC32C b = new CRC32C();
            for (long left = lengthB; left > 0; left -= zeros.length) {
                int n = (int) Math.min(zeros.length, left);
                whole.update(zeros, 0, n);
                b.update(zeros, 0, n);
            }
            assertThat(Crc32c.combine(Crc32c.of(ByteBuffer.wrap(a)), (int) b.getValue(), lengthB)).as("length %d", lengthB)
                    .isEqualTo((int) whole.getValue());
        }
    }
}
