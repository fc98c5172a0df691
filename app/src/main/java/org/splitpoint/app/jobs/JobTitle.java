package org.splitpoint.app.jobs;

import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * A job's title in the Jobs list: what it does. Most jobs read well as kind and target ("restore
 * p1", "rebuild d5 of prod-bcv"); the kinds the engine spells as ids do not: an instant restore read
 * "instant-restore prod", a restore to a snapshot "snapshot-restore prod" and a journal's ship
 * "journal-ship prod" (seen by hand), so they say in words what they do, a restore from what, as
 * their own views' headings do.
 */
public final class JobTitle {

    private JobTitle() {
    }

    /**
     * "instant restore of prod from IMAGE", "rebuild of prod from IMAGE + journal", "restore of prod to
     * snapshot s1", "journal ship of prod", else "KIND TARGET". {@code s} may be null (what it restores
     * from is then left out).
     */
    static String of(JobProgress p, PoolSnapshot s) {
        return of(p.kind(), p.target(), s);
    }

    /**
     * A finished job's line in Jobs › History and its notification: the engine's line ("KIND TARGET
     * DONE in 0:12, ...", which `job history` prints as is) with the job's title for its head.
     */
    public static String historyLine(org.splitpoint.engine.pool.JobHistory.Entry e) {
        String line = e.line();
        if (e.title() != null && !e.title().isEmpty()) {
            return line; // the engine named it in words (a rebuild from a backup + journal, not "instant restore")
        }
        String head = e.kind() + " " + e.target();
        return line.startsWith(head) ? of(e.kind(), e.target(), null) + line.substring(head.length()) : line;
    }

    private static String of(String kind, String target, PoolSnapshot s) {
        switch (kind) {
            case "instant-restore": {
                PoolSnapshot.VolumeView v = s == null ? null : s.volumes().stream()
                        .filter(x -> x.name().equals(target)).findFirst().orElse(null);
                PoolSnapshot.RestoreView r = v == null ? null : v.restore();
                if (r == null) {
                    return "instant restore of " + target;
                }
                return r.rebuild() ? "rebuild of " + target + " from " + r.image() + " + journal"
                        : "instant restore of " + target + " from " + r.image();
            }
            case "snapshot-restore": {
                PoolSnapshot.SnapshotRestoreView r = s == null ? null : s.snapshotRestore(target);
                return "restore of " + target + (r == null ? " to a snapshot" : " to snapshot " + r.snapshot());
            }
            case "journal-ship":
                return "journal ship of " + target;
            default:
                return kind + " " + target;
        }
    }
}
