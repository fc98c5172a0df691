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

    /**
     * Reads as {@link #readFully} does, but where the file can, without the kernel's read-ahead:
     * the caller fetches ahead itself with {@link #willNeed}, what it will read and nothing else
     * (a RAID 5 member, whose read-ahead would also fetch the parity strips between the data
     * strips a stream reads). By default, and where the kernel cannot be told, it is readFully.
     */
    default void readWithoutReadAhead(long position, ByteBuffer dst) throws IOException {
        readFully(position, dst);
    }

    /**
     * Reads consecutive bytes of the file from {@code position} into {@code dsts}, one after the
     * other, as {@link #readWithoutReadAhead(long, ByteBuffer)} does for each. Where the file can,
     * with one call for them all: a RAID 5 member's strips of a stream lie side by side in the
     * member but apart in the volume's buffer, and a call per 64 KiB strip cost as much as the
     * copy itself where calls are dear (bench/notes/raid5-warm-read-2026-12-04.txt). By default
     * each buffer is read in turn.
     */
    default void readWithoutReadAhead(long position, ByteBuffer[] dsts) throws IOException {
        long pos = position;
        for (ByteBuffer d : dsts) {
            int len = d.remaining();
            readWithoutReadAhead(pos, d);
            pos += len;
        }
    }

    /**
     * A hint: [position, position+length) will be read soon; where the file can, the kernel starts
     * fetching it into the page cache now and this returns at once. By default nothing is done.
     */
    default void willNeed(long position, long length) {
    }

    /**
     * True when the byte at {@code position} is known to be in the page cache (a hint: false
     * also when that cannot be told, which is the default). Asked before {@link #willNeed}, which
     * costs time over a range that is cached already.
     */
    default boolean cached(long position) {
        return false;
    }

    /**
     * True when the page holding byte {@code position} is known not to be in the page cache, so that
     * reading it would go to the disk. False when it is cached, and also when that cannot be told
     * (the default).
     */
    default boolean uncached(long position) {
        return false;
    }

    /**
     * True when [position, position+length) is known to be a hole of the file, bytes never written
     * (or deallocated) that read as zeros, so that a caller who only needs them can skip the read,
     * and the page cache is not filled with pages of zeros. False when the file holds data there,
     * and also when that cannot be told (the default): false is always a safe answer, true never is
     * unless proven.
     */
    default boolean hole(long position, long length) {
        return false;
    }

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

    /**
     * True when {@link #zeroRange} of a large range ({@code deallocate}: a hole punched; else zeroed
     * in place, kept allocated) is done here without writing zeros, as far as can be told in
     * advance. False by default: the default zeroRange writes them.
     */
    default boolean zeroesWithoutWriting(boolean deallocate) {
        return false;
    }

    /** Makes all completed writes durable (fdatasync). */
    void force() throws IOException;

    /**
     * True when a write-back the file started itself (a background force: RealStorage's early
     * write-back) failed and no {@link #force} has reported it yet: the writes it could not make
     * durable are lost, and the next force throws the failure. A reader that keeps what it reads
     * forces first (Member.settledLosses), so the loss is counted before it trusts the image, not at
     * the next flush. False by default (a file that starts no write-back of its own).
     */
    default boolean writeBackFailed() {
        return false;
    }

    long size() throws IOException;

    /** Sets the file's length; extending makes a sparse hole. */
    void setLength(long length) throws IOException;

    @Override
    void close() throws IOException;
}
