package org.splitpoint.engine.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Source of every file and file-system operation the engine performs. The real implementation is
 * {@link RealStorage}; {@link FaultInjector} wraps one to inject EIO, disk full and power cuts.
 */
public interface StorageFactory {

    /** Opens an existing file for reading and writing. */
    StorageFile open(Path path) throws IOException;

    /** Creates a new file (failing if it exists) for reading and writing. */
    StorageFile create(Path path) throws IOException;

    /** Atomically renames {@code from} over {@code to}. */
    void rename(Path from, Path to) throws IOException;

    /** Makes a directory's entries (creations, renames) durable. */
    void syncDirectory(Path dir) throws IOException;

    void delete(Path path) throws IOException;

    /**
     * Takes the exclusive lock on {@code lockFile} (created if missing) and records {@code holder}
     * in it, or returns null when another process, or another pool object of this process, holds it.
     */
    PoolLockHandle tryLock(Path lockFile, String holder) throws IOException;

    static StorageFactory real() {
        return RealStorage.INSTANCE;
    }
}
