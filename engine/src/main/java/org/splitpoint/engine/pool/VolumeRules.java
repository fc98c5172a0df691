package org.splitpoint.engine.pool;

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
     * {@code volume verify [--repair]}: not on a FAILED volume. A stripe with a member absent is not
     * checked (there is nothing to check it against), so a FAILED volume's verify checked nothing, said
     * "0 mismatched sectors: every copy and parity agrees", and cleared a mismatch found earlier.
     */
    public static Refusal verify(PoolSnapshot s, String volume) {
        VolumeView v = s.volume(volume);
        if (v == null || v.state() != VolumeState.FAILED) {
            return null; // an unknown volume is refused by its lookup, in the usual words
        }
        return new Refusal("volume " + volume + " is FAILED (" + v.stateReason() + "): its data is unavailable, so"
                + " there is nothing to verify");
    }
}
