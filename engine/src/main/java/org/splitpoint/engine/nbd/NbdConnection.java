package org.splitpoint.engine.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.splitpoint.engine.pair.PairRefusedException;

/**
 * One NBD client connection: the fixed-newstyle handshake ({@link Negotiation}), then the
 * transmission phase (checks in {@link Requests}, replies encoded by {@link Replies}).
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
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final Instant since = Instant.now();
    private volatile Export export;
    private volatile Negotiation.Session session;
    private volatile Replies replies;

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
            Negotiation.Session s = new Negotiation(ch, catalog).run();
            if (s != null) {
                session = s;
                replies = new Replies(this::send, s.structured());
                export = s.export();
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
                payload = buffers.take((int) length);
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
                        buffers.give(data);
                        inFlight.release();
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                inFlight.release();
                replies.error(handle, Nbd.ESHUTDOWN, "the server is shutting down");
                return;
            }
        }
    }

    private void serve(int type, int flags, long handle, long offset, long length, ByteBuffer payload) {
        requests.incrementAndGet();
        Negotiation.Session s = session;
        Export e = s.export();
        Replies r = replies;
        try {
            Requests.Refusal no = Requests.check(s, type, flags, offset, length);
            if (no != null) {
                r.error(handle, no.error(), no.why());
                return;
            }
            switch (type) {
                case Nbd.CMD_READ -> {
                    ByteBuffer b = buffers.take((int) length);
                    try {
                        e.device().read(offset, b);
                        b.flip();
                        bytesRead.addAndGet(length);
                        r.read(handle, offset, b, (flags & Nbd.CMD_FLAG_DF) != 0);
                    } finally {
                        buffers.give(b);
                    }
                }
                case Nbd.CMD_WRITE -> {
                    e.device().write(offset, payload);
                    if ((flags & Nbd.CMD_FLAG_FUA) != 0) {
                        e.device().flush();
                    }
                    bytesWritten.addAndGet(length);
                    r.ok(handle);
                }
                case Nbd.CMD_WRITE_ZEROES, Nbd.CMD_TRIM -> {
                    if (Requests.zero(e.device(), type, flags, offset, length)) {
                        r.ok(handle);
                    } else {
                        r.error(handle, Nbd.ENOTSUP, "zeroing this range would be no faster than writing it");
                    }
                }
                case Nbd.CMD_FLUSH -> {
                    e.device().flush();
                    r.ok(handle);
                }
                case Nbd.CMD_CACHE -> {
                    Requests.cache(e.device(), offset, length);
                    r.ok(handle);
                }
                case Nbd.CMD_BLOCK_STATUS -> r.blockStatus(handle, Requests.blockStatus(s, flags, offset, length));
                default -> r.error(handle, Nbd.EINVAL, "unknown command " + type); // Requests.check refused it
            }
        } catch (PairRefusedException refused) {
            failed(r, handle, type, offset, Nbd.EPERM, refused.getMessage());
        } catch (org.splitpoint.engine.io.NoSpaceException full) {
            failed(r, handle, type, offset, Nbd.ENOSPC, full.getMessage());
        } catch (IOException | RuntimeException failed) {
            server.log("client " + remote + " on " + e.name() + ": " + failed.getMessage());
            failed(r, handle, type, offset, Nbd.EIO, failed.getMessage());
        }
    }

    /** The error reply of a request that failed while it ran; data commands say from which offset. */
    private static void failed(Replies r, long handle, int type, long offset, int error, String message) {
        if (type == Nbd.CMD_FLUSH) {
            r.error(handle, error, message);
        } else {
            r.errorAt(handle, error, message, offset);
        }
    }

    /** Sends one reply; a client that went away closes the connection (the reader thread then ends it). */
    private void send(ByteBuffer... parts) {
        try {
            writeFully(parts);
        } catch (IOException gone) {
            close();
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
