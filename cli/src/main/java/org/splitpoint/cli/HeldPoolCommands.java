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
 * the CLI would run them, against the pool already open here. Each command is logged as an event,
 * so the app's event log shows what administrators did from a shell.
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

    public HeldPoolCommands(Pool pool) {
        this.pool = pool;
    }

    @Override
    public int run(List<String> args, Path cwd, boolean terminal, InputStream stdin, OutputStream stdout,
                   OutputStream stderr) {
        String line = "splitpoint " + String.join(" ", args);
        pool.events().publish(Event.info("COMMAND", "control", "command received: " + line));
        PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(stderr, StandardCharsets.UTF_8), true);
        int code;
        try {
            code = new CliContext(stdin, stdout, cwd, terminal, pool)
                    .with(() -> Splitpoint.run(args.toArray(String[]::new), out, err));
        } catch (Exception e) {
            err.println("splitpoint: " + e.getMessage());
            code = 1;
        } catch (Error e) {
            // said to the client, not a connection that just closes ("stopped answering")
            err.println("splitpoint: internal error in the process holding the pool: " + e);
            code = 1;
        }
        out.flush();
        err.flush();
        pool.events().publish(code == 0 ? Event.info("COMMAND", "control", "command done: " + line)
                : Event.warning("COMMAND", "control", "command failed (exit " + code + "): " + line));
        return code;
    }
}
