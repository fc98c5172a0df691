package org.splitpoint.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Sizes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code splitpoint drive list|add|fail|replace}. */
@Command(name = "drive", description = "List, add, fail or replace drives.",
        subcommands = {DriveCommand.ListDrives.class, DriveCommand.Add.class, DriveCommand.Fail.class,
                DriveCommand.Replace.class})
final class DriveCommand {

    @Command(name = "list", description = "List the pool's drives and their states.")
    static final class ListDrives extends OnPool {
        @Option(names = "--json", description = "print one JSON document")
        boolean json;

        @Override
        public Integer call() throws Exception {
            var out = out();
            return PoolSession.look(dir, err(), pool -> {
                var s = pool.snapshot();
                if (json) {
                    var arr = Json.MAPPER.createArrayNode();
                    s.drives().forEach(d -> arr.add(Json.drive(d)));
                    Json.print(out, arr);
                } else {
                    Tables.drives(out, s);
                }
                return 0;
            });
        }
    }

    @Command(name = "add", description = "Add a blank SPARE drive.")
    static final class Add extends OnPool {
        @Option(names = "--size", paramLabel = "SIZE", description = "drive size (default: the pool's drive size)")
        String size;

        @Override
        public Integer call() throws Exception {
            long bytes = size == null ? 0 : Sizes.parse(size);
            return PoolSession.with(dir, err(), pool -> {
                String name = pool.admin().addDrive(bytes);
                out().println("added drive " + name + " (SPARE)");
                return 0;
            });
        }
    }

    @Command(name = "fail", description = "Mark a drive FAILED; its volume carries on degraded.")
    static final class Fail extends OnPool {
        @Parameters(index = "1", paramLabel = "DRIVE")
        String drive;

        @Override
        public Integer call() throws Exception {
            return PoolSession.with(dir, err(), pool -> {
                pool.admin().failDrive(drive);
                var d = pool.snapshot().drive(drive);
                var v = d.volume() == null ? null : pool.snapshot().volume(d.volume());
                out().println("drive " + drive + " is FAILED"
                        + (v == null ? "" : "; volume " + v.name() + " is " + v.state()));
                return 0;
            });
        }
    }

    @Command(name = "replace", description = "Swap a blank image in for a FAILED or MISSING drive and rebuild it.")
    static final class Replace extends OnPool {
        @Parameters(index = "1", paramLabel = "DRIVE")
        String drive;
        @Option(names = "--no-wait", description = "return at once; the rebuild continues whenever a process holds the pool open")
        boolean noWait;

        @Override
        public Integer call() throws Exception {
            var out = out();
            var err = err();
            return PoolSession.with(dir, err, pool -> {
                Job job = pool.admin().replaceDrive(drive);
                if (job == null) {
                    String journal = pool.snapshot().drive(drive).journal();
                    out.println("drive " + drive + " replaced; " + (journal == null ? "it is SPARE"
                            : "it holds the journal of " + journal + " again (every entry copied from the other journal drive)"));
                    return 0;
                }
                out.println("drive " + drive + " replaced; rebuild job " + job.id() + " started");
                if (noWait) {
                    return 0;
                }
                return WaitCommand.awaitJobs(pool, err, List.of(job));
            });
        }
    }

    private DriveCommand() {
    }
}
