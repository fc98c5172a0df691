package org.splitpoint.app.testing;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A minimal NBD client for app tests, a host writing to an export of {@code serve}: fixed newstyle
 * handshake, NBD_OPT_GO, then one request at a time with simple replies (write, read, flush). The
 * protocol numbers are those of the NBD specification (the engine's own constants are package-private).
 */
public final class NbdWriter implements AutoCloseable {

    private static final long INIT_MAGIC = 0x4e42444d41474943L; // "NBDMAGIC"
    private static final long OPT_MAGIC = 0x49484156454f5054L;  // "IHAVEOPT"
    private static final long REP_MAGIC = 0x3e889045565a9L;
    private static final int REQUEST_MAGIC = 0x25609513;
    private static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    private static final int FLAGS = 1 | 2; // FIXED_NEWSTYLE, NO_ZEROES
    private static final int OPT_GO = 7;
    private static final int REP_ACK = 1;
    private static final int REP_INFO = 3;
    private static final int CMD_READ = 0;
    private static final int CMD_WRITE = 1;
    private static final int CMD_DISC = 2;
    private static final int CMD_FLUSH = 3;

    private final SocketChannel ch;
    private final long size;
    private long handle;

    /** Connects to 127.0.0.1:{@code port} and opens {@code export}. */
    public NbdWriter(int port, String export) throws IOException {
        ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        try {
            ByteBuffer hello = read(18);
            if (hello.getLong() != INIT_MAGIC || hello.getLong() != OPT_MAGIC) {
                throw new IOException("not an NBD server's greeting");
            }
            write(ByteBuffer.allocate(4).putInt(FLAGS).flip());
            byte[] n = export.getBytes(StandardCharsets.UTF_8);
            ByteBuffer data = ByteBuffer.allocate(6 + n.length).putInt(n.length).put(n).putShort((short) 0).flip();
            write(ByteBuffer.allocate(16 + data.remaining()).putLong(OPT_MAGIC).putInt(OPT_GO).putInt(data.remaining())
                    .put(data).flip());
            long s = -1;
            while (true) {
                ByteBuffer h = read(20);
                if (h.getLong() != REP_MAGIC) {
                    throw new IOException("bad option reply");
                }
                h.getInt();
                int type = h.getInt();
                ByteBuffer body = read(h.getInt());
                if (type == REP_INFO && body.getShort() == 0) {
                    s = body.getLong();
                } else if (type == REP_ACK) {
                    break;
                } else if (type != REP_INFO) {
                    throw new IOException("export " + export + " refused (option reply " + Integer.toHexString(type) + ")");
                }
            }
            size = s;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    public long size() {
        return size;
    }

    /** Writes {@code data} at {@code offset}; returns once the server acknowledged it. */
    public void write(long offset, byte[] data) throws IOException {
        send(CMD_WRITE, offset, data.length, data);
        reply(0);
    }

    /** Reads {@code length} bytes at {@code offset}. */
    public byte[] read(long offset, int length) throws IOException {
        send(CMD_READ, offset, length, null);
        return reply(length).array();
    }

    public void flush() throws IOException {
        send(CMD_FLUSH, 0, 0, null);
        reply(0);
    }

    private void send(int type, long offset, int length, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(28 + (data == null ? 0 : data.length));
        b.putInt(REQUEST_MAGIC).putShort((short) 0).putShort((short) type).putLong(++handle).putLong(offset).putInt(length);
        if (data != null) {
            b.put(data);
        }
        write(b.flip());
    }

    private ByteBuffer reply(int length) throws IOException {
        ByteBuffer h = read(16);
        if (h.getInt() != SIMPLE_REPLY_MAGIC) {
            throw new IOException("bad reply magic");
        }
        int error = h.getInt();
        if (h.getLong() != handle) {
            throw new IOException("reply to another request");
        }
        if (error != 0) {
            throw new IOException("NBD error " + error);
        }
        return read(length);
    }

    private ByteBuffer read(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("the NBD server closed the connection");
            }
        }
        return b.flip();
    }

    private void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            send(CMD_DISC, 0, 0, null);
        } finally {
            ch.close();
        }
    }
}
