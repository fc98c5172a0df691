package org.splitpoint.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.DriveRules;
import org.splitpoint.engine.pool.LogMode;
import org.splitpoint.engine.pool.OfflineReason;
import org.splitpoint.engine.pool.Refusal;
import org.splitpoint.engine.pool.Sizes;
import org.splitpoint.engine.pool.ThinProvisioning;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code splitpoint drive list|add|offline|online|fail|replace}. */
@Command(name = "drive", description = "List, add, take offline, bring online, fail or replace drives.",
        subcommands = {DriveCommand.ListDrives.class, DriveCommand.Add.class, DriveCommand.Offline.class,
                DriveCommand.Online.class, DriveCommand.Fail.class, DriveCommand.Replace.class})
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
        @Option(names = "--count", paramLabel = "N", defaultValue = "1", description = "how many drives to add (default 1)")
        int count;

        @Override
        public Integer call() throws Exception {
            long bytes = size == null ? 0 : Sizes.parse(size);
            if (size != null) { // judged here: 0 would be the engine's "the pool's drive size", not what was asked
                Sizes.checkDriveSize(bytes);
            }
            if (count < 1) {
                throw new IllegalArgumentException("--count must be 1 or more, not " + count);
            }
            return PoolSession.with(dir, err(), pool -> {
                Refusal full = DriveRules.add(pool.snapshot(), count);
                if (full != null) { // refused whole rather than stopped part way
                    throw new IllegalArgumentException(full.sentence());
                }
                // added all the same (thin provisioning may be meant), but said: no question, scripts add drives
                ThinProvisioning thin = ThinProvisioning.newDrives(count, bytes == 0 ? pool.driveSize() : bytes,
                        ThinProvisioning.freeSpace(pool.dir()));
                if (thin.thin()) {
                    err().println("warning: " + thin.sentence());
                }
                for (int i = 0; i < count; i++) {
                    String name = pool.admin().addDrive(bytes);
                    out().println("added drive " + name + " (SPARE)");
                }
                return 0;
            });
        }
    }

    @Command(name = "offline", description = "Take a member OFFLINE for service; its volume goes SERVICE and keeps serving.",
            footer = {"", "--log pointers keeps the tracks written meanwhile (they are rebuilt from the other members"
                    + " when the drive returns); data keeps the bytes the drive misses in meta/ (copied back, reading no"
                    + " other member); repository sends every write to a logging repository (a SPARE drive, else meta/)"
                    + " and writes no member until the drive returns, so a second failure in the window loses nothing.",
                    "firmware and diagnostics run their steps (simulated; diagnostics reads the whole image) and wait"
                    + " for them unless --no-wait."})
    static final class Offline extends OnPool {
        @Parameters(index = "1", paramLabel = "DRIVE",
                description = "the member drive to take offline")
        String drive;
        @Option(names = "--reason", required = true, paramLabel = "REASON",
                description = "firmware, diagnostics, replacement or reset")
        String reason;
        @Option(names = "--log", paramLabel = "MODE", defaultValue = "pointers",
                description = "pointers, data or repository (default ${DEFAULT-VALUE})")
        String log;
        @Option(names = "--no-wait", description = "return at once; the reason's steps run only while this process holds the pool")
        boolean noWait;

        @Override
        public Integer call() throws Exception {
            OfflineReason r = OfflineReason.parse(reason);
            LogMode m = LogMode.parse(log);
            var out = out();
            var err = err();
            return PoolSession.with(dir, err, pool -> {
                Job steps = pool.service().offline(drive, r, m);
                var d = pool.snapshot().drive(drive);
                var v = pool.snapshot().volume(d.volume());
                out.println("drive " + drive + " is OFFLINE (" + r.word() + "); volume " + v.name() + " is " + v.state()
                        + ", writes logged as " + m.word()
                        + (d.service() != null && d.service().repository() != null
                        ? " on SPARE drive " + d.service().repository() : m == LogMode.REPOSITORY ? " in meta/" : "")
                        + "; bring it back with 'drive online'");
                if (steps == null || noWait) {
                    return 0;
                }
                return WaitCommand.awaitJobs(pool, err, List.of(steps));
            });
        }
    }

    @Command(name = "online", description = "Bring an OFFLINE drive back: only its delta is written to it.")
    static final class Online extends OnPool {
        @Parameters(index = "1", paramLabel = "DRIVE",
                description = "the OFFLINE drive to bring back")
        String drive;
        @Option(names = "--no-wait", description = "return at once; the resync continues whenever a process holds the pool open")
        boolean noWait;

        @Override
        public Integer call() throws Exception {
            var out = out();
            var err = err();
            return PoolSession.with(dir, err, pool -> {
                var before = pool.snapshot().drive(drive);
                Job job = pool.service().online(drive);
                out.println("drive " + drive + " coming back: " + job.kind() + " job " + job.id() + " started"
                        + (before != null && before.service() != null ? " (" + Sizes.count(before.service().deltaTracks(), "track")
                        + " in its delta)" : ""));
                if (noWait) {
                    return 0;
                }
                int code = WaitCommand.awaitJobs(pool, err, List.of(job));
                var ret = pool.service().lastReturn(drive);
                if (code == 0 && ret != null) {
                    out.println(ret.wholeRebuild() != null ? "drive " + drive + " is being rebuilt whole: " + ret.wholeRebuild()
                            : String.format("drive %s is ONLINE: %d of %d tracks written to it (%.2f%% of a full rebuild)"
                            + " in %.2f s; volume %s is %s", drive, ret.tracksResynced(), ret.totalTracks(),
                            100.0 * ret.tracksResynced() / Math.max(1, ret.totalTracks()), ret.seconds(), ret.volume(),
                            pool.snapshot().volume(ret.volume()).state()));
                    if (ret.wholeRebuild() != null) {
                        for (Job j : pool.jobs()) {
                            if (j.kind().equals("rebuild") && !j.state().isFinished()) {
                                code = WaitCommand.awaitJobs(pool, err, List.of(j));
                            }
                        }
                    }
                }
                return code;
            });
        }
    }

    @Command(name = "fail", description = {"Mark a drive FAILED; its volume carries on degraded.",
            "When that would make the volume FAILED while another of its drives is OFFLINE for service (a second"
                    + " failure in the window, as a drill rehearses), it asks for confirmation on a terminal and needs --yes"
                    + " otherwise. It is refused when another drive of the volume is FAILED: that would lose the data."})
    static final class Fail extends OnPool {
        @Parameters(index = "1", paramLabel = "DRIVE",
                description = "the drive to mark FAILED")
        String drive;
        @Option(names = "--yes", description = "confirm failing a drive while another of its volume's drives is OFFLINE"
                + " for service, which makes the volume FAILED until that drive comes back")
        boolean yes;

        @Override
        public Integer call() throws Exception {
            return PoolSession.with(dir, err(), pool -> {
                // a refusal first: nobody is asked to confirm what would not be done
                org.splitpoint.engine.pool.Refusal refused = org.splitpoint.engine.pool.DriveRules.fail(pool.snapshot(), drive);
                if (refused != null && yes) { // the help offers --yes for a volume failing: say why it is no help here
                    refused = new org.splitpoint.engine.pool.Refusal(refused.sentence()
                            + " (--yes confirms only a failure during a service window, whose drive comes back)");
                }
                org.splitpoint.engine.pool.Refusal.check(refused);
                org.splitpoint.engine.pool.FailPlan plan = org.splitpoint.engine.pool.FailPlan.of(pool.snapshot(), drive);
                if (plan != null && plan.volumeFails() && !yes
                        && !Confirm.typed(err(), plan.volumeFailure(), "fail", "drive " + drive + " was not failed")) {
                    return 1;
                }
                pool.admin().failDrive(drive);
                var d = pool.snapshot().drive(drive);
                var v = d.volume() == null ? null : pool.snapshot().volume(d.volume());
                out().println("drive " + drive + " is FAILED"
                        + (v == null ? "" : "; volume " + v.name() + " is " + v.state()));
                return 0;
            });
        }
    }

    @Command(name = "replace", description = {"Swap a blank image in for a FAILED or MISSING drive and rebuild it.",
            "With --spare NAME the SPARE drive NAME takes the drive's place in its volume instead and is rebuilt; the"
                    + " failed drive leaves the volume and stays FAILED."})
    static final class Replace extends OnPool {
        @Parameters(index = "1", paramLabel = "DRIVE",
                description = "the FAILED or MISSING drive to replace")
        String drive;
        @Option(names = "--spare", paramLabel = "NAME", description = "a SPARE drive to take the failed drive's place")
        String spare;
        @Option(names = "--throttle", paramLabel = "MB/s", converter = RateArgument.class, description = "limit the rebuild to this rate (0 = unlimited)")
        Double throttle;
        @Option(names = "--no-wait", description = "return at once; the rebuild continues whenever a process holds the pool open")
        boolean noWait;
        @Option(names = "--check", description = "with --spare: change nothing, say whether that spare may take the"
                + " drive's place now (exit 0) or why not (exit 1)")
        boolean check;

        @Override
        public Integer call() throws Exception {
            var out = out();
            var err = err();
            long limit = throttle == null ? 0 : PairCommand.rateBytes(throttle);
            if (check && spare == null) {
                throw new IllegalArgumentException("--check goes with --spare NAME");
            }
            return PoolSession.with(dir, err, pool -> {
                if (check) {
                    String why = pool.admin().whyNotReplaceWithSpare(drive, spare);
                    if (why != null) {
                        throw new org.splitpoint.engine.pool.PoolException(why);
                    }
                    out.println("spare drive " + spare + " may take the place of " + drive);
                    return 0;
                }
                if (spare != null) {
                    Job job = pool.admin().replaceWithSpare(drive, spare, limit);
                    out.println("spare drive " + spare + " takes the place of " + drive + " in volume "
                            + pool.snapshot().drive(spare).volume() + "; rebuild job " + job.id() + " started; "
                            + drive + " stays FAILED");
                    return noWait ? 0 : WaitCommand.awaitJobs(pool, err, List.of(job));
                }
                Job job = pool.admin().replaceDrive(drive, limit);
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
