package org.splitpoint.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.splitpoint.engine.control.CommandHandler;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.pool.Pool;

/**
 * Runs commands forwarded over the control socket inside the process that holds the pool, as
 * the CLI would run them, against the pool already open here. A command that changes the pool is
 * logged as events (received when it opens the pool to change it, then done or failed), so the
 * app's event log shows what administrators did from a shell. A command that only looks (status,
 * lists, queries) and answers is not: a {@code watch pool status} put two INFO lines a second
 * there, burying the events that matter. One that fails still logs its sentence.
 */
public final class HeldPoolCommands implements CommandHandler {

    /** The CLI's command set as the engine's {@code PoolCommands} service, for holders that are not the CLI (the app). */
    public static final class Provider implements org.splitpoint.engine.control.PoolCommands {
        @Override
        public CommandHandler forPool(Pool pool) {
            return new HeldPoolCommands(pool);
        }
    }

    private final Pool pool;
    /** The next command's command set, built while none is running (a forwarded split waited for its build). */
    private final CommandLineAhead<picocli.CommandLine> commandLines = new CommandLineAhead<>(Splitpoint::newCommandLine);

    public HeldPoolCommands(Pool pool) {
        this.pool = pool;
    }

    @Override
    public int run(List<String> args, Path cwd, boolean terminal, InputStream stdin, OutputStream stdout,
                   OutputStream stderr) {
        String line = "splitpoint " + String.join(" ", args);
        java.util.concurrent.atomic.AtomicBoolean changing = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable received = () -> {
            if (changing.compareAndSet(false, true)) {
                pool.events().publish(Event.info("COMMAND", "control", "command received: " + line));
            }
        };
        PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true);
        LastLine said = new LastLine(stderr); // the failure's sentence, for the event log
        PrintWriter err = new PrintWriter(new OutputStreamWriter(said, StandardCharsets.UTF_8), true);
        int code;
        try {
            code = new CliContext(stdin, stdout, cwd, terminal, pool, received)
                    .with(() -> Splitpoint.run(commandLines.take(), args.toArray(String[]::new), out, err));
        } catch (Exception e) {
            err.println("splitpoint: " + e.getMessage());
            code = 1;
        } catch (Error e) {
            // said to the client, not a connection that just closes ("stopped answering")
            err.println("splitpoint: internal error in the process holding the pool: " + e);
            code = 1;
        }
        commandLines.buildNext(); // once the command ended, not beside it
        out.flush();
        err.flush();
        if (code == 0 && !changing.get()) {
            return code; // a query that answered: nothing happened worth an event
        }
        String why = said.line().isEmpty() ? "" : ": " + said.line();
        pool.events().publish(code == 0 ? Event.info("COMMAND", "control", "command done: " + line)
                : args.contains("--check") // a question the engine answered no (a dialog asking), not a failure
                ? Event.info("COMMAND", "control", "check answered no: " + line + why)
                : Event.warning("COMMAND", "control", "command failed (exit " + code + "): " + line + why));
        return code;
    }

    /**
     * Passes stderr on and keeps its last line of words: the sentence a failed command ended with
     * ("splitpoint: " and progress lines redrawn with a carriage return left out).
     */
    static final class LastLine extends OutputStream {
        private final OutputStream next;
        private final java.io.ByteArrayOutputStream current = new java.io.ByteArrayOutputStream();
        private String last = "";

        LastLine(OutputStream next) {
            this.next = next;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            next.write(b);
            take(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            next.write(b, off, len);
            for (int i = off; i < off + len; i++) {
                take(b[i]);
            }
        }

        private synchronized void take(int b) {
            if (b == '\n') {
                String l = current.toString(StandardCharsets.UTF_8);
                int cr = l.lastIndexOf('\r');
                l = (cr >= 0 ? l.substring(cr + 1) : l).strip();
                if (!l.isEmpty()) {
                    last = l.startsWith("splitpoint: ") ? l.substring("splitpoint: ".length()) : l;
                }
                current.reset();
            } else if (current.size() < 4096) {
                current.write(b);
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            next.flush();
        }

        synchronized String line() {
            return last;
        }
    }
}
