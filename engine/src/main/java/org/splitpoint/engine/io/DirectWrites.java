package org.splitpoint.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Large writes of whole aligned blocks from page-aligned direct buffers, around the page cache.
 *
 * <p>Design. A mirrored host write was copied into the page cache once per member and written
 * back later: on two busy cores those copies, not the disk, bounded NBD writes (the profile in
 * bench/notes). Through a second descriptor opened with O_DIRECT, the disk takes such a write from
 * the caller's buffer. Only page-aligned direct buffers qualify — in practice a pair copy's runs
 * ({@code PairCopyWork}): their steady stream leaves the disk free for hosts' reads between its
 * writes (a host's cold read beside a throttled restore: p99 0.5 ms, against 2.9-4.6 ms with the
 * runs buffered and written back behind in bursts). NBD write payloads took this path until
 * 2026-12-07; they now go through the page cache and {@link EarlyWriteBack}, whose write-back in the
 * kernel's large requests took a RAID 1's 2 GiB in 0.7 s of disk time where 256 KiB direct writes
 * took 1.1 s. Everything else keeps the page cache. Linux keeps the two descriptors coherent (a
 * direct write first writes back, and afterwards drops, the cached pages of its range), and
 * {@code force()} on the buffered descriptor still flushes the device's cache, so durability is
 * unchanged: a write is durable after the next force.
 *
 * <p>The direct descriptor is opened on the first write that qualifies. Where O_DIRECT is refused
 * (tmpfs) or the file system wants another alignment (EINVAL), the file falls back to buffered
 * writes for good; an interrupt that closed the descriptor also falls back for that write (the
 * buffered path redoes it whole, see {@link RealStorage}).
 */
final class DirectWrites {

    static final int ALIGN = 4096;
    static final int MIN = 64 * 1024;

    private final Path path;
    private final SameFile same;
    /** The buffered channel of the same file (for {@link SameFile}), as the caller has it now. */
    private final java.util.function.Supplier<FileChannel> buffered;
    private volatile FileChannel channel;
    private volatile boolean refused;
    private volatile boolean closed;

    DirectWrites(Path path, SameFile same, java.util.function.Supplier<FileChannel> buffered) {
        this.path = path;
        this.same = same;
        this.buffered = buffered;
    }

    /** True when {@code src} at {@code position} is a write this path takes. */
    static boolean eligible(long position, ByteBuffer src) {
        int n = src.remaining();
        return n >= MIN && n % ALIGN == 0 && position % ALIGN == 0 && BufferStash.pageAligned(src);
    }

    /** Writes all of {@code src} at {@code position}; false when it could not and nothing may be assumed written. */
    boolean write(long position, ByteBuffer src) throws IOException {
        if (refused || closed) {
            return false;
        }
        FileChannel ch = channel();
        if (ch == null) {
            return false;
        }
        int start = src.position();
        try {
            long pos = position;
            while (src.hasRemaining()) {
                pos += ch.write(src, pos);
            }
            return true;
        } catch (ClosedChannelException interruptedOrClosed) {
            synchronized (this) {
                if (channel == ch) {
                    channel = null; // reopened by the next write that qualifies
                }
            }
            src.position(start);
            return false;
        } catch (IOException e) {
            if (isInvalidArgument(e)) {
                refused = true; // this file system wants another alignment: buffered from now on
                src.position(start);
                return false;
            }
            throw e;
        }
    }

    private synchronized FileChannel channel() {
        if (channel == null && !refused && !closed) {
            try {
                channel = same.open(buffered.get(), StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
                if (channel == null) {
                    refused = true; // the image was renamed and cannot be reached again: buffered writes only
                }
            } catch (IOException | UnsupportedOperationException e) {
                refused = true; // O_DIRECT refused here (tmpfs): buffered writes only
            }
        }
        return channel;
    }

    private static boolean isInvalidArgument(IOException e) {
        String m = e.getMessage();
        return m != null && m.contains("Invalid argument");
    }

    synchronized void close() throws IOException {
        closed = true;
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }
}
