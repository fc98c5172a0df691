package org.splitpoint.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One open file as the engine sees it: positional reads and writes, force, size. Every file the
 * engine touches is a StorageFile from a {@link StorageFactory}, so tests can interpose faults
 * (EIO, disk full, power cut) under any of them.
 */
public interface StorageFile extends AutoCloseable {

    /** Reads until {@code dst} is full; bytes past the end of the file read as zeros. */
    void readFully(long position, ByteBuffer dst) throws IOException;

    /** Writes all of {@code src} at {@code position}. */
    void writeFully(long position, ByteBuffer src) throws IOException;

    /**
     * Makes [position, position+length) of the file read as zeros, durable at the next
     * {@link #force()} like a write. {@code deallocate}: the blocks may be given back (a punched
     * hole); false: they stay allocated (zeroed in place). By default the zeros are written, which
     * is what a file that cannot do better does (and what a fault injector must see).
     */
    default void zeroRange(long position, long length, boolean deallocate) throws IOException {
        Zeros.inChunks(position, length, this::writeFully);
    }

    /** Makes all completed writes durable (fdatasync). */
    void force() throws IOException;

    long size() throws IOException;

    /** Sets the file's length; extending makes a sparse hole. */
    void setLength(long length) throws IOException;

    @Override
    void close() throws IOException;
}
