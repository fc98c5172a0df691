package org.splitpoint.app.drives;

import java.nio.file.Path;
import java.util.List;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.PoolSnapshot.DriveView;
import org.splitpoint.engine.pool.PoolSnapshot.VolumeView;
import org.splitpoint.engine.pool.Sizes;
import org.splitpoint.engine.pool.VolumeState;

/**
 * When Fail drive, Replace drive, Take offline and Bring online are allowed, from a snapshot, as
 * "why not" sentences (empty = allowed). They mirror PoolAdmin's and ServiceAdmin's preconditions so
 * a button is disabled before the engine would refuse; the engine still checks, and its refusal
 * reaches the status bar (or the dialog) if they ever disagree. Public for the Drills view, which
 * takes a drive offline too.
 */
public final class DriveRules {

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
        if (d.service() != null) {
            return name + " is OFFLINE in a service window (" + d.service().reason().word() + "); bring it back online first";
        }
        if (d.repository() != null) {
            return name + " holds the repository of volume " + d.repository() + "'s service window";
        }
        VolumeView v = d.volume() == null ? null : s.volume(d.volume());
        boolean window = v != null && v.drives().stream().anyMatch(m -> s.drive(m) != null && s.drive(m).service() != null);
        // in a service window a failure is the second one: the engine allows it (and says what it costs)
        if (v != null && !window && othersUnavailable(s, v, name) + 1 > v.layout().redundancy(v.drives().size())) {
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

    /**
     * Why {@code name} cannot be taken offline now (empty: it can): it must be an ONLINE member of a
     * volume that is OPTIMAL, has no other drive in a window and no tracks lost by an earlier second
     * failure, and is not being restored (ServiceAdmin's refusals; the pairs' are left to the engine).
     */
    public static String whyNotOffline(PoolSnapshot s, String name) {
        String none = noDrive(s, name);
        if (none != null) {
            return none;
        }
        DriveView d = s.drive(name);
        if (d.state() == DriveState.OFFLINE) {
            return name + " is OFFLINE already" + (d.reason() == null ? "" : " (" + d.reason().word() + ")");
        }
        if (d.repository() != null) {
            return name + " holds the repository of " + d.repository() + "'s service window";
        }
        if (d.journal() != null) {
            return name + " holds a leg of " + d.journal() + "'s journal; only a member of a volume is taken offline";
        }
        if (d.volume() == null) {
            return name + " is " + d.state() + " in no volume; only a member of a volume is taken offline";
        }
        if (d.state() != DriveState.ONLINE) {
            return name + " is " + d.state() + "; only an ONLINE member is taken offline";
        }
        VolumeView v = s.volume(d.volume());
        if (v == null) {
            return "";
        }
        if (v.state() == VolumeState.SERVICE) {
            return "volume " + v.name() + " already has a drive in a service window (" + v.stateReason()
                    + "); bring it back first";
        }
        if (v.state() != VolumeState.OPTIMAL) {
            return "volume " + v.name() + " is " + v.state() + " (" + v.stateReason() + "): taking " + name
                    + " offline would leave it no redundancy";
        }
        if (v.restore() != null) {
            return "volume " + v.name() + " is being restored from a backup; wait for the restore to finish";
        }
        if (!v.lostTracks().isEmpty()) {
            return "volume " + v.name() + " has " + v.lostTracks().size() + " tracks lost by an earlier second failure;"
                    + " write or restore them first";
        }
        return "";
    }

    /** Why {@code name} cannot be brought online now (empty: it can): it must be OFFLINE in a window, its steps done. */
    static String whyNotOnline(PoolSnapshot s, String name) {
        String none = noDrive(s, name);
        if (none != null) {
            return none;
        }
        DriveView d = s.drive(name);
        if (d.service() != null && "resync".equals(d.service().phase())) {
            return name + " is coming back already (its resync is running)";
        }
        if (d.state() != DriveState.OFFLINE || d.service() == null) {
            return name + " is " + d.state() + "; only an OFFLINE drive is brought online";
        }
        for (JobProgress j : s.jobs()) {
            if (j.target().equals(name) && !j.state().isFinished() && d.reason() != null
                    && j.kind().equals(d.reason().word())) {
                return name + "'s " + j.kind() + " steps are still running (" + Format.percent(j.fraction())
                        + "); wait for them";
            }
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
