package org.splitpoint.engine.nbd;

import java.time.Duration;

/**
 * What one NBD server may spend, and how long it waits for clients.
 *
 * <p>Design. Every resource a client can make the server hold is bounded here, so that no client
 * (slow, greedy, stuck or idle) can take the server from the others: worker threads (a connection
 * runs at most {@code workersPerConnection} pieces at once, and a request runs as pieces of at most
 * {@code pieceBytes}, so a huge request holds a worker only for one piece at a time), buffer memory
 * (all connections together at most {@code memoryTotal}, one connection at most
 * {@code memoryPerConnection}, counted from before a write's payload is read until its reply is
 * written), requests (a connection has at most {@code requestsPerConnection} unreplied requests
 * before the server stops reading from it), connections, and time (a handshake, a reply the
 * client does not read, a write's payload the client does not send, a wait for memory; the payload
 * stall is shorter than the memory wait, so a request waiting for memory a stalled client holds
 * gets it before it would be answered ENOMEM). The defaults are those of mature servers in spirit:
 * qemu-nbd gives a handshake 10 s, nbdkit keeps a request under 64 MiB and a thread per request
 * slot; we keep memory an order of magnitude under a GiB even with hundreds of clients.
 *
 * @param workers              shared threads running requests' pieces (blocking I/O: they wait on disks)
 * @param workersPerConnection at most this many of them serve one connection at a time
 * @param pieceBytes           a read, write or write-zeroes runs as pieces of at most this many bytes
 * @param memoryTotal          buffer bytes all connections may hold together
 * @param memoryPerConnection  buffer bytes one connection may hold (a lone request may exceed it)
 * @param requestsPerConnection unreplied requests per connection before its requests are no longer read
 * @param memoryWait           how long a request waits for buffer memory before it is answered ENOMEM
 * @param handshakeTimeout     a client that has not chosen an export by then is disconnected
 * @param maxConnections       connections (negotiating or not) beyond this are refused with a reason
 * @param replyStall           a client that has read none of its waiting replies for this long is disconnected
 * @param payloadStall         a client that sends nothing of a write's payload for this long while the server
 *                             waits for it is disconnected: the buffer memory granted for the payload is held
 *                             until it has come, and a few such clients would hold all of it from the others;
 *                             past this long into a payload, one that sends less than {@link #PAYLOAD_MIN_RATE}
 *                             a second on average is disconnected too
 * @param exportCheck          how often connected exports are checked for a change of writability or existence
 * @param closeGrace           after the server's last reply on a closing connection, how long the
 *                             client has to hang up before the connection is cut
 */
public record NbdLimits(int workers, int workersPerConnection, int pieceBytes, long memoryTotal,
                        long memoryPerConnection, int requestsPerConnection, Duration memoryWait,
                        Duration handshakeTimeout, int maxConnections, Duration replyStall,
                        Duration payloadStall, Duration exportCheck, Duration closeGrace) {

    /**
     * The limits {@code splitpoint serve} and the app use. Requests per connection are twice
     * nbdcopy's 64 in flight: a slot is free only once its reply is written, and a client that
     * keeps exactly the limit in flight sends the next request the moment it has a reply, often
     * before the server has counted that reply as written; at 64 the connection's reader waited
     * for the slot (a sleep and a wake-up) for 5-18% of a 1 GiB nbdcopy read's requests, at 128 for
     * none (bench/notes/nbd-user-cpu-2026-12-04.txt). Bytes stay bounded by the memory limits.
     */
    public static final NbdLimits DEFAULT = new NbdLimits(16, 8, 1 << 20, 256L << 20, 64L << 20, 128,
            Duration.ofSeconds(10), Duration.ofSeconds(30), 256, Duration.ofSeconds(60), Duration.ofSeconds(5),
            Duration.ofMillis(250), Duration.ofSeconds(2));

    /**
     * Bytes a second a write's payload must average once {@link #payloadStall()} into it, or its
     * client is disconnected: the payload's buffer memory is granted before it is read, and a client
     * that trickles it (a byte every few seconds never stalls a read for long) held that memory from
     * the others for as long as it liked. 1 MiB/s lets a 32 MiB write take 37 s (nbdcopy or qemu on
     * a slow link are far faster); the stall itself still ends a payload that stops.
     */
    public static final long PAYLOAD_MIN_RATE = 1 << 20;

    public NbdLimits {
        if (workers < 1 || workersPerConnection < 1 || workersPerConnection > workers) {
            throw new IllegalArgumentException("workers " + workers + " and per connection " + workersPerConnection
                    + ": need 1 <= per connection <= workers");
        }
        if (pieceBytes < 4096 || Integer.bitCount(pieceBytes) != 1) {
            throw new IllegalArgumentException("piece size " + pieceBytes + " must be a power of two of 4 KiB or more");
        }
        if (memoryPerConnection < pieceBytes || memoryTotal < memoryPerConnection) {
            throw new IllegalArgumentException("memory " + memoryTotal + " total, " + memoryPerConnection
                    + " per connection: need piece size <= per connection <= total");
        }
        if (requestsPerConnection < 1 || maxConnections < 1) {
            throw new IllegalArgumentException("requests per connection and max connections must be at least 1");
        }
        for (Duration d : new Duration[] {memoryWait, handshakeTimeout, replyStall, payloadStall, exportCheck, closeGrace}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("every NBD time limit must be positive");
            }
        }
    }

    /** These limits with {@code workers} shared workers, {@code perConnection} of them per connection. */
    public NbdLimits withWorkers(int workers, int perConnection) {
        return new NbdLimits(workers, perConnection, pieceBytes, memoryTotal, memoryPerConnection, requestsPerConnection,
                memoryWait, handshakeTimeout, maxConnections, replyStall, payloadStall, exportCheck, closeGrace);
    }

    /** These limits with pieces of {@code bytes}. */
    public NbdLimits withPieceBytes(int bytes) {
        return new NbdLimits(workers, workersPerConnection, bytes, memoryTotal, memoryPerConnection, requestsPerConnection,
                memoryWait, handshakeTimeout, maxConnections, replyStall, payloadStall, exportCheck, closeGrace);
    }

    /** These limits with {@code total} buffer bytes, {@code perConnection} per connection, waiting {@code wait}. */
    public NbdLimits withMemory(long total, long perConnection, Duration wait) {
        return new NbdLimits(workers, workersPerConnection, pieceBytes, total, perConnection, requestsPerConnection,
                wait, handshakeTimeout, maxConnections, replyStall, payloadStall, exportCheck, closeGrace);
    }

    /** These limits with a handshake timeout of {@code d}. */
    public NbdLimits withHandshakeTimeout(Duration d) {
        return new NbdLimits(workers, workersPerConnection, pieceBytes, memoryTotal, memoryPerConnection,
                requestsPerConnection, memoryWait, d, maxConnections, replyStall, payloadStall, exportCheck, closeGrace);
    }

    /** These limits with at most {@code n} connections. */
    public NbdLimits withMaxConnections(int n) {
        return new NbdLimits(workers, workersPerConnection, pieceBytes, memoryTotal, memoryPerConnection,
                requestsPerConnection, memoryWait, handshakeTimeout, n, replyStall, payloadStall, exportCheck, closeGrace);
    }

    /** These limits with a reply stall of {@code d}. */
    public NbdLimits withReplyStall(Duration d) {
        return new NbdLimits(workers, workersPerConnection, pieceBytes, memoryTotal, memoryPerConnection,
                requestsPerConnection, memoryWait, handshakeTimeout, maxConnections, d, payloadStall, exportCheck, closeGrace);
    }

    /** These limits with a payload stall of {@code d}. */
    public NbdLimits withPayloadStall(Duration d) {
        return new NbdLimits(workers, workersPerConnection, pieceBytes, memoryTotal, memoryPerConnection,
                requestsPerConnection, memoryWait, handshakeTimeout, maxConnections, replyStall, d, exportCheck, closeGrace);
    }
}
