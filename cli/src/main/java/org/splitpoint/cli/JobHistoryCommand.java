package org.splitpoint.cli;

import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.pool.JobHistory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code splitpoint job history POOL [--json]}: the jobs that ended (kept across openings), oldest first. */
@Command(name = "history", description = "List the jobs that ended (the last " + JobHistory.KEPT
        + "): result, duration, bytes and tracks; a firmware update's or a reset's steps.")
final class JobHistoryCommand extends OnPool {

    @Option(names = "--json", description = "print one JSON document")
    boolean json;

    @Override
    public Integer call() throws Exception {
        var out = out();
        return PoolSession.look(dir, err(), pool -> {
            List<JobHistory.Entry> all = pool.jobHistory().list();
            if (json) {
                var arr = Json.MAPPER.createArrayNode();
                for (JobHistory.Entry e : all) { // what its counts count, as 'job list --json' says it
                    arr.add(((com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.valueToTree(e))
                            .put("unit", e.timed() ? "steps" : "tracks"));
                }
                Json.print(out, arr);
                return 0;
            }
            if (all.isEmpty()) {
                out.println("no job has ended yet");
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"FINISHED", "ID", "KIND", "TARGET", "RESULT", "DURATION", "BYTES", "DONE"});
            for (JobHistory.Entry e : all) {
                long s = Math.round(e.seconds());
                rows.add(new String[] {e.finishedAt(), e.id(), e.kind(), e.target(),
                        e.result().name() + (e.message().isEmpty() ? "" : ": " + e.message()),
                        String.format("%d:%02d", s / 60, s % 60),
                        // a firmware update or a reset waits through its steps: it copied no bytes, no tracks
                        e.timed() ? "-" : org.splitpoint.engine.pool.Sizes.format(e.bytes()), e.work()});
            }
            Tables.print(out, rows);
            return 0;
        });
    }
}
