package org.splitpoint.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.splitpoint.engine.pool.Pool;

/**
 * Opens a pool for one command, reports what opening found (recovery notes, standing problems)
 * on stderr, and closes it. The command's exit code becomes 1 when a problem still stands at the
 * end, such as a missing drive image, so scripts notice.
 */
final class PoolSession {

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
        Pool pool = Pool.open(resolved);
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
