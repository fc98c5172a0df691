package org.splitpoint.engine.restore;

/**
 * The host I/O inside a restore's view, counted, so the restore's end can wait for it.
 *
 * <p>Design. A host's request finds its way (the pool's host view) before it enters the restore's
 * view, and the volume's own gate covers only the part of a request that reaches the volume: a
 * request could enter the view after the restore had ended — its write-through image sealed, its
 * files closed — and a write that had landed on the volume was answered with an error. The end
 * {@link #close closes} this gate: requests entering from then on are told to go straight to the
 * volume, and the close waits for the ones inside. A request holds nothing else while it enters or
 * leaves; the close must be called with no lock a request inside may wait for (the volume's gate).
 */
final class HostIoGate {

    private int inside;
    private boolean closed;

    /** True when the request may go through the restore (then {@link #leave} after it); false once closed. */
    synchronized boolean enter() {
        if (closed) {
            return false;
        }
        inside++;
        return true;
    }

    synchronized void leave() {
        if (--inside == 0) {
            notifyAll();
        }
    }

    /** No request enters from now on; returns once none is inside (an interrupt is kept for later, not obeyed). */
    synchronized void close() {
        closed = true;
        boolean interrupted = false;
        while (inside > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true; // the restore's end must not go on while a request is inside
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    synchronized boolean isClosed() {
        return closed;
    }
}
