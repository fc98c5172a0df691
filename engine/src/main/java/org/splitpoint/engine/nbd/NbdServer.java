package org.splitpoint.engine.nbd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * An NBD server (newstyle fixed handshake) exporting the devices of an {@link ExportCatalog} on a
 * TCP address or a Unix socket. Written from the NBD project's protocol document.
 *
 * <p>Design. An accept thread ({@link AcceptLoop}) hands each connection to its own thread for the
 * handshake and the request stream, and to a writer thread of its own for the replies
 * ({@link Outbox}); the requests themselves run on workers shared fairly between connections
 * ({@link RequestScheduler}), within a memory budget ({@link MemoryBudget}, buffers from one
 * {@link BufferPool}). Every limit is in {@link NbdLimits}. A timer thread times out handshakes,
 * and runs the {@link ExportWatch}, which retires connections whose export changed writability or
 * went away and cuts clients that stopped reading. A client that keeps reconnecting to a read-only
 * export and leaving without a request (qemu opened read-write, after an establish) has its
 * handshakes answered after a growing wait ({@link ReconnectBackoff}), so it costs about one
 * handshake a second rather than a CPU. {@link #close()} stops accepting, lets the
 * requests in flight finish and be answered, closes the connections and then flushes the exports,
 * so a clean shutdown leaves every completed write durable.
 */
public final class NbdServer implements AutoCloseable {

    /**
     * Classes a connection needs, loaded while the server starts: loading one later needs a file
     * descriptor to read it, and a fresh server out of descriptors lost its accept thread to the
     * resulting Error.
     */
    private static final String[] CONNECTION_CLASSES = {"NbdConnection", "NbdConnection$PieceJob", "NbdRequest",
        "Outbox", "Outbox$Message", "MemoryBudget$Account", "MemoryBudget$Grant", "RequestScheduler$Lane",
        "RequestScheduler$Entry", "RequestScheduler$Job", "ClientStats", "EpisodeLog", "ExportWatch", "Nbd",
        "ReconnectBackoff", "ReconnectBackoff$Key", "ReconnectBackoff$Entry", "ReconnectBackoff$Waiter",
        "NbdConnection$ReadOnlyWait", "Negotiation$Pace", "Negotiation", "Negotiation$Session", "Replies", "Replies$Wire", "Requests", "Requests$Refusal", "MetaContexts",
        "MetaContexts$Selected", "BlockStatus", "BlockStatus$Extents", "TrackContext", "TrackContext$Flags", "NbdUri",
        "LineBudget", "org.splitpoint.engine.io.Zeros"};

    private final ServerSocketChannel listener;
    private final ExportCatalog catalog;
    /** One supplier for both of {@link ExportCatalog#serving}'s calls, so the catalog can forget it. */
    private final java.util.function.Supplier<List<ClientStats>> clientsNow = this::clients;
    private final NbdLimits limits;
    private final RequestScheduler scheduler;
    private final MemoryBudget memory;
    private final BufferPool buffers;
    private final ScheduledThreadPoolExecutor timer;
    private final List<NbdConnection> connections = new CopyOnWriteArrayList<>();
    private final Object goneLock = new Object();
    private long goneRead; // guarded by goneLock: bytes of the clients that left
    private long goneWritten;
    private final AtomicLong ids = new AtomicLong();
    private final Consumer<String> log;
    private final String address;
    private final Thread acceptor;
    private final org.splitpoint.engine.net.UnixSocketFile unixSocket;
    private final ExportWatch watch;
    private final ScheduledFuture<?> watching;
    private final AtomicBoolean watchSoon = new AtomicBoolean();
    private final EpisodeLog memoryShort;
    private final EpisodeLog brief;
    /** What clients do wrong, logged up to {@link #CLIENT_LINES} lines per 10 s, counted beyond ({@link LineBudget}). */
    private final LineBudget clientLines;
    static final int CLIENT_LINES = 20;
    private final ReconnectBackoff reconnects = new ReconnectBackoff();
    private final EpisodeLog slowed;
    private volatile boolean closing;

    private NbdServer(ServerSocketChannel listener, ExportCatalog catalog, Consumer<String> log, String address,
                      org.splitpoint.engine.net.UnixSocketFile unixSocket, NbdLimits limits,
                      UnaryOperator<AcceptLoop.Acceptor> acceptHook) {
        this.listener = listener;
        this.catalog = catalog;
        this.log = neverThrowing(log);
        this.address = address;
        this.unixSocket = unixSocket;
        this.limits = limits;
        preload();
        // a quarter of the memory is kept for connections holding at most a piece (MemoryBudget says why)
        this.memory = new MemoryBudget(limits.memoryTotal(), limits.memoryPerConnection(), limits.requestsPerConnection(),
                limits.memoryTotal() / 4, Math.min(limits.pieceBytes(), limits.memoryTotal() / 4));
        // a quarter of it stays allocated through a short pause (BufferPool.trim says why)
        this.buffers = new BufferPool(limits.memoryTotal(), limits.memoryTotal() / 4);
        this.memoryShort = new EpisodeLog(log, TimeUnit.MINUTES.toNanos(10));
        this.brief = new EpisodeLog(log, TimeUnit.MINUTES.toNanos(10));
        this.clientLines = new LineBudget(this.log, CLIENT_LINES, TimeUnit.SECONDS.toNanos(10));
        this.slowed = new EpisodeLog(log, TimeUnit.MINUTES.toNanos(10));
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "splitpoint-nbd-timer");
            t.setDaemon(true);
            return t;
        });
        this.timer.setRemoveOnCancelPolicy(true); // handshake timeouts are cancelled by the thousand
        this.scheduler = new RequestScheduler(limits.workers(), limits.workersPerConnection(), log);
        this.watch = new ExportWatch(this, catalog);
        long every = limits.exportCheck().toMillis();
        this.watching = timer.scheduleWithFixedDelay(watch, every, every, TimeUnit.MILLISECONDS);
        AcceptLoop.Acceptor accept = listener::accept;
        this.acceptor = new Thread(new AcceptLoop(acceptHook.apply(accept), this), "splitpoint-nbd-accept");
        this.acceptor.setDaemon(true);
        catalog.serving(clientsNow, true); // the pool refuses to delete a volume a client uses
        this.acceptor.start();
        catalog.serving(address);
    }

    private static final java.util.concurrent.atomic.AtomicBoolean WARM = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * One loopback exchange per JVM before serving: the JDK sets up parts of its socket I/O on first
     * use (sun.nio.ch.FileDispatcherImpl takes a descriptor then), and when that first use came with
     * no descriptor free, the class failed to initialize and no socket could be written or closed in
     * this JVM any more, even once descriptors were free again.
     */
    private static void warmUp() {
        if (WARM.getAndSet(true)) {
            return;
        }
        try (ServerSocketChannel l = ServerSocketChannel.open()) {
            l.bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel a = SocketChannel.open(l.getLocalAddress()); SocketChannel b = l.accept()) {
                a.write(new java.nio.ByteBuffer[] {java.nio.ByteBuffer.allocate(1), java.nio.ByteBuffer.allocateDirect(1)});
                b.read(java.nio.ByteBuffer.allocateDirect(2));
                b.shutdownOutput();
                a.read(java.nio.ByteBuffer.allocate(1));
            }
        } catch (IOException | RuntimeException e) {
            WARM.set(false); // try again with the next server
        }
    }

    /**
     * {@code log} as the server calls it: a line it cannot take is lost, and nothing else. The
     * server logs from its accept loop and its connections' threads, in the very moments a starved
     * JVM fails (out of file descriptors): serve's listener stamped each line with the local time,
     * whose first use loads the time-zone rules from a file, and the Error that failing threw out of
     * the accept loop's failure handling ended the accept thread for good (a fresh {@code splitpoint
     * serve} with {@code ulimit -n 256} and 400 clients accepted no one again).
     */
    private static Consumer<String> neverThrowing(Consumer<String> log) {
        return m -> {
            try {
                log.accept(m);
            } catch (RuntimeException | Error lost) { // StackOverflowError, a class that cannot load: the line goes
                // nowhere to report it: the log is what failed
            }
        };
    }

    private static void preload() {
        warmUp();
        ClassLoader loader = NbdServer.class.getClassLoader();
        for (String c : CONNECTION_CLASSES) {
            try {
                Class.forName(c.contains(".") ? c : NbdServer.class.getPackageName() + "." + c, true, loader);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("the NBD server's class " + c + " is missing", e);
            }
        }
    }

    /**
     * Connections the kernel may complete before the accept loop takes them, as nbdkit asks
     * (SOMAXCONN; Linux caps it at net.core.somaxconn, 4096 on current kernels). The JDK's default,
     * 50, was too few for a burst of clients: past it Linux completed a client's handshake with a
     * SYN cookie and then dropped its ACK, the accept queue being full, and an NBD client, which
     * waits for the server's greeting and sends nothing first, waited for ever on a socket the
     * server had no trace of (200 clients connecting at once to serve: 86 hung).
     */
    static final int BACKLOG = 4096;

    /** Listens on {@code host:port} (TCP). Port 0 picks a free one (see {@link #address()}). */
    public static NbdServer tcp(String host, int port, ExportCatalog catalog, Consumer<String> log) throws IOException {
        return tcp(host, port, catalog, log, NbdLimits.DEFAULT);
    }

    /** Listens on {@code host:port} (TCP) with {@code limits}. */
    public static NbdServer tcp(String host, int port, ExportCatalog catalog, Consumer<String> log, NbdLimits limits)
            throws IOException {
        return tcp(host, port, catalog, log, limits, UnaryOperator.identity());
    }

    /** As {@link #tcp(String, int, ExportCatalog, Consumer, NbdLimits)}, accepting through {@code acceptHook} (tests). */
    static NbdServer tcp(String host, int port, ExportCatalog catalog, Consumer<String> log, NbdLimits limits,
                         UnaryOperator<AcceptLoop.Acceptor> acceptHook) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.bind(new InetSocketAddress(host, port), BACKLOG);
            InetSocketAddress bound = (InetSocketAddress) ch.getLocalAddress();
            return new NbdServer(ch, catalog, log, host + ":" + bound.getPort(), null, limits, acceptHook);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Listens on a Unix domain socket at {@code path}. Only a stale socket (nobody listening) is
     * replaced; a path that is not a socket, or a socket another server answers on, is refused
     * and left as it is ({@link org.splitpoint.engine.net.UnixSocketFile}).
     */
    public static NbdServer unix(Path path, ExportCatalog catalog, Consumer<String> log) throws IOException {
        return unix(path, catalog, log, NbdLimits.DEFAULT);
    }

    /** As {@link #unix(Path, ExportCatalog, Consumer)}, with {@code limits}. */
    public static NbdServer unix(Path path, ExportCatalog catalog, Consumer<String> log, NbdLimits limits)
            throws IOException {
        org.splitpoint.engine.net.UnixSocketFile sock = org.splitpoint.engine.net.UnixSocketFile.bind(path,
                "choose another socket path");
        return new NbdServer(sock.channel(), catalog, log, "unix:" + sock.path(), sock, limits, UnaryOperator.identity());
    }

    /** True when {@code host} names only this machine; anything else is reachable from outside. */
    public static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** Where the server listens, e.g. "127.0.0.1:10809" or "unix:/path". */
    public String address() {
        return address;
    }

    public int port() throws IOException {
        SocketAddress a = listener.getLocalAddress();
        return a instanceof InetSocketAddress i ? i.getPort() : -1;
    }

    /** The connected clients now. */
    public List<ClientStats> clients() {
        return connections.stream().map(NbdConnection::stats).toList();
    }

    /** Bytes read and written by every client since the server started, gone ones included. */
    public ServedBytes served() {
        synchronized (goneLock) { // a client leaving is counted once: either live here or among the gone
            long r = goneRead;
            long w = goneWritten;
            for (NbdConnection c : connections) {
                ClientStats s = c.stats();
                r += s.bytesRead();
                w += s.bytesWritten();
            }
            return new ServedBytes(r, w);
        }
    }

    /** The limits this server keeps. */
    public NbdLimits limits() {
        return limits;
    }

    // ---- for the server's parts -------------------------------------------------------------------

    boolean closing() {
        return closing;
    }

    int connectionCount() {
        return connections.size();
    }

    List<NbdConnection> connectionsNow() {
        return connections;
    }

    ScheduledThreadPoolExecutor timer() {
        return timer;
    }

    RequestScheduler scheduler() {
        return scheduler;
    }

    MemoryBudget memory() {
        return memory;
    }

    /** After this long with no buffer taken, every idle buffer is freed; after a short pause, those over the floor. */
    private volatile Duration idleBuffersFreedAfter = Duration.ofSeconds(60);

    /** Idle buffers are all freed after {@code d} with none taken (tests: not a minute). */
    void freeIdleBuffersAfter(Duration d) {
        idleBuffersFreedAfter = d;
    }

    /** Frees idle buffers over the floor after a short pause, and all of them after a long one. */
    void trimBuffers() {
        buffers.trim(TimeUnit.SECONDS.toNanos(2), idleBuffersFreedAfter.toNanos());
    }

    BufferPool buffers() {
        return buffers;
    }

    /** Starts serving an accepted connection on a thread of its own (called by the accept loop). */
    void start(SocketChannel c) throws IOException {
        if (c.getLocalAddress() instanceof InetSocketAddress) {
            c.socket().setTcpNoDelay(true);
        }
        SocketAddress ra = c.getRemoteAddress();
        String host = ra instanceof InetSocketAddress i ? i.getAddress().getHostAddress() : ReconnectBackoff.UNIX_SOCKET;
        String remote = ra instanceof InetSocketAddress i ? host + ":" + i.getPort() : host;
        NbdConnection conn = new NbdConnection(ids.incrementAndGet(), c, host, remote, catalog, this);
        connections.add(conn);
        try {
            Thread t = new Thread(conn, "splitpoint-nbd-conn-" + remote);
            t.setDaemon(true);
            t.start();
        } catch (Throwable t) {
            connections.remove(conn);
            conn.close();
            throw t;
        }
    }

    /**
     * A client chose its export. Its "connected" line is logged a second later, or before anything
     * else is said about it: a client that leaves before, without a request, is counted rather than
     * logged (qemu reconnecting to an export that became read-only tried over 1,000 times a second
     * before {@link ReconnectBackoff} slowed it to about once a second).
     */
    void attached(NbdConnection c) {
        try {
            timer.schedule(() -> announce(c), 1, TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            announce(c);
        }
    }

    /** Logs that {@code c} connected, once. */
    void announce(NbdConnection c) {
        if (c.announce()) {
            ClientStats s = c.stats();
            brief.ended("a client stayed connected", "brief connection without a request",
                    "brief connections without a request");
            log.accept("client " + s.remote() + " connected to " + s.export() + (s.readOnly() ? " (read-only)" : ""));
        }
    }

    void closed(NbdConnection c, String reason) {
        ClientStats s;
        synchronized (goneLock) {
            s = c.stats();
            if (connections.remove(c)) {
                goneRead += s.bytesRead();
                goneWritten += s.bytesWritten();
            }
        }
        if ("(negotiating)".equals(s.export())) {
            return;
        }
        if (reason == null && s.requests() == 0 && s.readOnly()) {
            reconnects.leftWithoutRequest(c.host(), s.export(), c.acceptedNanos(), System.nanoTime());
        }
        if (reason == null && s.requests() == 0 && c.announce()) {
            brief.occurred("client " + s.remote() + " connected to " + s.export() + " and left within a second without"
                    + " a request; more such brief connections are counted, not logged");
            return;
        }
        announce(c);
        log.accept("client " + s.remote() + " disconnected from " + s.export() + " after " + s.requests() + " requests"
                + (reason == null ? "" : ": " + reason));
    }

    /**
     * Before a handshake choosing the read-only export {@code export} is answered: waits as long as
     * {@link ReconnectBackoff} says for a host that keeps coming back to it and leaving without a
     * request, or until the export is writable again or the connection is cut.
     */
    void paceHandshake(String host, String export, ReconnectBackoff.Waiter waiter) {
        long due = reconnects.due(host, export, System.nanoTime());
        if (due == 0) {
            return;
        }
        slowed.occurred("client " + host + " keeps reconnecting to the read-only export " + export + " and leaving"
                + " without a request (as qemu opened read-write does until the export is writable again); its"
                + " handshakes are answered after a wait growing to 1 s, until it makes a request");
        try {
            ReconnectBackoff.waitIfDue(due, waiter);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // answered now; the handshake goes on
        }
    }

    /** {@code c} made its first request: its host's handshakes to its export are no longer slowed. */
    void madeRequest(NbdConnection c) {
        ClientStats s = c.stats();
        if (reconnects.madeRequest(c.host(), s.export())) {
            slowed.ended("client " + c.host() + " made a request on " + s.export() + ", so its handshakes are answered"
                    + " at once again", "slowed handshake", "slowed handshakes");
        }
    }

    /** A request was answered ENOMEM; logged once per episode (it ends when no buffer is in use). */
    void memoryShort(String remote, long bytes, String why) {
        memoryShort.occurred("requests answered ENOMEM (first: client " + remote + ", " + bytes + " bytes): " + why);
    }

    /** Asks for a check of the exports now rather than at the next round (a pair just refused a write). */
    void checkExportsSoon() {
        if (watchSoon.compareAndSet(false, true)) {
            try {
                timer.execute(() -> {
                    watchSoon.set(false);
                    watch.run();
                });
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                watchSoon.set(false);
            }
        }
    }

    /** Called each round of the watch: an ENOMEM episode is over once no buffer is in use. */
    void memoryCalm() {
        if (memoryShort.inEpisode() && memory.used() == 0) {
            memoryShort.ended("buffer memory is free again", "ENOMEM answer", "ENOMEM answers");
        }
        clientLines.calm();
    }

    /** A line about what a client did wrong (a protocol error, a connection that broke): within a budget. */
    void clientLine(String message) {
        clientLines.line(message);
    }

    void log(String message) {
        log.accept(message);
    }

    /** Stops accepting, finishes in-flight requests, disconnects, flushes every export. */
    @Override
    public void close() throws IOException {
        closing = true;
        catalog.serving(clientsNow, false);
        if (unixSocket != null) {
            unixSocket.close(); // removes the socket file only if it is still the one we made
        } else {
            listener.close();
        }
        acceptor.interrupt(); // out of a backoff sleep
        for (NbdConnection c : connections) {
            if (c.negotiated() == null) {
                c.close(); // still negotiating: nothing in flight
            } else {
                c.retire("the server is stopping", false);
            }
        }
        awaitConnections(limits.closeGrace().toMillis() + 25_000);
        for (NbdConnection c : connections) {
            c.close();
        }
        awaitConnections(30_000); // their requests in flight still run to their end
        scheduler.close(30_000);
        watching.cancel(false);
        timer.shutdownNow();
        buffers.close();
        IOException first = null;
        for (Export e : catalog.list()) {
            try {
                e.device().flush();
            } catch (IOException ex) {
                first = first == null ? ex : first;
            }
        }
        catalog.stopped(address);
        if (first != null) {
            throw first;
        }
    }

    private void awaitConnections(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
