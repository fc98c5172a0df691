package org.splitpoint.engine.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.splitpoint.engine.pair.PairRefusedException;

/**
 * One NBD client connection: the fixed-newstyle handshake, then the transmission phase.
 *
 * <p>Design. One thread reads requests in order (a write's payload must be read before the next
 * header), and hands each to the server's worker pool, so requests run concurrently and replies
 * go out in completion order, as the protocol allows; replies are serialized by a lock, header and
 * data in one gathering write. At most 64 requests are in flight per connection (backpressure).
 * A disconnect mid-request loses nothing acknowledged: only completed requests were replied to.
 */
final class NbdConnection implements Runnable {

    private static final int MAX_IN_FLIGHT = 64;

    private final long id;
    private final ByteChannel ch;
    private final String remote;
    private final ExportCatalog catalog;
    private final ExecutorService workers;
    private final NbdServer server;
    private final Object replyLock = new Object();
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final BufferPool buffers = new BufferPool();
    /** Write payloads: page-aligned, so the members can take them around the page cache (DirectWrites). */
    private final BufferPool payloads = new BufferPool(true);
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final Instant since = Instant.now();
    private volatile Export export;
    private boolean noZeroes;

    NbdConnection(long id, ByteChannel ch, String remote, ExportCatalog catalog, ExecutorService workers, NbdServer server) {
        this.id = id;
        this.ch = ch;
        this.remote = remote;
        this.catalog = catalog;
        this.workers = workers;
        this.server = server;
    }

    ClientStats stats() {
        Export e = export;
        return new ClientStats(id, remote, e == null ? "(negotiating)" : e.name(), e != null && e.readOnly(), since,
                bytesRead.get(), bytesWritten.get(), requests.get());
    }

    @Override
    public void run() {
        try {
            if (handshake()) {
                transmission();
            }
        } catch (EOFException | java.nio.channels.ClosedChannelException e) {
            // the client went away
        } catch (IOException e) {
            server.log("client " + remote + ": " + e.getMessage());
        } finally {
            // wait for requests still running so their effects are complete before we forget them
            inFlight.acquireUninterruptibly(MAX_IN_FLIGHT);
            close();
            server.closed(this);
        }
    }

    void close() {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    // ---- handshake ------------------------------------------------------------------------------

    private boolean handshake() throws IOException {
        ByteBuffer hello = ByteBuffer.allocate(18);
        hello.putLong(Nbd.INIT_MAGIC).putLong(Nbd.OPT_MAGIC).putShort((short) (Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES));
        writeFully(hello.flip());
        int clientFlags = readBuf(4).getInt();
        noZeroes = (clientFlags & Nbd.FLAG_C_NO_ZEROES) != 0;
        while (true) {
            ByteBuffer h = readBuf(16);
            if (h.getLong() != Nbd.OPT_MAGIC) {
                throw new IOException("bad option magic");
            }
            int opt = h.getInt();
            int len = h.getInt();
            if (len < 0 || len > 1 << 20) {
                throw new IOException("option of " + len + " bytes refused");
            }
            ByteBuffer data = readBuf(len);
            switch (opt) {
                case Nbd.OPT_EXPORT_NAME -> {
                    Export e = catalog.find(StandardCharsets.UTF_8.decode(data).toString());
                    if (e == null) {
                        return false; // the protocol's only answer: close
                    }
                    export = e;
                    ByteBuffer r = ByteBuffer.allocate(noZeroes ? 10 : 134);
                    r.putLong(e.device().size()).putShort((short) flags(e));
                    writeFully(r.position(0));
                    return true;
                }
                case Nbd.OPT_ABORT -> {
                    optReply(opt, Nbd.REP_ACK, ByteBuffer.allocate(0));
                    return false;
                }
                case Nbd.OPT_LIST -> {
                    for (Export e : catalog.list()) {
                        byte[] n = e.name().getBytes(StandardCharsets.UTF_8);
                        byte[] d = e.description().getBytes(StandardCharsets.UTF_8);
                        optReply(opt, Nbd.REP_SERVER, ByteBuffer.allocate(4 + n.length + d.length).putInt(n.length)
                                .put(n).put(d).flip());
                    }
                    optReply(opt, Nbd.REP_ACK, ByteBuffer.allocate(0));
                }
                case Nbd.OPT_INFO, Nbd.OPT_GO -> {
                    if (infoOrGo(opt, data)) {
                        return true;
                    }
                }
                default -> optError(opt, Nbd.REP_ERR_UNSUP, "option " + opt + " is not supported");
            }
        }
    }

    /** NBD_OPT_INFO / NBD_OPT_GO; returns true when GO moved to transmission. */
    private boolean infoOrGo(int opt, ByteBuffer data) throws IOException {
        if (data.remaining() < 6) {
            optError(opt, Nbd.REP_ERR_INVALID, "malformed request");
            return false;
        }
        int nameLen = data.getInt();
        if (nameLen < 0 || nameLen > data.remaining() - 2) {
            optError(opt, Nbd.REP_ERR_INVALID, "malformed export name");
            return false;
        }
        byte[] n = new byte[nameLen];
        data.get(n);
        String name = new String(n, StandardCharsets.UTF_8);
        Export e = catalog.find(name);
        if (e == null) {
            optError(opt, Nbd.REP_ERR_UNKNOWN, "no export named '" + name + "' (see the list)");
            return false;
        }
        ByteBuffer info = ByteBuffer.allocate(12);
        info.putShort((short) Nbd.INFO_EXPORT).putLong(e.device().size()).putShort((short) flags(e));
        optReply(opt, Nbd.REP_INFO, info.flip());
        ByteBuffer bs = ByteBuffer.allocate(14);
        bs.putShort((short) Nbd.INFO_BLOCK_SIZE).putInt(1).putInt(4096).putInt(Nbd.MAX_REQUEST);
        optReply(opt, Nbd.REP_INFO, bs.flip());
        byte[] d = e.description().getBytes(StandardCharsets.UTF_8);
        optReply(opt, Nbd.REP_INFO, ByteBuffer.allocate(2 + d.length).putShort((short) Nbd.INFO_DESCRIPTION).put(d).flip());
        optReply(opt, Nbd.REP_ACK, ByteBuffer.allocate(0));
        if (opt == Nbd.OPT_GO) {
            export = e;
            return true;
        }
        return false;
    }

    private static int flags(Export e) {
        int f = Nbd.TFLAG_HAS_FLAGS | Nbd.TFLAG_SEND_FLUSH | Nbd.TFLAG_SEND_FUA | Nbd.TFLAG_CAN_MULTI_CONN;
        return e.readOnly() ? f | Nbd.TFLAG_READ_ONLY : f | Nbd.TFLAG_SEND_WRITE_ZEROES;
    }

    private void optReply(int opt, int type, ByteBuffer data) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(20);
        h.putLong(Nbd.REP_MAGIC).putInt(opt).putInt(type).putInt(data.remaining()).flip();
        writeFully(h, data);
    }

    private void optError(int opt, int type, String message) throws IOException {
        optReply(opt, type, ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
    }

    // ---- transmission -----------------------------------------------------------------------------

    private void transmission() throws IOException {
        server.attached(this);
        while (true) {
            ByteBuffer h = readBuf(28);
            if (h.getInt() != Nbd.REQUEST_MAGIC) {
                throw new IOException("bad request magic");
            }
            int flags = h.getShort() & 0xffff;
            int type = h.getShort() & 0xffff;
            long handle = h.getLong();
            long offset = h.getLong();
            long length = h.getInt() & 0xffffffffL;
            if (type == Nbd.CMD_DISC) {
                return;
            }
            ByteBuffer payload = null;
            if (type == Nbd.CMD_WRITE) {
                if (length > Nbd.MAX_REQUEST) {
                    throw new IOException("write of " + length + " bytes is larger than the 32 MiB limit");
                }
                payload = payloads.take((int) length);
                readFully(payload);
                payload.flip();
            }
            ByteBuffer data = payload;
            inFlight.acquireUninterruptibly();
            try {
                workers.execute(() -> {
                    try {
                        serve(type, flags, handle, offset, length, data);
                    } finally {
                        payloads.give(data);
                        inFlight.release();
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                inFlight.release();
                reply(handle, Nbd.ESHUTDOWN, null);
                return;
            }
        }
    }

    private void serve(int type, int flags, long handle, long offset, long length, ByteBuffer payload) {
        requests.incrementAndGet();
        Export e = export;
        try {
            switch (type) {
                case Nbd.CMD_READ -> {
                    if (length > Nbd.MAX_REQUEST || !inRange(e, offset, length)) {
                        reply(handle, Nbd.EINVAL, null);
                        return;
                    }
                    ByteBuffer b = buffers.take((int) length);
                    try {
                        e.device().read(offset, b);
                        b.flip();
                        bytesRead.addAndGet(length);
                        reply(handle, 0, b);
                    } finally {
                        buffers.give(b);
                    }
                }
                case Nbd.CMD_WRITE, Nbd.CMD_WRITE_ZEROES -> {
                    if (e.readOnly()) {
                        reply(handle, Nbd.EPERM, null);
                        return;
                    }
                    if (!inRange(e, offset, length)) {
                        reply(handle, Nbd.ENOSPC, null);
                        return;
                    }
                    if (type == Nbd.CMD_WRITE) {
                        e.device().write(offset, payload);
                    } else {
                        writeZeroes(e, offset, length);
                    }
                    if ((flags & Nbd.CMD_FLAG_FUA) != 0) {
                        e.device().flush();
                    }
                    bytesWritten.addAndGet(length);
                    reply(handle, 0, null);
                }
                case Nbd.CMD_FLUSH -> {
                    e.device().flush();
                    reply(handle, 0, null);
                }
                default -> reply(handle, Nbd.EINVAL, null);
            }
        } catch (PairRefusedException refused) {
            reply(handle, Nbd.EPERM, null);
        } catch (IOException | RuntimeException failed) {
            server.log("client " + remote + " on " + e.name() + ": " + failed.getMessage());
            reply(handle, Nbd.EIO, null);
        }
    }

    private static boolean inRange(Export e, long offset, long length) {
        long size = e.device().size();
        return offset >= 0 && length >= 0 && offset <= size && length <= size - offset;
    }

    private static void writeZeroes(Export e, long offset, long length) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(length, 1 << 20));
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(zeros.capacity(), length - done);
            zeros.clear().limit(n);
            e.device().write(offset + done, zeros);
            done += n;
        }
    }

    private void reply(long handle, int error, ByteBuffer data) {
        ByteBuffer h = ByteBuffer.allocate(16);
        h.putInt(Nbd.SIMPLE_REPLY_MAGIC).putInt(error).putLong(handle).flip();
        try {
            if (data == null || error != 0) {
                writeFully(h);
            } else {
                writeFully(h, data);
            }
        } catch (IOException gone) {
            close(); // the reader thread sees the closed channel and ends the connection
        }
    }

    // ---- plumbing -----------------------------------------------------------------------------

    private ByteBuffer readBuf(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        readFully(b);
        return b.flip();
    }

    private void readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException();
            }
        }
    }

    private void writeFully(ByteBuffer... bufs) throws IOException {
        synchronized (replyLock) {
            for (ByteBuffer b : bufs) {
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }
    }
}
