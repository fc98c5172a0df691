package org.splitpoint.engine.pool;

import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pool.PoolSnapshot.DriveView;
import org.splitpoint.engine.pool.PoolSnapshot.VolumeView;

/**
 * When a drive may be failed, replaced, taken offline or brought online, with the sentence when
 * not (policy). The one source of these rules: {@link PoolAdmin} and {@link ServiceAdmin} check
 * them on a {@link PoolSnapshot} taken under the pool's monitor before acting, and the app asks
 * them with the snapshot it shows, so a disabled button's tooltip is the CLI's error in that state.
 * Each returns null when the operation is allowed.
 *
 * <p>What a snapshot does not show stays with the operation: a pair copying onto the volume
 * ({@code ServiceAdmin}'s pair refusals of {@code drive offline}) and the drive image's presence
 * and size on {@code drive online}.
 */
public final class DriveRules {

    private DriveRules() {
    }

    /** {@code drive add}: {@code count} more drives fit under the most a pool holds ({@link PoolFiles#MAX_DRIVES}). */
    public static Refusal add(PoolSnapshot s, int count) {
        return room(s.drives().size(), count);
    }

    /** {@link #add} for a pool of {@code has} drives. */
    static Refusal room(int has, int count) {
        int room = Math.max(0, PoolFiles.MAX_DRIVES - has);
        if (count <= room) {
            return null;
        }
        return new Refusal(room == 0
                ? "the pool has " + has + " drives, the most a pool holds: no more can be added"
                : count + " more drives would take the pool past the " + PoolFiles.MAX_DRIVES + " drives a pool holds:"
                + " at most " + room + " more can be added");
    }

    /** {@code drive fail}: a spare, a journal leg or a member whose volume keeps its data (or is in a window: a second failure). */
    public static Refusal fail(PoolSnapshot s, String name) {
        DriveView d = s.drive(name);
        if (d == null) {
            return noDrive(s, name);
        }
        if (d.state() == DriveState.FAILED || d.state() == DriveState.MISSING) {
            return new Refusal("drive " + name + " is already " + d.state());
        }
        if (d.journal() != null) {
            return null; // a leg of a journal fails alone: the other keeps the copy
        }
        if (d.repository() != null) {
            return new Refusal("drive " + name + " holds the repository of volume " + d.repository() + "'s service window;"
                    + " bring that drive back online first, which empties the repository");
        }
        VolumeView v = d.volume() == null ? null : s.volume(d.volume());
        if (v == null) {
            return null; // a spare
        }
        if (d.service() != null) {
            return new Refusal("drive " + name + " is OFFLINE in a service window (" + d.service().reason().word()
                    + "); bring it back with 'drive online' first");
        }
        // in a service window a failure is the second one: allowed (a drill rehearses it), and what
        // it costs is said at once. Outside one the drives already out are FAILED (or rebuilding):
        // a FAILED drive never comes back with its data, so this failure would lose the volume's data
        // for good, not make it unavailable for a while; nothing overrides that (a backup restores it)
        if (!inWindow(s, v) && othersUnavailable(s, v, name) + 1 > v.layout().redundancy(v.drives().size())) {
            return new Refusal("failing " + name + " would make volume " + v.name() + " FAILED and lose its data: it"
                    + " already has " + v.stateReason() + ", and only a backup would bring the data back; no"
                    + " confirmation overrides this: replace that first");
        }
        return null;
    }

    /** {@code drive replace}: a FAILED or MISSING drive whose volume has redundancy left to rebuild it from. */
    public static Refusal replace(PoolSnapshot s, String name) {
        DriveView d = s.drive(name);
        if (d == null) {
            return noDrive(s, name);
        }
        if (d.repository() != null) { // a blank in its place would lose the window's writes it holds
            return new Refusal("drive " + name + " holds the repository of volume " + d.repository() + "'s service window;"
                    + " bring that drive back online first, which empties the repository");
        }
        DriveState st = d.state();
        if (st != DriveState.FAILED && st != DriveState.MISSING) {
            return new Refusal("drive " + name + " is " + st + "; only a FAILED or MISSING drive is replaced"
                    + (st == DriveState.ONLINE ? " (fail it first with 'drive fail')" : ""));
        }
        VolumeView v = d.volume() == null ? null : s.volume(d.volume());
        if (v != null && othersUnavailable(s, v, name) + 1 > v.layout().redundancy(v.drives().size())) {
            return new Refusal("volume " + v.name() + " is FAILED (" + v.stateReason() + "): there is no redundancy left"
                    + " to rebuild " + name + " from");
        }
        return null;
    }

    /**
     * {@code drive offline}: an ONLINE member of an OPTIMAL volume with no other drive in a window,
     * no restore (from a backup or to a snapshot: a restore rewrites every track, which a window
     * would log whole; restores wait for a window too) and no tracks lost by an earlier second failure.
     */
    public static Refusal offline(PoolSnapshot s, String name) {
        DriveView d = s.drive(name);
        if (d == null) {
            return noDrive(s, name);
        }
        DriveState st = d.state();
        if (d.journal() != null) {
            return new Refusal("drive " + name + " holds a leg of volume " + d.journal() + "'s journal, not a volume's"
                    + " data; only a member of a volume is taken offline");
        }
        if (d.repository() != null) {
            return new Refusal("drive " + name + " holds the repository of volume " + d.repository()
                    + "'s service window; only a member of a volume is taken offline");
        }
        if (st == DriveState.OFFLINE) {
            return new Refusal("drive " + name + " is already OFFLINE (" + (d.reason() == null ? "service" : d.reason().word())
                    + "); bring it back with 'drive online'");
        }
        if (d.volume() == null) {
            return new Refusal("drive " + name + " is " + st + " in no volume; only a member of a volume is taken offline");
        }
        if (st != DriveState.ONLINE) {
            return new Refusal("drive " + name + " is " + st + "; only an ONLINE member is taken offline");
        }
        VolumeView v = s.volume(d.volume());
        if (v == null) {
            return null;
        }
        if (inWindow(s, v)) {
            return new Refusal("volume " + v.name() + " already has a drive in a service window; bring it back first");
        }
        int unavailable = othersUnavailable(s, v, name);
        if (unavailable > 0 || v.state() != VolumeState.OPTIMAL) {
            return new Refusal("volume " + v.name() + " is " + v.state() + " (" + v.stateReason() + "): taking " + name
                    + " offline would leave it no redundancy; replace or rebuild first");
        }
        if (unavailable + 1 > v.layout().redundancy(v.drives().size())) {
            return new Refusal("volume " + v.name() + " has no redundancy to serve without " + name);
        }
        if (v.restore() != null) {
            return new Refusal("volume " + v.name() + " is being restored from a backup; wait for the restore to finish");
        }
        if (s.snapshotRestore(v.name()) != null) { // the same rule for either restore (and a restore waits for a window)
            return new Refusal("volume " + v.name() + " is being restored to a snapshot; wait for the restore to finish");
        }
        if (v.lostTracks() != null && !v.lostTracks().isEmpty()) {
            return new Refusal("volume " + v.name() + " has tracks lost by an earlier second failure; write or restore"
                    + " them first");
        }
        return null;
    }

    /** {@code drive online}: a drive OFFLINE in its window, not coming back already, its steps done. */
    public static Refusal online(PoolSnapshot s, String name) {
        DriveView d = s.drive(name);
        if (d == null) {
            return noDrive(s, name);
        }
        if (d.service() == null && d.state() == DriveState.OFFLINE) {
            // OFFLINE on record with no window (a hand-edited pool.json): "d2 is OFFLINE; only an OFFLINE drive
            // is brought online" said nonsense and no way out; there is no delta to bring it back by
            return new Refusal("drive " + name + " is OFFLINE, but no service window of it is on record, so what it"
                    + " missed is unknown: fail it ('drive fail') and replace it ('drive replace') to rebuild it whole");
        }
        if (d.service() == null) {
            return new Refusal("drive " + name + " is " + d.state() + "; only an OFFLINE drive is brought online");
        }
        if ("resync".equals(d.service().phase())) {
            boolean running = s.jobs().stream().anyMatch(j -> j.id().equals("resync-" + name) && !j.state().isFinished());
            return new Refusal(running ? "drive " + name + " is already coming back (its resync is running)"
                    : "drive " + name + "'s return stopped, but it could not be put back in its service window (see the"
                    + " return's failure); reopen the pool (close it and open it again), whose open resumes its return");
        }
        for (JobProgress j : s.jobs()) {
            if (j.target().equals(name) && !j.state().isFinished() && ServiceSteps.isStepKind(j.kind())) {
                return new Refusal("drive " + name + "'s " + d.service().reason().word() + " steps are still running (job "
                        + j.id() + "); wait for them or cancel the job first");
            }
        }
        return null;
    }

    private static Refusal noDrive(PoolSnapshot s, String name) {
        return new Refusal(Pool.noSuchDrive(name, s.drives().stream().map(DriveView::name).toList()));
    }

    /** True when a member of {@code v} is in a service window. */
    private static boolean inWindow(PoolSnapshot s, VolumeView v) {
        return s.drives().stream().anyMatch(x -> x.service() != null && v.name().equals(x.service().volume()));
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
