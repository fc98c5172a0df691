package org.splitpoint.engine.nbd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A small NBD client for tests: fixed newstyle, NBD_OPT_GO, simple replies, pipelined requests. */
final class NbdTestClient implements AutoCloseable {

    record Reply(int error, long handle, byte[] data) { }

    record OptionReply(int type, byte[] data) { }

    final SocketChannel ch;
    long size;
    int flags;

    NbdTestClient(int port) throws IOException {
        ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        ByteBuffer hello = read(18);
        if (hello.getLong() != Nbd.INIT_MAGIC || hello.getLong() != Nbd.OPT_MAGIC) {
            throw new IOException("bad greeting");
        }
        write(ByteBuffer.allocate(4).putInt(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES).flip());
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
