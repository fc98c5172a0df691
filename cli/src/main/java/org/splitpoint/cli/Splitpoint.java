package org.splitpoint.cli;

import java.io.IOException;
import java.io.PrintWriter;
import org.splitpoint.engine.pool.PoolException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code splitpoint} command: the SPEC's CLI contract over the engine.
 *
 * <p>Exit codes: 0 success, 1 the operation failed or was refused (or the pool has a problem that
 * still stands, such as a missing drive image), 2 a usage error. Errors are one sentence on stderr.
 */
@Command(name = "splitpoint", mixinStandardHelpOptions = true, version = "splitpoint 0.1.0",
        description = "Manage a Splitpoint storage pool: drives, RAID volumes, background jobs.",
        subcommands = {PoolCommand.class, DriveCommand.class, VolumeCommand.class, PairCommand.class, WaitCommand.class})
public final class Splitpoint implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (pool, drive, volume, pair, wait)");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; returns the exit code (for tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Splitpoint());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            Throwable e = ex;
            if (e instanceof CommandFailed cf) {
                err.println("splitpoint: " + cf.getMessage());
                return 1;
            }
            if (e instanceof IllegalArgumentException) {
                err.println("splitpoint: " + e.getMessage());
                return 2;
            }
            if (e instanceof PoolException || e instanceof IOException) {
                err.println("splitpoint: " + e.getMessage());
                return 1;
            }
            err.println("splitpoint: internal error: " + e);
            e.printStackTrace(err);
            return 1;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("splitpoint: " + ex.getMessage());
            CommandLine c = ex.getCommandLine();
            err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
            return 2;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** A failure whose sentence was decided by the command (exit 1). */
    static final class CommandFailed extends RuntimeException {
        CommandFailed(String message) {
            super(message);
        }
    }
}
