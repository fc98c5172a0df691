package org.splitpoint.app.snapshot;

import java.util.ArrayList;
import java.util.List;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pool.PairAdmin;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.Refusal;
import org.splitpoint.engine.pool.RestoreRules;
import org.splitpoint.engine.pool.SnapshotAdmin;
import org.splitpoint.engine.pool.VolumeState;

/**
 * When the snapshot card's verbs are allowed, as "why not" sentences (empty = allowed). They mirror
 * SnapshotAdmin's preconditions, in its words where it has them, so a button is disabled before the
 * engine would refuse; the engine still checks (a restore's plan says the rest), and its refusal is
 * shown as it is. Also which volumes may become the save area.
 */
final class SnapshotRules {

    static final String BUSY = "another action is still running; wait for it to finish";

    private SnapshotRules() {
    }

    static String whyNotTake(PoolSnapshot s, List<PairView> pairs, String volume, boolean busy) {
        PoolSnapshot.VolumeView v = s == null ? null : s.volume(volume);
        if (v == null) {
            return "the volume is still loading";
        }
        SnapshotAdmin.SaveAreaInfo a = s.saveArea();
        if (a == null) {
            return "the pool has no save area for snapshots to keep their tracks in: use a volume as save area first";
        }
        if (a.volume().equals(volume)) {
            return "volume " + volume + " is the save area; its snapshots would save into themselves";
        }
        if (a.slots() == 0) {
            return "the save area " + a.volume() + " cannot be used now; see the event log";
        }
        PoolSnapshot.VolumeView area = s.volume(a.volume());
        if (area != null && area.state() == VolumeState.FAILED) { // taken, it would be invalid at the first write
            return SnapshotAdmin.saveAreaFailed(a.volume(), area.stateReason());
        }
        if (a.refusesSaves() != null) { // a save's commit failed in this opening: taken, it would keep no track
            return SnapshotAdmin.saveAreaRefusesSaves(a.volume(), a.refusesSaves());
        }
        if (restoring(s, volume)) {
            return "volume " + volume + " is being restored; take the snapshot once the restore finished";
        }
        for (PairView p : pairs) { // hosts read its tracks not yet restored from the BCV: a snapshot would be torn
            String fromBcv = PairAdmin.restoringFromBcv(volume, p.name(), p.std(), p.state());
            if (fromBcv != null) {
                return fromBcv + "; take the snapshot once the restore finished";
            }
        }
        if (v.state() == VolumeState.FAILED) {
            return "volume " + volume + " is FAILED (" + v.stateReason() + "); its data cannot be read, so a snapshot of"
                    + " it would hold nothing";
        }
        return busy ? BUSY : "";
    }

    static String whyNotDelete(PoolSnapshot s, String volume, SnapshotAdmin.Info selected, boolean busy) {
        if (selected == null) {
            return "select a snapshot on the timeline first";
        }
        if (selected.restoring()) {
            return "snapshot " + selected.ref() + " is the source of the restore under way (job "
                    + SnapshotAdmin.restoreJobId(volume) + "); wait for it or cancel it first";
        }
        return busy ? BUSY : "";
    }

    static String whyNotRestore(PoolSnapshot s, List<PairView> pairs, String volume, SnapshotAdmin.Info selected,
                                boolean busy) {
        PoolSnapshot.VolumeView v = s == null ? null : s.volume(volume);
        if (v == null) {
            return "the volume is still loading";
        }
        if (selected == null) {
            return "select a snapshot on the timeline first";
        }
        if (!SnapshotAdmin.VALID.equals(selected.state())) {
            return "snapshot " + selected.ref() + " is invalid (" + selected.why() + "); it cannot be restored";
        }
        Refusal now = RestoreRules.toSnapshot(s, pairs, volume); // the engine's rule, as 'snapshot restore' checks it
        if (now != null) {
            return now.sentence();
        }
        if (selected.volume().equals(volume) && selected.tracksHeld() == 0) {
            // the save area holds a track for a snapshot once the track is written after it (OriginIndex): none
            // held, none written, and the restore would copy nothing back (Restore… was enabled, and pressing it
            // only said so in the status line)
            return "nothing was written to " + volume + " since snapshot " + selected.name() + " was taken: " + volume
                    + " already holds its image";
        }
        return busy ? BUSY : "";
    }

    /** A volume that may become the save area, as the choice lists it. */
    record Candidate(String volume, long size, String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * The volumes that may become the save area: not in a pair, with no snapshots, no journal, no
     * restore and no service window, not FAILED (the engine's rules for a volume of its own).
     */
    static List<Candidate> saveAreaCandidates(PoolSnapshot s, List<PairView> pairs) {
        List<Candidate> out = new ArrayList<>();
        if (s == null) {
            return out;
        }
        for (PoolSnapshot.VolumeView v : s.volumes()) {
            String n = v.name();
            boolean paired = pairs.stream().anyMatch(p -> p.std().equals(n) || p.bcv().equals(n));
            boolean journaled = s.drives().stream().anyMatch(d -> n.equals(d.journal()));
            boolean serviced = s.drives().stream().anyMatch(d -> d.service() != null && n.equals(d.service().volume()));
            if (paired || journaled || serviced || !s.snapshotsOf(n).isEmpty() || v.restore() != null
                    || s.snapshotRestore(n) != null || v.state() == VolumeState.FAILED || v.size() < s.trackSize()) {
                continue;
            }
            out.add(new Candidate(n, v.size(), n + " · " + v.layout().word() + " over " + String.join(", ", v.drives())
                    + " · " + Format.size(v.size()) + " (" + Format.tracks(v.size() / s.trackSize()) + ")"));
        }
        return out;
    }

    static String whyNotSaveArea(PoolSnapshot s, List<PairView> pairs, boolean busy) {
        if (s == null) {
            return "the pool is still loading";
        }
        if (s.saveArea() != null) {
            return "the pool's save area is " + s.saveArea().volume() + " already";
        }
        if (saveAreaCandidates(s, pairs).isEmpty()) {
            return "no volume can be the save area: each is in a pair, has snapshots, a journal or a restore under way,"
                    + " or is FAILED; make one of its own, e.g. ./splitpoint volume create " + s.path()
                    + " save --layout raid1 --drives dX,dY";
        }
        return busy ? BUSY : "";
    }

    /** True while {@code volume} is being restored (from a backup or to a snapshot). */
    static boolean restoring(PoolSnapshot s, String volume) {
        PoolSnapshot.VolumeView v = s.volume(volume);
        if (s.snapshotRestore(volume) != null || v != null && v.restore() != null) {
            return true;
        }
        for (JobProgress p : s.jobs()) {
            if ((p.kind().equals("instant-restore") || p.kind().equals("snapshot-restore")) && p.target().equals(volume)
                    && !p.state().isFinished()) {
                return true;
            }
        }
        return false;
    }
}
