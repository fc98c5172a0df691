package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.LargestAllocation;

/**
 * A snapshot's copy-before-write on a pool whose tracks are larger than the copy's buffer (16 MiB):
 * the buffer was sized for runs of tracks and capped at 16 MiB, and a 32 MiB track did not fit in
 * it, so the first host write into a track to save failed (IndexOutOfBoundsException) instead of
 * saving the track and going on. Now a track larger than the buffer is saved in pieces of it.
 */
class SnapshotLargeTrackTest {

    private static final int TRACK = 32 << 20;

    @TempDir
    Path tmp;

    @Test
    void aHostWriteIntoATrackLargerThanTheCopyBufferSavesItInPieces() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("p"), TRACK, 64L << 20);
        try (Pool p = Pool.open(dir)) {
            p.snapshots().setSaveArea("save");
            int size = (int) p.volume("v").size();
            byte[] a = new byte[size];
            new Random(1).nextBytes(a);
            p.device("v").write(0, ByteBuffer.wrap(a));
            p.snapshots().create("v", "s1");

            byte[] small = new byte[4096];
            java.util.Arrays.fill(small, (byte) 5);
            long largest = LargestAllocation.during(() -> p.device("v").write(TRACK + 12345L, ByteBuffer.wrap(small)));
            assertThat(largest).as("the largest buffer saving a 32 MiB track before a host write").isLessThan(17L << 20); // the 16 MiB buffer and its header

            byte[] b = a.clone();
            System.arraycopy(small, 0, b, TRACK + 12345, small.length);
            byte[] now = new byte[size];
            p.device("v").read(0, ByteBuffer.wrap(now));
            assertThat(now).isEqualTo(b);
            byte[] then = new byte[size];
            p.device("v@s1").read(0, ByteBuffer.wrap(then));
            assertThat(then).as("the snapshot keeps the track as it was").isEqualTo(a);
            assertThat(p.snapshots().get("v", "s1").state()).isNotEqualTo(SnapshotAdmin.INVALID);
        }
    }
}
