package org.splitpoint.cli;

import java.time.Duration;
import org.splitpoint.engine.pool.Drill;
import org.splitpoint.engine.pool.LogMode;
import org.splitpoint.engine.pool.OfflineReason;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code splitpoint drill run}: a drive service window rehearsed end to end; {@code drill end}: its window ended early. */
@Command(name = "drill", description = "Rehearse drive service windows.", subcommands = {DrillCommand.Run.class,
        DrillCommand.End.class})
final class DrillCommand {

    private DrillCommand() {
    }

    @Command(name = "run", description = "Take a drive offline under a verified workload, bring it back, and report.",
            footer = {"", "The drill runs on the real pool: the drive goes OFFLINE with its reason, the reason's steps run,"
                    + " random writes (verified at the end) go on for --writes-for, --second-failure-after fails another"
                    + " member in the window (it is replaced and rebuilt at the end), the drive comes back with its delta,"
                    + " and the volume is verified. With --log pointers a second failure loses the tracks written in the"
                    + " window; data and repository lose nothing.", "",
                    "--json prints the result once, as one document. --json-lines prints the drill as it runs, one JSON"
                    + " object a line (step, writes, window; last the result, the --json document's fields with"
                    + " \"type\":\"result\"): the app attached to serve follows a drill this way (docs/control-protocol.md).",
                    "", "'drill end POOL --volume VOLUME' ends the window early (the drive comes back and its delta is"
                    + " resynced and verified) when serve or the app holds the pool. A drill run without them holds the"
                    + " pool alone: Ctrl-C stops it there, the drive staying OFFLINE in its window ('drive online' brings"
                    + " it back)."})
    static final class Run extends OnPool {
        @Option(names = "--volume", required = true, paramLabel = "VOLUME",
                description = "the volume to rehearse on")
        String volume;
        @Option(names = "--drive", required = true, paramLabel = "DRIVE",
                description = "the volume's member drive to take offline")
        String drive;
        @Option(names = "--reason", required = true, paramLabel = "REASON", description = "firmware, diagnostics, replacement or reset")
        String reason;
        @Option(names = "--log", required = true, paramLabel = "MODE", description = "pointers, data or repository")
        String log;
        @Option(names = "--writes-for", paramLabel = "DURATION", defaultValue = "5s",
                description = "how long the workload writes in the window (default ${DEFAULT-VALUE})")
        String writesFor;
        @Option(names = "--second-failure-after", paramLabel = "DURATION",
                description = "fail another member this long after the drive went offline")
        String secondFailureAfter;
        @Option(names = "--json", description = "print the result as one JSON document")
        boolean json;
        @Option(names = "--json-lines", description = "print the drill as it runs, one JSON object a line: each step as it"
                + " begins, the write count and the service window's owed tracks as they change, and last the result"
                + " (the --json document's fields, with \"type\":\"result\")")
        boolean jsonLines;
        @Option(names = "--no-writes", description = "the drill writes no test data: the window stays open for"
                + " --writes-for with the hosts' own writes only")
        boolean noWrites;
        @Option(names = "--yes", description = "confirm that the drill's test writes overwrite the volume's blocks")
        boolean yes;

        @Override
        public Integer call() throws Exception {
            OfflineReason r = OfflineReason.parse(reason);
            LogMode m = LogMode.parse(log);
            Duration writes = Duration.ofSeconds(JournalCommand.seconds("--writes-for", writesFor));
            Duration second = secondFailureAfter == null ? null : Duration.ofSeconds(JournalCommand.seconds("--second-failure-after", secondFailureAfter));
            if (writes.isNegative() || second != null && second.isNegative()) {
                throw new IllegalArgumentException((writes.isNegative() ? "--writes-for " + writesFor
                        : "--second-failure-after " + secondFailureAfter) + " is negative; a duration counts from the window's start");
            }
            if (writes.compareTo(Drill.LONGEST) > 0 || second != null && second.compareTo(Drill.LONGEST) > 0) {
                // a usage error (2), said before the pool is opened; the engine refuses it too (Drill.check)
                throw new IllegalArgumentException((writes.compareTo(Drill.LONGEST) > 0 ? "--writes-for " + writesFor
                        : "--second-failure-after " + secondFailureAfter) + " is longer than a drill runs: at most "
                        + Drill.LONGEST.toDays() + "d");
            }
            if (json && jsonLines) {
                throw new IllegalArgumentException("--json and --json-lines are two forms of the same output: choose one");
            }
            var out = out();
            var err = err();
            Drill.Plan plan = new Drill.Plan(volume, drive, r, m, writes, second, !noWrites);
            return PoolSession.with(dir, err, pool -> {
                Drill.check(pool, plan); // a drill that would be refused says why before it asks for confirmation
                if (!noWrites && !yes && !Confirm.typed(err, "the drill writes random test data over blocks of volume "
                        + volume + " (use a scratch volume, or --no-writes to rehearse with the hosts' own writes)", volume,
                        "the drill was not run")) {
                    return 1;
                }
                pool.startJobs().forEach(err::println); // a job whose thread could not start: it resumes at the next opening
                // --json-lines: each line flushed as it is printed, so the holder's client (the attached app) sees it now
                var lines = jsonLines ? new org.splitpoint.engine.pool.DrillLines.Printer(pool, volume, l -> {
                    out.println(l);
                    out.flush();
                }) : null;
                Drill.Result res = Drill.run(pool, plan,
                        lines != null ? lines : new Drill.Listener() {
                    @Override
                    public void step(String name, String detail) {
                        if (!json) {
                            err.println("drill: " + name + (detail.isEmpty() ? "" : ": " + detail));
                        }
                    }
                });
                if (lines != null) {
                    lines.finished(res);
                } else if (json) {
                    Json.print(out, org.splitpoint.engine.pool.DrillJson.write(res));
                } else {
                    for (Drill.Step s : res.timeline()) {
                        out.println(String.format("  %-15s %7.2f s  %s", s.name(), s.seconds(), s.detail()));
                    }
                    out.println(res.summary());
                }
                // a loss pointers mode promises (a second failure's tracks) is a warning, not a failure
                return res.severity() == org.splitpoint.engine.event.Severity.CRITICAL ? 1 : 0;
            });
        }
    }

    @Command(name = "end", description = "End a running drill's service window now: the drive comes back ONLINE, its"
            + " delta is resynced and the volume verified, as at the window's planned end.",
            footer = {"", "The drill runs in the process holding the pool (serve or the app, where 'drill run' is"
                    + " forwarded): this command is forwarded there too and returns at once; the drill's own output"
                    + " says how it ends (its timeline has an 'ended early' step). Refused when no drill runs on the"
                    + " volume, or when the drill is already bringing its drive back."})
    static final class End extends OnPool {
        @Option(names = "--volume", required = true, paramLabel = "VOLUME", description = "the volume the drill runs on")
        String volume;

        @Override
        public Integer call() throws Exception {
            var out = out();
            return PoolSession.with(dir, err(), pool -> {
                out.println(Drill.endNow(pool, volume));
                return 0;
            });
        }
    }
}
