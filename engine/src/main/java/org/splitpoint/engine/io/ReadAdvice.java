package org.splitpoint.engine.io;

import java.io.FileDescriptor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * posix_fadvise(2) on the descriptor a {@link FileChannel} reads through: RANDOM (no kernel
 * read-ahead on that open file) and WILLNEED (fetch this range into the page cache now, in the
 * background). Used for RAID 5 members, whose kernel read-ahead would fetch the parity strips
 * lying between the data strips a stream reads (4/3 of the bytes from the disk for a 4-drive
 * volume); the volume fetches ahead itself, data strips only (see {@code ParityVolume}).
 *
 * <p>Design. Like {@link NativeFallocate}, downcalls through JDK 17's {@code
 * jdk.incubator.foreign} ({@link NativeAdvice}, touched only once the module is found), taken only
 * where the JVM runs with it enabled (the launcher does so
 * for the holders of a pool: serve and the app). The advice must go to the very open file the
 * reads go through (read-ahead state is per open file, not per inode), and a FileChannel does
 * not give its descriptor away: it is read once per channel from the JDK's own fields, which
 * needs {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED} too. Without any of the three
 * flags, {@link #available()} is false and files read as before, kernel read-ahead and all.
 * Advice is a hint: a failed call changes nothing but speed, so errors are not reported.
 *
 * <p>WILLNEED is not free where the range is cached already: the kernel walks it page by page (a
 * warm 1 GiB stream read 30-40 % slower for it here). {@link #cached} asks first, for one page.
 */
final class ReadAdvice {

    private static final ReadAdvice INSTANCE = load();

    private final Field channelFd;
    private final Method fdVal;

    private ReadAdvice() throws ReflectiveOperationException {
        channelFd = Class.forName("sun.nio.ch.FileChannelImpl").getDeclaredField("fd");
        channelFd.setAccessible(true);
        fdVal = Class.forName("sun.nio.ch.IOUtil").getDeclaredMethod("fdVal", FileDescriptor.class);
        fdVal.setAccessible(true);
        NativeAdvice.link();
    }

    private static ReadAdvice load() {
        if (ModuleLayer.boot().findModule("jdk.incubator.foreign").isEmpty()
                || "off".equals(System.getProperty("splitpoint.readAdvice"))) {
            return null; // not even loaded: NativeAdvice would not link
        }
        try {
            return new ReadAdvice();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            System.getLogger(ReadAdvice.class.getName()).log(System.Logger.Level.INFO,
                    "read advice unavailable (" + e + "): RAID 5 members read with the kernel's read-ahead");
            return null;
        }
    }

    /** The advice, or null when this JVM cannot give it. */
    static ReadAdvice get() {
        return INSTANCE;
    }

    /** True when this JVM can advise the kernel on reads. */
    static boolean available() {
        return INSTANCE != null;
    }

    /** The descriptor {@code ch} reads through; -1 when it cannot be read. */
    int descriptor(FileChannel ch) {
        try {
            return (int) fdVal.invoke(null, channelFd.get(ch));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    /** No kernel read-ahead on {@code fd}'s open file: a read fetches what it asks, nothing more. */
    boolean random(int fd) {
        return fd >= 0 && NativeAdvice.fadvise(fd, 0, 0, NativeAdvice.RANDOM);
    }

    /** Starts fetching [position, position+length) of {@code fd}'s file into the page cache; returns at once. */
    void willNeed(int fd, long position, long length) {
        if (fd >= 0) {
            NativeAdvice.fadvise(fd, position, length, NativeAdvice.WILLNEED);
        }
    }

    /**
     * True when the page holding byte {@code position} of {@code fd}'s file is in the page cache
     * (asked, not read: see {@link NativeAdvice}). False when it is not, or when that cannot be told.
     */
    boolean cached(int fd, long position) {
        return fd >= 0 && NativeAdvice.cachedPages(fd, position & ~4095L, 4096) > 0;
    }

    /** True when the page holding byte {@code position} is known not to be in the page cache (cachestat answered 0). */
    boolean uncached(int fd, long position) {
        return fd >= 0 && NativeAdvice.cachedPages(fd, position & ~4095L, 4096) == 0;
    }

    /**
     * True when the file of {@code fd} is known to hold no data in [position, position+length): a
     * hole, which reads as zeros (SEEK_DATA finds the next data past it). False when there is data
     * there, or when that cannot be told (no SEEK_DATA, an error).
     */
    boolean hole(int fd, long position, long length) {
        if (fd < 0) {
            return false;
        }
        long data = NativeAdvice.nextData(fd, position);
        if (data >= 0) {
            return data >= position + length;
        }
        // -1: no data after the position (ENXIO), or an error; SEEK_HOLE answering the position
        // itself tells the first: the descriptor works and the position lies in a hole
        return NativeAdvice.nextHole(fd, position) == position;
    }

    /**
     * One preadv(2) of {@code fd}'s file at {@code position} into the remaining bytes of {@code
     * dsts} (direct buffers), whose positions are not moved: the bytes read, fewer at the end of
     * the file or after a signal; -1 when the call could not be made or failed.
     */
    long readv(int fd, long position, ByteBuffer[] dsts) {
        return fd < 0 ? -1 : NativeAdvice.preadv(fd, dsts, position);
    }

    /** Drops [position, position+length) of {@code fd}'s file from the page cache where it is clean (tests use it for a cold file). */
    boolean dontNeed(int fd, long position, long length) {
        return fd >= 0 && NativeAdvice.fadvise(fd, position, length, NativeAdvice.DONTNEED);
    }
}
