package org.splitpoint.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Real files with a hook around each file a test wants to watch or slow down: subclasses override
 * {@link #wrap} and extend {@link ForwardingFile}. Everything not overridden goes to real storage.
 */
public class ForwardingStorage implements StorageFactory {

    private final StorageFactory real = StorageFactory.real();

    /** Real storage whose drive images ({@code *.img}) the engine gets through {@code wrapImage}. */
    public static ForwardingStorage images(java.util.function.UnaryOperator<StorageFile> wrapImage) {
        return new ForwardingStorage() {
            @Override
            protected StorageFile wrap(Path path, StorageFile file) {
                return path.getFileName().toString().endsWith(".img") ? wrapImage.apply(file) : file;
            }
        };
    }

    /** The file handed to the engine for {@code path}; by default the real one. */
    protected StorageFile wrap(Path path, StorageFile file) {
        return file;
    }

    @Override
    public StorageFile open(Path path) throws IOException {
        return wrap(path, real.open(path));
    }

    @Override
    public StorageFile openRead(Path path) throws IOException {
        return real.openRead(path);
    }

    @Override
    public StorageFile create(Path path) throws IOException {
        return wrap(path, real.create(path));
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        real.rename(from, to);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        real.syncDirectory(dir);
    }

    @Override
    public void delete(Path path) throws IOException {
        real.delete(path);
    }

    @Override
    public PoolLockHandle tryLock(Path lockFile, String holder) throws IOException {
        return real.tryLock(lockFile, holder);
    }

    @Override
    public String lockHolder(Path lockFile) throws IOException {
        return real.lockHolder(lockFile);
    }

    /** A file that forwards every operation; override the ones to watch. */
    public static class ForwardingFile implements StorageFile {
        protected final StorageFile file;

        public ForwardingFile(StorageFile file) {
            this.file = file;
        }

        @Override
        public void readFully(long position, ByteBuffer dst) throws IOException {
            file.readFully(position, dst);
        }

        @Override
        public void writeFully(long position, ByteBuffer src) throws IOException {
            file.writeFully(position, src);
        }

        @Override
        public void zeroRange(long position, long length, boolean deallocate) throws IOException {
            file.zeroRange(position, length, deallocate);
        }

        @Override
        public boolean zeroesWithoutWriting(boolean deallocate) {
            return file.zeroesWithoutWriting(deallocate);
        }

        @Override
        public void force() throws IOException {
            file.force();
        }

        @Override
        public boolean writeBackFailed() {
            return file.writeBackFailed();
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public void setLength(long length) throws IOException {
            file.setLength(length);
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
