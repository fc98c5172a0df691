package org.splitpoint.app.snapshot;

import java.util.List;
import java.util.Locale;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.journal.Gauge;
import org.splitpoint.engine.pool.SnapshotAdmin;

/**
 * The save area as a gauge: its slots in use against its size, with the engine's warning
 * thresholds marked (80%: a warning; 95%: the last warning before snapshots start to become
 * invalid); amber past 80%, red past 95%. For the snapshot card and the volumes table's header.
 */
public final class SaveAreaFacts {

    /** The engine's warning thresholds (SAVE_AREA events). */
    public static final double WARN = 0.80;
    public static final double CRITICAL = 0.95;

    private SaveAreaFacts() {
    }

    /** The gauge of {@code a}; {@link Gauge#NONE} without a save area. */
    public static Gauge gauge(SnapshotAdmin.SaveAreaInfo a) {
        if (a == null) {
            return Gauge.NONE;
        }
        if (a.slots() == 0) {
            return new Gauge(0, "cannot be used now (see the event log)", Gauge.Level.FULL, List.of(WARN, CRITICAL));
        }
        double f = (double) a.usedSlots() / a.slots();
        Gauge.Level level = f >= CRITICAL ? Gauge.Level.FULL : f >= WARN ? Gauge.Level.NEAR : Gauge.Level.LOW;
        return new Gauge(f, Format.size(a.usedBytes()) + " of " + Format.size(a.bytes()) + " used · "
                + percent(a.percentUsed()), level, List.of(WARN, CRITICAL));
    }

    /** "12%", or "0.4%" below 1% (a few tracks saved are not "0%"). */
    static String percent(double p) {
        return p > 0 && p < 1 ? String.format(Locale.ROOT, "%.1f%%", p) : String.format(Locale.ROOT, "%.0f%%", Math.floor(p));
    }

    /** What the gauge's marks mean, for its tooltip. */
    public static String marksHint(SnapshotAdmin.SaveAreaInfo a) {
        String n = a == null ? "the save area" : a.volume();
        return "Tracks saved for snapshots in " + n + ". Marked at 80% and 95%: the pool warns there; once it is full,"
                + " the snapshots that need a track saved become invalid. Delete snapshots to give tracks back.";
    }
}
