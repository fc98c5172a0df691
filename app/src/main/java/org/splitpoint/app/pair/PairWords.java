package org.splitpoint.app.pair;

import java.util.function.Function;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PairRules;
import org.splitpoint.engine.pool.Refusal;

/**
 * How the pair console words a pair: why a verb is disabled (the engine's {@link PairRules} decide
 * and word it — the sentence the CLI would print — before the app's own "loading" and "busy"), the
 * diagram's arrow, and what the state means for hosts.
 */
public final class PairWords {

    /** Which way data flows between the two sides, for the diagram's arrow. */
    public enum Direction { NONE, MIRROR, STD_TO_BCV, BCV_TO_STD }

    static final String BUSY = "another action is still running; wait for it to finish";

    private PairWords() {
    }

    /** Why {@code rule} refuses the verb for {@code p} now, "" when it is allowed. */
    public static String whyNot(PairView p, boolean busy, Function<PairView, Refusal> rule) {
        if (p == null) {
            return "the pair is still loading";
        }
        if (busy) {
            return BUSY;
        }
        return Refusal.sentenceOf(rule.apply(p));
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

    /** One line under the state word: what the state means for hosts (a FAILED side first: see {@link PairLook}). */
    public static String meaning(PairView p) {
        if (p == null) {
            return "";
        }
        if (PairLook.failedSide(p) != null) {
            return p.failedSideMeaning();
        }
        return switch (p.state()) {
            case NeverEstab -> "never established: the BCV holds no copy yet";
            case SyncInProg -> p.copyCancelled() ? "establish cancelled: the BCV is partly copied until an establish"
                    + " finishes it" : "establishing: copying the STD to the BCV; host writes go to both";
            case Synchronized -> "mirroring: host writes go to both STD and BCV"; // one line at 1024 px ("too" wrapped alone)
            case SplitInProg -> "splitting";
            case Split -> "split: STD and BCV are independent; each records its changed tracks";
            case RestInProg -> "restoring: copying the BCV to the STD; reads of unrestored tracks are served by the BCV"
                    + (p.isProtected() ? "; the BCV stays protected" : "");
            case Restored -> "restored: the STD holds the BCV's image and they mirror again";
        };
    }
}
