package org.splitpoint.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel advice RAID 5 members read with (engine surefire runs with the flags the launcher gives
 * serve and the app): a channel without read-ahead reads what it is asked and nothing more, while a
 * plain channel's read-ahead fetches past it; a WILLNEED hint fetches a range; the probe tells a
 * cached byte from one that is not. Skipped where the JVM has no native access.
 */
class ReadAdviceTest {

    private static final int MIB = 1 << 20;
    private static final int STRIP = 64 << 10;

    /** From the data strip at {@code at} to the next one: the next row, or past a parity strip every fourth row. */
    private static long strip(long at) {
        return at / STRIP % 4 == 2 ? 2 * STRIP : STRIP;
    }

    @TempDir
    Path dir;
    private Path image;
    private byte[] bytes;

    @BeforeEach
    void cold() throws IOException {
        assumeTrue(ReadAdvice.available(), "needs --add-modules jdk.incubator.foreign, native access and sun.nio.ch open");
        image = dir.resolve("d1.img");
        bytes = new byte[8 * MIB];
        new Random(7).nextBytes(bytes);
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        evict();
    }

    /** Written back and forced above, the file's pages are clean: DONTNEED drops them. */
    private void evict() throws IOException {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            ReadAdvice a = ReadAdvice.get();
            int fd = a.descriptor(ch);
            assertTrue(a.dontNeed(fd, 0, 0));
            long left = NativeAdvice.cachedPages(fd, 0, bytes.length);
            assumeTrue(left == 0, "the page cache kept " + left + " pages (the file system ignores DONTNEED)");
        }
    }

    /** Whether the page holding {@code position} is in the page cache {@code settleMs} from now, when the reads in flight have ended. */
    private boolean cached(long position, long settleMs) throws IOException, InterruptedException {
        Thread.sleep(settleMs);
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            ReadAdvice a = ReadAdvice.get();
            return a.cached(a.descriptor(ch), position);
        }
    }

    @Test
    void readsWithoutReadAheadFetchOnlyWhatTheyAsk() throws IOException, InterruptedException {
        try (StorageFile f = RealStorage.INSTANCE.open(image)) {
            ByteBuffer dst = ByteBuffer.allocateDirect(STRIP);
            for (long at = 0; at < 4 * MIB; at += strip(at)) { // a 4-drive RAID 5 member's data strips
                dst.clear();
                f.readWithoutReadAhead(at, dst);
                dst.flip();
                assertEquals(ByteBuffer.wrap(bytes, (int) at, dst.capacity()), dst);
                if (strip(at) > STRIP) {
                    assertFalse(cached(at + STRIP, 20), "the parity strip after " + at + " was read ahead");
                }
            }
            assertFalse(cached(4 * MIB + 4096, 100), "read ahead past the stream");
        }
    }

    @Test
    void aPlainReadIsReadAheadWhereTheOtherIsNot() throws IOException, InterruptedException {
        try (StorageFile f = RealStorage.INSTANCE.open(image)) {
            ByteBuffer dst = ByteBuffer.allocateDirect(STRIP);
            for (long at = 0; at < 4 * MIB; at += strip(at)) {
                dst.clear();
                f.readFully(at, dst);
            }
            assertTrue(cached(3 * STRIP, 300), "the kernel's read-ahead read the first parity strip (the reason for the advice)");
        }
    }

    @Test
    void willNeedFetchesTheRangeAndOnlyIt() throws IOException, InterruptedException {
        try (StorageFile f = RealStorage.INSTANCE.open(image)) {
            ByteBuffer one = ByteBuffer.allocateDirect(4096);
            f.readWithoutReadAhead(0, one); // opens the channel the hints go through
            f.willNeed(2 * MIB, MIB);
            assertTrue(cached(2 * MIB, 300), "the hinted range was fetched");
            assertTrue(cached(3 * MIB - 1, 0), "the hinted range was fetched to its end");
            assertFalse(cached(3 * MIB + 4096, 100), "fetched past the hinted range");
            assertFalse(cached(2 * MIB - 4096, 0), "fetched before the hinted range");
        }
    }

    /**
     * Images are renamed while open (a filled {@code .img.blank} becomes the drive's image): the second
     * descriptors, opened at their first use, must reach the same file, not fail on the old path (a
     * whole suite of instant-restore tests failed so) nor open whatever the path names now.
     */
    @Test
    void aRenamedImageIsReadAndWrittenThroughItsSecondDescriptors() throws IOException {
        Path blank = dir.resolve("d2.img.blank");
        byte[] fresh = new byte[STRIP];
        new Random(3).nextBytes(fresh);
        java.nio.file.Files.copy(image, blank);
        try (StorageFile f = RealStorage.INSTANCE.open(blank)) {
            java.nio.file.Files.move(blank, image, java.nio.file.StandardCopyOption.REPLACE_EXISTING); // another file there before
            ByteBuffer dst = ByteBuffer.allocateDirect(STRIP);
            f.readWithoutReadAhead(STRIP, dst);
            assertEquals(ByteBuffer.wrap(bytes, STRIP, STRIP), dst.flip());
            ByteBuffer payload = ByteBuffer.allocateDirect(2 * STRIP + 4096).alignedSlice(4096).limit(STRIP); // an NBD payload: O_DIRECT
            payload.put(fresh).flip();
            f.writeFully(3 * STRIP, payload);
            f.force();
            dst.clear();
            f.readWithoutReadAhead(3 * STRIP, dst);
            assertEquals(ByteBuffer.wrap(fresh), dst.flip());
        }
        try (StorageFile f = RealStorage.INSTANCE.openRead(image)) {
            ByteBuffer dst = ByteBuffer.allocate(STRIP);
            f.readFully(3 * STRIP, dst);
            assertEquals(ByteBuffer.wrap(fresh), dst.flip(), "the write went to the renamed file");
        }
    }
}
