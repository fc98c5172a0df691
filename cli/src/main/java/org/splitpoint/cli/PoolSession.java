package org.splitpoint.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
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
 *
 * <p>Commands that only look (status, lists, queries) use {@link #look}: a read-only open that
 * takes no lock, recovers nothing and writes no file, not even on a pool that needs recovery, a
 * pool whose files may only be read, or one another process holds without a control socket. Its
 * notes say what the next writable open will do.
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
        return open(dir, err, body, JOBS_NOT_RUN);
    }

    /** As {@link #with}, for a command that only looks: the pool is opened read-only. */
    static int look(Path dir, PrintWriter err, Body body) throws Exception {
        return open(dir, err, body, PoolOptions.READ_ONLY);
    }

    private static int open(Path dir, PrintWriter err, Body body, PoolOptions options) throws Exception {
        CliContext ctx = CliContext.current();
        Path resolved = ctx.resolve(dir);
        if (ctx.resident() != null && samePool(ctx.resident().dir(), resolved)) {
            if (options != PoolOptions.READ_ONLY) {
                ctx.changing().run(); // the holder logs a command that changes its pool; a look stays out of its event log
            }
            return body.run(ctx.resident()); // forwarded to this process: the pool stays open
        }
        Pool pool = Pool.open(resolved, StorageFactory.real(), options);
        try {
            // Ctrl-C meanwhile: the hook closes the pool and says what stopped
            return OnInterrupt.run(() -> interrupted(pool, err), () -> {
                for (String note : pool.openNotes()) {
                    if (!pool.problems().contains(note)) {
                        err.println("splitpoint: note: " + note);
                    }
                }
                int code = body.run(pool);
                for (String p : pool.problems()) {
                    err.println("splitpoint: " + p);
                    code = Math.max(code, 1);
                }
                return code;
            });
        } finally {
            pool.close();
        }
    }

    /**
     * Ctrl-C (or a kill) while the command holds the pool: says what stops and what becomes of it,
     * and closes the pool (jobs stop at a checkpoint, everything flushed) instead of leaving it as a
     * crash would. Before, the command printed nothing and the pool was recovered at the next open.
     */
    private static void interrupted(Pool pool, PrintWriter err) {
        List<String> lines = new java.util.ArrayList<>();
        for (org.splitpoint.engine.job.Job j : pool.activeJobs()) {
            if (!j.isStarted()) {
                continue; // created, never run here: recorded (or not kept) as it is
            }
            var p = j.progress();
            String at = p.kind() + " " + p.target() + " stopped at " + String.format("%.1f%%", 100 * p.fraction());
            lines.add(p.kind().equals("backup")
                    ? at + ": no image is made; the next backup of " + p.target() + " removes the unfinished one and copies its tracks"
                    : at + "; it goes on when a process holds the pool (serve, the app, or 'splitpoint wait')");
        }
        err.println();
        err.println("splitpoint: interrupted: closing the pool cleanly" + (lines.isEmpty() ? "" : ":"));
        lines.forEach(l -> err.println("  " + l));
        err.flush();
        try {
            pool.close();
        } catch (Exception e) {
            err.println("splitpoint: closing the pool: " + e.getMessage() + " (it is recovered at its next opening)");
        }
        err.flush();
    }

    private static boolean samePool(Path a, Path b) {
        try {
            return java.nio.file.Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }
}
