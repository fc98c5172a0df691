package org.splitpoint.app.restore;

import org.splitpoint.app.common.Format;

/**
 * What a cell of the overwrite map shows. Hosts' writes and on-demand fetches are rare and are what
 * the restore is about (the volume usable at once), so a cell shows them when it holds any; else
 * it shows the tracks still owed, lighter when partly done; else how its tracks became current.
 */
public enum RestoreCellState {
    EARLIER("current (restored before this session)"), BULK("copied in bulk"), FETCHED("fetched on demand"),
    HOST("written by hosts"), NOT_YET("not yet restored");

    private final String word;

    RestoreCellState(String word) {
        this.word = word;
    }

    /** The legend's word. */
    public String word() {
        return word;
    }

    public static RestoreCellState of(RestoreCells.Counts c) {
        if (c.host() > 0) {
            return HOST;
        }
        if (c.fetched() > 0) {
            return FETCHED;
        }
        if (c.owed() > 0) {
            return NOT_YET;
        }
        return c.bulk() > 0 ? BULK : EARLIER;
    }

    /** Share (0..1) of a NOT_YET cell's tracks still owed, for shading; 1 otherwise. */
    public static double owedShare(RestoreCellState s, RestoreCells.Counts c) {
        return s == NOT_YET && c.tracks() > 0 ? (double) c.owed() / c.tracks() : 1;
    }

    /** "Tracks 64–127 (64 KiB each, at 4 MiB): 12 not yet restored, 50 copied in bulk, 2 fetched on demand". */
    public static String describe(long from, int trackSize, RestoreCells.Counts c) {
        return describe(from, trackSize, c, "restored before this session");
    }

    /** As {@link #describe(long, int, RestoreCells.Counts)}, with {@code earlier} the words for tracks current from the start. */
    public static String describe(long from, int trackSize, RestoreCells.Counts c, String earlier) {
        long n = c.tracks();
        String head = (n == 1 ? "Track " + Format.count(from) : "Tracks " + Format.count(from) + "–" + Format.count(from + n - 1))
                + " (" + Format.size((long) trackSize) + " each, at " + Format.size(from * trackSize) + "): ";
        StringBuilder b = new StringBuilder();
        part(b, c.owed(), "not yet restored");
        part(b, c.bulk(), "copied in bulk");
        part(b, c.fetched(), "fetched on demand");
        part(b, c.host(), "written by hosts");
        part(b, c.earlier(), earlier);
        return head + b;
    }

    private static void part(StringBuilder b, long n, String what) {
        if (n > 0) {
            b.append(b.length() == 0 ? "" : ", ").append(Format.count(n)).append(' ').append(what);
        }
    }
}
