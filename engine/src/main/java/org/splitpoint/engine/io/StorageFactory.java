package org.splitpoint.engine.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Source of every file and file-system operation the engine performs. The real implementation is
 * {@link RealStorage}; tests wrap one in a fault injector (EIO, disk full, power cuts, lost directory entries).
 */
public interface StorageFactory {

    /** Opens an existing file for reading and writing. */
    StorageFile open(Path path) throws IOException;

    /**
     * Opens an existing file for reading only: inspecting a pool (status, query) must change no file,
     * and must work on a pool whose files the user may only read.
     */
    StorageFile openRead(Path path) throws IOException;

    /** Creates a new file (failing if it exists) for reading and writing. */
    StorageFile create(Path path) throws IOException;

    /**
     * Creates directory {@code dir} (its parent exists; failing if it exists). Like a file's creation,
     * its name is durable only once its parent is synced: {@link NewDirectories} does both.
     */
    default void createDirectory(Path dir) throws IOException {
        java.nio.file.Files.createDirectory(dir);
    }

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

    /**
     * Who holds {@code lockFile} now (the text the holder recorded), or null when nobody does;
     * changes nothing, not even creating the file.
     */
    String lockHolder(Path lockFile) throws IOException;

    static StorageFactory real() {
        return RealStorage.INSTANCE;
    }
}
