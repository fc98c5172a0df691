package org.splitpoint.app.volumes;

import org.splitpoint.app.common.StateLook;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.PoolSnapshot.VolumeView;
import org.splitpoint.engine.pool.VolumeState;

/**
 * A volume's state as the Volumes table and the navigation tree show it. The engine's state says
 * what its drives hold up; a volume being restored (a backup's instant restore, a restore to a
 * snapshot) is OPTIMAL while many of its tracks still come from the backup or the snapshot, so a
 * green OPTIMAL read as "all there". Such a volume shows RESTORING; any other state keeps its word
 * (a DEGRADED or FAILED volume matters more) and the restore goes into the reason. Likewise a
 * volume whose tracks a second failure in a pointers window lost is OPTIMAL again once its drives
 * are back, while reads of those tracks fail and the pool is CRITICAL: it shows TRACKS LOST in the
 * bad tone, unless it is FAILED (all of it is unreadable then).
 */
public final class VolumeLook {

    private VolumeLook() {
    }

    /**
     * The badge for {@code v}: TRACKS LOST while a second failure's lost tracks stand (unless it is
     * FAILED), RESTORING while it is OPTIMAL and being restored, else its state's.
     */
    public static StateLook of(VolumeView v, PoolSnapshot s) {
        if (v.state() != VolumeState.FAILED && v.lostTracks() != null && !v.lostTracks().isEmpty()) {
            return new StateLook("TRACKS LOST", StateLook.Glyph.TRIANGLE, StateLook.Tone.BAD); // not FAILED's cross
        }
        return v.state() == VolumeState.OPTIMAL && !restore(v, s).isEmpty() ? StateLook.restoring() : StateLook.of(v.state());
    }

    /**
     * "42% · from backup IMAGE", "42% · to snapshot NAME", or "" when {@code v} is not being
     * restored; the percent first, since a narrow column cuts the end of a long image id.
     */
    static String restore(VolumeView v, PoolSnapshot s) {
        if (v.restore() != null) {
            return percent(v.restore().fraction()) + (v.restore().rebuild() ? " · from backup + journal " : " · from backup ")
                    + v.restore().image();
        }
        PoolSnapshot.SnapshotRestoreView r = s.snapshotRestore(v.name());
        return r == null ? "" : percent(r.fraction()) + " · to snapshot " + r.snapshot();
    }

    private static String percent(double fraction) {
        return String.format(java.util.Locale.ROOT, "%.0f%%", Math.floor(100 * fraction));
    }
}
