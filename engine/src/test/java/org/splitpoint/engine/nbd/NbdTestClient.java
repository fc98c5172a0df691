package org.splitpoint.engine.nbd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A small NBD client for tests: fixed newstyle, NBD_OPT_GO, structured replies and metadata
 * contexts when asked, simple or structured replies, pipelined requests; anything can also be sent
 * raw, so tests can break the protocol on purpose.
 */
final class NbdTestClient implements AutoCloseable {

    record Reply(int error, long handle, byte[] data) { }

    record OptionReply(int type, byte[] data) { }

    /** One structured reply chunk (or, with {@code simple}, a simple reply: error in {@code type}, no payload). */
    record Chunk(boolean simple, int flags, int type, long handle, byte[] payload) {
        boolean done() {
            return simple || (flags & Nbd.REPLY_FLAG_DONE) != 0;
        }

        ByteBuffer data() {
            return ByteBuffer.wrap(payload);
        }

        /** The error of an error chunk (or a simple reply), else 0. */
        int error() {
            return simple ? type : (type & 0x8000) != 0 ? ByteBuffer.wrap(payload).getInt() : 0;
        }

        /** The message of an error chunk. */
        String message() {
            ByteBuffer b = ByteBuffer.wrap(payload);
            b.getInt();
            byte[] m = new byte[b.getShort() & 0xffff];
            b.get(m);
            return new String(m, StandardCharsets.UTF_8);
        }
    }

    final SocketChannel ch;
    long size;
    int flags;

    NbdTestClient(int port) throws IOException {
        this(port, Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES);
    }

    /** Connects and answers the greeting with {@code clientFlags}. */
    NbdTestClient(int port, int clientFlags) throws IOException {
        this(null, port, clientFlags);
    }

    /** Connects from the loopback address {@code from} (e.g. "127.0.0.2": another host), or any when null. */
    NbdTestClient(String from, int port, int clientFlags) throws IOException {
        this(tcp(from, port), clientFlags);
    }

    /** Connects to the Unix socket {@code socket} and answers the greeting with {@code clientFlags}. */
    NbdTestClient(java.nio.file.Path socket, int clientFlags) throws IOException {
        this(unix(socket), clientFlags);
    }

    private static SocketChannel tcp(String from, int port) throws IOException {
        SocketChannel c = SocketChannel.open();
        try {
            if (from != null) {
                c.bind(new InetSocketAddress(from, 0));
            }
            c.connect(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private static SocketChannel unix(java.nio.file.Path socket) throws IOException {
        SocketChannel c = SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        try {
            c.connect(java.net.UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private NbdTestClient(SocketChannel connected, int clientFlags) throws IOException {
        ch = connected;
        ByteBuffer hello = read(18);
        if (hello.getLong() != Nbd.INIT_MAGIC || hello.getLong() != Nbd.OPT_MAGIC) {
            throw new IOException("bad greeting");
        }
        write(ByteBuffer.allocate(4).putInt(clientFlags).flip());
    }

    /** NBD_OPT_STRUCTURED_REPLY; returns the reply type. */
    int structured() throws IOException {
        sendOption(Nbd.OPT_STRUCTURED_REPLY, new byte[0]);
        return readOptionReply().type();
    }

    /**
     * NBD_OPT_LIST_META_CONTEXT or NBD_OPT_SET_META_CONTEXT for {@code export} with {@code queries};
     * returns the replies, the last one ACK or an error. A META_CONTEXT reply's data is the id then the name.
     */
    List<OptionReply> meta(int opt, String export, String... queries) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream d = new java.io.DataOutputStream(b);
        byte[] n = export.getBytes(StandardCharsets.UTF_8);
        d.writeInt(n.length);
        d.write(n);
        d.writeInt(queries.length);
        for (String q : queries) {
            byte[] qb = q.getBytes(StandardCharsets.UTF_8);
            d.writeInt(qb.length);
            d.write(qb);
        }
        sendOption(opt, b.toByteArray());
        List<OptionReply> out = new ArrayList<>();
        while (true) {
            OptionReply r = readOptionReply();
            out.add(r);
            if (r.type() != Nbd.REP_META_CONTEXT) {
                return out;
            }
        }
    }

    /** The name of a META_CONTEXT reply. */
    static String contextName(OptionReply r) {
        return new String(r.data(), 4, r.data().length - 4, StandardCharsets.UTF_8);
    }

    /** The id of a META_CONTEXT reply. */
    static int contextId(OptionReply r) {
        return ByteBuffer.wrap(r.data()).getInt();
    }

    /** NBD_OPT_GO (or INFO) for {@code name} asking for the information types {@code infos}. */
    List<OptionReply> go(String name, int opt, int... infos) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(6 + n.length + 2 * infos.length).putInt(n.length).put(n).putShort((short) infos.length);
        for (int i : infos) {
            b.putShort((short) i);
        }
        sendOption(opt, b.array());
        return goReplies();
    }

    /** Reads one reply of the transmission phase, simple (no payload) or a structured chunk. */
    Chunk chunk() throws IOException {
        int magic = read(4).getInt();
        if (magic == Nbd.SIMPLE_REPLY_MAGIC) {
            ByteBuffer h = read(12);
            int err = h.getInt();
            return new Chunk(true, 0, err, h.getLong(), new byte[0]);
        }
        if (magic != Nbd.STRUCTURED_REPLY_MAGIC) {
            throw new IOException("bad reply magic " + Integer.toHexString(magic));
        }
        ByteBuffer h = read(16);
        int flags = h.getShort() & 0xffff;
        int type = h.getShort() & 0xffff;
        long handle = h.getLong();
        int len = h.getInt();
        return new Chunk(false, flags, type, handle, read(len).array());
    }

    /** The chunks of one reply, up to and including the one that ends it (one request in flight). */
    List<Chunk> chunks() throws IOException {
        List<Chunk> out = new ArrayList<>();
        while (true) {
            Chunk c = chunk();
            out.add(c);
            if (c.done()) {
                return out;
            }
        }
    }

    void sendOption(int opt, byte[] data) throws IOException {
        write(ByteBuffer.allocate(16 + data.length).putLong(Nbd.OPT_MAGIC).putInt(opt).putInt(data.length).put(data).flip());
    }

    OptionReply readOptionReply() throws IOException {
        ByteBuffer h = read(20);
        if (h.getLong() != Nbd.REP_MAGIC) {
            throw new IOException("bad option reply magic");
        }
        h.getInt();
        int type = h.getInt();
        int len = h.getInt();
        return new OptionReply(type, read(len).array());
    }

    /** NBD_OPT_GO for {@code name}; returns the replies (INFO..., then ACK or an error). */
    List<OptionReply> go(String name, int opt) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        sendOption(opt, ByteBuffer.allocate(6 + n.length).putInt(n.length).put(n).putShort((short) 0).array());
        return goReplies();
    }

    private List<OptionReply> goReplies() throws IOException {
        List<OptionReply> out = new ArrayList<>();
        while (true) {
            OptionReply r = readOptionReply();
            out.add(r);
            if (r.type() == Nbd.REP_INFO) {
                ByteBuffer d = ByteBuffer.wrap(r.data());
                if (d.getShort() == Nbd.INFO_EXPORT) {
                    size = d.getLong();
                    flags = d.getShort() & 0xffff;
                }
                continue;
            }
            return out;
        }
    }

    void request(int type, int cmdFlags, long handle, long offset, int length, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(28 + (data == null ? 0 : data.length));
        b.putInt(Nbd.REQUEST_MAGIC).putShort((short) cmdFlags).putShort((short) type).putLong(handle).putLong(offset).putInt(length);
        if (data != null) {
            b.put(data);
        }
        write(b.flip());
    }

    /** Reads one simple reply; {@code readLengthOf} gives the data length of a successful read by handle. */
    Reply reply(java.util.function.LongToIntFunction readLengthOf) throws IOException {
        ByteBuffer h = read(16);
        if (h.getInt() != Nbd.SIMPLE_REPLY_MAGIC) {
            throw new IOException("bad reply magic");
        }
        int err = h.getInt();
        long handle = h.getLong();
        int len = err == 0 ? readLengthOf.applyAsInt(handle) : 0;
        return new Reply(err, handle, read(len).array());
    }

    ByteBuffer read(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new java.io.EOFException();
            }
        }
        return b.flip();
    }

    void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
