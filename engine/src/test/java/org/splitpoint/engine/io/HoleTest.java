package org.splitpoint.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StorageFile#hole} on real files: true only where the file holds no data, which a caller
 * then does not read. Saying "hole" over data would make a RAID 5 write compute parity from zeros
 * in place of a strip's bytes, so the cases that matter are the ones where it must say false:
 * bytes written and not yet written back (delayed allocation), written around the page cache, and
 * any range that is only partly a hole. Skipped where the JVM has no native access.
 */
class HoleTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;
    private StorageFile file;

    @BeforeEach
    void sparseFile() throws Exception {
        assumeTrue(ReadAdvice.available(), "needs --add-modules jdk.incubator.foreign, native access and sun.nio.ch open");
        file = RealStorage.INSTANCE.create(dir.resolve("d1.img"));
        file.setLength(16L * MIB); // sparse: no block (SparseNewImageTest)
        assumeTrue(file.hole(0, 8 * MIB), "this file system does not report holes (SEEK_DATA)");
    }

    @Test
    void bytesWrittenAndNotYetWrittenBackAreNoHole() throws Exception {
        byte[] b = new byte[4096];
        new Random(3).nextBytes(b);
        file.writeFully(MIB + 100, ByteBuffer.wrap(b)); // no force: pages dirty, blocks not yet allocated

        assertThat(file.hole(MIB, 64 << 10)).as("the 64 KiB around the write").isFalse();
        assertThat(file.hole(0, 2 * MIB)).as("a range partly written").isFalse();
        assertThat(file.hole(MIB + 100 + 4096, 4096)).as("the byte after the write's page").isFalse(); // same page
        assertThat(file.hole(0, MIB)).as("the hole before it").isTrue();
        assertThat(file.hole(2 * MIB, 13 * MIB)).as("the hole after it").isTrue();
        assertThat(file.hole(15L * MIB, MIB)).as("the last MiB, which setLength left a hole").isTrue();
        file.force();
        assertThat(file.hole(MIB, 64 << 10)).as("after the force").isFalse();
        file.close();
    }

    @Test
    void manyScatteredWritesAreEachSeen() throws Exception {
        Random rnd = new Random(17);
        boolean[] written = new boolean[255]; // 64 KiB pieces of the file but the last
        ByteBuffer b = ByteBuffer.allocate(512);
        for (int i = 0; i < 40; i++) {
            int piece = rnd.nextInt(written.length);
            written[piece] = true;
            rnd.nextBytes(b.array());
            file.writeFully(piece * 65536L + rnd.nextInt(65536 - 512), b.clear());
        }
        for (int piece = 0; piece < written.length; piece++) {
            assertThat(file.hole(piece * 65536L, 65536)).as("piece %d", piece).isEqualTo(!written[piece]);
        }
        file.close();
    }

    @Test
    void aHoleRunningToTheEndOfTheFileIsAHole() throws Exception {
        StorageFile f = RealStorage.INSTANCE.create(dir.resolve("d2.img"));
        f.writeFully(0, ByteBuffer.wrap(new byte[] {1}));
        // extended by ftruncate, not by a write: no data after the first page (SEEK_DATA: "none")
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(dir.resolve("d2.img").toFile(), "rw")) {
            raf.setLength(4L * MIB);
        }
        assertThat(f.hole(0, 4096)).isFalse();
        assertThat(f.hole(MIB, MIB)).isTrue();
        assertThat(f.hole(3L * MIB, MIB)).isTrue();
        f.close();
    }

    @Test
    void bytesWrittenAroundThePageCacheAreNoHole() throws Exception {
        ByteBuffer aligned = ByteBuffer.allocateDirect(2 * MIB).alignedSlice(4096);
        aligned.limit(MIB);
        while (aligned.hasRemaining()) {
            aligned.put((byte) 7);
        }
        file.writeFully(4L * MIB, aligned.flip()); // a large aligned write: O_DIRECT where the file system takes it
        assertThat(file.hole(4L * MIB, MIB)).isFalse();
        assertThat(file.hole(5L * MIB, MIB)).isTrue();
        file.close();
    }

    @Test
    void aPunchedRangeIsAHoleAgainAndAClosedFileTellsNothing() throws Exception {
        file.writeFully(8L * MIB, ByteBuffer.wrap(new byte[2 * MIB]).put(0, (byte) 1));
        file.force();
        assertThat(file.hole(8L * MIB, 2 * MIB)).isFalse();
        file.zeroRange(8L * MIB, 2 * MIB, true);
        assertThat(file.hole(8L * MIB, 2 * MIB)).as("punched").isTrue();
        file.close();
        assertThat(file.hole(0, MIB)).as("closed: cannot be told").isFalse();
    }
}
