package org.splitpoint.engine.backup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.splitpoint.engine.io.StorageFile;

/**
 * A time limit on an image writer's calls into its backup store (qemu's {@code cbw-timeout}).
 *
 * <p>Why. A live volume's backup copies a track's old bytes into the image before a host's write
 * to it goes on (copy-before-write). A store that hangs (an NFS server gone, a disk that never
 * answers) would hang that host write with it, for good. The host's thread still reads the old bytes
 * itself (a helper reading the volume would queue behind an exclusive change of the volume's gate
 * while the host holds it shared); only the call into the store — a write, a force, a truncation —
 * is handed to a helper thread, and the caller waits for it at most the limit.
 *
 * <p>A call that does not answer in time throws {@link NotAnsweredException}, and from then on the
 * store counts as hung: every later call through this limit fails at once, so no new copy starts and
 * the image can never be synced or sealed; the backup fails. The helper stays in the hung call until
 * the store answers; whatever that call does then (an error, or bytes landing in the data file) only
 * touches an image that will never be valid, and the caller's buffer is never filled again (the
 * writer starts no put once hung). Memory stays bounded: an image writer puts one track at a time
 * and syncs one at a time, so at most two calls are in flight, each with at most a piece
 * ({@link ImageWriter#PIECE}) of the track.
 *
 * <p>Closing a file is not limited here: the caller closes what it gives up on itself (a backup
 * abandons its image on a thread of its own, waiting for it a bounded time).
 */
public final class StoreTimeLimit {

    /** The system property with the limit in milliseconds (30 s when unset): {@code splitpoint.backupStoreTimeoutMillis}. */
    public static final String PROPERTY = "splitpoint.backupStoreTimeoutMillis";

    /** The limit's default: a store that has not answered in 30 s is taken for hung. */
    public static final long DEFAULT_MILLIS = 30_000;

    /**
     * The threads the calls run on, shared by every limit: a cached pool (a thread per call in
     * flight, kept a minute once idle); daemons, since one may sit in a hung call for good.
     */
    private static final ExecutorService CALLS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "splitpoint-backup-store-call");
                t.setDaemon(true);
                return t;
            });

    private final long millis;
    /** The first call that did not answer in time; null while the store answers. */
    private volatile NotAnsweredException hung;

    public StoreTimeLimit(long millis) {
        if (millis <= 0) {
            throw new IllegalArgumentException("a store's time limit is positive, not " + millis + " ms");
        }
        this.millis = millis;
    }

    /** The limit the system property sets ({@link #PROPERTY}), or the default. */
    public static StoreTimeLimit fromSystemProperty() {
        return new StoreTimeLimit(Math.max(1, Long.getLong(PROPERTY, DEFAULT_MILLIS)));
    }

    public long millis() {
        return millis;
    }

    /** The limit as a sentence says it: "30 s", "0.5 s". */
    public String said() {
        return millis % 1000 == 0 ? millis / 1000 + " s" : java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros()
                .toPlainString() + " s";
    }

    /** The call that did not answer in time, or null while the store answers. */
    public NotAnsweredException hung() {
        return hung;
    }

    /** Throws at once once a call did not answer in time (see the class note). */
    public void checkAnswering() throws NotAnsweredException {
        NotAnsweredException h = hung;
        if (h != null) {
            throw new NotAnsweredException(h.what, h.limit, true, h);
        }
    }

    /** A store call. */
    @FunctionalInterface
    public interface Call<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code call} ({@code what} it does, for the sentence: "writing images/ID.partial/data")
     * on a helper thread and waits at most the limit for it; its error is thrown here.
     */
    public <T> T call(String what, Call<T> call) throws IOException {
        checkAnswering();
        try {
            return onHelper("a call into the backup store", millis, call);
        } catch (TimeoutException e) {
            NotAnsweredException late = new NotAnsweredException(what, said(), false, null);
            synchronized (this) {
                if (hung == null) {
                    hung = late;
                }
            }
            throw late;
        }
    }

    /**
     * Runs {@code call} on a thread of its own and waits at most {@code waitMillis} for it; returns
     * false when it did not end in that time (it goes on alone). Its error is thrown here. For what
     * a failed backup gives up on (its image's removal): the store may be the reason it failed.
     */
    public static boolean aside(String name, long waitMillis, Call<Void> call) throws IOException {
        try {
            onHelper(name, waitMillis, call);
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    /**
     * {@code call} on a helper thread, waited for at most {@code waitMillis}; its error thrown here (an
     * Error as an IOException), TimeoutException when it did not end in time. An interrupt does not
     * end the wait: the helper may still be using the caller's buffer, so the caller never returns
     * before it is done or given up (the interrupt is kept for after).
     */
    private static <T> T onHelper(String name, long waitMillis, Call<T> call) throws IOException, TimeoutException {
        Future<T> f;
        try {
            f = CALLS.submit(call::run);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IOException("no thread could be started for " + name + ": " + e.getMessage(), e);
        }
        boolean interrupted = false;
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        try {
            while (true) {
                try {
                    return f.get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof IOException io) {
                        throw io;
                    }
                    if (c instanceof RuntimeException r) {
                        throw r;
                    }
                    if (c instanceof Error err) {
                        // an Error of the helper's (an OutOfMemoryError in the store's file system code, say):
                        // the waiting thread is sound, and may be a host's write, which must go on with the
                        // backup failed, not fail with an Error of the backup's store (WriteJournal's legs alike)
                        throw new IOException(name + " failed: " + err.getClass().getSimpleName()
                                + (err.getMessage() == null ? "" : ": " + err.getMessage()), err);
                    }
                    throw new IOException(c);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@code f}, whose writes, forces, sizes and truncations go through this limit; {@code name} names it in sentences. */
    StorageFile limit(StorageFile f, String name) {
        return new Limited(f, name);
    }

    /** A call into the store that did not answer within the limit (or came after one that did not). */
    public static final class NotAnsweredException extends IOException {
        private final String what;
        private final String limit;
        private final boolean after;

        NotAnsweredException(String what, String limit, boolean after, Throwable first) {
            super(after ? "the backup store stopped answering earlier (" + what + " did not end within " + limit + ")"
                    : "the backup store did not answer within " + limit + ", " + what, first);
            this.what = what;
            this.limit = limit;
            this.after = after;
        }

        /** True when this call did not wait: it came after one that did not answer, and was refused at once. */
        public boolean after() {
            return after;
        }

        /** The limit as said: "30 s". */
        public String limit() {
            return limit;
        }

        /** What the call that did not answer did: "writing images/ID.partial/data". */
        public String what() {
            return what;
        }
    }

    /** A store file whose calls but close go through the limit. */
    private final class Limited implements StorageFile {
        private final StorageFile f;
        private final String name;

        Limited(StorageFile f, String name) {
            this.f = f;
            this.name = name;
        }

        @Override
        public void readFully(long position, ByteBuffer dst) throws IOException {
            call("reading " + name, () -> {
                f.readFully(position, dst);
                return null;
            });
        }

        @Override
        public void writeFully(long position, ByteBuffer src) throws IOException {
            call("writing " + name, () -> {
                f.writeFully(position, src);
                return null;
            });
        }

        @Override
        public void force() throws IOException {
            call("syncing " + name, () -> {
                f.force();
                return null;
            });
        }

        @Override
        public long size() throws IOException {
            return call("asking the size of " + name, f::size);
        }

        @Override
        public void setLength(long length) throws IOException {
            call("truncating " + name, () -> {
                f.setLength(length);
                return null;
            });
        }

        @Override
        public void close() throws IOException {
            f.close();
        }
    }
}
