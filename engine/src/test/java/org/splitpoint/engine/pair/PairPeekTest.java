package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.PageCacheProbe;
import org.splitpoint.engine.io.Peek;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * What a pair's sides tell unread for NBD block status ({@link BlockDevice#peek}), through the
 * pool's host view: each side's own volume, except the STD while a restore runs, whose tracks still
 * to restore read from the BCV: there it tells nothing, and block status reads.
 */
class PairPeekTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void aSideTellsWhatItsVolumeHoldsExceptTheStdDuringARestore() throws Exception {
        assumeTrue(PageCacheProbe.available(), "needs --add-modules jdk.incubator.foreign, native access and sun.nio.ch open");
        PairFixture.create(dir, Layout.RAID1, 16L * MIB, 65536, 1);
        try (Pool pool = Pool.open(dir)) {
            BlockDevice std = pool.device("std");
            BlockDevice bcv = pool.device("bcv");
            assumeTrue(std.peek(0, MIB) == Peek.ZEROS, "this file system does not report holes (SEEK_DATA)");
            assertThat(pool.pairs().establish("p1", true).await(60_000)).isTrue();
            pool.pairs().split(List.of("p1"));
            byte[] image = new byte[4 * MIB];
            new Random(4).nextBytes(image);
            bcv.write(0, ByteBuffer.wrap(image)); // the split BCV takes data where the STD has holes
            assertThat(bcv.peek(0, MIB)).as("the BCV's data, cached").isEqualTo(Peek.UNKNOWN);
            assertThat(std.peek(0, MIB)).as("the STD's holes").isEqualTo(Peek.ZEROS);

            pool.pairs().restore("p1", true, true, 1); // 1 byte/s: the tracks stay to restore
            assertThat(std.peek(0, MIB)).as("the STD restoring: its tracks read from the BCV").isEqualTo(Peek.UNKNOWN);
            byte[] back = new byte[MIB];
            std.read(0, ByteBuffer.wrap(back));
            assertThat(back).isEqualTo(java.util.Arrays.copyOf(image, MIB));
        }
    }
}
