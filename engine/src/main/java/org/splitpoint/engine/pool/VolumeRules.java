package org.splitpoint.engine.pool;

import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.pool.PoolSnapshot.DriveView;
import org.splitpoint.engine.pool.PoolSnapshot.VolumeView;

/**
 * When a volume's own verbs are allowed, with the sentence when not (policy), over a {@link PoolSnapshot}:
 * {@link PoolAdmin} checks them before acting and the app's buttons ask them for their tooltips, as
 * with {@link DriveRules}. Each returns null when the verb is allowed.
 */
public final class VolumeRules {

    private VolumeRules() {
    }

    /**
     * {@code volume verify [--repair]}: not on a FAILED volume, nor on a DEGRADED one with nothing left
     * to check (a parity member absent, a mirror down to one copy). A stripe with a member absent is not
     * checked (there is nothing to check it against), so a FAILED volume's verify checked nothing, said
     * "0 mismatched sectors: every copy and parity agrees", and cleared a mismatch found earlier.
     */
    public static Refusal verify(PoolSnapshot s, String volume) {
        VolumeView v = s.volume(volume);
        if (v == null) {
            return null; // an unknown volume is refused by its lookup, in the usual words
        }
        if (v.state() == VolumeState.FAILED) {
            return new Refusal("volume " + volume + " is FAILED (" + v.stateReason() + "): its data is unavailable, so"
                    + " there is nothing to verify");
        }
        // a DEGRADED volume: a row is checked only where two copies, or every strip and its parity, are
        // present, so a parity volume with a member absent, or a mirror with one copy left, had nothing
        // checked and was said to agree everywhere ('0 mismatched sectors')
        List<String> absent = new ArrayList<>();
        for (String d : v.drives()) {
            DriveView dv = s.drive(d);
            if (dv == null || (dv.state() != DriveState.ONLINE && dv.state() != DriveState.REBUILDING)) {
                absent.add(d + (dv == null ? "" : " " + dv.state()));
            }
        }
        boolean mirror = v.layout() == Layout.RAID1;
        int present = v.drives().size() - absent.size();
        if (absent.isEmpty() || (mirror && present >= 2)) {
            return null;
        }
        return new Refusal("volume " + volume + " is " + v.state() + " (" + String.join(", ", absent) + "): "
                + (mirror ? "with one copy left there is nothing to compare it with"
                        : "with a member absent its parity cannot be checked")
                + "; verify it once " + (absent.size() == 1 ? "that drive is" : "those drives are") + " back or rebuilt");
    }

    /**
     * {@code volume delete}, as far as the snapshot and the pairs tell: refused while the volume is in a
     * pair, keeps a journal, is the save area or has snapshots, has a drive in a service window, is
     * being restored, or a job works on it; in {@link VolumeRemoval}'s words, which also refuses a
     * volume served to NBD clients (not in a snapshot). The volume page's Delete volume… asks it, so it
     * is disabled saying why instead of opening a typed confirmation that can only be refused.
     */
    public static Refusal delete(PoolSnapshot s, List<PairAdmin.PairView> pairs, String volume) {
        VolumeView v = s.volume(volume);
        if (v == null) {
            return null; // an unknown volume is refused by its lookup, in the usual words
        }
        for (PairAdmin.PairView p : pairs) {
            if (p.std().equals(volume) || p.bcv().equals(volume)) {
                return new Refusal("volume " + volume + " is the " + (p.std().equals(volume) ? "STD" : "BCV") + " of pair "
                        + p.name() + "; delete the pair first");
            }
        }
        for (DriveView d : s.drives()) {
            if (volume.equals(d.journal())) {
                return new Refusal("volume " + volume + " keeps a staged backup journal; disable the journal first");
            }
        }
        if (s.saveArea() != null && volume.equals(s.saveArea().volume())) {
            return new Refusal("volume " + volume + " is the save area of the pool's snapshots; it holds their saved tracks");
        }
        int snaps = s.snapshotsOf(volume).size();
        if (snaps > 0) {
            return new Refusal("volume " + volume + " has " + snaps + (snaps == 1 ? " snapshot" : " snapshots") + "; delete "
                    + (snaps == 1 ? "it" : "them") + " first");
        }
        for (DriveView d : s.drives()) {
            if (d.service() != null && volume.equals(d.service().volume())) {
                return new Refusal("drive " + d.name() + " of volume " + volume + " is in a service window; bring it online"
                        + " first");
            }
        }
        if (v.restore() != null) {
            return new Refusal("volume " + volume + " is being restored from a backup; wait for the restore or cancel it"
                    + " first");
        }
        if (s.snapshotRestore(volume) != null) {
            return new Refusal("volume " + volume + " is being restored to a snapshot; wait for the restore or cancel it"
                    + " first");
        }
        for (org.splitpoint.engine.job.JobProgress j : s.jobs()) {
            if (!j.state().isFinished() && (j.target().equals(volume) || j.target().endsWith(" of " + volume))) {
                return new Refusal("job " + j.id() + " (" + j.kind() + ") works on volume " + volume + "; wait for it or"
                        + " cancel it first");
            }
        }
        return null;
    }
}
