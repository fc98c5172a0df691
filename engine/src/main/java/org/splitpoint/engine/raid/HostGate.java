package org.splitpoint.engine.raid;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A volume's gate: what host I/O and member changes hold shared, and an exclusive change (a
 * membership change) holds alone; and the count of changes in flight a flush waits for.
 *
 * <p>Design. Reads take the gate's read lock and nothing else. A change of the members (a write, a
 * rebuild step, a verify) also counts itself in flight, by the parity of the epoch it began in:
 * a flush waits only for the changes counted when it began ({@link #drain}), so writes that begin
 * meanwhile go on (a flush covers the writes completed before it, and holding new ones behind the
 * slowest in flight stalled hosts at every flush). Flushes run one at a time (the volume's flush
 * lock), so at most two epochs are ever open. Nothing here allocates: it is on every request's path.
 */
final class HostGate {

    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    /** Writers in flight (holders of the gate's read lock but reads), by the parity of the epoch they began in. */
    private final long[] inFlight = new long[2];
    private long epoch; // guarded by inFlight

    /** Takes the gate for a read (not counted in flight: a flush has nothing of a read's to cover). */
    void lockRead() {
        gate.readLock().lock();
    }

    void unlockRead() {
        gate.readLock().unlock();
    }

    /** The read lock if no exclusive change holds the gate (or waits for it), else false at once. */
    boolean tryLockRead() {
        return gate.readLock().tryLock();
    }

    /** Takes the gate for a change of the members and counts it in flight for {@link #drain}; returns its epoch. */
    long enterShared() {
        gate.readLock().lock();
        synchronized (inFlight) {
            inFlight[(int) (epoch & 1)]++;
            return epoch;
        }
    }

    /** Ends a change {@link #enterShared} began in epoch {@code began}. */
    void exitShared(long began) {
        synchronized (inFlight) {
            if (--inFlight[(int) (began & 1)] == 0) {
                inFlight.notifyAll();
            }
        }
        gate.readLock().unlock();
    }

    /**
     * Returns once every change counted in flight when it was called has ended; changes that begin
     * meanwhile count in the next epoch and are not waited for. Flushes run one at a time (the
     * flush lock), and each waits for its epoch to empty, so the other parity holds only the
     * current epoch's changes.
     */
    void drain() {
        boolean interrupted = false;
        synchronized (inFlight) {
            int slot = (int) (epoch & 1);
            epoch++;
            while (inFlight[slot] > 0) {
                try {
                    inFlight.wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the flush must not cover less than it promises
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes the gate alone: waits for every holder, and holds every new one behind it. */
    void lockExclusively() {
        gate.writeLock().lock();
    }

    void unlockExclusively() {
        gate.writeLock().unlock();
    }
}
