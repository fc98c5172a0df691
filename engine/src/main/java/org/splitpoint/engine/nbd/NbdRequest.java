package org.splitpoint.engine.nbd;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client request in flight, cut into pieces that the {@link RequestScheduler} runs one at a time.
 *
 * <p>Design. A read, write or write-zeroes covers [offset, offset+length) as pieces that end on
 * multiples of the piece size (so a long sequential stream is cut at the same places whatever its
 * request sizes, on boundaries a RAID stripe or a track also respects when the piece size is a
 * multiple of them). A read or write has one buffer per piece, charged to the connection's budget
 * before it was taken; pieces may run concurrently and in any order, as NBD gives no guarantee
 * between the bytes of one request either. The request is answered once, when its last piece is
 * done: with the first error any piece met (the remaining pieces are then skipped), else success.
 * Other commands are one piece.
 */
final class NbdRequest {

    final int type;
    final int flags;
    final long handle;
    final long offset;
    final long length;
    private final long step;
    private final int pieces;
    /** One per piece for a read or write, else null. */
    final ByteBuffer[] buffers;
    private final AtomicInteger left;
    private final AtomicLong held = new AtomicLong();
    private volatile int error;
    private volatile String explanation;
    /** A block status request's answer: per selected context, its id then (length, flags) pairs. */
    volatile java.util.List<int[]> status;

    NbdRequest(int type, int flags, long handle, long offset, long length, int pieceBytes) {
        this.type = type;
        this.flags = flags;
        this.handle = handle;
        this.offset = offset;
        this.length = length;
        boolean split = length > 0 && (type == Nbd.CMD_READ || type == Nbd.CMD_WRITE || type == Nbd.CMD_WRITE_ZEROES
                || type == Nbd.CMD_TRIM);
        this.step = pieceBytes;
        this.pieces = split ? (int) ((offset + length - 1) / step - offset / step + 1) : 1;
        this.buffers = type == Nbd.CMD_READ || type == Nbd.CMD_WRITE ? new ByteBuffer[pieces] : null;
        this.left = new AtomicInteger(pieces);
    }

    int pieces() {
        return pieces;
    }

    /** Where piece {@code i} starts. */
    long pieceOffset(int i) {
        return i == 0 ? offset : (offset / step + i) * step;
    }

    /** How many bytes piece {@code i} covers. */
    int pieceLength(int i) {
        if (pieces == 1) {
            return (int) length;
        }
        long end = Math.min(offset + length, (offset / step + i + 1) * step);
        return (int) (end - pieceOffset(i));
    }

    /** Buffer bytes a read or write of these pieces is charged, before any buffer is taken. */
    long charge() {
        if (buffers == null) {
            return 0;
        }
        long c = 0;
        for (int i = 0; i < pieces; i++) {
            c += BufferPool.capacityFor(pieceLength(i));
        }
        return c;
    }

    /** The connection's budget granted this request {@code bytes} (its {@link #charge()}). */
    void granted(long bytes) {
        held.set(bytes);
    }

    /** Of what was granted, {@code bytes} are no longer needed; returns how many to give back (never more than held). */
    long release(long bytes) {
        while (true) {
            long h = held.get();
            long r = Math.min(h, bytes);
            if (held.compareAndSet(h, h - r)) {
                return r;
            }
        }
    }

    /** All that is still granted is no longer needed; returns how much. */
    long releaseAll() {
        return held.getAndSet(0);
    }

    /** Records {@code errno} as the request's answer unless an earlier piece failed already. */
    void fail(int errno) {
        if (errno != 0 && error == 0) {
            error = errno;
        }
    }

    int error() {
        return error;
    }

    /** A sentence for the client about why a piece failed; the first one stays. */
    void explain(String why) {
        if (explanation == null) {
            explanation = why;
        }
    }

    String explanation() {
        return explanation;
    }

    boolean failed() {
        return error != 0;
    }

    /** One piece is over; true for the last one, whose worker answers the request. */
    boolean pieceDone() {
        return left.decrementAndGet() == 0;
    }
}
