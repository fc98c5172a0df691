package org.splitpoint.engine.pool;

import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.pool.PoolSnapshot.DriveView;
import org.splitpoint.engine.pool.PoolSnapshot.VolumeView;

/**
 * What failing a drive does, for the confirmation asked before it: the volume it leaves DEGRADED
 * (with what redundancy is left) or FAILED (a second failure during a service window), and that its
 * data comes back only by Replace drive… and a full rebuild. A drive in no volume is just lost as a spare.
 * The app's confirmation shows it; {@code drive fail} asks for one when the volume would fail
 * ({@code volumeFailure}: that consequence in one clause, for its prompt; null when it keeps serving).
 */
public record FailPlan(String drive, String header, List<String> sentences, String volumeFailure) {

    /** True when failing the drive makes its volume FAILED. */
    public boolean volumeFails() {
        return volumeFailure != null;
    }

    /** The plan for failing {@code drive} as {@code s} shows the pool; null when there is no such drive. */
    public static FailPlan of(PoolSnapshot s, String drive) {
        DriveView d = s == null || drive == null ? null : s.drive(drive);
        if (d == null) {
            return null;
        }
        VolumeView v = d.volume() == null ? null : s.volume(d.volume());
        List<String> lines = new ArrayList<>();
        if (v == null) {
            lines.add("Drive " + drive + " is " + d.state() + " and in no volume: no data is affected, but it can no"
                    + " longer serve as a spare until it is replaced.");
            return new FailPlan(drive, "Fail drive " + drive + "?", lines, null);
        }
        int members = v.drives().size();
        int unavailable = 1;
        for (String m : v.drives()) {
            DriveView md = s.drive(m);
            if (!m.equals(drive) && (md == null || md.state() != DriveState.ONLINE)) {
                unavailable++;
            }
        }
        int redundancy = v.layout().redundancy(members);
        if (unavailable > redundancy) {
            lines.add("Volume " + v.name() + " (" + v.layout().word() + ") becomes FAILED: with " + drive
                    + " failed, " + unavailable + " of its " + members + " drives are unavailable, more than it can"
                    + " lose. Its data is unavailable to hosts until drives come back.");
        } else {
            int left = redundancy - unavailable;
            lines.add("Volume " + v.name() + " (" + v.layout().word() + ") becomes DEGRADED: it keeps serving from its"
                    + " other drives, " + (left == 0 ? "with no redundancy left: one more failure makes its data"
                    + " unavailable." : "able to lose " + left + " more drive" + (left == 1 ? "" : "s") + "."));
        }
        lines.add(drive + " stays FAILED: its data comes back only by Replace drive… (a blank image and a full"
                + " rebuild of it from the other drives).");
        String failure = unavailable <= redundancy ? null : "failing drive " + drive + " makes volume " + v.name()
                + " FAILED (" + unavailable + " of its " + members + " drives unavailable, more than " + v.layout().word()
                + " can lose): its data is unavailable to hosts until drives come back";
        return new FailPlan(drive, "Fail drive " + drive + " of volume " + v.name() + "?", lines, failure);
    }
}
