package org.splitpoint.app.workload;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;
import org.splitpoint.engine.pool.VolumeProblem;

/**
 * Hands the verifying workloads' errors to the engine as the volume's problem (a lost write), so
 * they raise one critical event, mark the volume and the status bar, and stand until a repair
 * clears them. Counts since the last clearing: a workload's counter keeps its history, but a
 * problem repaired is not raised again by the errors it already reported. Runs on the bridge's timer.
 */
final class WorkloadErrors {

    /** Per volume: errors already accounted for by a cleared problem, and the count last reported. */
    private final Map<String, long[]> seen = new HashMap<>();

    void report(Pool pool, Map<String, Workload> workloads) throws IOException, PoolException {
        for (Map.Entry<String, Workload> e : workloads.entrySet()) {
            String volume = e.getKey();
            WorkloadStats s = e.getValue().stats();
            long[] st = seen.computeIfAbsent(volume, v -> new long[2]); // {base, reported}
            boolean standing = pool.volumeProblems().of(volume).stream()
                    .anyMatch(p -> p.kind() == VolumeProblem.Kind.WORKLOAD_ERRORS);
            if (!standing && st[1] > st[0]) {
                st[0] = st[1]; // repaired meanwhile: what was reported is settled
            }
            long fresh = s.errors() - st[0];
            if (fresh > 0 && s.errors() != st[1]) {
                pool.volumeProblems().report(volume, VolumeProblem.Kind.WORKLOAD_ERRORS, fresh, s.lastProblem());
                st[1] = s.errors();
            }
        }
    }
}
