package org.splitpoint.app.drives;

import java.nio.file.Path;
import java.util.List;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.PoolSnapshot.DriveView;
import org.splitpoint.engine.pool.PoolSnapshot.VolumeView;
import org.splitpoint.engine.pool.Sizes;

/**
 * When Fail drive and Replace drive are allowed, from a snapshot, as "why not" sentences (empty =
 * allowed). They mirror PoolAdmin's preconditions so a button is disabled before the engine would
 * refuse; the engine still checks, and its refusal reaches the status bar if they ever disagree.
 */
final class DriveRules {

    private DriveRules() {
    }

    static String whyNotFail(PoolSnapshot s, String name) {
        String none = noDrive(s, name);
        if (none != null) {
            return none;
        }
        DriveView d = s.drive(name);
        if (d.state() == DriveState.FAILED || d.state() == DriveState.MISSING) {
            return name + " is already " + d.state();
        }
        VolumeView v = d.volume() == null ? null : s.volume(d.volume());
        if (v != null && othersUnavailable(s, v, name) + 1 > v.layout().redundancy(v.drives().size())) {
            return "failing " + name + " would make volume " + v.name() + " FAILED: it already has "
                    + v.stateReason() + "; replace that first";
        }
        return "";
    }

    static String whyNotReplace(PoolSnapshot s, String name) {
        String none = noDrive(s, name);
        if (none != null) {
            return none;
        }
        DriveView d = s.drive(name);
        if (d.state() == DriveState.REBUILDING) {
            return name + " is REBUILDING already; wait for the rebuild to finish";
        }
        if (d.state() != DriveState.FAILED && d.state() != DriveState.MISSING) {
            return name + " is " + d.state() + "; only a FAILED or MISSING drive is replaced"
                    + (d.state() == DriveState.ONLINE ? " (fail it first)" : "");
        }
        VolumeView v = d.volume() == null ? null : s.volume(d.volume());
        if (v != null && othersUnavailable(s, v, name) + 1 > v.layout().redundancy(v.drives().size())) {
            return "volume " + v.name() + " is FAILED (" + v.stateReason() + "): no redundancy is left to rebuild "
                    + name + " from";
        }
        return "";
    }

    /** What replacing {@code name} does; null when it is not in the snapshot. */
    static ReplacePlan plan(PoolSnapshot s, String name) {
        DriveView d = s == null || name == null ? null : s.drive(name);
        if (d == null) {
            return null;
        }
        Path image = Path.of("drives", name + ".img");
        String keptAs = name + ".img.replaced-<date and time>"; // the engine stamps each set-aside image
        String size = Sizes.format(d.size());
        VolumeView v = d.volume() == null ? null : s.volume(d.volume());
        if (v == null) {
            return new ReplacePlan(name, d.state().name(), size, null, null, null, List.of(), image.toString(), keptAs);
        }
        List<String> sources = v.drives().stream()
                .filter(n -> !n.equals(name) && s.drive(n) != null && s.drive(n).state() == DriveState.ONLINE)
                .toList();
        return new ReplacePlan(name, d.state().name(), size, v.name(), v.layout().word(), v.state().name(), sources,
                image.toString(), keptAs);
    }

    private static String noDrive(PoolSnapshot s, String name) {
        if (s == null) {
            return "the pool is still loading";
        }
        if (name == null || name.isBlank()) {
            return "select a drive first";
        }
        if (s.drive(name) == null) {
            return "drive " + name + " is no longer in the pool";
        }
        return null;
    }

    private static int othersUnavailable(PoolSnapshot s, VolumeView v, String except) {
        int n = 0;
        for (String member : v.drives()) {
            DriveView m = s.drive(member);
            if (!member.equals(except) && (m == null || m.state() != DriveState.ONLINE)) {
                n++;
            }
        }
        return n;
    }
}
