package org.splitpoint.engine.pool;

import java.util.List;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.pair.PairState;

/**
 * When a volume may be restored — from a backup, to a snapshot, or rebuilt from backup + journal —
 * as far as a {@link PoolSnapshot} shows it, with the sentence when not (policy). The one source
 * of the rules the three restores share: {@link RestoreAdmin} (and so a rebuild) and
 * {@link SnapshotAdmin} check them on a snapshot taken under the pool's monitor before acting,
 * and the app's restore dialogs ask them with the snapshot they show, so a disabled Restore says
 * the CLI's error in that state. Each returns null when the restore is allowed.
 *
 * <p>Beside the service window they share the questions of the pairs, the jobs and the image's
 * size, each restore with its own sentence: {@link #fromBackup} (a restore from a backup and a
 * rebuild from backup + journal), {@link #toSnapshot}, {@link #imageFits}. What is not in a
 * snapshot (a journal ship under way, a snapshot's validity) stays with each operation.
 */
public final class RestoreRules {

    private RestoreRules() {
    }

    /**
     * No drive of {@code volume} in a service window (OFFLINE, or coming back). A restore rewrites
     * every track: the window's delta (a data log or a repository: the bytes themselves) would hold
     * the whole volume, its return be a whole resync, and a second failure in it would cost the
     * restore too; so a restore waits for the window, as a window waits for a restore
     * ({@link DriveRules#offline}).
     */
    public static Refusal window(PoolSnapshot s, String volume) {
        boolean inWindow = s.drives().stream().anyMatch(d -> d.service() != null && volume.equals(d.service().volume()));
        return inWindow ? new Refusal("volume " + volume + " has a drive in a service window; bring it online first") : null;
    }

    /**
     * A restore of {@code volume} from a backup, or its rebuild from backup + journal: no restore of
     * it under way (from a backup or to a snapshot), not the save area, no service window, no backup
     * of it running (its copy-before-write would read the restore's tracks), and in no pair that is
     * mirroring or copying (only a Split or never established pair leaves its sides alone).
     */
    public static Refusal fromBackup(PoolSnapshot s, List<PairAdmin.PairView> pairs, String volume) {
        PoolSnapshot.VolumeView v = s.volume(volume);
        if (v != null && v.restore() != null) {
            return new Refusal("volume " + volume + " is being restored already (job " + RestoreAdmin.restoreJobId(volume)
                    + "); wait for it or cancel it first");
        }
        if (s.snapshotRestore(volume) != null) {
            return new Refusal("volume " + volume + " is being restored to a snapshot (job "
                    + SnapshotAdmin.restoreJobId(volume) + "); wait for it or cancel it first");
        }
        if (s.saveArea() != null && volume.equals(s.saveArea().volume())) {
            return new Refusal("volume " + volume + " is the save area; it cannot be restored from a backup");
        }
        Refusal w = window(s, volume);
        if (w != null) {
            return w;
        }
        JobProgress backup = runningBackup(s, volume);
        if (backup != null) {
            return new Refusal("a backup of " + volume + " is running (job " + backup.id() + "); cancel it or"
                    + " wait before restoring over the volume");
        }
        for (PairAdmin.PairView p : pairs) {
            if ((p.std().equals(volume) || p.bcv().equals(volume)) && !leavesSidesAlone(p.state())) {
                return new Refusal("volume " + volume + " is in pair " + p.name() + ", which is " + p.state().described()
                        + "; split the pair before restoring the volume from a backup");
            }
        }
        return null;
    }

    /**
     * A restore of {@code volume} to a snapshot: not the save area, no restore of it under way, no
     * service window, not FAILED, not the BCV of a pair that is not Split (hosts may not write it),
     * not the STD of a pair restoring it from its BCV, and no backup of it running.
     */
    public static Refusal toSnapshot(PoolSnapshot s, List<PairAdmin.PairView> pairs, String volume) {
        PoolSnapshot.VolumeView v = s.volume(volume);
        if (s.saveArea() != null && volume.equals(s.saveArea().volume())) {
            return new Refusal("volume " + volume + " is the save area; it cannot be restored to a snapshot");
        }
        if (s.snapshotRestore(volume) != null) {
            return new Refusal("volume " + volume + " is being restored to a snapshot already (job "
                    + SnapshotAdmin.restoreJobId(volume) + "); wait for it or cancel it first");
        }
        if (v != null && v.restore() != null) {
            return new Refusal("volume " + volume + " is being restored from a backup (job "
                    + RestoreAdmin.restoreJobId(volume) + "); wait for it or cancel it first");
        }
        Refusal w = window(s, volume);
        if (w != null) {
            return w;
        }
        if (v != null && v.state() == VolumeState.FAILED) {
            return new Refusal("volume " + volume + " is FAILED (" + v.stateReason() + "); replace its drives first");
        }
        for (PairAdmin.PairView p : pairs) {
            if (p.bcv().equals(volume) && !leavesSidesAlone(p.state())) {
                return new Refusal("volume " + volume + " is the BCV of pair " + p.name() + ", which is "
                        + p.state().described() + "; split the pair before restoring the BCV to a snapshot");
            }
            if (p.std().equals(volume) && (p.state() == PairState.RestInProg || p.state() == PairState.Restored)) {
                return new Refusal("volume " + volume + " is being restored from its BCV in pair " + p.name()
                        + ", which is " + p.state().described() + "; split the pair before restoring it to a snapshot");
            }
        }
        JobProgress backup = runningBackup(s, volume);
        if (backup != null) {
            return new Refusal("a backup of " + volume + " is running (job " + backup.id() + "); cancel it or wait"
                    + " before restoring the volume");
        }
        return null;
    }

    /**
     * {@code what} ("image ID", "snapshot VOL@NAME") of a volume of {@code size} bytes in tracks of
     * {@code trackSize} restored onto {@code volume}: the same size, and (an image from another pool)
     * the pool's track size.
     */
    public static Refusal imageFits(String what, long size, int trackSize, PoolSnapshot s, String volume) {
        PoolSnapshot.VolumeView v = s.volume(volume);
        if (v != null && size != v.size()) {
            return new Refusal(what + " is of a volume of " + Sizes.format(size) + "; " + volume + " is "
                    + Sizes.format(v.size()) + ": restore it onto a volume of the same size");
        }
        if (trackSize != s.trackSize()) {
            return new Refusal(what + " has tracks of " + Sizes.format(trackSize) + ", this pool "
                    + Sizes.format(s.trackSize()) + ": restore it into a pool with the same track size");
        }
        return null;
    }

    /**
     * Why a restore from a backup asked nothing ({@link VolumeData#ONLY_IF_FAILED}: the volume was
     * FAILED at the look) is refused: {@code volume} is {@code state} now, what it holds readable.
     */
    public static String notFailedAnyMore(String volume, String state, String reason) {
        return "volume " + volume + " is " + state + (reason == null || reason.isEmpty() ? "" : " (" + reason + ")")
                + ", no longer FAILED: restoring it would replace data hosts can read, which was not confirmed;"
                + " nothing was restored; restore again to be asked to type its name";
    }

    /** Split or never established: the pair neither mirrors nor copies between its sides. */
    private static boolean leavesSidesAlone(PairState state) {
        return state == PairState.Split || state == PairState.NeverEstab;
    }

    private static JobProgress runningBackup(PoolSnapshot s, String volume) {
        return s.jobs().stream().filter(j -> !j.state().isFinished() && "backup".equals(j.kind())
                && volume.equals(j.target())).findFirst().orElse(null);
    }
}
