package org.splitpoint.engine.pool;

import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pool.PoolSnapshot.VolumeView;

/**
 * When a volume's staged backup journal may be enabled, shipped or disabled, with the sentence
 * when not (policy). The one source of these rules: {@link JournalAdmin} checks them on a
 * {@link PoolSnapshot} and the journal's {@link JournalAdmin.Status} (null: no journal) before
 * acting, and the app's journal card asks them with what it shows, so a disabled button's tooltip
 * is the CLI's error in that state. Each returns null when the operation is allowed. The checks of
 * the drives an enable names (members, SPARE, sizes) and of its store stay with the operation; they
 * come after {@link #enableVolume} and before the count of spares, which they imply when they pass
 * (a named drive that is not a free SPARE is refused with its own, more precise, sentence).
 */
public final class JournalRules {

    private JournalRules() {
    }

    /** {@code volume journal enable}, as far as the volume and the pool's spares decide (the Enable button). */
    public static Refusal enable(PoolSnapshot s, String volume, JournalAdmin.Status j) {
        Refusal r = enableVolume(s, volume, j);
        if (r != null) {
            return r;
        }
        long spares = s.drives().stream().filter(d -> d.state() == DriveState.SPARE && d.journal() == null
                && d.repository() == null).count();
        if (spares < 2) {
            return new Refusal("a journal needs two SPARE drives outside " + volume + "; the pool has " + spares + ": add "
                    + (spares == 1 ? "one" : "two") + " ('drive add')");
        }
        return null;
    }

    /** {@code volume journal enable}, as far as the volume alone decides (before the named drives are checked). */
    public static Refusal enableVolume(PoolSnapshot s, String volume, JournalAdmin.Status j) {
        VolumeView v = s.volume(volume);
        if (v == null) {
            return noVolume(s, volume);
        }
        if (s.saveArea() != null && volume.equals(s.saveArea().volume())) {
            return new Refusal("volume " + volume + " is the save area: it holds snapshots' saved tracks, not a host's"
                    + " data to journal");
        }
        if (j != null) {
            return new Refusal("volume " + volume + " has a journal already (on " + String.join(", ", j.drives())
                    + "); disable it first");
        }
        if (v.state() == VolumeState.FAILED) {
            return new Refusal("volume " + volume + " is FAILED (" + v.stateReason() + "): restore it before journaling it");
        }
        if (restoring(s, volume)) {
            return new Refusal("volume " + volume + " is being restored; enable its journal once the restore finished");
        }
        if (s.snapshotRestore(volume) != null) {
            return new Refusal("volume " + volume + " is being restored to a snapshot; enable its journal once the restore"
                    + " finished");
        }
        // the enable starts the backup that gives the journal its base, which one running refuses:
        // refused then, the journal was on record already, enabled without what it was enabled for
        JobProgress backup = running(s, "backup", volume);
        if (backup != null) {
            return new Refusal("a backup of " + volume + " is running (job " + backup.id() + "); enable its journal once it"
                    + " ended (the journal's base is a backup taken after it is enabled)");
        }
        return null;
    }

    /** The job of {@code kind} on {@code volume} not yet finished, or null. */
    private static JobProgress running(PoolSnapshot s, String kind, String volume) {
        for (JobProgress p : s.jobs()) {
            if (p.kind().equals(kind) && p.target().equals(volume) && !p.state().isFinished()) {
                return p;
            }
        }
        return null;
    }

    /** {@code volume journal ship}. */
    public static Refusal ship(PoolSnapshot s, String volume, JournalAdmin.Status j) {
        Refusal r = journalOfASettledVolume(s, volume, j, "shipping");
        if (r != null) {
            return r;
        }
        VolumeView v = s.volume(volume);
        if (j.unprotected()) {
            return new Refusal("the journal of " + volume + " lost both its drives: there is nothing left to ship");
        }
        if (v.state() == VolumeState.FAILED) {
            return new Refusal("volume " + volume + " is FAILED: rebuild it from backup + journal first (the rebuild"
                    + " applies the journal's entries; they ship afterwards)");
        }
        if (j.base() == null) {
            return new Refusal("the journal of " + volume + " has no base: " + JournalAdmin.NO_BASE_YET.formatted(j.store())
                    + "; there is nothing to ship onto until then");
        }
        for (JobProgress p : s.jobs()) {
            if ((p.kind().equals("journal-ship") || p.kind().equals("backup")) && p.target().equals(volume)
                    && !p.state().isFinished()) {
                return new Refusal("a " + p.kind() + " of " + volume + " is running (job " + p.id() + "); the journal"
                        + " ships when it ends");
            }
        }
        if (j.entries() == 0) {
            return new Refusal("the journal of " + volume + " holds no entry to ship");
        }
        return null;
    }

    /** {@code volume journal disable}. */
    public static Refusal disable(PoolSnapshot s, String volume, JournalAdmin.Status j) {
        Refusal r = journalOfASettledVolume(s, volume, j, "disabling");
        if (r != null) {
            return r;
        }
        // the disable closes the legs a ship reads its entries from (JournalDisableDuringShipTest)
        JobProgress ship = running(s, "journal-ship", volume);
        if (ship != null) {
            return new Refusal("a journal-ship of " + volume + " is running (job " + ship.id() + "); disable the journal"
                    + " once it ended");
        }
        VolumeView v = s.volume(volume);
        if (v.state() == VolumeState.FAILED && j.protecting() && !j.unprotected()) {
            return new Refusal("volume " + volume + " is FAILED: its journal is what rebuilds it to its last acknowledged"
                    + " write; rebuild it first");
        }
        return null;
    }

    /**
     * The restore a journal without a base waits for before its base backup starts, as the app says
     * it ("restore of v from a backup", "restore of v to a snapshot"), or null: the engine starts no
     * base backup while one is under way, and starts it as soon as it ended (its status says the
     * same, and also of a restore from a pair's BCV, which a snapshot does not show).
     */
    public static String baseWaitsFor(PoolSnapshot s, String volume) {
        if (restoring(s, volume)) {
            return "restore of " + volume + " from a backup";
        }
        return s.snapshotRestore(volume) != null ? "restore of " + volume + " to a snapshot" : null;
    }

    /** True while an instant restore (or a rebuild from backup, the same machinery) of the volume runs. */
    public static boolean restoring(PoolSnapshot s, String volume) {
        VolumeView v = s.volume(volume);
        if (v != null && v.restore() != null) {
            return true;
        }
        return s.jobs().stream().anyMatch(p -> p.kind().equals("instant-restore") && p.target().equals(volume)
                && !p.state().isFinished());
    }

    /** Shipping and disabling both need the volume, its journal, and no restore or rebuild under way. */
    private static Refusal journalOfASettledVolume(PoolSnapshot s, String volume, JournalAdmin.Status j, String doing) {
        if (s.volume(volume) == null) {
            return noVolume(s, volume);
        }
        if (j == null) {
            return noJournal(volume);
        }
        if (restoring(s, volume)) {
            return new Refusal("volume " + volume + " is being restored or rebuilt; wait for it to finish before " + doing
                    + " its journal");
        }
        return null;
    }

    private static Refusal noJournal(String volume) {
        return new Refusal("volume " + volume + " has no journal; enable one with 'volume journal enable'");
    }

    private static Refusal noVolume(PoolSnapshot s, String volume) {
        return new Refusal("no volume named '" + volume + "' in this pool (volumes: "
                + String.join(", ", s.volumes().stream().map(VolumeView::name).toList()) + ")");
    }
}
