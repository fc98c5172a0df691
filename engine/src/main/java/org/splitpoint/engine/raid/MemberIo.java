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

    private MemberIo() {
    }

    /** Runs every task, in parallel; rethrows the first failure after all have ended. */
    static void all(List<RaidVolume.IoAction> tasks) throws IOException {
        if (tasks.size() == 1) {
            tasks.get(0).run();
            return;
        }
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < tasks.size() - 1; i++) {
            RaidVolume.IoAction t = tasks.get(i);
            futures.add(POOL.submit(() -> {
                t.run();
                return null;
            }));
        }
        IOException first = null;
        try {
            tasks.get(tasks.size() - 1).run();
        } catch (IOException e) {
            first = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException r) {
                    throw r;
                }
                first = first != null ? first : c instanceof IOException io ? io : new IOException(c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
