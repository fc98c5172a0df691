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
                return new Refusal(inPair(volume, p.std().equals(volume), p.name()));
            }
        }
        for (DriveView d : s.drives()) {
            if (volume.equals(d.journal())) {
                return new Refusal(keepsJournal(volume));
            }
        }
        if (s.saveArea() != null && volume.equals(s.saveArea().volume())) {
            return new Refusal(isSaveArea(volume));
        }
        int snaps = s.snapshotsOf(volume).size();
        if (snaps > 0) {
            return new Refusal(hasSnapshots(volume, snaps));
        }
        for (DriveView d : s.drives()) {
            if (d.service() != null && volume.equals(d.service().volume())) {
                return new Refusal(inServiceWindow(d.name(), volume));
            }
        }
        if (v.restore() != null) {
            return new Refusal(restoring(volume, "from a backup"));
        }
        if (s.snapshotRestore(volume) != null) {
            return new Refusal(restoring(volume, "to a snapshot"));
        }
        for (org.splitpoint.engine.job.JobProgress j : s.jobs()) {
            if (!j.state().isFinished() && (j.target().equals(volume) || j.target().endsWith(" of " + volume))) {
                return new Refusal(jobWorksOn(j.id(), j.kind(), volume));
            }
        }
        return null;
    }

    // delete's refusals, one sentence each, said by VolumeRemoval over the pool and by delete above over a snapshot

    static String inPair(String volume, boolean std, String pair) {
        return "volume " + volume + " is the " + (std ? "STD" : "BCV") + " of pair " + pair + "; delete the pair first";
    }

    static String keepsJournal(String volume) {
        return "volume " + volume + " keeps a staged backup journal; disable the journal first";
    }

    static String isSaveArea(String volume) {
        return "volume " + volume + " is the save area of the pool's snapshots; it holds their saved tracks";
    }

    static String hasSnapshots(String volume, int snaps) {
        return "volume " + volume + " has " + Sizes.count(snaps, "snapshot") + "; delete " + (snaps == 1 ? "it" : "them")
                + " first";
    }

    static String inServiceWindow(String drive, String volume) {
        return "drive " + drive + " of volume " + volume + " is in a service window; bring it online first";
    }

    /** {@code how}: "from a backup", "to a snapshot". */
    static String restoring(String volume, String how) {
        return "volume " + volume + " is being restored " + how + "; wait for the restore or cancel it first";
    }

    static String jobWorksOn(String id, String kind, String volume) {
        return "job " + id + " (" + kind + ") works on volume " + volume + "; wait for it or cancel it first";
    }
}
