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
}
