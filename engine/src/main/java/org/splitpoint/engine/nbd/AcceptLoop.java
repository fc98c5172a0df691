package org.splitpoint.engine.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The server's accept thread: takes connections, and survives whatever taking them costs.
 *
 * <p>Design. With hundreds of idle clients the process runs out of file descriptors, and then
 * every accept fails at once. Before, a warm server spun, logging each failure (megabytes per
 * second of events), and a fresh one lost its accept thread for good (the first connection's
 * classes could not be loaded without a descriptor, and the Error killed the thread). Now the loop
 * catches everything short of the listener being closed, backs off exponentially from 10 ms to 1 s
 * between attempts (so it retries within a second once descriptors are free again), and logs one
 * line when such an episode starts and one with its count when it ends ({@link EpisodeLog}). Past
 * {@link NbdLimits#maxConnections} a client is not silently dropped: it gets the greeting and every
 * option it sends is answered NBD_REP_ERR_POLICY with the reason, which clients print (nbdinfo:
 * "server has too many connections"), on a few short-lived threads at most; beyond those it is
 * just closed. But first, a client at the limit takes the place of the oldest connection that has
 * chosen no export for {@link #DISPLACE_AFTER} or more: before, 256 idle TCP connections (a port
 * scanner, a script that connects and waits) locked every client out until the handshake timeout
 * cut them 30 s later, and again at once; a real client negotiates in milliseconds.
 */
final class AcceptLoop implements Runnable {

    /** Where connections come from: the listener, or a test's wrapper that injects failures. */
    interface Acceptor {
        SocketChannel accept() throws IOException;
    }

    private static final long MIN_BACKOFF = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_BACKOFF = TimeUnit.SECONDS.toNanos(1);
    private static final int REFUSERS = 8;
    /** A connection that has chosen no export for this long gives its place to a new client at the limit. */
    static final long DISPLACE_AFTER = TimeUnit.SECONDS.toNanos(1);

    private final Acceptor acceptor;
    private final NbdServer server;
    private final EpisodeLog failures;
    private final EpisodeLog refusals;
    private final EpisodeLog displaced;
    private final Semaphore refusers = new Semaphore(REFUSERS);

    AcceptLoop(Acceptor acceptor, NbdServer server) {
        this.acceptor = acceptor;
        this.server = server;
        this.failures = new EpisodeLog(server::log, TimeUnit.MINUTES.toNanos(10));
        this.refusals = new EpisodeLog(server::log, TimeUnit.MINUTES.toNanos(10));
        this.displaced = new EpisodeLog(server::log, TimeUnit.MINUTES.toNanos(10));
    }

    @Override
    public void run() {
        long backoff = 0;
        while (!server.closing()) {
            SocketChannel c;
            try {
                c = acceptor.accept();
            } catch (ClosedChannelException closed) {
                if (!server.closing()) {
                    server.log("NBD listener on " + server.address() + " was closed; no new clients are accepted");
                }
                return;
            } catch (Throwable t) { // IOException (EMFILE, ENFILE, ENOBUFS...), or an Error from a starved JVM
                if (server.closing()) {
                    return;
                }
                failures.occurred("accept failed on " + server.address() + ": " + describe(t) + "; retrying with backoff");
                backoff = sleep(backoff);
                continue;
            }
            failures.ended("accepting clients again on " + server.address(), "failed accept", "failed accepts");
            try {
                int max = server.limits().maxConnections();
                boolean full = liveConnections() >= max;
                if (full && displaceIdleHandshake()) {
                    full = false;
                    displaced.occurred("at the limit of " + max + " connections, new clients take the places of"
                            + " connections that chose no export within a second");
                } else if (!full) {
                    displaced.ended("no connection displaced any more", "displaced connection", "displaced connections");
                }
                if (full) {
                    refusals.occurred("refusing new clients: " + server.limits().maxConnections()
                            + " connections is the limit (NBD_REP_ERR_POLICY with the reason)");
                    refuse(c);
                    continue;
                }
                refusals.ended("taking new clients again", "refusal", "refusals");
                server.start(c);
                backoff = 0;
            } catch (Throwable t) {
                closeQuietly(c);
                if (server.closing()) {
                    return;
                }
                failures.occurred("could not start a connection on " + server.address() + ": " + describe(t)
                        + "; retrying with backoff");
                backoff = sleep(backoff);
            }
        }
    }

    /** The connections but those displaced and not yet gone (their places are taken). */
    private int liveConnections() {
        int n = 0;
        for (NbdConnection c : server.connectionsNow()) {
            if (!c.wasDisplaced()) {
                n++;
            }
        }
        return n;
    }

    /** Cuts the oldest connection negotiating for {@link #DISPLACE_AFTER} or more; false when there is none. */
    private boolean displaceIdleHandshake() {
        long now = System.nanoTime();
        NbdConnection oldest = null;
        for (NbdConnection c : server.connectionsNow()) {
            if (c.negotiating() && now - c.acceptedNanos() >= DISPLACE_AFTER
                    && (oldest == null || c.acceptedNanos() < oldest.acceptedNanos())) {
                oldest = c;
            }
        }
        return oldest != null && oldest.displace();
    }

    private static long sleep(long backoff) {
        long next = backoff == 0 ? MIN_BACKOFF : Math.min(MAX_BACKOFF, backoff * 2);
        try {
            TimeUnit.NANOSECONDS.sleep(next);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return next;
    }

    static String describe(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (m.contains("Too many open files")) {
            return m + " (the process is out of file descriptors: close idle clients or raise the limit)";
        }
        return m;
    }

    /** Tells the client why it is refused, on a short-lived thread (or just closes it when many are). */
    private void refuse(SocketChannel c) {
        if (!refusers.tryAcquire()) {
            closeQuietly(c);
            return;
        }
        Thread t = new Thread(() -> {
            var timeout = server.timer().schedule(() -> closeQuietly(c), 5, TimeUnit.SECONDS);
            try {
                tellTooMany(c);
            } catch (IOException | RuntimeException gone) {
                // the client left, or took too long to listen
            } finally {
                timeout.cancel(false);
                closeQuietly(c);
                refusers.release();
            }
        }, "splitpoint-nbd-refuse");
        t.setDaemon(true);
        try {
            t.start();
        } catch (Throwable cannot) {
            refusers.release();
            closeQuietly(c);
        }
    }

    /** The greeting, then NBD_REP_ERR_POLICY with the reason to every option until the client gives up. */
    private void tellTooMany(SocketChannel c) throws IOException {
        ByteBuffer hello = ByteBuffer.allocate(18);
        hello.putLong(Nbd.INIT_MAGIC).putLong(Nbd.OPT_MAGIC).putShort((short) (Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES));
        writeAll(c, hello.flip());
        readAll(c, ByteBuffer.allocate(4));
        byte[] why = ("server has too many connections (" + server.limits().maxConnections()
                + " is its limit); try again when a client has disconnected").getBytes(StandardCharsets.UTF_8);
        while (true) {
            ByteBuffer h = readAll(c, ByteBuffer.allocate(16));
            if (h.getLong() != Nbd.OPT_MAGIC) {
                return;
            }
            int opt = h.getInt();
            int len = h.getInt();
            if (len < 0 || len > 65536) {
                return;
            }
            readAll(c, ByteBuffer.allocate(len));
            if (opt == Nbd.OPT_EXPORT_NAME) {
                return; // no error can be sent to this option: closing is the answer
            }
            boolean abort = opt == Nbd.OPT_ABORT;
            ByteBuffer r = ByteBuffer.allocate(20 + (abort ? 0 : why.length));
            r.putLong(Nbd.REP_MAGIC).putInt(opt).putInt(abort ? Nbd.REP_ACK : Nbd.REP_ERR_POLICY)
                    .putInt(abort ? 0 : why.length);
            if (!abort) {
                r.put(why);
            }
            writeAll(c, r.flip());
            if (abort) {
                return;
            }
        }
    }

    private static ByteBuffer readAll(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                throw new java.io.EOFException();
            }
        }
        return b.flip();
    }

    private static void writeAll(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException | RuntimeException | LinkageError ignored) {
            // closing anyway (out of descriptors, even the JDK's close can fail to load a class)
        }
    }
}
