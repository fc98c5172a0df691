package org.splitpoint.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.io.BlockDevice;

/**
 * A command's input read whole before the first byte goes to a volume, so input longer than
 * what fits is refused with nothing written. The first {@link #MEMORY} bytes stay in memory; the
 * rest is spooled to an owner-only temporary file that is unlinked as soon as it is open (on
 * Linux) and deleted at close in any case, so no copy of the data outlives the command. Reading
 * stops one byte past the limit: a refusal never waits for (or stores) the whole of a long input.
 */
final class InputBuffer implements AutoCloseable {

    static final int MEMORY = 16 << 20;
    private static final int CHUNK = 1 << 20;

    private final List<byte[]> memory = new ArrayList<>();
    private Path spoolPath;
    private FileChannel spool;
    private long length;
    private long spooled;

    private InputBuffer() {
    }

    /** Reads {@code in} to its end, or until it gave more than {@code limit} bytes ({@link #longerThan}). */
    static InputBuffer read(InputStream in, long limit) throws IOException {
        InputBuffer b = new InputBuffer();
        try {
            while (b.length <= limit) {
                byte[] buf = new byte[(int) Math.min(CHUNK, limit + 1 - b.length)];
                int n = in.readNBytes(buf, 0, buf.length);
                if (n <= 0) {
                    break;
                }
                b.add(buf, n);
            }
            return b;
        } catch (IOException | RuntimeException e) {
            b.close();
            throw e;
        }
    }

    private void add(byte[] buf, int n) throws IOException {
        if (length + n <= MEMORY) {
            memory.add(n == buf.length ? buf : java.util.Arrays.copyOf(buf, n));
        } else {
            if (spool == null) {
                spoolPath = Files.createTempFile("splitpoint-input-", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                spool = FileChannel.open(spoolPath, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.DELETE_ON_CLOSE);
            }
            ByteBuffer src = ByteBuffer.wrap(buf, 0, n);
            while (src.hasRemaining()) {
                spooled += spool.write(src, spooled);
            }
        }
        length += n;
    }

    /** Bytes held (at most one past the limit given to {@link #read}). */
    long length() {
        return length;
    }

    boolean longerThan(long limit) {
        return length > limit;
    }

    /** Writes everything held to {@code device} from {@code offset} on. */
    void writeTo(BlockDevice device, long offset) throws IOException {
        writeTo(device, offset, n -> { });
    }

    /** As {@link #writeTo(BlockDevice, long)}, telling {@code written} the bytes of each piece that landed. */
    void writeTo(BlockDevice device, long offset, java.util.function.LongConsumer written) throws IOException {
        long at = offset;
        for (byte[] m : memory) {
            device.write(at, ByteBuffer.wrap(m));
            written.accept(m.length);
            at += m.length;
        }
        if (spool != null) {
            ByteBuffer buf = ByteBuffer.allocate(CHUNK);
            for (long pos = 0; pos < spooled; ) {
                buf.clear();
                buf.limit((int) Math.min(CHUNK, spooled - pos));
                while (buf.hasRemaining()) {
                    int n = spool.read(buf, pos + buf.position());
                    if (n < 0) {
                        throw new IOException("the spooled input in " + spoolPath + " ended early");
                    }
                }
                buf.flip();
                device.write(at, buf);
                written.accept(buf.limit());
                at += buf.limit();
                pos += buf.limit();
            }
        }
    }

    @Override
    public void close() throws IOException {
        memory.clear();
        try {
            if (spool != null) {
                spool.close();
            }
        } finally {
            if (spoolPath != null) {
                Files.deleteIfExists(spoolPath);
            }
        }
    }
}
