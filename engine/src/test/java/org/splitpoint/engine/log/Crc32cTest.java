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
}
