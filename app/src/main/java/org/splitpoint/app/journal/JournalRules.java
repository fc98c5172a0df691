package org.splitpoint.app.journal;

import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.VolumeState;

/**
 * When the journal card's verbs are allowed, as "why not" sentences (empty = allowed). They mirror
 * JournalAdmin's preconditions, in its words where it has them, so a button is disabled before the
 * engine would refuse; the engine still checks, and its refusal reaches the status bar.
 */
final class JournalRules {

    private static final String BUSY = "another action is still running; wait for it to finish";

    private JournalRules() {
    }

    static String whyNotEnable(PoolSnapshot s, String volume, JournalAdmin.Status j, boolean busy) {
        PoolSnapshot.VolumeView v = s == null ? null : s.volume(volume);
        if (v == null) {
            return "the volume is still loading";
        }
        if (j != null) {
            return "volume " + volume + " has a journal already (on " + String.join(", ", j.drives()) + "); disable it first";
        }
        if (v.state() == VolumeState.FAILED) {
            return "volume " + volume + " is FAILED (" + v.stateReason() + "): restore it before journaling it";
        }
        if (restoring(s, volume)) {
            return "volume " + volume + " is being restored; enable its journal once the restore finished";
        }
        long spares = s.drives().stream().filter(d -> d.state() == DriveState.SPARE).count();
        if (spares < 2) {
            return "a journal needs two SPARE drives outside " + volume + "; the pool has " + spares + ": add "
                    + (spares == 1 ? "one" : "two") + " in the drive bay (Add spare)";
        }
        return busy ? BUSY : "";
    }

    static String whyNotShip(PoolSnapshot s, String volume, JournalAdmin.Status j, boolean busy) {
        if (j == null) {
            return "volume " + volume + " has no journal; enable one first";
        }
        if (s != null && restoring(s, volume)) {
            return "volume " + volume + " is being restored or rebuilt; wait for it to finish before shipping its journal";
        }
        if (j.unprotected()) {
            return "the journal of " + volume + " lost both its drives: there is nothing left to ship";
        }
        PoolSnapshot.VolumeView v = s == null ? null : s.volume(volume);
        if (v != null && v.state() == VolumeState.FAILED) {
            return "volume " + volume + " is FAILED: rebuild it from backup + journal first (the rebuild applies the"
                    + " journal's entries; they ship afterwards)";
        }
        if (j.base() == null) {
            return "the journal of " + volume + " has no base yet (its first backup into " + j.store() + " has not"
                    + " completed): there is nothing to ship onto";
        }
        for (JobProgress p : s == null ? java.util.List.<JobProgress>of() : s.jobs()) {
            if ((p.kind().equals("journal-ship") || p.kind().equals("backup")) && p.target().equals(volume)
                    && !p.state().isFinished()) {
                return "a " + p.kind() + " of " + volume + " is running (job " + p.id() + "); the journal ships when it ends";
            }
        }
        if (j.entries() == 0) {
            return "the journal of " + volume + " holds no entry to ship";
        }
        return busy ? BUSY : "";
    }

    static String whyNotDisable(PoolSnapshot s, String volume, JournalAdmin.Status j, boolean busy) {
        if (j == null) {
            return "volume " + volume + " has no journal";
        }
        if (s != null && restoring(s, volume)) {
            return "volume " + volume + " is being restored or rebuilt; wait for it to finish before disabling its journal";
        }
        PoolSnapshot.VolumeView v = s == null ? null : s.volume(volume);
        if (v != null && v.state() == VolumeState.FAILED && j.protecting() && !j.unprotected()) {
            return "volume " + volume + " is FAILED: its journal is what rebuilds it to its last acknowledged write;"
                    + " rebuild it first";
        }
        return busy ? BUSY : "";
    }

    /** True while an instant restore (or a rebuild from backup, the same machinery) of the volume runs. */
    static boolean restoring(PoolSnapshot s, String volume) {
        PoolSnapshot.VolumeView v = s.volume(volume);
        if (v != null && v.restore() != null) {
            return true;
        }
        return s.jobs().stream().anyMatch(p -> p.kind().equals("instant-restore") && p.target().equals(volume)
                && !p.state().isFinished());
    }
}
