package org.splitpoint.engine.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.splitpoint.engine.pair.PairRefusedException;

/**
 * One NBD client connection: the fixed-newstyle handshake ({@link Negotiation}), then the
 * transmission phase (checks in {@link Requests}, replies encoded by {@link Replies}).
 *
 * <p>Design. This connection's thread reads requests in order (a write's payload must be read
 * before the next header). Before it reads anything more of a request it takes the request's slot
 * and buffer bytes from the connection's {@link MemoryBudget.Account}: a client with too much in
 * flight or unreplied is simply no longer read from, and no payload is read into memory nobody
 * granted. The request then runs on the server's shared workers as pieces on this connection's
 * lane of the {@link RequestScheduler}, so requests run concurrently and no client's large request
 * holds the workers (a read is run by the connection's reply writer itself while the connection's reads
 * come back from memory, see {@link InlineReads}); its reply goes to this connection's {@link Outbox}, written by a thread of its
 * own, so no worker ever waits for a client to read. Replies go out in completion order, as the
 * protocol allows. Every request taken is answered: an error (EPERM, EINVAL, ENOSPC, ENOMEM, EIO)
 * when it cannot be done, never silence; a worker never dies of a request.
 *
 * <p>Ending. A connection ends when the client disconnects or breaks the protocol, when the server
 * stops, when the client sits in the handshake too long, when it reads no reply for too long, when it
 * stops sending a write's payload (the memory granted for it would be held from the others), or when
 * it is retired because its export changed ({@link ExportWatch}). In every case the requests already
 * taken run to their end before the connection is forgotten. A retired connection answers them,
 * takes no new ones (the client sends those again after it reconnects), and then half-closes, so
 * the client reads every reply before the end of the stream; it is cut after a grace period if the
 * client does not hang up. Only completed requests are answered, so a disconnect loses nothing
 * acknowledged.
 *
 * <p>A handshake choosing a read-only export may wait before it is answered when this client's
 * host keeps reconnecting to it and leaving without a request ({@link ReconnectBackoff}); the
 * first request of a connection tells the server that its host is a client like any other again.
 */
final class NbdConnection implements Runnable {

    private static final int HANDSHAKE = 0;
    private static final int TRANSMISSION = 1;
    private static final int ENDED = 2;

    private final long id;
    private final SocketChannel ch;
    private final String host;
    private final String remote;
    private final ExportCatalog catalog;
    private final NbdServer server;
    private final BufferPool buffers;
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final Instant since = Instant.now();
    private final long acceptedNanos = System.nanoTime();
    private final AtomicInteger phase = new AtomicInteger(HANDSHAKE);
    private final MemoryBudget.Account account;
    private final RequestScheduler.Lane lane;
    private final Outbox outbox;
    /** Guards {@link #executing}, {@link #retired}, {@link #retireSaid} and {@link #sealed}. */
    private final Object state = new Object();
    private int executing;
    private String retired;
    /** The retirement's reason was logged: only then may the stream end (the client's EOF comes after the line). */
    private boolean retireSaid;
    private boolean sealed;
    private volatile boolean closed;
    private final AtomicBoolean announced = new AtomicBoolean();
    private volatile Export export;
    private volatile Negotiation.Session session;
    private volatile Replies replies;
    private ByteBuffer scratch;
    private static final long NOT_WAITING = Long.MIN_VALUE;
    /** When this connection's thread began waiting for a write's payload; {@link #NOT_WAITING} when it is not. */
    private volatile long payloadWaitSince = NOT_WAITING;
    /** When the payload being read began ({@link #NOT_WAITING}: none is), and how many of its bytes came since. */
    private volatile long payloadSince = NOT_WAITING;
    private volatile long payloadReceived;
    private final InlineReads inlineReads = new InlineReads();

    NbdConnection(long id, SocketChannel ch, String host, String remote, ExportCatalog catalog, NbdServer server) {
        this.id = id;
        this.ch = ch;
        this.host = host;
        this.remote = remote;
        this.catalog = catalog;
        this.server = server;
        this.buffers = server.buffers();
        this.account = server.memory().open();
        this.lane = server.scheduler().lane();
        this.outbox = new Outbox(ch, this::writerEnded);
    }

    ClientStats stats() {
        Export e = export;
        return new ClientStats(id, remote, e == null ? "(negotiating)" : e.name(), e != null && e.readOnly(), since,
                bytesRead.get(), bytesWritten.get(), requests.get());
    }

    /** The reply writer ended early: a client that left is not news, anything else is logged; either way the client is cut. */
    private void writerEnded(Throwable why) {
        if (!(why instanceof IOException) && !closed) {
            server.log("client " + remote + ": writing its replies failed (" + why + "); disconnecting it");
        }
        close();
    }

    /** The client's IP address ("unix socket" for every client of a Unix socket). */
    String host() {
        return host;
    }

    /** When the connection was accepted ({@link System#nanoTime}). */
    long acceptedNanos() {
        return acceptedNanos;
    }

    /** True the first time only: whoever gets it says (or decides not to say) that this client connected. */
    boolean announce() {
        return announced.compareAndSet(false, true);
    }

    /** The export this connection negotiated, once it is in the transmission phase; else null. */
    Export negotiated() {
        return phase.get() == TRANSMISSION ? export : null;
    }

    @Override
    public void run() {
        ScheduledFuture<?> timeout = server.timer().schedule(this::handshakeTimedOut,
                server.limits().handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            boolean go = handshake();
            if (phase.compareAndSet(HANDSHAKE, TRANSMISSION) && go) {
                timeout.cancel(false);
                transmission();
            }
        } catch (EOFException | ClosedChannelException e) {
            // the client went away, or was cut off (handshake timeout, stall, server stop)
        } catch (IOException e) {
            if (!closed) { // a client may break the protocol as often as it likes: within a budget
                server.clientLine("client " + remote + ": " + e.getMessage());
            }
        } catch (RuntimeException | Error e) { // e.g. a JDK class that could not load for want of a descriptor
            server.clientLine("client " + remote + ": connection failed: " + e);
        } finally {
            timeout.cancel(false);
            end();
        }
    }

    /** True while the client has chosen no export yet. */
    boolean negotiating() {
        return phase.get() == HANDSHAKE;
    }

    /**
     * Cuts a client that has chosen no export yet, to make room for a new one at the server's limit
     * ({@link AcceptLoop}); false when it chose one meanwhile (it is kept).
     */
    boolean displace() {
        if (phase.compareAndSet(HANDSHAKE, ENDED)) {
            displaced = true;
            close();
            return true;
        }
        return false;
    }

    /** True once {@link #displace}d: it is going, its place taken. */
    boolean wasDisplaced() {
        return displaced;
    }

    private volatile boolean displaced;

    private void handshakeTimedOut() {
        if (phase.compareAndSet(HANDSHAKE, ENDED)) {
            java.time.Duration t = server.limits().handshakeTimeout();
            server.log("client " + remote + " chose no export within " + (t.toMillis() < 1000 ? t.toMillis() + " ms"
                    : t.toSeconds() + " s") + " of connecting; disconnected");
            close();
        }
    }

    /** Waits for the requests taken, lets their replies go out, then lets go of everything. */
    private void end() {
        awaitIdle();
        outbox.finish(null);
        try {
            // the writer ends once all is written, or the client is gone; one that reads nothing
            // is cut by the stall check, so this wait is a backstop only
            if (!outbox.awaitEnd(server.limits().replyStall().toMillis() + 5_000)) {
                close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        phase.set(ENDED);
        try {
            close();
        } finally {
            account.close();
            server.closed(this, retired);
        }
    }

    /** Cuts the connection at once; requests running go on, their replies are dropped. Idempotent. */
    void close() {
        closed = true;
        try {
            ch.close();
        } catch (IOException | RuntimeException | LinkageError ignored) {
            // closing anyway (out of descriptors, even the JDK's close can fail to load a class)
        } finally {
            account.abort();
            outbox.abort();
        }
    }

    /** True once the connection was retired (its requests finish, no new ones are taken). */
    boolean retiring() {
        synchronized (state) {
            return retired != null;
        }
    }

    /**
     * Ends this connection politely because of {@code reason}: the requests taken finish and are
     * answered, later ones are not taken, then the server half-closes. With {@code renegotiate}
     * the log says the client may reconnect (its export changed, not the server).
     */
    void retire(String reason, boolean renegotiate) {
        int inFlight;
        synchronized (state) {
            if (retired != null || closed) {
                return;
            }
            retired = reason;
            inFlight = executing;
        }
        Export e = export;
        server.announce(this);
        server.log("client " + remote + " on " + (e == null ? "(negotiating)" : e.name()) + ": " + reason + "; "
                + (inFlight == 0 ? "" : "finishing its " + inFlight + " requests in flight, then ")
                + "disconnecting it" + (renegotiate ? ", so that it reconnects and negotiates again" : ""));
        account.abort(); // a request waiting for memory is not taken
        // the stream ends only now: a request in flight that finished while the line was being logged
        // sealed the connection before the line was out, and the client (a test, an administrator's
        // script reading the event log) saw the end of the stream with no reason logged yet
        boolean seal;
        synchronized (state) {
            retireSaid = true;
            seal = executing == 0 && !sealed;
            sealed |= seal;
        }
        if (seal) {
            seal();
        }
    }

    /** Disconnects a client that has accepted no reply byte for {@code limitNanos} while replies wait. */
    void checkStall(long limitNanos) {
        long stalled = outbox.stalledNanos();
        if (!closed && stalled > limitNanos) {
            Export e = export;
            server.announce(this);
            server.log("client " + remote + " on " + (e == null ? "(negotiating)" : e.name()) + " has read none of its"
                    + " replies for " + TimeUnit.NANOSECONDS.toSeconds(stalled) + " s; disconnecting it");
            close();
        }
    }

    /** Last replies out, then FIN; a client that does not hang up within the grace is cut. */
    private void seal() {
        outbox.finish(() -> {
            try {
                server.timer().schedule(this::close, server.limits().closeGrace().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopped) { // the server's timer is gone: no grace to give
                close();
            }
        });
    }

    /** A request is taken, unless the connection was retired. */
    private boolean enter() {
        synchronized (state) {
            if (retired != null) {
                return false;
            }
            executing++;
            return true;
        }
    }

    /** A request taken is over (its reply queued, or dropped). */
    private void exit() {
        boolean seal;
        synchronized (state) {
            executing--;
            seal = retireSaid && executing == 0 && !sealed;
            sealed |= seal;
            state.notifyAll();
        }
        if (seal) {
            seal();
        }
    }

    private void awaitIdle() {
        boolean interrupted = false;
        synchronized (state) {
            while (executing > 0) {
                try {
                    state.wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the requests' effects must be complete before we forget them
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- handshake ------------------------------------------------------------------------------

    /** The negotiation ({@link Negotiation}); true when it moved to transmission with an export. */
    private boolean handshake() throws IOException {
        Negotiation.Session s = new Negotiation(ch, catalog, this::paceHandshake).run();
        if (s == null) {
            return false;
        }
        session = s;
        replies = new Replies(outbox::send, s.structured());
        export = s.export();
        return true;
    }

    /** Before a GO or EXPORT_NAME choosing {@code name} is answered: a read-only export may make it wait ({@link ReconnectBackoff}). */
    private void paceHandshake(String name) {
        Export e = catalog.find(name);
        if (e == null || !e.readOnly()) {
            return;
        }
        server.paceHandshake(host, e.name(), new ReadOnlyWait(name));
    }

    /** A slowed handshake ends its wait once the export it chose is writable, or the connection is cut. */
    private final class ReadOnlyWait implements ReconnectBackoff.Waiter {
        private final String name;

        ReadOnlyWait(String name) {
            this.name = name;
        }

        @Override
        public boolean stillReadOnly() {
            Export now = catalog.find(name);
            return now != null && now.readOnly();
        }

        @Override
        public boolean cut() {
            return closed;
        }
    }

    // ---- transmission -----------------------------------------------------------------------------

    private void transmission() throws IOException {
        outbox.start("splitpoint-nbd-out-" + remote);
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
            if (type == Nbd.CMD_WRITE && length > Nbd.MAX_REQUEST) {
                throw new IOException("write of " + length + " bytes is larger than the 32 MiB limit");
            }
            take(type, flags, handle, offset, length);
        }
    }

    /**
     * Takes one request whose header was read: its slot and buffer bytes first, then its payload,
     * then it goes to the workers; or it is answered with an error at once.
     */
    private void take(int type, int flags, long handle, long offset, long length) throws IOException {
        long payload = type == Nbd.CMD_WRITE ? length : 0;
        if (retiring()) {
            discard(payload); // not taken, not answered: the client sends it again after reconnecting
            return;
        }
        if (requests.incrementAndGet() == 1) {
            server.madeRequest(this);
        }
        Requests.Refusal no = refusal(type, flags, offset, length);
        int refusal = no == null ? 0 : no.error();
        String why = no == null ? null : no.why();
        NbdRequest r = refusal == 0 ? new NbdRequest(type, flags, handle, offset, length, pieceBytes(type, flags, offset, length)) : null;
        // a read from memory is run by the reply writer, which takes its buffer when it runs it (OnWriterRead)
        boolean onWriter = r != null && r.type == Nbd.CMD_READ && r.pieces() == 1 && inlineReads.mayRunHere();
        long charge = r == null ? 0 : r.charge();
        MemoryBudget.Grant grant = account.admit(charge, server.limits().memoryWait().toNanos());
        if (grant == MemoryBudget.Grant.ABORTED) {
            discard(payload);
            return;
        }
        if (grant == MemoryBudget.Grant.NO_MEMORY) {
            server.memoryShort(remote, charge, "the server's buffer memory stayed in use for "
                    + server.limits().memoryWait().toSeconds() + " s");
            r = null;
            refusal = Nbd.ENOMEM;
            why = "the server's buffer memory is in use; try again";
        } else if (r != null) {
            r.granted(charge);
            if (r.buffers != null && !onWriter && !takeBuffers(r)) {
                r = null;
                refusal = Nbd.ENOMEM;
                why = "the server is out of memory for buffers; try again";
            }
        }
        if (type == Nbd.CMD_WRITE) {
            if (r == null) {
                discard(payload);
            } else {
                payloadReceived = 0;
                payloadSince = System.nanoTime();
                try {
                    for (ByteBuffer b : r.buffers) {
                        readPayload(b);
                        b.flip();
                    }
                } catch (IOException e) {
                    giveBack(r); // never written: a write cut short by a vanishing client is not done at all
                    account.finish();
                    throw e;
                } finally {
                    payloadSince = NOT_WAITING;
                }
            }
        }
        if (r == null) {
            replies.error(handle, refusal, why, account::finish);
            return;
        }
        if (!enter()) { // retired while its payload was read: not taken
            giveBack(r);
            account.finish();
            return;
        }
        try {
            PieceJob job = new PieceJob(r);
            if (onWriter) {
                outbox.run(new OnWriterRead(r, job)); // no worker woken (InlineReads)
                return;
            }
            lane.submit(job);
        } catch (RejectedExecutionException shuttingDown) {
            giveBack(r);
            replies.error(handle, Nbd.ESHUTDOWN, "the server is shutting down", account::finish);
            exit();
        }
    }

    /**
     * Zeroings the device does without writing zeros (a fallocate of each member, see
     * {@code BlockDevice#zeroesFast}) run as pieces of this size: each piece is a write-intent
     * update and a system call per member whatever its length, and at the usual piece size a 1 GiB
     * zeroing was 1024 of them per member against nbdkit's 32 (a quarter of its speed, see
     * bench/notes/nbd-profile-2026-12-03.txt). A piece this size still takes milliseconds, so other
     * clients are not held up; zeroings that write zeros keep the usual pieces.
     */
    static final int FAST_ZERO_PIECE = 32 << 20;

    /** The piece size of a request: the server's, or {@link #FAST_ZERO_PIECE} for a zeroing the device does fast. */
    private int pieceBytes(int type, int flags, long offset, long length) {
        int usual = server.limits().pieceBytes();
        if ((type == Nbd.CMD_WRITE_ZEROES || type == Nbd.CMD_TRIM) && length > usual
                && session.export().device().zeroesFast(offset, length, Requests.mayUnmap(type, flags))) {
            return Math.max(usual, FAST_ZERO_PIECE);
        }
        return usual;
    }

    /**
     * Why a request is refused before it runs, or null: the protocol's checks ({@link Requests}),
     * and a FAST_ZERO that could not be fast (answered before any byte is touched).
     */
    private Requests.Refusal refusal(int type, int flags, long offset, long length) {
        Negotiation.Session s = session;
        Requests.Refusal no = Requests.check(s, type, flags, offset, length);
        if (no == null && type == Nbd.CMD_WRITE_ZEROES && (flags & Nbd.CMD_FLAG_FAST_ZERO) != 0
                && !s.export().device().zeroesFast(offset, length, Requests.mayUnmap(type, flags))) {
            return new Requests.Refusal(Nbd.ENOTSUP, "zeroing this range would be no faster than writing it");
        }
        return no;
    }

    /** Takes a buffer per piece of {@code r}, already charged; false (nothing held) when memory ran out. */
    private boolean takeBuffers(NbdRequest r) {
        try {
            for (int i = 0; i < r.pieces(); i++) {
                r.buffers[i] = buffers.take(r.pieceLength(i));
            }
            return true;
        } catch (OutOfMemoryError oom) {
            long charge = r.charge();
            giveBack(r);
            server.memoryShort(remote, charge, "direct memory ran out (" + oom.getMessage() + ")");
            return false;
        }
    }

    /** Returns the buffers {@code r} still holds, and what is left of its charge. */
    private void giveBack(NbdRequest r) {
        if (r.buffers != null) {
            for (int i = 0; i < r.buffers.length; i++) {
                buffers.give(r.buffers[i]);
                r.buffers[i] = null;
            }
        }
        account.release(r.releaseAll());
    }

    /** The pieces of one request, as the scheduler runs them. */
    final class PieceJob implements RequestScheduler.Job {

        private final NbdRequest r;

        PieceJob(NbdRequest r) {
            this.r = r;
        }

        @Override
        public int pieces() {
            return r.pieces();
        }

        @Override
        public void run(int piece) {
            if (!r.failed()) { // once a piece failed, the answer is known: skip the rest
                r.fail(serve(r, piece));
            }
            pieceDone(r, piece);
        }

        @Override
        public void crashed(int piece, Throwable t) {
            server.log("client " + remote + ": request " + r.handle + " failed unexpectedly: " + t);
            r.fail(Nbd.EIO);
            pieceDone(r, piece);
        }
    }

    /**
     * A read from memory, run by the connection's reply writer ({@link Outbox.Task}): the writer takes
     * a buffer from the pool at that moment (the one it gave back last, still in the CPU's cache),
     * reads into it and writes the reply right after, on the same core. Read by the connection's
     * reader into a buffer taken at admission and written by the writer later, the socket copy of the
     * same bytes took twice nbdkit's time (bench/notes/nbd-hot-reads-2026-12-07.txt).
     *
     * <p>Whether it runs here is asked again when its turn comes: the reader queues reads as fast as
     * the client sends them (up to {@link NbdLimits#requestsPerConnection} ahead), so once a read
     * before it waited for the disk it goes to the workers like the ones taken after, rather than
     * holding every reply behind it on this thread one disk wait after another.
     */
    private final class OnWriterRead implements Outbox.Task {

        private final NbdRequest r;
        private final PieceJob job;

        OnWriterRead(NbdRequest r, PieceJob job) {
            this.r = r;
            this.job = job;
        }

        @Override
        public void run() {
            try {
                if (!takeBuffers(r)) {
                    r.explain("the server is out of memory for buffers; try again");
                    r.fail(Nbd.ENOMEM);
                } else if (!inlineReads.mayStayHere() && toWorkers()) {
                    return; // a read before it waited: this one waits on a worker, not before the replies behind it
                }
                job.run(0); // a failed request (no memory, the workers shutting down) skips its piece and is answered with its error
            } catch (Throwable t) {
                job.crashed(0, t);
            }
        }

        /** Hands the read to the workers; false when they are shutting down (it is then answered so). */
        private boolean toWorkers() {
            try {
                lane.submit(job);
                return true;
            } catch (RejectedExecutionException shuttingDown) {
                r.explain("the server is shutting down");
                r.fail(Nbd.ESHUTDOWN);
                return false;
            }
        }

        @Override
        public void dropped() {
            giveBack(r);
            account.finish();
            exit();
        }
    }

    /** Runs piece {@code piece} of {@code r} on a worker; returns 0, or the error to answer. */
    private int serve(NbdRequest r, int piece) {
        Export e = export;
        long offset = r.pieceOffset(piece);
        int length = r.pieceLength(piece);
        try {
            switch (r.type) {
                case Nbd.CMD_READ -> {
                    long began = System.nanoTime();
                    try {
                        e.device().read(offset, r.buffers[piece]);
                    } finally {
                        // a read that failed after waiting (say a backup store that stopped answering) was
                        // slow too: it must send the next reads to the workers like any slow one
                        inlineReads.served(length, System.nanoTime() - began);
                    }
                    bytesRead.addAndGet(length);
                }
                case Nbd.CMD_WRITE -> {
                    e.device().write(offset, r.buffers[piece]);
                    bytesWritten.addAndGet(length);
                }
                case Nbd.CMD_WRITE_ZEROES, Nbd.CMD_TRIM -> {
                    // FAST_ZERO was settled before the request was taken, FUA comes after its last piece
                    Requests.zero(e.device(), r.type, r.flags & ~(Nbd.CMD_FLAG_FUA | Nbd.CMD_FLAG_FAST_ZERO), offset, length);
                    if (r.type == Nbd.CMD_WRITE_ZEROES) {
                        bytesWritten.addAndGet(length);
                    }
                }
                case Nbd.CMD_FLUSH -> e.device().flush();
                case Nbd.CMD_CACHE -> Requests.cache(e.device(), r.offset, r.length);
                case Nbd.CMD_BLOCK_STATUS -> r.status = Requests.blockStatus(session, r.flags, r.offset, r.length);
                default -> {
                    r.explain("unknown command " + r.type);
                    return Nbd.EINVAL;
                }
            }
            return 0;
        } catch (PairRefusedException refused) {
            server.checkExportsSoon(); // the pair changed state: this client may have to renegotiate
            r.explain(refused.getMessage());
            return Nbd.EPERM;
        } catch (org.splitpoint.engine.io.NoSpaceException full) {
            r.explain(full.getMessage());
            return Nbd.ENOSPC;
        } catch (IOException | RuntimeException failed) {
            server.log("client " + remote + " on " + e.name() + ": " + failed.getMessage());
            r.explain(failed.getMessage());
            return Nbd.EIO;
        } catch (OutOfMemoryError oom) {
            server.log("client " + remote + " on " + e.name() + ": out of memory: " + oom.getMessage());
            r.explain("the server ran out of memory");
            return Nbd.ENOMEM;
        }
    }

    /** After a piece: a write's buffer goes back at once; the last piece answers the request. */
    private void pieceDone(NbdRequest r, int piece) {
        if (r.type == Nbd.CMD_WRITE) {
            buffers.give(r.buffers[piece]);
            r.buffers[piece] = null;
            account.release(r.release(BufferPool.capacityFor(r.pieceLength(piece))));
        }
        if (r.pieceDone()) {
            complete(r);
        }
    }

    /** Answers {@code r}, all its pieces done: FUA first, then the reply (with the data of a read). */
    private void complete(NbdRequest r) {
        try {
            int error = r.error();
            if (error == 0 && (r.flags & Nbd.CMD_FLAG_FUA) != 0
                    && (r.type == Nbd.CMD_WRITE || r.type == Nbd.CMD_WRITE_ZEROES || r.type == Nbd.CMD_TRIM)) {
                error = flush(r);
            }
            Replies out = replies;
            if (error == 0 && r.type == Nbd.CMD_READ) {
                for (ByteBuffer b : r.buffers) {
                    b.flip();
                }
                out.read(r.handle, r.offset, r.buffers, (r.flags & Nbd.CMD_FLAG_DF) != 0, () -> {
                    giveBack(r);
                    account.finish();
                });
            } else if (error == 0) {
                giveBack(r);
                if (r.type == Nbd.CMD_BLOCK_STATUS) {
                    out.blockStatus(r.handle, r.status, account::finish);
                } else {
                    out.ok(r.handle, account::finish);
                }
            } else {
                giveBack(r);
                String why = r.explanation() == null ? "request failed (error " + error + ")" : r.explanation();
                if (r.type == Nbd.CMD_FLUSH || r.type == Nbd.CMD_BLOCK_STATUS || r.type == Nbd.CMD_CACHE) {
                    out.error(r.handle, error, why, account::finish);
                } else {
                    out.errorAt(r.handle, error, why, r.offset, account::finish);
                }
            }
        } catch (Throwable t) { // never leave the client without an answer
            server.log("client " + remote + ": answering request " + r.handle + " failed: " + t);
            giveBack(r);
            replies.error(r.handle, Nbd.EIO, "answering the request failed", account::finish);
        } finally {
            exit();
        }
    }

    private int flush(NbdRequest r) {
        Export e = export;
        try {
            e.device().flush();
            return 0;
        } catch (PairRefusedException refused) {
            r.explain(refused.getMessage());
            return Nbd.EPERM;
        } catch (IOException | RuntimeException failed) {
            server.log("client " + remote + " on " + e.name() + ": " + failed.getMessage());
            r.explain(failed.getMessage());
            return Nbd.EIO;
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

    /**
     * Reads a write's payload into the buffer granted for it, saying while it waits for the client
     * ({@link #checkPayloadStall}): only the time blocked in a read counts, not a pause of ours.
     */
    private void readPayload(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            payloadWaitSince = System.nanoTime();
            int n;
            try {
                n = ch.read(b);
            } finally {
                payloadWaitSince = NOT_WAITING;
            }
            if (n < 0) {
                throw new EOFException();
            }
            payloadReceived += n; // this thread only writes it
        }
    }

    /**
     * Disconnects a client whose write's payload does not come, so the memory granted for it goes
     * back to the others: one the server has waited on for {@code limitNanos} in one read, or one
     * that, past {@code limitNanos} into the payload, has sent less than
     * {@link NbdLimits#PAYLOAD_MIN_RATE} a second since. A stall alone let a client that sends a
     * byte every few seconds hold a payload's 32 MiB for a day: eight such clients of serve held
     * its 256 MiB, and every other client's requests, 4 KiB reads too, were answered ENOMEM after
     * the memory wait (seen by h125 with a raw-socket client against splitpoint serve).
     */
    void checkPayloadStall(long limitNanos) {
        long since = payloadWaitSince;
        long began = payloadSince;
        long now = System.nanoTime();
        if (closed) {
            return;
        }
        String why = null;
        if (since != NOT_WAITING && now - since > limitNanos) {
            why = "sent no more of a write's payload for " + Math.max(1, TimeUnit.NANOSECONDS.toSeconds(limitNanos)) + " s";
        } else if (began != NOT_WAITING && now - began > limitNanos) {
            long received = payloadReceived;
            double owed = (now - began - limitNanos) / 1e9 * NbdLimits.PAYLOAD_MIN_RATE;
            if (received < owed) {
                why = "sent only " + received + " bytes of a write's payload in "
                        + String.format(java.util.Locale.ROOT, "%.1f", (now - began) / 1e9) + " s (at least "
                        + (NbdLimits.PAYLOAD_MIN_RATE % (1 << 20) == 0 ? (NbdLimits.PAYLOAD_MIN_RATE >> 20) + " MiB"
                        : (NbdLimits.PAYLOAD_MIN_RATE >> 10) + " KiB") + " a second are needed after the first "
                        + Math.max(1, TimeUnit.NANOSECONDS.toSeconds(limitNanos)) + " s)";
            }
        }
        if (why != null) {
            Export e = export;
            server.announce(this);
            server.log("client " + remote + " on " + (e == null ? "(negotiating)" : e.name()) + " " + why + ", holding"
                    + " the buffer memory granted for it; disconnecting it (the write is not done)");
            close();
        }
    }

    /** Reads and drops {@code n} bytes: the payload of a write that is not done. */
    private void discard(long n) throws IOException {
        if (n == 0) {
            return;
        }
        if (scratch == null) {
            scratch = ByteBuffer.allocate(16 << 10);
        }
        for (long left = n; left > 0; ) {
            scratch.clear().limit((int) Math.min(scratch.capacity(), left));
            readFully(scratch);
            left -= scratch.limit();
        }
    }
}
