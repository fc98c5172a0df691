package org.splitpoint.app.pair;

import org.splitpoint.app.common.Format;
import org.splitpoint.engine.pair.PairState;

/**
 * What a cell of the track map shows, from how many of its tracks are invalid on each side and the
 * pair's state: the engine's track states (synced, changed on either side, still to copy or to
 * restore) plus "restored", the tracks a running restore has done. A cell with some tracks owed
 * shows the owed state; {@link #owed} says how much of it, so partly done cells can be drawn lighter.
 */
public enum CellState {
    SYNCED("synced"), STD_INVALID("changed on STD"), BCV_INVALID("changed on BCV"),
    COPYING("to copy STD → BCV"), RESTORING("to restore BCV → STD"), RESTORED("restored");

    private final String word;

    CellState(String word) {
        this.word = word;
    }

    /** The legend's word. */
    public String word() {
        return word;
    }

    /** The state of a cell of {@code n} tracks, {@code std} and {@code bcv} of them invalid (all the others restored while restoring). */
    public static CellState of(PairState pair, long n, long std, long bcv) {
        return of(pair, n, std, bcv, n - bcv);
    }

    /**
     * As {@link #of(PairState, long, long, long)}, {@code restored} of them copied by the running restore:
     * while restoring, a cell owing nothing is RESTORED only when the restore copied some of its tracks,
     * else SYNCED (it never had any to copy).
     */
    public static CellState of(PairState pair, long n, long std, long bcv, long restored) {
        if (pair == PairState.RestInProg) {
            return bcv > 0 ? RESTORING : std > 0 ? STD_INVALID : restored > 0 ? RESTORED : SYNCED;
        }
        if (pair == PairState.SyncInProg) {
            return std > 0 ? COPYING : SYNCED;
        }
        return std > 0 ? STD_INVALID : bcv > 0 ? BCV_INVALID : SYNCED;
    }

    /** Share (0..1) of the cell's tracks in its shown state, for shading; 1 for uniform cells. */
    public static double owed(CellState s, long n, long std, long bcv) {
        if (n <= 0) {
            return 1;
        }
        return switch (s) {
            case RESTORING, BCV_INVALID -> (double) bcv / n;
            case COPYING, STD_INVALID -> (double) std / n;
            default -> 1;
        };
    }

    /** "Tracks 1,024–1,087 (64 KiB each, at 64 MiB): 12 to restore, 52 restored". */
    public static String describe(PairState pair, long from, long to, int trackSize, long std, long bcv) {
        return describe(pair, from, to, trackSize, std, bcv, to - from - bcv);
    }

    /** As {@link #describe(PairState, long, long, int, long, long)}, {@code restored} of them copied by the running restore. */
    public static String describe(PairState pair, long from, long to, int trackSize, long std, long bcv, long restored) {
        long n = to - from;
        String head = (n == 1 ? "Track " + Format.count(from) : "Tracks " + Format.count(from) + "–" + Format.count(to - 1))
                + " (" + Format.size((long) trackSize) + " each, at " + Format.size(from * trackSize) + "): ";
        String body;
        if (pair == PairState.RestInProg) {
            long unchanged = n - bcv - restored;
            body = bcv + " to restore, " + restored + " restored" + (unchanged > 0 ? ", " + unchanged + " unchanged" : "")
                    + (std > 0 ? ", " + std + " written on STD since" : "");
        } else if (pair == PairState.SyncInProg) {
            body = std + " to copy, " + (n - std) + " in sync";
        } else if (pair == PairState.NeverEstab) {
            body = "never copied";
        } else {
            long same = n - Math.max(std, bcv);
            body = std == 0 && bcv == 0 ? "all in sync"
                    : std + " changed on STD, " + bcv + " changed on BCV, " + Math.max(0, same) + " unchanged";
        }
        return head + body;
    }
}
