package org.splitpoint.app.pair;

import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pool.PairAdmin.PairView;

/**
 * When Establish, Split and Restore are allowed, as "why not" sentences (empty = allowed), from the
 * pair's state machine as PairAdmin enforces it, so a button is disabled before the engine would
 * refuse and its tooltip says why ("pair is RestInProg: wait for the restore or cancel it"). The
 * engine still checks; its refusal reaches the status bar if the two ever disagree.
 */
public final class PairRules {

    /** Which way data flows between the two sides, for the diagram's arrow. */
    public enum Direction { NONE, MIRROR, STD_TO_BCV, BCV_TO_STD }

    static final String BUSY = "another action is still running; wait for it to finish";

    private PairRules() {
    }

    public static String whyNotEstablish(PairView p, boolean busy) {
        String pre = common(p, busy);
        if (pre != null) {
            return pre;
        }
        return switch (p.state()) {
            case NeverEstab, Split -> "";
            case SyncInProg -> p.job() == null ? "" : "pair is SyncInProg: the establish is running ("
                    + p.stdInvalidTracks() + " tracks to copy); wait for it or cancel it";
            case Synchronized, Restored -> "pair is " + p.state() + ": it is established already; split it to take"
                    + " a point-in-time copy";
            case RestInProg -> "pair is RestInProg: wait for the restore to finish or cancel it";
            case SplitInProg -> "pair is SplitInProg: wait a moment";
        };
    }

    public static String whyNotSplit(PairView p, boolean busy) {
        String pre = common(p, busy);
        if (pre != null) {
            return pre;
        }
        return switch (p.state()) {
            case Synchronized, Restored -> "";
            case NeverEstab -> "pair was never established; establish it first";
            case SyncInProg -> "pair is SyncInProg (" + p.stdInvalidTracks() + " tracks to copy): wait until it is"
                    + " Synchronized, then split";
            case Split -> "pair is already Split";
            case RestInProg -> "pair is RestInProg: wait for the restore to finish or cancel it";
            case SplitInProg -> "pair is SplitInProg: wait a moment";
        };
    }

    public static String whyNotRestore(PairView p, boolean busy) {
        String pre = common(p, busy);
        if (pre != null) {
            return pre;
        }
        return switch (p.state()) {
            case Split -> "";
            case RestInProg -> p.job() == null ? "" : "pair is RestInProg: the restore is running ("
                    + p.bcvInvalidTracks() + " tracks to restore); wait for it or cancel it";
            case NeverEstab -> "pair was never established: its BCV holds no copy of the STD to restore";
            case SyncInProg, Synchronized, Restored -> "pair is " + p.state() + ": split it first; a restore copies"
                    + " the split BCV back to the STD";
            case SplitInProg -> "pair is SplitInProg: wait a moment";
        };
    }

    private static String common(PairView p, boolean busy) {
        if (p == null) {
            return "the pair is still loading";
        }
        return busy ? BUSY : null;
    }

    /** An establish overwrites the whole BCV when full, or when the pair was never established. */
    public static boolean establishOverwritesAll(PairView p, boolean full) {
        return full || p.state() == PairState.NeverEstab;
    }

    /** The arrow: the running copy's direction, a mirror link, or none (split). */
    public static Direction direction(PairState s) {
        if (s == null) {
            return Direction.NONE;
        }
        return switch (s) {
            case SyncInProg -> Direction.STD_TO_BCV;
            case RestInProg -> Direction.BCV_TO_STD;
            case Synchronized, Restored -> Direction.MIRROR;
            default -> Direction.NONE;
        };
    }

    /** One line under the state word: what the state means for hosts. */
    public static String meaning(PairView p) {
        if (p == null) {
            return "";
        }
        return switch (p.state()) {
            case NeverEstab -> "never established: the BCV holds no copy yet";
            case SyncInProg -> "establishing: copying the STD to the BCV; host writes go to both";
            case Synchronized -> "mirroring: host writes to the STD go to the BCV too";
            case SplitInProg -> "splitting";
            case Split -> "split: STD and BCV are independent; each records its changed tracks";
            case RestInProg -> "restoring: copying the BCV to the STD; reads of unrestored tracks are served by the BCV"
                    + (p.isProtected() ? "; the BCV stays protected" : "");
            case Restored -> "restored: the STD holds the BCV's image and they mirror again";
        };
    }
}
