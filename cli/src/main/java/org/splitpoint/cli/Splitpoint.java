package org.splitpoint.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
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
        subcommands = {PoolCommand.class, DriveCommand.class, VolumeCommand.class, PairCommand.class, JobCommand.class, BackupCommand.class,
                WaitCommand.class, ServeCommand.class, DrillCommand.class, SnapshotCommand.class})
public final class Splitpoint implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (pool, drive, volume, pair, snapshot, job, backup, wait, serve, drill)");
    }

    public static void main(String[] args) {
        SYSTEM_OUT = new PrintWriter(System.out, true);
        System.exit(run(args, SYSTEM_OUT, new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; returns the exit code (for tests). */
    public static int run(String[] args, PrintWriter rawOut, PrintWriter rawErr) {
        return run(newCommandLine(), args, rawOut, rawErr);
    }

    /**
     * The command set, not yet told its streams: a fresh one for each command, as picocli keeps a
     * parse's values in it. Building it reflects over every command class (15-100 ms in a holder that
     * answers a forwarded command, more than a split), so a holder builds its next one ahead
     * ({@link CommandLineAhead}).
     */
    static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new Splitpoint());
        cl.registerConverter(Path.class, new PathArgument()); // (with its subcommands)
        addHelp(cl);
        return cl;
    }

    /** {@link #run(String[], PrintWriter, PrintWriter)} with {@code cl}, from {@link #newCommandLine}, used once. */
    static int run(CommandLine cl, String[] args, PrintWriter rawOut, PrintWriter rawErr) {
        // each line a command prints is one line (LineWriter); a holder's answer is passed on as it came
        PrintWriter out = LineWriter.of(rawOut);
        PrintWriter err = LineWriter.of(rawErr);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            Failures.Failure f = Failures.of(ex);
            err.println("splitpoint: " + f.sentence());
            if (System.getenv("SPLITPOINT_DEBUG") != null) {
                ex.printStackTrace(err); // for a developer; never by default (one sentence on stderr)
            }
            return f.code();
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            String dashed = DashArgument.explain(ex);
            String number = dashed == null ? NumberArgument.explain(ex) : null;
            String path = dashed == null && number == null ? PathArgument.explain(ex) : null;
            err.println("splitpoint: " + (dashed != null ? dashed : number != null ? number : path != null ? path
                    : ex.getMessage()));
            CommandLine c = ex.getCommandLine();
            err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
            return 2;
        });
        int code;
        try {
            Integer forwarded = forwardToHolder(cl, args, rawOut, err);
            code = forwarded != null ? forwarded : cl.execute(args);
        } catch (OutOfMemoryError e) {
            // one sentence, not a stack trace: what ran out and how to give the command more
            err.println("splitpoint: out of memory (" + e.getMessage() + "); give the command a larger Java heap,"
                    + " e.g. SPLITPOINT_JAVA_OPTS=-Xmx4g");
            code = 1;
        }
        out.flush();
        err.flush();
        return code;
    }

    /**
     * When another process (the app, {@code serve}) holds the command's pool, the command is
     * carried out there over the pool's control socket; returns its exit code, or null to run here.
     */
    private static Integer forwardToHolder(CommandLine cl, String[] args, PrintWriter out, PrintWriter err) {
        CliContext ctx = CliContext.current();
        if (ctx.resident() != null) {
            return null; // already in the holder
        }
        Path dir;
        boolean readsToStdout;
        try {
            CommandLine.ParseResult pr = cl.parseArgs(args);
            while (pr.hasSubcommand()) {
                pr = pr.subcommand();
            }
            Object cmd = pr.commandSpec().userObject();
            if (!(cmd instanceof PoolTarget t) || t.poolDir() == null || pr.isUsageHelpRequested()) {
                return null;
            }
            dir = ctx.resolve(t.poolDir());
            readsToStdout = cmd instanceof VolumeCommand.Read r && r.toStdout();
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            return null; // execute() reports it
        }
        try {
            java.nio.channels.SocketChannel ch = org.splitpoint.engine.control.ControlClient.connect(dir);
            if (ch == null) {
                return null;
            }
            out.flush();
            java.io.OutputStream stdout = new java.io.OutputStream() {
                @Override
                public void write(int b) {
                    out.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    if (ctx.stdout() == System.out && out == SYSTEM_OUT) {
                        System.out.write(b, off, len); // binary output (volume read) stays binary
                    } else {
                        out.write(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
                    }
                }

                @Override
                public void flush() {
                    out.flush();
                    System.out.flush();
                }
            };
            java.io.OutputStream stderr = new java.io.OutputStream() {
                @Override
                public void write(int b) {
                    err.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    err.write(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
                }

                @Override
                public void flush() {
                    err.flush();
                }
            };
            Path held = dir;
            int code = OnInterrupt.run(() -> { // Ctrl-C: the holder goes on with what was asked
                err.println();
                err.println("splitpoint: interrupted; the command went to the process that holds pool " + held
                        + ", and what it started goes on there ('splitpoint job list " + held + "' shows it)");
                err.flush();
            }, () -> org.splitpoint.engine.control.ControlClient.run(ch, java.util.List.of(args), ctx.cwd(),
                    ctx.terminal(), ctx.stdin(), stdout, stderr));
            // the holder wrote the volume's bytes to us; whether they got further only we know (System.out and
            // PrintWriter keep their write errors to themselves)
            boolean lost = out == SYSTEM_OUT && ctx.stdout() == System.out ? System.out.checkError() : out.checkError();
            if (code == 0 && readsToStdout && lost) {
                err.println("splitpoint: cannot write to standard output: " + VolumeCommand.Read.NOT_TAKEN);
                return 1;
            }
            return code;
        } catch (org.splitpoint.engine.control.ControlClient.Refused e) {
            err.println("splitpoint: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("splitpoint: the process holding pool " + dir + " stopped answering: " + e.getMessage());
            return 1;
        }
    }

    /** The PrintWriter main() wraps System.out in, so forwarded binary output can bypass it. */
    private static PrintWriter SYSTEM_OUT;

    /** Every subcommand answers --help (and -h) with its own usage. */
    private static void addHelp(CommandLine cl) {
        cl.getCommandSpec().mixinStandardHelpOptions(true);
        for (CommandLine sub : cl.getSubcommands().values()) {
            addHelp(sub);
        }
    }

    /** A failure whose sentence was decided by the command (exit 1). */
    static final class CommandFailed extends RuntimeException {
        CommandFailed(String message) {
            super(message);
        }
    }
}
