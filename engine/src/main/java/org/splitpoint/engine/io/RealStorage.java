package org.splitpoint.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Files on the local file system through {@link FileChannel}: positional I/O, fdatasync. */
final class RealStorage implements StorageFactory {

    static final RealStorage INSTANCE = new RealStorage();

    @Override
    public StorageFile open(Path path) throws IOException {
        return new ChannelFile(path, FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    @Override
    public StorageFile create(Path path) throws IOException {
        return new ChannelFile(path, FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW));
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        // Opening a directory for reading and forcing it is how the JDK exposes fsync(dirfd) on Linux.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (AccessDeniedException | UnsupportedOperationException e) {
            // Some platforms refuse to open directories; the rename itself is still atomic there.
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        Files.deleteIfExists(path);
    }

    @Override
    public PoolLockHandle tryLock(Path lockFile, String holder) throws IOException {
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by another Pool object in this JVM
        }
        if (lock == null) {
            ch.close();
            return null;
        }
        // Only the holder rewrites the file, so a refused opener changes nothing in the pool.
        byte[] text = holder.getBytes(StandardCharsets.UTF_8);
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(text), 0);
        FileLock held = lock;
        return () -> {
            try {
                ch.truncate(0); // a closed pool leaves the lock file as it found it: empty
                held.release();
            } finally {
                ch.close();
            }
        };
    }

    /**
     * A file through a {@link FileChannel}. A thread interrupted during I/O makes the JDK close the
     * channel for everyone; that is not a failing disk, so the channel is reopened and the
     * interrupted caller alone gets an {@link java.io.InterruptedIOException}.
     */
    private static final class ChannelFile implements StorageFile {
        private final Path path;
        private volatile FileChannel channel;
        private volatile boolean closed;

        ChannelFile(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }

        private interface Op<T> {
            T run(FileChannel ch) throws IOException;
        }

        private <T> T io(Op<T> op) throws IOException {
            for (int attempt = 0; ; attempt++) {
                FileChannel ch = channel;
                try {
                    return op.run(ch);
                } catch (java.nio.channels.ClosedByInterruptException e) {
                    reopen(ch);
                    throw new java.io.InterruptedIOException("interrupted during I/O on " + path.getFileName());
                } catch (java.nio.channels.ClosedChannelException e) {
                    if (closed || attempt > 0) {
                        throw e;
                    }
                    reopen(ch); // another thread's interrupt closed it under us: retry once
                }
            }
        }

        private synchronized void reopen(FileChannel broken) throws IOException {
            if (!closed && channel == broken) {
                channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
        }

        @Override
        public void readFully(long position, ByteBuffer dst) throws IOException {
            int start = dst.position();
            io(ch -> {
                dst.position(start);
                long pos = position;
                while (dst.hasRemaining()) {
                    int n = ch.read(dst, pos);
                    if (n < 0) {
                        while (dst.hasRemaining()) {
                            dst.put((byte) 0);
                        }
                        return null;
                    }
                    pos += n;
                }
                return null;
            });
        }

        @Override
        public void writeFully(long position, ByteBuffer src) throws IOException {
            int start = src.position();
            io(ch -> {
                src.position(start);
                long pos = position;
                while (src.hasRemaining()) {
                    pos += ch.write(src, pos);
                }
                return null;
            });
        }

        @Override
        public void force() throws IOException {
            io(ch -> {
                ch.force(false);
                return null;
            });
        }

        @Override
        public long size() throws IOException {
            return io(FileChannel::size);
        }

        @Override
        public void setLength(long length) throws IOException {
            io(ch -> {
                long current = ch.size();
                if (length < current) {
                    ch.truncate(length);
                } else if (length > current) {
                    ch.write(ByteBuffer.wrap(new byte[1]), length - 1);
                }
                return null;
            });
        }

        @Override
        public void close() throws IOException {
            closed = true;
            channel.close();
        }
    }
}
