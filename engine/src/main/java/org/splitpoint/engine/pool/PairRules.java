package org.splitpoint.engine.pool;

import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pool.PairAdmin.PairView;

/**
 * Which pair operation is allowed in which state, with the sentence naming the state and what to
 * do when it is not (policy; the mechanism is in {@code pair.Pair}). The one source of these rules:
 * {@link PairAdmin} checks them before acting, and the app asks them, with the {@link PairView} of
 * the latest query, to disable its buttons and word their tooltips — so a tooltip and the CLI's
 * error say the same sentence in the same state. Each returns null when the operation is allowed.
 *
 * <p>Everything a rule looks at is in the view: the pair's state and invalid tracks, its running
 * copy job, and its volumes' {@link PairView.Sides} (a FAILED side, a restore of a side from a
 * backup or a snapshot).
 */
public final class PairRules {

    private PairRules() {
    }

    /** Establish (STD → BCV). A SyncInProg pair whose copy is not running may be established again: it resumes. */
    public static Refusal establish(PairView p) {
        Refusal failed = failedSide(p);
        if (failed != null) {
            return failed;
        }
        String n = p.name();
        return switch (p.state()) {
            case NeverEstab, Split -> sideRestored(p, "establishing");
            case SyncInProg -> p.job() == null ? null : new Refusal("pair " + n + " is already establishing (SyncInProg, "
                    + Sizes.count(p.stdInvalidTracks(), "track") + " to copy); wait for it or cancel job " + p.job().id());
            case Synchronized, Restored -> new Refusal("pair " + n + " is already " + p.state()
                    + " (established); split it to take a point-in-time copy");
            case RestInProg -> new Refusal("pair " + n + " is restoring (RestInProg): wait for the restore to finish (or cancel it)"
                    + " before establishing");
            case SplitInProg -> splitting(n);
        };
    }

    /** Split (one of the pairs of a consistent split). */
    public static Refusal split(PairView p) {
        String n = p.name();
        return switch (p.state()) {
            case Synchronized, Restored -> sideRestored(p, "splitting"); // the BCV has the restored tracks only at its end
            case NeverEstab -> new Refusal("pair " + n + " was never established; establish it first");
            case SyncInProg -> new Refusal("pair " + n + " is establishing (SyncInProg, " + Sizes.count(p.stdInvalidTracks(), "track")
                    + " to copy)" + (p.job() == null ? " and its copy is not running: establish it to copy them, then split"
                    : ": wait until it is Synchronized, then split"));
            case Split -> new Refusal("pair " + n + " is already Split");
            case RestInProg -> new Refusal("pair " + n + " is restoring (RestInProg): wait for the restore to finish, then split");
            case SplitInProg -> splitting(n);
        };
    }

    /** Restore (BCV → STD). A RestInProg pair whose copy is not running may be restored again: it resumes. */
    public static Refusal restore(PairView p) {
        Refusal failed = failedSide(p);
        if (failed != null) {
            return failed;
        }
        String n = p.name();
        return switch (p.state()) {
            case RestInProg -> p.job() == null ? null : new Refusal("pair " + n + " is already restoring (RestInProg, "
                    + Sizes.count(p.bcvInvalidTracks(), "track") + " to restore); wait for it or cancel job " + p.job().id());
            case NeverEstab -> new Refusal("pair " + n + " was never established: its BCV holds no copy of the STD to restore");
            case SyncInProg -> p.job() != null ? new Refusal("pair " + n + " is " + p.state().described()
                    + ": split it first; a restore copies the split BCV back to the STD")
                    : new Refusal("pair " + n + " is " + p.state().described() + " and its copy is not running: " + p.bcv()
                    + " holds a partly copied image, no point-in-time copy to restore from; establish it to finish the"
                    + " copy, then split");
            case Synchronized, Restored -> new Refusal("pair " + n + " is " + p.state().described()
                    + ": split it first; a restore copies the split BCV back to the STD");
            case SplitInProg -> splitting(n);
            case Split -> sideRestored(p, "restoring from the BCV");
        };
    }

    /**
     * Delete, as far as the pair's sides go (a running copy is {@link PairAdmin#whyNotDelete}'s): a
     * restore of a side writes through that side's pair view, found when it began, until its end;
     * deleted meanwhile, the pair went on steering those writes — a mirrored STD's restored tracks
     * and host writes still went to the BCV, independent by then, over what its hosts wrote.
     */
    public static Refusal delete(PairView p) {
        return sideRestored(p, "deleting the pair");
    }

    /**
     * Create, as far as the volumes' restores go (the checks of names, sizes and other pairs stay
     * with {@link PairAdmin#create}): refused while either volume is being restored from a backup
     * (a rebuild from backup + journal too) or to a snapshot, as an establish of the pair would be.
     * That restore found its way below where the pair's side view would go (the volume itself), so
     * it would write below the pair until its end; and the pair could do nothing meanwhile. The
     * reverse stays allowed: a side of a NeverEstab or Split pair may be restored (the restore
     * writes through the side's view), its establish, split and restore waiting for that restore.
     */
    public static Refusal create(PoolSnapshot s, String pair, String std, String bcv) {
        Refusal r = restored(pair, std, "STD", restoredFrom(s, std), "creating the pair");
        return r != null ? r : restored(pair, bcv, "BCV", restoredFrom(s, bcv), "creating the pair");
    }

    /** What {@code volume} is being restored from in {@code s} ("a backup", "a snapshot"), else null. */
    private static String restoredFrom(PoolSnapshot s, String volume) {
        PoolSnapshot.VolumeView v = s.volume(volume);
        return v != null && v.restore() != null ? "a backup" : s.snapshotRestore(volume) != null ? "a snapshot" : null;
    }

    /**
     * A side being restored from a backup or to a snapshot: a pair's copy reads and writes the
     * volumes themselves, which hold the tracks that restore has not brought back yet as they were
     * (an establish then split left those on the BCV, not what hosts read on the STD); a mirroring
     * BCV gets each restored track as it is restored, so a split before the restore's end left it
     * half restored.
     */
    private static Refusal sideRestored(PairView p, String doing) {
        PairView.Sides s = p.sides();
        Refusal r = restored(p.name(), p.std(), "STD", s.stdRestoredFrom(), doing);
        return r != null ? r : restored(p.name(), p.bcv(), "BCV", s.bcvRestoredFrom(), doing);
    }

    /** The one sentence for a side being restored ({@code from} null: it is not). */
    private static Refusal restored(String pair, String volume, String side, String from, String doing) {
        return from == null ? null : new Refusal("volume " + volume + " (the " + side + " of pair " + pair
                + ") is being restored from " + from + "; wait for that restore or cancel it before " + doing);
    }

    private static Refusal failedSide(PairView p) {
        PairView.Sides s = p.sides();
        if (s.std() == VolumeState.FAILED) {
            return failed(p.std(), p.name(), s.stdReason());
        }
        if (s.bcv() == VolumeState.FAILED) {
            return failed(p.bcv(), p.name(), s.bcvReason());
        }
        return null;
    }

    private static Refusal failed(String volume, String pair, String reason) {
        return new Refusal("volume " + volume + " of pair " + pair + " is FAILED (" + reason + "); replace its drives first");
    }

    private static Refusal splitting(String pair) {
        return new Refusal("pair " + pair + " is splitting (SplitInProg): wait a moment");
    }

    /**
     * True when an establish of {@code p} overwrites what hosts wrote to its BCV since the split (a backup
     * host that mounted it): those writes exist nowhere else, so the CLI and the app ask for the BCV's
     * name first. An establish of a BCV nobody wrote only ends the point-in-time image it holds, which is
     * what establish is for (a script's daily one); that is confirmed with one click in the app and not
     * asked on the CLI. Only a Split pair's BCV takes host writes; the count is the live one the copy starts from.
     */
    public static boolean establishLosesBcvWrites(PairView p) {
        return p.state() == PairState.Split && p.bcvInvalidTracks() > 0;
    }

    /**
     * The refusal of an establish not confirmed to overwrite the BCV's writes since the split that found
     * {@code tracks} of them when it was to start (written after the question was answered: one click, or
     * the CLI's look that found none). The next establish asks for the BCV's name, as the count is above 0.
     */
    public static Refusal bcvWritesNotConfirmed(String pair, String bcv, long tracks) {
        return writesNotConfirmed(pair, bcv, tracks, "establish", "established");
    }

    /**
     * The refusal of a restore not confirmed to overwrite the STD's writes since the split that found {@code
     * tracks} of them when it was to start (written after the question, which found no track changed on either
     * side and so asked nothing). The next restore asks for the STD's name, as the count is above 0.
     */
    public static Refusal stdWritesNotConfirmed(String pair, String std, long tracks) {
        return writesNotConfirmed(pair, std, tracks, "restore", "restored");
    }

    /** The one sentence of both: {@code volume}, the side the copy ({@code copy}, {@code done}) would overwrite. */
    private static Refusal writesNotConfirmed(String pair, String volume, long tracks, String copy, String done) {
        return new Refusal(volume + " was written since the split (" + Sizes.count(tracks, "track") + ") and the " + copy
                + " of pair " + pair + " was not confirmed to overwrite them: nothing was " + done + "; " + copy
                + " again to be asked about those writes");
    }

    /** True when an establish with {@code full} overwrites the whole BCV (full, or never established). */
    public static boolean establishOverwritesAll(PairView p, boolean full) {
        return full || p.state() == PairState.NeverEstab;
    }
}
