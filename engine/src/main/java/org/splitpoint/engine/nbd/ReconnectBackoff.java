package org.splitpoint.engine.nbd;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How long a handshake waits before it is answered, for a client that keeps reconnecting to a
 * read-only export and leaving without a request.
 *
 * <p>Design. qemu opened read-write with {@code reconnect-delay} whose export became read-only (a
 * BCV whose pair was established or restored: the {@link ExportWatch} retired its connection)
 * reconnects, sees the read-only flag, drops the connection without a request, and reconnects at
 * once: 1,100 to 1,700 handshakes a second, most of a CPU, another client's 4 KiB reads two to
 * three times slower, until the pair is split. The server cannot refuse such a client (it does not
 * say it wants to write, and a read-only client is welcome), but it can be slow to answer: a
 * handshake choosing a read-only export from a host (IP address) whose last connection to that export left without a request less than {@link #WINDOW}
 * before (plus the wait that connection had earned, see {@link Entry#cameBackAt}) waits before its
 * answer, {@link #FIRST} the first time, twice as long each time after, at most {@link #MOST}. So a
 * storm costs about one handshake a second, and the answer given after the wait is the export as
 * it is then (a split ends the wait within {@link #LOOK_EVERY}, see {@link #waitIfDue}). A request
 * on such a connection forgets the host (a reader is not slowed again), and so does a quiet
 * {@link #WINDOW} past the last wait (at most 2 s): a first connection, another host, or a tool run
 * every few seconds (nbdinfo, nbdcopy) is never slowed. There is at most one entry per host and
 * read-only export, and stale ones are dropped.
 *
 * <p>A Unix socket's clients ({@link #UNIX_SOCKET}) are never slowed. They have no address, and
 * the peer credentials Java 17 gives ({@code SO_PEERCRED}) name a user, not a process, so every
 * local client was one host: while one kept reconnecting, every other local client's handshake to
 * that export waited up to a second with it (NbdUnixReconnectTest), and its first request then
 * ended the storm's wait too. nbdkit and qemu-nbd never delay a handshake; a local storm costs
 * its CPU as it would with them, and is still counted and said (brief connections). Keying by
 * the peer's process (getsockopt through a native call) would keep both; not done.
 */
final class ReconnectBackoff {

    /** A reconnection later than this (plus the wait it would get) after a brief connection left is a new start. */
    static final long WINDOW = TimeUnit.SECONDS.toNanos(1);
    static final long FIRST = TimeUnit.MILLISECONDS.toNanos(10);
    static final long MOST = TimeUnit.SECONDS.toNanos(1);
    /** How often a waiting handshake looks whether its export became writable. */
    private static final long LOOK_EVERY = TimeUnit.MILLISECONDS.toNanos(50);

    /** The host of every client of a Unix socket: no one of them, so never slowed (see the class note). */
    static final String UNIX_SOCKET = "unix socket";

    private record Key(String host, String export) { }

    /**
     * The last brief connection of a host to a read-only export: when it left and the wait it earned
     * the next one.
     */
    private record Entry(long leftAt, long nextWait) {
        /**
         * True when a connection that arrived at {@code arrival} came back after this one: within
         * the window, stretched by the wait the entry gives, since the next connection may arrive
         * before the server has seen this one's end and been told (the client hangs up and
         * reconnects at once; the server learns of the end a few threads later).
         */
        boolean cameBackAt(long arrival) {
            return arrival - leftAt <= WINDOW + nextWait;
        }
    }

    private final Map<Key, Entry> entries = new HashMap<>();

    /**
     * A connection of {@code host} to the read-only export {@code export}, accepted at {@code arrival},
     * ended without a request at {@code now}.
     */
    synchronized void leftWithoutRequest(String host, String export, long arrival, long now) {
        if (UNIX_SOCKET.equals(host)) {
            return; // (no entry: nothing is due for it, and a request has nothing to forget)
        }
        Key k = new Key(host, export);
        Entry e = entries.get(k);
        boolean again = e != null && e.cameBackAt(arrival);
        entries.put(k, new Entry(now, again ? Math.min(MOST, e.nextWait() * 2) : FIRST));
        if (entries.size() > 64) {
            entries.values().removeIf(x -> !x.cameBackAt(now));
        }
    }

    /**
     * A connection of {@code host} to {@code export} made a request: it is a client like any other
     * again. True if it was one whose handshakes would have waited.
     */
    synchronized boolean madeRequest(String host, String export) {
        return entries.remove(new Key(host, export)) != null;
    }

    /**
     * The wait due before answering a handshake of {@code host} choosing the read-only export
     * {@code export} at {@code now}; 0 if none.
     */
    synchronized long due(String host, String export, long now) {
        Key k = new Key(host, export);
        Entry e = entries.get(k);
        if (e == null) {
            return 0;
        }
        if (!e.cameBackAt(now)) {
            entries.remove(k);
            return 0;
        }
        return e.nextWait();
    }

    /** What a waiting handshake looks at: whether its export is still read-only, and whether it was cut. */
    interface Waiter {
        boolean stillReadOnly();

        boolean cut();
    }

    /**
     * Sleeps {@code nanos}, ending early once the export is writable or the connection is cut;
     * returns how long it waited.
     */
    static long waitIfDue(long nanos, Waiter w) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + nanos;
        for (long now = start; now < end && !w.cut() && w.stillReadOnly(); now = System.nanoTime()) {
            TimeUnit.NANOSECONDS.sleep(Math.min(LOOK_EVERY, end - now));
        }
        return System.nanoTime() - start;
    }
}
