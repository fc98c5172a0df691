package org.splitpoint.engine.meta;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;

/**
 * Replaces a file so that a crash leaves either the old or the new content, never a mix:
 * write a temporary sibling, fsync it, rename it over the target, fsync the directory. A failure
 * before the rename leaves the old content (and no temporary file); a failed directory sync after it
 * is an {@link UnsyncedReplaceException}: the new content shows, but may not survive a power cut.
 */
public final class AtomicFile {

    private AtomicFile() {
    }

    /** Atomically replaces {@code target} with {@code bytes}. */
    public static void replace(StorageFactory storage, Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        storage.delete(tmp);
        try (StorageFile f = storage.create(tmp)) {
            f.writeFully(0, ByteBuffer.wrap(bytes));
            f.force();
        } catch (IOException | RuntimeException e) {
            try {
                storage.delete(tmp); // a refused replacement leaves nothing behind (a full disk, say)
            } catch (IOException ignored) {
                e.addSuppressed(ignored);
            }
            throw e;
        }
        storage.rename(tmp, target);
        try {
            storage.syncDirectory(target.getParent());
        } catch (IOException e) {
            throw new UnsyncedReplaceException(target, e); // renamed already: the new content shows, durable or not
        }
    }

    /** Reads a whole (small) file, opened read-only. */
    public static byte[] read(StorageFactory storage, Path file) throws IOException {
        try (StorageFile f = storage.openRead(file)) {
            long size = f.size();
            if (size > 64L << 20) {
                throw new IOException(file.getFileName() + " is " + size + " bytes, too large for a state file");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            f.readFully(0, buf);
            return buf.array();
        }
    }
}
