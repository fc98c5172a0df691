package org.splitpoint.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import org.splitpoint.engine.pool.Pool;

/**
 * Where a command runs: its binary stdin and stdout, working directory, whether stderr is a
 * terminal, and the pool this process already holds (when the command was forwarded to the
 * holder over its control socket). Per thread, since a holder runs forwarded commands
 * concurrently. {@code changing} runs when the command opens the pool to change it, not only to
 * look: the holder logs a forwarded command then, so a query leaves its event log alone.
 */
record CliContext(InputStream stdin, OutputStream stdout, Path cwd, boolean terminal, Pool resident, Runnable changing) {

    private static final ThreadLocal<CliContext> CURRENT = new ThreadLocal<>();

    static CliContext local() {
        return new CliContext(System.in, System.out, Path.of("").toAbsolutePath(), System.console() != null, null, () -> { });
    }

    static CliContext current() {
        CliContext c = CURRENT.get();
        return c != null ? c : local();
    }

    /** Runs {@code body} with this context current on the calling thread. */
    <T> T with(java.util.concurrent.Callable<T> body) throws Exception {
        CliContext before = CURRENT.get();
        CURRENT.set(this);
        try {
            return body.call();
        } finally {
            if (before == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(before);
            }
        }
    }

    /** {@code p} resolved against the command's working directory. */
    Path resolve(Path p) {
        if (p.toString().isBlank()) {
            // '' would be the current directory (a store made there by a --full backup), ' ' a directory named so
            throw new IllegalArgumentException("an empty path ('" + p + "') names no file or directory: give one (an"
                    + " unset shell variable expands to '')");
        }
        return p.isAbsolute() ? p : cwd.resolve(p).normalize();
    }
}
