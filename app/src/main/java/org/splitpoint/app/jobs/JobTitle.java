package org.splitpoint.app.jobs;

import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * A job's title in the Jobs list: what it does. Most jobs read well as kind and target ("restore
 * p1", "rebuild d5 of prod-bcv"); an instant restore read as its job id ("instant-restore prod"),
 * so it says what it restores and from which image, as its own view's heading does.
 */
final class JobTitle {

    private JobTitle() {
    }

    /** "instant restore of prod from IMAGE", "rebuild of prod from IMAGE + journal", else "KIND TARGET". */
    static String of(JobProgress p, PoolSnapshot s) {
        if (p.kind().equals("instant-restore")) {
            PoolSnapshot.VolumeView v = s == null ? null : s.volumes().stream()
                    .filter(x -> x.name().equals(p.target())).findFirst().orElse(null);
            PoolSnapshot.RestoreView r = v == null ? null : v.restore();
            if (r == null) {
                return "instant restore of " + p.target();
            }
            return r.rebuild() ? "rebuild of " + p.target() + " from " + r.image() + " + journal"
                    : "instant restore of " + p.target() + " from " + r.image();
        }
        return p.kind() + " " + p.target();
    }
}
