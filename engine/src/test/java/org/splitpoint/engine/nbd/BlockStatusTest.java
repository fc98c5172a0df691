package org.splitpoint.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.Peek;

/**
 * base:allocation ({@link BlockStatus#allocation}) asks the device what it knows unread before it
 * reads: blocks of holes are zeros and blocks of cold data are data, neither read; other blocks are
 * read as before. A cold copy through nbdcopy had read the first 4 KiB of every MiB ahead of the
 * client's own read of it (bench/notes/nbd-block-status-2026-12-04.txt).
 */
class BlockStatusTest {

    private static final int MIB = 1 << 20;

    /** 8 MiB of bytes with a peek answer per MiB; reads recorded as {offset, length}. */
    private static final class PeekingDevice implements BlockDevice {
        final byte[] bytes = new byte[8 * MIB];
        final Peek[] peeks = new Peek[8];
        final List<long[]> reads = new ArrayList<>();

        PeekingDevice() {
            Arrays.fill(peeks, Peek.UNKNOWN);
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public Peek peek(long offset, long length) {
            assertThat(offset / MIB).as("a peek within one block").isEqualTo((offset + length - 1) / MIB);
            return peeks[(int) (offset / MIB)];
        }

        @Override
        public void read(long offset, ByteBuffer dst) {
            reads.add(new long[] {offset, dst.remaining()});
            dst.put(bytes, (int) offset, dst.remaining());
        }

        @Override
        public void write(long offset, ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void flush() {
        }
    }

    /** The (length, flags) pairs of an answer, without its context id. */
    private static List<long[]> extents(int[] answer) {
        List<long[]> out = new ArrayList<>();
        for (int i = 1; i < answer.length; i += 2) {
            out.add(new long[] {answer[i], answer[i + 1]});
        }
        return out;
    }

    @Test
    void blocksTheDeviceKnowsAreAnsweredUnreadAndTheOthersRead() throws Exception {
        PeekingDevice d = new PeekingDevice();
        d.peeks[0] = Peek.ZEROS;
        d.peeks[1] = Peek.ZEROS;
        d.peeks[2] = Peek.COLD_DATA;
        d.peeks[3] = Peek.COLD_DATA;
        d.bytes[4 * MIB + 3 * 4096] = 7;   // block 4: zeros, then data in its fourth granule
        d.bytes[5 * MIB] = 1;              // block 5: data from its first byte
        d.peeks[6] = Peek.ZEROS;           // block 6: holes
        // block 7 unknown and all zeros

        List<long[]> e = extents(BlockStatus.allocation(d, 5, 0, 8L * MIB, false));

        assertThat(e).containsExactly(
                new long[] {2L * MIB, Nbd.STATE_ZERO},
                new long[] {2L * MIB, 0},
                new long[] {3 * 4096, Nbd.STATE_ZERO},
                new long[] {4096, 0},
                new long[] {MIB - 4 * 4096, Nbd.STATE_ZERO},
                new long[] {MIB, 0},
                new long[] {2L * MIB, Nbd.STATE_ZERO});
        assertThat(d.reads).as("reads: blocks 4, 5 and 7 only").allMatch(r -> r[0] / MIB == 4 || r[0] / MIB == 5 || r[0] / MIB == 7);
        assertThat(d.reads.stream().filter(r -> r[0] / MIB == 5)).as("a block starting with data: its first granule only")
                .singleElement().satisfies(r -> assertThat(r).containsExactly(5L * MIB, 4096));
    }

    @Test
    void oneExtentOnlyWhenAskedForOne() throws Exception {
        PeekingDevice d = new PeekingDevice();
        d.peeks[0] = Peek.COLD_DATA;
        d.peeks[1] = Peek.COLD_DATA;
        d.peeks[2] = Peek.ZEROS;
        List<long[]> e = extents(BlockStatus.allocation(d, 5, 0, 8L * MIB, true));
        assertThat(e).containsExactly(new long[] {2L * MIB, 0});
        assertThat(d.reads).isEmpty();
    }

    @Test
    void anUnalignedRangeIsAnsweredForWhatItCovers() throws Exception {
        PeekingDevice d = new PeekingDevice();
        d.peeks[1] = Peek.ZEROS;
        d.bytes[MIB - 1] = 9;
        List<long[]> e = extents(BlockStatus.allocation(d, 5, MIB - 4096, MIB + 8192, false));
        assertThat(e).as("a known block's zeros and a read block's merge").containsExactly(new long[] {4096, 0}, new long[] {MIB + 4096, Nbd.STATE_ZERO});
    }
}
