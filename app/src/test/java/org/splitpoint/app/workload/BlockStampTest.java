package org.splitpoint.app.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Self-describing blocks say what is wrong with them. */
class BlockStampTest {

    private static ByteBuffer unit(long offset, int gen) {
        ByteBuffer b = ByteBuffer.allocate(BlockStamp.UNIT);
        BlockStamp.fill(b, offset, gen);
        b.flip();
        return b;
    }

    @Test
    void aUnitChecksAgainstItsOwnOffsetAndGeneration() {
        assertThat(BlockStamp.check(unit(8192, 7), 8192, 7)).isNull();
    }

    @Test
    void anOlderGenerationIsALostWrite() {
        assertThat(BlockStamp.check(unit(8192, 6), 8192, 7))
                .isEqualTo("the block at 8192 holds generation 6, expected 7 (an older write: a write was lost)");
    }

    @Test
    void anotherOffsetsDataIsNamed() {
        assertThat(BlockStamp.check(unit(4096, 7), 8192, 7)).isEqualTo("the block at 8192 holds the data of offset 4096");
    }

    @Test
    void aFlippedPayloadByteIsATornBlock() {
        ByteBuffer b = unit(0, 3);
        b.put(1000, (byte) (b.get(1000) ^ 1));
        assertThat(BlockStamp.check(b, 0, 3)).isEqualTo("the block at 0 (generation 3) is torn at byte 1000");
    }
}
