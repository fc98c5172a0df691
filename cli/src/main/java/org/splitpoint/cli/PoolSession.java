package org.splitpoint.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolOptions;

/**
 * Opens a pool for one command, reports what opening found (recovery notes, standing problems)
 * on stderr, and closes it. The command's exit code becomes 1 when a problem still stands at the
 * end, such as a missing drive image, so scripts notice.
 *
 * <p>The pool is opened with its background jobs created but not running: a short command (a
 * query, a split, a {@code --no-wait} restore) returns at once and copies nothing, and closing
 * does not wait for a copy to reach a checkpoint. A command that waits for jobs starts them
 * ({@link WaitCommand#awaitJobs}); in a process that holds the pool they run anyway.
 */
final class PoolSession {

    /** Jobs are created (and persisted) but run only when a command waits for them. */
    private static final PoolOptions JOBS_NOT_RUN = new PoolOptions(false);

    private PoolSession() {
    }

    interface Body {
        int run(Pool pool) throws Exception;
    }

    static int with(Path dir, PrintWriter err, Body body) throws Exception {
        CliContext ctx = CliContext.current();
        Path resolved = ctx.resolve(dir);
        if (ctx.resident() != null && samePool(ctx.resident().dir(), resolved)) {
            return body.run(ctx.resident()); // forwarded to this process: the pool stays open
        }
        Pool pool = Pool.open(resolved, StorageFactory.real(), JOBS_NOT_RUN);
        int code;
        try {
            for (String note : pool.openNotes()) {
                if (!pool.problems().contains(note)) {
                    err.println("splitpoint: note: " + note);
                }
            }
            code = body.run(pool);
            for (String p : pool.problems()) {
                err.println("splitpoint: " + p);
                code = Math.max(code, 1);
            }
        } finally {
            pool.close();
        }
        return code;
    }

    private static boolean samePool(Path a, Path b) {
        try {
            return java.nio.file.Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }
}
