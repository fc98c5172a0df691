package org.splitpoint.cli;

import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.Sizes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code splitpoint job list|pause|resume|cancel|throttle}: the pool's background jobs (rebuilds,
 * establishes, restores). In a process that holds the pool (serve, the app) the command acts on
 * the running job; on a pool nobody holds it acts on the persisted job, so a pause or a throttle
 * is recorded and holds when a process runs the job later, and a cancel ends it as the job's own
 * cancel does (a pair copy leaves the pair Split, a rebuild leaves the drive FAILED).
 */
@Command(name = "job", description = "List, pause, resume, cancel or throttle background jobs.",
        subcommands = {JobCommand.ListJobs.class, JobCommand.Pause.class, JobCommand.Resume.class,
                JobCommand.Cancel.class, JobCommand.Throttle.class, JobHistoryCommand.class})
final class JobCommand {

    private JobCommand() {
    }

    /** Job {@code id} of {@code pool}, or a refusal that lists the jobs there are. */
    static Job find(Pool pool, String id) {
        List<String> ids = new ArrayList<>();
        for (Job j : pool.jobs()) {
            if (j.id().equals(id)) {
                return j;
            }
            ids.add(j.id());
        }
        throw new Splitpoint.CommandFailed("no job '" + id + "' in pool " + pool.dir() + " ("
                + (ids.isEmpty() ? "it has no jobs" : "jobs: " + String.join(", ", ids)) + ")");
    }

    /** What runs the job: this process (serve, the app, a waiting command) or none yet. */
    private static boolean runHere(Job j) {
        return j.isStarted();
    }

    /** Said under a list of jobs that no process runs (the holder was stopped or killed): they are not lost. */
    static final String WAITING_FOR_A_HOLDER = "no process holds the pool: the jobs continue when one does (serve, the app, wait)";

    /** Whether some unfinished job of {@code jobs} waits for a process to hold the pool and run it. */
    static boolean waitingForAHolder(List<Job> jobs) {
        return jobs.stream().anyMatch(j -> !runHere(j) && !j.progress().state().isFinished());
    }

    @Command(name = "list", description = "List the jobs: id, kind, target, state, progress.")
    static final class ListJobs extends OnPool {
        @Option(names = "--json", description = "print one JSON document")
        boolean json;

        @Override
        public Integer call() throws Exception {
            var out = out();
            return PoolSession.look(dir, err(), pool -> {
                List<Job> jobs = pool.jobs();
                if (json) {
                    var arr = Json.MAPPER.createArrayNode();
                    for (Job j : jobs) {
                        JobProgress p = j.progress();
                        arr.add(Json.job(p).put("line", p.line()).put("message", p.message())
                                .put("running", runHere(j) && p.state() == JobState.RUNNING));
                    }
                    Json.print(out, arr);
                    return 0;
                }
                if (jobs.isEmpty()) {
                    out.println("no jobs");
                    return 0;
                }
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"ID", "KIND", "TARGET", "STATE", "PROGRESS"});
                for (Job j : jobs) {
                    JobProgress p = j.progress();
                    rows.add(new String[] {p.id(), p.kind(), p.target(), p.state().name(), p.line()});
                }
                Tables.print(out, rows);
                if (waitingForAHolder(jobs)) {
                    out.println();
                    out.println(WAITING_FOR_A_HOLDER);
                }
                return 0;
            });
        }
    }

    /** What pause, resume, cancel and throttle share: the pool and the job. */
    abstract static class OnJob extends OnPool {
        @Parameters(index = "1", paramLabel = "JOB", description = "job id, as 'job list' shows it")
        String id;
    }

    @Command(name = "pause", description = "Pause a job; it stays paused (recorded in the pool) until resumed.")
    static final class Pause extends OnJob {
        @Override
        public Integer call() throws Exception {
            return PoolSession.with(dir, err(), pool -> {
                Job j = find(pool, id);
                if (j.state() != JobState.RUNNING) {
                    throw new Splitpoint.CommandFailed("job " + id + " is " + (j.state() == JobState.PAUSED ? "already " : "")
                            + j.state() + "; only a RUNNING job is paused");
                }
                j.pause();
                out().println("job " + id + " is " + j.state());
                return 0;
            });
        }
    }

    @Command(name = "resume", description = "Resume a paused job (it runs whenever a process holds the pool).")
    static final class Resume extends OnJob {
        @Override
        public Integer call() throws Exception {
            return PoolSession.with(dir, err(), pool -> {
                Job j = find(pool, id);
                if (j.state() != JobState.PAUSED) {
                    throw new Splitpoint.CommandFailed("job " + id + " is " + j.state() + ", not PAUSED; there is nothing to resume");
                }
                j.resume();
                out().println("job " + id + " is " + j.state() + (runHere(j) ? ""
                        : "; it continues when a process holds the pool (serve, the app, wait)"));
                return 0;
            });
        }
    }

    @Command(name = "throttle", description = "Limit a job to a rate in MB/s (0 = no limit); recorded in the pool.")
    static final class Throttle extends OnJob {
        @Parameters(index = "2", paramLabel = "MB/s", converter = RateArgument.class, description = "the limit, decimal MB per second; 0 for none")
        double rate;

        @Override
        public Integer call() throws Exception {
            long bytes = PairCommand.rateBytes(rate);
            return PoolSession.with(dir, err(), pool -> {
                Job j = find(pool, id);
                if (j.state().isFinished()) {
                    throw new Splitpoint.CommandFailed("job " + id + " is " + j.state() + "; a finished job has no rate to limit");
                }
                j.setThrottle(bytes);
                out().println(bytes == 0 ? "job " + id + " runs without a limit now"
                        : "job " + id + " is limited to "
                        + new java.math.BigDecimal(bytes).movePointLeft(6).stripTrailingZeros().toPlainString() + " MB/s");
                return 0;
            });
        }
    }

    @Command(name = "cancel", description = {
            "Cancel a job: a rebuild leaves its drive FAILED; an establish leaves the pair Split with the BCV partly"
                    + " copied; a restore leaves the pair Split with the STD partly restored (a mix of old and"
                    + " restored tracks), which cannot be undone; an instant restore or a restore to a snapshot leaves"
                    + " its volume partly restored.",
            "Cancelling a restore asks for confirmation when stdin is a terminal, and needs --yes otherwise."})
    static final class Cancel extends OnJob {
        @Option(names = "--yes", description = "confirm cancelling a restore without being asked")
        boolean yes;

        @Override
        public Integer call() throws Exception {
            return PoolSession.with(dir, err(), pool -> {
                Integer stopped = cancelStoppedRestore(pool);
                if (stopped != null) {
                    return stopped;
                }
                Job j = find(pool, id);
                if (j.state().isFinished()) {
                    throw new Splitpoint.CommandFailed("job " + id + " is already " + j.state());
                }
                if (List.of("restore", "instant-restore", "snapshot-restore").contains(j.kind()) && !yes && !confirmed(j)) {
                    return 1;
                }
                j.cancel();
                j.start(); // not running here yet (nobody holds the pool): the job's own cancel path runs now
                if (!j.await(60_000)) {
                    throw new Splitpoint.CommandFailed("job " + id + " did not stop within a minute; it stops at its next step");
                }
                JobProgress p = j.progress();
                out().println("job " + id + " is " + p.state() + (p.message().isEmpty() ? "" : ": " + p.message()));
                return p.state() == JobState.CANCELLED ? 0 : 1;
            });
        }

        /**
         * {@code instant-restore-VOLUME} of a restore whose copy is not running — it FAILED (tracks
         * damaged in the backup) or waits for a store that cannot be read, so it has no job — ends
         * that restore (as its job's cancel would); null when that is not the case.
         */
        private Integer cancelStoppedRestore(Pool pool) throws Exception {
            String volume = null;
            for (var r : pool.instantRestores().all()) {
                if (org.splitpoint.engine.pool.RestoreAdmin.restoreJobId(r.volume()).equals(id)) {
                    volume = r.volume();
                }
            }
            if (volume == null) {
                return null;
            }
            for (Job j : pool.jobs()) {
                if (j.id().equals(id) && !j.state().isFinished()) {
                    return null; // running (or not started here): its own cancel
                }
            }
            var r = pool.instantRestores().restoreOf(volume);
            long owed = r.totalTracks() - r.currentTracks();
            if (!yes && !Confirm.typed(err(), "cancelling the restore of " + volume + " leaves it partly restored ("
                    + (r.totalTracks() - owed) + " of " + Sizes.count(r.totalTracks(), "track") + "): the others keep what the volume"
                    + " held before", "yes", "the restore of " + volume + " was not cancelled")) {
                return 1;
            }
            pool.instantRestores().cancelStopped(volume);
            out().println("job " + id + " is CANCELLED: the restore of " + volume + " ended with " + owed
                    + (owed == 1 ? " track" : " tracks") + " not restored; they keep what the volume held before");
            return 0;
        }

        /** Asks on a terminal; without one a restore's cancel needs --yes (a usage error otherwise). */
        private boolean confirmed(Job j) throws java.io.IOException {
            JobProgress p = j.progress();
            String consequence = !"restore".equals(j.kind()) // an instant restore's or a restore to a snapshot's target is its volume
                    ? "cancelling job " + id + " leaves volume " + j.target() + " partly restored (" + p.doneTracks()
                    + " of " + Sizes.count(p.totalTracks(), "track") + "): the others keep what the volume held before"
                    : "cancelling job " + id + " leaves the STD of pair " + j.target() + " partly restored ("
                    + p.doneTracks() + " of " + Sizes.count(p.totalTracks(), "track") + "), which cannot be undone";
            return Confirm.typed(err(), consequence, "yes", "job " + id + " was not cancelled");
        }
    }
}
