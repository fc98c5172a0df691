package org.splitpoint.app.pair;

/**
 * A pair's two invalid-track bitmaps counted into at most {@link #MAX_FINE} "fine cells" of equal
 * track ranges, so a view can draw a map of millions of tracks from a few thousand numbers.
 *
 * <p>Why: copying 16 M tracks' worth of state to the FX thread ten times a second is too much; the
 * sampler thread counts bits here (a popcount over the words, O(words) whatever the cell size) and
 * the view only re-groups fine cells into the cells it has room for. Immutable once built.
 */
public final class TrackCells {

    public static final int MAX_FINE = 1 << 16;

    private final long tracks;
    private final long perFine;
    private final int count;
    private final int[] std;
    private final int[] bcv;
    /** Tracks of each fine cell this restore copied (owed at a sample since it began, owed no more); null: none known. */
    private final int[] restored;
    private final long stdTotal;
    private final long bcvTotal;
    private final long union;

    private TrackCells(long tracks, long perFine, int[] std, int[] bcv, int[] restored, long stdTotal, long bcvTotal,
                       long union) {
        this.tracks = tracks;
        this.perFine = perFine;
        this.count = std.length;
        this.std = std;
        this.bcv = bcv;
        this.restored = restored;
        this.stdTotal = stdTotal;
        this.bcvTotal = bcvTotal;
        this.union = union;
    }

    /** Counts {@code tracks} bits of each side's words (bit t of word t/64, as TrackBitmap stores them). */
    public static TrackCells of(long tracks, long[] stdWords, long[] bcvWords) {
        return of(tracks, stdWords, bcvWords, null);
    }

    /**
     * As {@link #of(long, long[], long[])}; {@code restoredWords} (null: not restoring) are the tracks
     * the running restore copied (owed at a sample since it began, owed no more: {@link TrackSampler}).
     */
    public static TrackCells of(long tracks, long[] stdWords, long[] bcvWords, long[] restoredWords) {
        long per = Math.max(1, (tracks + MAX_FINE - 1) / MAX_FINE);
        int n = (int) ((tracks + per - 1) / per);
        int[] s = new int[n];
        int[] b = new int[n];
        int[] r = restoredWords == null ? null : new int[n];
        for (int i = 0; i < n; i++) {
            long from = i * per;
            long to = Math.min(tracks, from + per);
            s[i] = (int) bitCount(stdWords, from, to);
            b[i] = (int) bitCount(bcvWords, from, to);
            if (r != null) {
                r[i] = (int) bitCount(restoredWords, from, to);
            }
        }
        long st = 0;
        long bt = 0;
        long u = 0;
        int words = (int) ((tracks + 63) >>> 6);
        for (int w = 0; w < words; w++) {
            long mask = w == words - 1 && (tracks & 63) != 0 ? (1L << (tracks & 63)) - 1 : -1L;
            long sw = word(stdWords, w) & mask;
            long bw = word(bcvWords, w) & mask;
            st += Long.bitCount(sw);
            bt += Long.bitCount(bw);
            u += Long.bitCount(sw | bw);
        }
        return new TrackCells(tracks, per, s, b, r, st, bt, u);
    }

    /** Set bits of {@code words} in [from, to). */
    public static long bitCount(long[] words, long from, long to) {
        if (from >= to) {
            return 0;
        }
        int w0 = (int) (from >>> 6);
        int w1 = (int) ((to - 1) >>> 6);
        long first = -1L << (from & 63);
        long last = -1L >>> (63 - ((to - 1) & 63));
        if (w0 == w1) {
            return Long.bitCount(word(words, w0) & first & last);
        }
        long c = Long.bitCount(word(words, w0) & first) + Long.bitCount(word(words, w1) & last);
        for (int w = w0 + 1; w < w1; w++) {
            c += Long.bitCount(words[w]);
        }
        return c;
    }

    private static long word(long[] words, int w) {
        return w < words.length ? words[w] : 0;
    }

    public long tracks() {
        return tracks;
    }

    /** Tracks per fine cell (the last one may hold fewer). */
    public long perFine() {
        return perFine;
    }

    public int count() {
        return count;
    }

    /** Tracks of fine cells [from, to). */
    public long tracksIn(int from, int to) {
        return Math.min(tracks, to * perFine) - Math.min(tracks, from * perFine);
    }

    public int std(int i) {
        return std[i];
    }

    public int bcv(int i) {
        return bcv[i];
    }

    /** Tracks of fine cell {@code i} this restore copied; without the restore's memory, all its tracks not owed. */
    public int restored(int i) {
        return restored != null ? restored[i] : (int) (tracksIn(i, i + 1) - bcv[i]);
    }

    /** What fine cells [from, to) hold together: {@code n} tracks, so many invalid on each side and restored. */
    public record Sum(long n, long std, long bcv, long restored) { }

    /** The counts of fine cells [from, to), as one drawn cell shows them. */
    public Sum sum(int from, int to) {
        long s = 0;
        long b = 0;
        long r = 0;
        for (int f = from; f < to; f++) {
            s += std[f];
            b += bcv[f];
            r += restored(f);
        }
        return new Sum(tracksIn(from, to), s, b, r);
    }

    /** Tracks invalid on the STD side in all. */
    public long stdTotal() {
        return stdTotal;
    }

    public long bcvTotal() {
        return bcvTotal;
    }

    /** Tracks invalid on either side: what an incremental restore or establish copies. */
    public long union() {
        return union;
    }

    /** The fine cell holding track {@code t}. */
    public int fineOf(long t) {
        return (int) Math.min(count - 1, t / perFine);
    }
}
