package org.splitpoint.engine.bitmap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.zip.CRC32C;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.meta.CorruptMetadataException;

/**
 * A {@link TrackBitmap} kept in a file, written in place page by page like md's bitmap.
 *
 * <p>Design. A 4 KiB header (magic, version, bit count, CRC32C of the header) is followed by the
 * bits, little-endian 64-bit words. Only pages whose bits changed are rewritten. Pages are not
 * checksummed: the callers' protocols keep every bit safe in both its old and its new value, so a
 * torn page cannot lose anything: a write-intent bit is set and made durable before the data it
 * covers is touched and cleared only after that data is durable; a pair's invalid-track bit is set
 * in memory before the write and made durable in the flush, before the write-intent bit that
 * covers the write may clear; and its clear is written only for the tracks whose copied data was
 * flushed before the clear was taken (see {@code InvalidTracks}).
 *
 * <p>A force that fails leaves every page to be written again by the next persist (see {@link
 * #forceOrRewriteLater}): after a failed fsync the pages written before it may be gone though the
 * next fsync succeeds.
 *
 * <p>A missing, truncated or damaged file is never read as "all clear": {@link #open} refuses it
 * and the caller decides what the conservative answer is (every bit set, and say so).
 *
 * <p>Closed-clean mark. A clean close may leave bits set on purpose (a write-intent track whose
 * members a failed write left disagreeing); {@link #markClosedClean} says so in the header, so the
 * next open can tell those from bits a crash left. The mark has its own CRC32C after the header's
 * (files written before it hold zeros there, which fail the check: not marked), and it only ever
 * changes what is said, never what is done with the bits. It is taken off the disk, and forced,
 * before the first page of changed bits is written, so a crash after that is never read as clean.
 */
public final class DurableBitmap implements AutoCloseable {

    private static final int PAGE = 4096;
    private static final long MAGIC = 0x5350_4254_4D41_5031L; // "SPBTMAP1"
    private static final int VERSION = 1;
    private static final int CLOSED_CLEAN = 0x434C4E31; // "CLN1", at offset 24; its CRC32C at 28

    private final StorageFile file;  // null: kept in memory only (a read-only stand-in)
    private final boolean readOnly;
    private final TrackBitmap bits;
    private final BitSet dirtyPages = new BitSet();
    private final String name;
    private final boolean closedClean; // as found at open
    private boolean markOnDisk;

    private DurableBitmap(String name, StorageFile file, boolean readOnly, TrackBitmap bits, boolean closedClean) {
        this.name = name;
        this.file = file;
        this.readOnly = readOnly;
        this.bits = bits;
        this.closedClean = closedClean;
        this.markOnDisk = closedClean;
    }

    /**
     * Creates {@code path} (which must not exist) with {@code size} bits, all set when {@code allSet},
     * durably; the caller syncs the directory.
     */
    public static DurableBitmap create(StorageFactory storage, Path path, long size, boolean allSet) throws IOException {
        TrackBitmap bits = new TrackBitmap(size);
        if (allSet) {
            bits.setAll();
        }
        StorageFile f = storage.create(path);
        DurableBitmap b = new DurableBitmap(path.getFileName().toString(), f, false, bits, false);
        try {
            b.writeHeader(false);
            b.dirtyPages.set(0, Math.max(1, b.pageCount()));
            b.persist(true);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
        return b;
    }

    /** A bitmap with no file, for a read-only look at a pool whose file is missing or damaged. */
    public static DurableBitmap inMemory(String name, long size, boolean allSet) {
        TrackBitmap bits = new TrackBitmap(size);
        if (allSet) {
            bits.setAll();
        }
        return new DurableBitmap(name, null, true, bits, false);
    }

    /**
     * Opens {@code path} of {@code size} bits. A missing file throws {@link java.nio.file.NoSuchFileException};
     * a damaged or truncated one {@link CorruptMetadataException}. With {@code readOnly} the file is
     * opened for reading only and nothing may be persisted.
     */
    public static DurableBitmap open(StorageFactory storage, Path path, long size, boolean readOnly) throws IOException {
        if (!Files.exists(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null, "missing");
        }
        TrackBitmap bits = new TrackBitmap(size);
        StorageFile f = readOnly ? storage.openRead(path) : storage.open(path);
        try {
            long[] words = new long[(int) ((size + 63) >>> 6)];
            long need = PAGE + words.length * 8L;
            if (f.size() < need) {
                throw new CorruptMetadataException(path.getFileName() + (f.size() == 0 ? " is empty (" : " is truncated (")
                        + f.size() + " bytes, " + need + " expected)");
            }
            ByteBuffer header = ByteBuffer.allocate(PAGE).order(ByteOrder.LITTLE_ENDIAN);
            f.readFully(0, header);
            long magic = header.getLong(0);
            int version = header.getInt(8);
            long count = header.getLong(12);
            int crc = header.getInt(20);
            if (magic != MAGIC || crc != headerCrc(header)) {
                throw new CorruptMetadataException(path.getFileName() + " is not a valid Splitpoint bitmap (bad magic or CRC)");
            }
            if (version != VERSION || count != size) {
                throw new CorruptMetadataException(path.getFileName() + " has version " + version + " and "
                        + count + " bits; expected version " + VERSION + " and " + size + " bits");
            }
            ByteBuffer body = ByteBuffer.allocate(words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            f.readFully(PAGE, body);
            body.flip();
            body.asLongBuffer().get(words);
            bits.loadWords(words);
            boolean clean = header.getInt(24) == CLOSED_CLEAN && header.getInt(28) == markCrc(header);
            return new DurableBitmap(path.getFileName().toString(), f, readOnly, bits, clean);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** The live bits. Callers change them, then call {@link #markChanged} and {@link #persist}. */
    public TrackBitmap bits() {
        return bits;
    }

    /**
     * Whether the file was {@linkplain #markClosedClean marked} at its last close: the bits set at
     * open were left on purpose by a clean close, not by a crash.
     */
    public boolean closedClean() {
        return closedClean;
    }

    /**
     * After a clean close's last {@link #persist}: marks the header so the next open knows the set
     * bits were kept on purpose, durably.
     */
    public synchronized void markClosedClean() throws IOException {
        if (file == null || readOnly) {
            return;
        }
        writeHeader(true);
        file.force();
        markOnDisk = true;
    }

    /** Records that bits [from, to) changed and their pages must be rewritten. */
    public synchronized void markChanged(long from, long to) {
        if (to <= from) {
            return;
        }
        int first = (int) (from / (PAGE * 8L));
        int last = (int) ((to - 1) / (PAGE * 8L));
        dirtyPages.set(first, last + 1);
    }

    /** True when changed pages wait for {@link #persist} (bits changed, or a force failed since they were written). */
    public synchronized boolean hasUnwrittenPages() {
        return !dirtyPages.isEmpty();
    }

    /** Writes changed pages; with {@code durable} also forces them to stable storage. */
    public synchronized void persist(boolean durable) throws IOException {
        if (file == null || (readOnly && dirtyPages.isEmpty())) {
            dirtyPages.clear();
            return;
        }
        if (readOnly) {
            throw new IOException(name + " is open read-only; nothing may change it");
        }
        if (markOnDisk && !dirtyPages.isEmpty()) {
            // off the disk before any changed bit: a crash from now on is not a clean close
            writeHeader(false);
            file.force();
            markOnDisk = false;
        }
        int words = bits.wordCount();
        for (int p = dirtyPages.nextSetBit(0); p >= 0; p = dirtyPages.nextSetBit(p + 1)) {
            int w0 = p * (PAGE / 8);
            int w1 = Math.min(words, w0 + PAGE / 8);
            if (w0 >= w1) {
                continue;
            }
            ByteBuffer page = ByteBuffer.allocate((w1 - w0) * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (int w = w0; w < w1; w++) {
                page.putLong(bits.word(w));
            }
            page.flip();
            file.writeFully(PAGE + (long) p * PAGE, page);
        }
        dirtyPages.clear();
        if (durable) {
            forceOrRewriteLater();
        }
    }

    /** Forces what {@link #persist} wrote to stable storage; not under this object's monitor, so changes go on meanwhile. */
    public void force() throws IOException {
        if (file != null && !readOnly) {
            forceOrRewriteLater();
        }
    }

    /**
     * Forces the file; when that fails, every page is written again by the next {@link #persist}.
     * A failed fsync may have dropped any page written since the last one that succeeded (Linux
     * marks pages it could not write back clean, and the next fsync succeeds without them): taken
     * as written, a bit set before the failure was trusted as durable by the next writer to its
     * track, and a crash then found the track clean though its members may disagree.
     */
    private void forceOrRewriteLater() throws IOException {
        try {
            file.force();
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                dirtyPages.set(0, Math.max(1, pageCount()));
            }
            throw e;
        }
    }

    private int pageCount() {
        return (int) ((bits.wordCount() * 8L + PAGE - 1) / PAGE);
    }

    private void writeHeader(boolean closedClean) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(PAGE).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(0, MAGIC);
        header.putInt(8, VERSION);
        header.putLong(12, bits.size());
        header.putInt(20, headerCrc(header));
        if (closedClean) {
            header.putInt(24, CLOSED_CLEAN);
            header.putInt(28, markCrc(header));
        }
        file.writeFully(0, header);
    }

    private static int headerCrc(ByteBuffer header) {
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, 20);
        return (int) crc.getValue();
    }

    private static int markCrc(ByteBuffer header) {
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, 28); // the header's fields and the mark
        return (int) crc.getValue();
    }

    @Override
    public void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
