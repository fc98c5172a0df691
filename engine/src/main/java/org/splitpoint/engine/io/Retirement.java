package org.splitpoint.engine.io;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Uses of files that their owner retires while others may still be using them: a host flush
 * forcing a service window's log or a staged journal's legs, which it took from the volume under
 * no lock the window's end or the journal's disable waits for.
 *
 * <p>Design. Uses hold a read lock, the retirement the write lock: the files are closed once the
 * uses in flight ended, and a use after that does nothing. That is right only where the owner
 * made everything durable that a late use would (the window's end forced its log and the members
 * hold its bytes; a disabled journal is needed by nobody), which each owner's note says; a use
 * that met a closed file instead failed its host's flush for nothing to do
 * (FlushAtWindowEndTest, JournalSyncAsLegsGoTest).
 */
public final class Retirement {

    /** A use, or the closing, of the owner's files. */
    @FunctionalInterface
    public interface FileWork {
        void run() throws IOException;
    }

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean retired;

    /** Runs {@code use} unless the files were retired (then nothing). */
    public void use(FileWork use) throws IOException {
        lock.readLock().lock();
        try {
            if (!retired) {
                use.run();
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Waits for the uses in flight, then runs {@code close}; later uses do nothing. */
    public void retire(FileWork close) throws IOException {
        lock.writeLock().lock();
        try {
            retired = true;
            close.run();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
