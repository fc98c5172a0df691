package org.splitpoint.app.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.VolumeState;

/**
 * The volumes a journal was enabled to protect and does not, as the status bar says them: the pool
 * showed HEALTHY while a journal was NOT PROTECTING (its base backup failing into a full store). A
 * journal whose base backup runs is on its way (its card says STARTING); a FAILED volume's status
 * says more than its journal could. A journal whose store is out of reach (CANNOT SHIP) is said too,
 * unless the pool's warnings say it already.
 */
final class JournalGaps {

    private JournalGaps() {
    }

    /** One problem line per volume whose journal does not protect it, in the journals' order. */
    static List<String> lines(Map<String, JournalAdmin.Status> journals, PoolSnapshot s) {
        List<String> out = new ArrayList<>();
        for (JournalAdmin.Status j : journals.values()) {
            PoolSnapshot.VolumeView v = s.volumes().stream().filter(x -> x.name().equals(j.volume())).findFirst().orElse(null);
            if (v == null || v.state() == VolumeState.FAILED) {
                continue;
            }
            if (s.drives().stream().noneMatch(d -> j.volume().equals(d.journal()))) {
                // the pool's picture predates the journal (the two come apart; just enabled, its base
                // backup is not in that picture yet): the next picture says whether it protects
                continue;
            }
            if (j.protecting() && !j.unprotected()) {
                // its store out of reach: said by the engine's warnings once a due ship was refused, by
                // the journal's status as soon as the directory is gone
                if (j.storeProblem() != null && s.warnings().stream().noneMatch(w -> w.contains(j.storeProblem()))) {
                    out.add("the journal of " + j.volume() + " cannot ship: " + j.storeProblem());
                }
                continue;
            }
            if (j.unprotected()) {
                out.add("volume " + j.volume() + " is not protected by its journal: both journal drives failed");
            } else if (!baseBackupRunning(s, j.volume())) {
                String waits = org.splitpoint.engine.pool.JournalRules.baseWaitsFor(s, j.volume());
                out.add("volume " + j.volume() + " is not protected by its journal: it has no base image"
                        + (waits != null ? " (a backup gives it one once the " + waits + " has ended)"
                        : j.nextBaseTrySeconds() == null ? ""
                        : " (the next backup try in " + Format.duration(j.nextBaseTrySeconds()) + ")"));
            }
        }
        return out;
    }

    private static boolean baseBackupRunning(PoolSnapshot s, String volume) {
        return s.jobs().stream().anyMatch(p -> p.kind().equals("backup") && p.target().equals(volume) && !p.state().isFinished());
    }
}
