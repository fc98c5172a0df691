package org.splitpoint.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One call for a run of neighbouring member rows read into buffers that lie apart ({@link
 * StorageFile#readWithoutReadAhead(long, ByteBuffer[])}, preadv(2) underneath): the bytes land where
 * each buffer's position says, past the end of the file they are zeros, and a heap buffer, a
 * closed file or too many buffers fall back to one read per buffer, or fail as a read does.
 */
class ScatteredReadTest {

    private static final int KIB = 1 << 10;

    @TempDir
    Path dir;
    private Path image;
    private byte[] bytes;

    @BeforeEach
    void image() throws IOException {
        image = dir.resolve("d1.img");
        bytes = new byte[3 * 1024 * KIB + 1000]; // ends inside a page
        new Random(11).nextBytes(bytes);
        Files.write(image, bytes);
    }

    /** What a run of {@code lengths} from {@code position} must read into each buffer: the file's bytes, zeros past its end. */
    private byte[] expected(long position, int len) {
        byte[] want = new byte[len];
        if (position < bytes.length) {
            System.arraycopy(bytes, (int) position, want, 0, (int) Math.min(len, bytes.length - position));
        }
        return want;
    }

    /** Slices of one large direct buffer, {@code gap} bytes apart, as a volume's destination holds a member's strips. */
    private static ByteBuffer[] slices(ByteBuffer whole, int[] lengths, int gap) {
        ByteBuffer[] out = new ByteBuffer[lengths.length];
        int at = 7; // not aligned
        for (int i = 0; i < lengths.length; i++) {
            out[i] = whole.slice(at, lengths[i] + 5).position(3).limit(3 + lengths[i]);
            at += lengths[i] + 5 + gap;
        }
        return out;
    }

    private void assertRead(long position, ByteBuffer[] dsts, int[] lengths) {
        long pos = position;
        for (int i = 0; i < dsts.length; i++) {
            ByteBuffer d = dsts[i];
            assertEquals(3 + lengths[i], d.position(), "buffer " + i + " filled to its limit");
            byte[] got = new byte[lengths[i]];
            d.get(3, got);
            assertEquals(ByteBuffer.wrap(expected(pos, lengths[i])), ByteBuffer.wrap(got), "buffer " + i + " at " + pos);
            pos += lengths[i];
        }
    }

    @Test
    void oneCallFillsEachBufferWithItsBytes() throws IOException {
        assumeTrue(ReadAdvice.available(), "needs --add-modules jdk.incubator.foreign, native access and sun.nio.ch open");
        int[] lengths = {64 * KIB, 64 * KIB, 64 * KIB, 4096, 1, 777};
        ByteBuffer whole = ByteBuffer.allocateDirect(1024 * KIB);
        ByteBuffer[] dsts = slices(whole, lengths, 128 * KIB);
        try (FileChannel ch = FileChannel.open(image)) {
            ReadAdvice a = ReadAdvice.get();
            long n = a.readv(a.descriptor(ch), 192 * KIB + 13, dsts);
            assertEquals(Arrays.stream(lengths).sum(), n, "one preadv reads the whole run");
            for (ByteBuffer d : dsts) {
                assertEquals(3, d.position(), "readv leaves the positions alone");
                d.position(d.limit());
            }
        }
        assertRead(192 * KIB + 13, dsts, lengths);
    }

    @Test
    void storageFileReadsRunsAnywhereInTheFile() throws IOException {
        Random r = new Random(5);
        ByteBuffer whole = ByteBuffer.allocateDirect(4 * 1024 * KIB);
        try (StorageFile f = RealStorage.INSTANCE.open(image)) {
            for (int round = 0; round < 300; round++) {
                int count = 1 + r.nextInt(6);
                int[] lengths = new int[count];
                for (int i = 0; i < count; i++) {
                    lengths[i] = r.nextBoolean() ? 64 * KIB : 1 + r.nextInt(100 * KIB);
                }
                long position = r.nextInt(bytes.length + 300 * KIB); // past the end now and then
                ByteBuffer[] dsts = slices(whole, lengths, r.nextInt(3) * 64 * KIB);
                for (ByteBuffer d : dsts) {
                    for (int i = d.position(); i < d.limit(); i++) {
                        d.put(i, (byte) 0x5a); // what the read must overwrite, zeros past the end included
                    }
                }
                f.readWithoutReadAhead(position, dsts);
                assertRead(position, dsts, lengths);
            }
        }
    }

    @Test
    void heapBuffersAndLongRunsAreReadOneByOne() throws IOException {
        int[] lengths = new int[NativeAdvice.MAX_IOVECS + 3];
        Arrays.fill(lengths, 4096);
        List<ByteBuffer> mixed = new ArrayList<>();
        for (ByteBuffer d : slices(ByteBuffer.allocateDirect(1024 * KIB), lengths, 0)) {
            mixed.add(mixed.size() == 2 ? ByteBuffer.allocate(4096 + 5).position(3).limit(3 + 4096) : d);
        }
        ByteBuffer[] dsts = mixed.toArray(new ByteBuffer[0]);
        if (ReadAdvice.available()) {
            try (FileChannel ch = FileChannel.open(image)) {
                ReadAdvice a = ReadAdvice.get();
                assertEquals(-1, a.readv(a.descriptor(ch), 0, dsts), "a heap buffer or too many: no call");
                assertEquals(-1, a.readv(a.descriptor(ch), 0, Arrays.copyOfRange(dsts, 1, 3)), "a heap buffer: no call");
            }
        }
        try (StorageFile f = RealStorage.INSTANCE.open(image)) {
            f.readWithoutReadAhead(100, dsts);
        }
        assertRead(100, dsts, lengths);
    }

    @Test
    void aClosedFileRefusesTheRun() throws IOException {
        StorageFile f = RealStorage.INSTANCE.open(image);
        ByteBuffer[] dsts = slices(ByteBuffer.allocateDirect(1024 * KIB), new int[] {64 * KIB, 64 * KIB}, 64 * KIB);
        f.readWithoutReadAhead(0, dsts); // opens the channel without read-ahead
        f.close();
        ByteBuffer[] again = slices(ByteBuffer.allocateDirect(1024 * KIB), new int[] {64 * KIB, 64 * KIB}, 64 * KIB);
        assertThrows(ClosedChannelException.class, () -> f.readWithoutReadAhead(0, again));
    }

    /**
     * A read-only buffer among a run's is refused as one read into it is (FileChannel: "Read-only
     * buffer"), and its bytes are left alone: preadv would write under a read-only view all the same.
     */
    @Test
    void aReadOnlyBufferIsRefusedAndNotWritten() throws IOException {
        ByteBuffer whole = ByteBuffer.allocateDirect(256 * KIB);
        ByteBuffer[] dsts = {whole.slice(0, 64 * KIB), whole.slice(128 * KIB, 64 * KIB).asReadOnlyBuffer()};
        try (StorageFile f = RealStorage.INSTANCE.open(image)) {
            assertThrows(IllegalArgumentException.class, () -> f.readWithoutReadAhead(0, dsts[1]), "one read");
            assertThrows(IllegalArgumentException.class, () -> f.readWithoutReadAhead(0, dsts), "a run");
        }
        for (int i = 128 * KIB; i < 192 * KIB; i++) {
            assertEquals(0, whole.get(i), "byte " + i + " under the read-only view");
        }
    }
}
