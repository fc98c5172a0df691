package org.splitpoint.engine.nbd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An NBD server (newstyle fixed handshake) exporting the devices of an {@link ExportCatalog} on a
 * TCP address or a Unix socket. Written from the NBD project's protocol document.
 *
 * <p>Design. An accept thread hands each connection to its own thread for the handshake and the
 * request stream; the requests themselves run on a shared worker pool. {@link #close()} stops
 * accepting, lets in-flight requests finish, closes connections and then flushes the exports, so a
 * clean shutdown leaves every completed write durable.
 */
public final class NbdServer implements AutoCloseable {

    private final ServerSocketChannel listener;
    private final ExportCatalog catalog;
    private final ExecutorService workers;
    private final List<NbdConnection> connections = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final Consumer<String> log;
    private final String address;
    private final Thread acceptor;
    private final org.splitpoint.engine.net.UnixSocketFile unixSocket;
    private volatile boolean closing;

    private NbdServer(ServerSocketChannel listener, ExportCatalog catalog, Consumer<String> log, String address,
                      org.splitpoint.engine.net.UnixSocketFile unixSocket) {
        this.listener = listener;
        this.catalog = catalog;
        this.log = log;
        this.address = address;
        this.unixSocket = unixSocket;
        this.workers = Executors.newFixedThreadPool(16, r -> { // blocking I/O: threads wait on disks and sockets, not CPU
            Thread t = new Thread(r, "splitpoint-nbd-worker");
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "splitpoint-nbd-accept");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /** Listens on {@code host:port} (TCP). Port 0 picks a free one (see {@link #address()}). */
    public static NbdServer tcp(String host, int port, ExportCatalog catalog, Consumer<String> log) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        ch.bind(new InetSocketAddress(host, port));
        InetSocketAddress bound = (InetSocketAddress) ch.getLocalAddress();
        return new NbdServer(ch, catalog, log, host + ":" + bound.getPort(), null);
    }

    /**
     * Listens on a Unix domain socket at {@code path}. Only a stale socket (nobody listening) is
     * replaced; a path that is not a socket, or a socket another server answers on, is refused
     * and left as it is ({@link org.splitpoint.engine.net.UnixSocketFile}).
     */
    public static NbdServer unix(Path path, ExportCatalog catalog, Consumer<String> log) throws IOException {
        org.splitpoint.engine.net.UnixSocketFile sock = org.splitpoint.engine.net.UnixSocketFile.bind(path,
                "choose another socket path");
        return new NbdServer(sock.channel(), catalog, log, "unix:" + sock.path(), sock);
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

    private void acceptLoop() {
        while (!closing) {
            try {
                SocketChannel c = listener.accept();
                if (c.getLocalAddress() instanceof InetSocketAddress) {
                    c.socket().setTcpNoDelay(true);
                }
                SocketAddress ra = c.getRemoteAddress();
                String remote = ra instanceof InetSocketAddress i ? i.getAddress().getHostAddress() + ":" + i.getPort()
                        : "unix socket";
                NbdConnection conn = new NbdConnection(ids.incrementAndGet(), c, remote, catalog, workers, this);
                connections.add(conn);
                Thread t = new Thread(conn, "splitpoint-nbd-conn-" + remote);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closing) {
                    log("accept failed: " + e.getMessage());
                }
            }
        }
    }

    void attached(NbdConnection c) {
        ClientStats s = c.stats();
        log.accept("client " + s.remote() + " connected to " + s.export() + (s.readOnly() ? " (read-only)" : ""));
    }

    void closed(NbdConnection c) {
        connections.remove(c);
        ClientStats s = c.stats();
        if (!"(negotiating)".equals(s.export())) {
            log.accept("client " + s.remote() + " disconnected from " + s.export() + " after " + s.requests() + " requests");
        }
    }

    void log(String message) {
        log.accept(message);
    }

    /** Stops accepting, finishes in-flight requests, disconnects, flushes every export. */
    @Override
    public void close() throws IOException {
        closing = true;
        if (unixSocket != null) {
            unixSocket.close(); // removes the socket file only if it is still the one we made
        } else {
            listener.close();
        }
        workers.shutdown();
        try {
            workers.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (NbdConnection c : connections) {
            c.close();
        }
        IOException first = null;
        for (Export e : catalog.list()) {
            try {
                e.device().flush();
            } catch (IOException ex) {
                first = first == null ? ex : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
