package org.splitpoint.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.Pool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code splitpoint wait POOL}: holds the pool open until its background jobs are done. */
@Command(name = "wait", description = "Run pending background operations (rebuilds...) to completion.")
final class WaitCommand extends OnPool {

    @Override
    public Integer call() throws Exception {
        var err = err();
        return PoolSession.with(dir, err, pool -> {
            List<Job> jobs = pool.activeJobs();
            if (jobs.isEmpty()) {
                out().println("no background jobs");
                return 0;
            }
            return awaitJobs(pool, err, jobs);
        });
    }

    /**
     * Runs the pool's jobs (a short command opens the pool without running them) and waits for
     * {@code jobs} with a progress line; 1 when one failed or was cancelled.
     */
    static int awaitJobs(Pool pool, PrintWriter err, List<Job> jobs) throws InterruptedException {
        pool.startJobs().forEach(err::println); // a job whose thread could not start: FAILED, it resumes at the next opening
        ProgressLine line = new ProgressLine(err);
        while (jobs.stream().anyMatch(j -> j.state() == JobState.RUNNING)) {
            line.show(jobs.stream().map(Job::progress).toList());
            for (Job j : jobs) {
                if (j.state() == JobState.RUNNING) {
                    j.await(200);
                    break;
                }
            }
        }
        line.done(null);
        int code = 0;
        for (Job j : jobs) {
            var p = j.progress();
            // a done job's outcome, where it has one: a backup's image as stored ("960 of 1024 tracks"), which its
            // start could not know (all-zero tracks are found as they are read)
            String outcome = p.state() == JobState.DONE ? j.outcome() : "";
            err.println(p.kind() + " " + p.target() + ": " + p.state()
                    + (p.message().isEmpty() ? "" : " (" + p.message() + ")") + (outcome.isEmpty() ? "" : ", " + outcome));
            if (p.state() == JobState.FAILED || p.state() == JobState.CANCELLED) {
                code = 1;
            } else if (p.state() == JobState.PAUSED) {
                err.println("job " + p.id() + " is paused; it continues when resumed");
            }
        }
        return code;
    }
}
