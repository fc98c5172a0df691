package org.splitpoint.engine.raid;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs I/O on several members at once. Each member is its own file (its own disk, in a real
 * array), so a large read or a rebuild that touches all members goes as fast as they do together,
 * not one after the other. The calling thread runs the last task itself.
 */
final class MemberIo {

    private static final ExecutorService POOL = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "splitpoint-member-io");
        t.setDaemon(true);
        return t;
    });

    /**
     * Runs a task beside the members' own I/O (a write's journal entry): its own threads, so it
     * never waits for, nor holds up, the members' pool.
     */
    private static final ExecutorService BESIDE = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "splitpoint-beside-io");
        t.setDaemon(true);
        return t;
    });

    private MemberIo() {
    }

    /**
     * Runs {@code actions} side by side (forces of members, flushes of volumes, a flush's hooks), the
     * last on the calling thread, the others on {@link #BESIDE} threads named after the caller (a
     * dump shows whose flush they serve); rethrows the first failure after all have ended. Those
     * threads are not bounded: a volume's flush run there forces its members beside it in turn.
     */
    static void sideBySide(List<RaidVolume.IoAction> actions) throws IOException {
        String caller = Thread.currentThread().getName();
        List<RaidVolume.IoAction> named = new ArrayList<>(actions.size());
        for (int i = 0; i < actions.size(); i++) {
            RaidVolume.IoAction a = actions.get(i);
            named.add(i == actions.size() - 1 ? a : () -> {
                Thread t = Thread.currentThread();
                String own = t.getName();
                t.setName("splitpoint-force for " + caller);
                try {
                    a.run();
                } finally {
                    t.setName(own);
                }
            });
        }
        all(BESIDE, named);
    }

    /** Runs every task, in parallel; rethrows the first failure after all have ended. */
    static void all(List<RaidVolume.IoAction> tasks) throws IOException {
        all(POOL, tasks);
    }

    /** Runs {@code aside} on another thread while this one runs {@code here}; rethrows the first failure after both ended. */
    static void beside(RaidVolume.IoAction aside, RaidVolume.IoAction here) throws IOException {
        all(BESIDE, List.of(aside, here));
    }

    private static void all(ExecutorService pool, List<RaidVolume.IoAction> tasks) throws IOException {
        if (tasks.isEmpty()) {
            return;
        }
        if (tasks.size() == 1) {
            tasks.get(0).run();
            return;
        }
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < tasks.size() - 1; i++) {
            RaidVolume.IoAction t = tasks.get(i);
            futures.add(pool.submit(() -> {
                t.run();
                return null;
            }));
        }
        IOException first = null;
        RuntimeException unchecked = null;
        Error error = null;
        try {
            tasks.get(tasks.size() - 1).run();
        } catch (IOException e) {
            first = e;
        } catch (RuntimeException e) {
            unchecked = e;
        } catch (Error e) {
            error = e; // thrown once the others have ended, like the rest
        }
        // every task ends before this returns, interrupted or not: a caller's locks (a write's
        // order on its tracks) must outlast the I/O they order
        boolean interrupted = false;
        for (Future<?> f : futures) {
            while (true) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException r) {
                        unchecked = unchecked != null ? unchecked : r;
                    } else {
                        first = first != null ? first : c instanceof IOException io ? io : new IOException(c);
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                    continue;
                }
                break;
            }
        }
        if (interrupted) {
            // the I/O is done all the same: it is not failed for the interrupt (a write on the
            // members would then be reported lost while the members hold it); the caller sees the flag
            Thread.currentThread().interrupt();
        }
        if (error != null) {
            throw error;
        }
        if (unchecked != null) {
            throw unchecked;
        }
        if (first != null) {
            throw first;
        }
    }
}
