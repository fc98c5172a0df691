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
 * checksummed: the callers' protocol makes every individual bit safe in both its old and its new
 * value (a bit is set and made durable before the data it covers is touched, and cleared only
 * after that data is durable), so a torn page write cannot lose anything.
 */
public final class DurableBitmap implements AutoCloseable {

    private static final int PAGE = 4096;
    private static final long MAGIC = 0x5350_4254_4D41_5031L; // "SPBTMAP1"
    private static final int VERSION = 1;

    private final StorageFile file;
    private final TrackBitmap bits;
    private final BitSet dirtyPages = new BitSet();
    private final String name;

    private DurableBitmap(String name, StorageFile file, TrackBitmap bits) {
        this.name = name;
        this.file = file;
        this.bits = bits;
    }

    /** Opens {@code path}, creating an all-clear bitmap of {@code size} bits when it does not exist. */
    public static DurableBitmap openOrCreate(StorageFactory storage, Path path, long size) throws IOException {
        TrackBitmap bits = new TrackBitmap(size);
        if (!Files.exists(path)) {
            StorageFile f = storage.create(path);
            DurableBitmap b = new DurableBitmap(path.getFileName().toString(), f, bits);
            b.writeHeader();
            b.dirtyPages.set(0, b.pageCount());
            b.persist(true);
            return b;
        }
        StorageFile f = storage.open(path);
        try {
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
            long[] words = new long[(int) ((size + 63) >>> 6)];
            ByteBuffer body = ByteBuffer.allocate(words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            f.readFully(PAGE, body);
            body.flip();
            body.asLongBuffer().get(words);
            bits.loadWords(words);
            return new DurableBitmap(path.getFileName().toString(), f, bits);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** The live bits. Callers change them, then call {@link #markChanged} and {@link #persist}. */
    public TrackBitmap bits() {
        return bits;
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

    /** Writes changed pages; with {@code durable} also forces them to stable storage. */
    public synchronized void persist(boolean durable) throws IOException {
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
            file.force();
        }
    }

    private int pageCount() {
        return (int) ((bits.wordCount() * 8L + PAGE - 1) / PAGE);
    }

    private void writeHeader() throws IOException {
        ByteBuffer header = ByteBuffer.allocate(PAGE).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(0, MAGIC);
        header.putInt(8, VERSION);
        header.putLong(12, bits.size());
        header.putInt(20, headerCrc(header));
        file.writeFully(0, header);
    }

    private static int headerCrc(ByteBuffer header) {
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, 20);
        return (int) crc.getValue();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    @Override
    public String toString() {
        return name;
    }
}
