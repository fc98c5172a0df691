package org.splitpoint.app.restore;

import org.splitpoint.app.pair.TrackCells;

/**
 * An instant restore's overwrite map counted into at most {@link TrackCells#MAX_FINE} fine cells of
 * equal track ranges: per cell, how many tracks are not yet restored, and of the current ones how
 * many hosts wrote, were fetched on demand, or were copied in bulk. The counts are exclusive (a
 * track fetched and then written counts as written), so they add up with the tracks current from
 * before this process opened the restore. Counted on the sampler's thread; immutable.
 */
public final class RestoreCells {

    private final long tracks;
    private final long perFine;
    private final int count;
    private final int[] owed;
    private final int[] host;
    private final int[] fetched;
    private final int[] bulk;

    private RestoreCells(long tracks, long perFine, int[] owed, int[] host, int[] fetched, int[] bulk) {
        this.tracks = tracks;
        this.perFine = perFine;
        this.count = owed.length;
        this.owed = owed;
        this.host = host;
        this.fetched = fetched;
        this.bulk = bulk;
    }

    /**
     * Counts the restore's live bitmaps (as TrackBitmap words); {@code fetched} and {@code bulk} are
     * made exclusive here: written beats fetched beats bulk-copied.
     */
    public static RestoreCells of(long tracks, long[] owedWords, long[] hostWords, long[] fetchedWords, long[] bulkWords) {
        int words = (int) ((tracks + 63) >>> 6);
        long[] f = new long[words];
        long[] b = new long[words];
        for (int w = 0; w < words; w++) {
            long h = word(hostWords, w);
            f[w] = word(fetchedWords, w) & ~h;
            b[w] = word(bulkWords, w) & ~h & ~f[w];
        }
        long per = Math.max(1, (tracks + TrackCells.MAX_FINE - 1) / TrackCells.MAX_FINE);
        int n = (int) ((tracks + per - 1) / per);
        int[] o = new int[n];
        int[] hc = new int[n];
        int[] fc = new int[n];
        int[] bc = new int[n];
        for (int i = 0; i < n; i++) {
            long from = i * per;
            long to = Math.min(tracks, from + per);
            o[i] = (int) TrackCells.bitCount(owedWords, from, to);
            hc[i] = (int) TrackCells.bitCount(hostWords, from, to);
            fc[i] = (int) TrackCells.bitCount(f, from, to);
            bc[i] = (int) TrackCells.bitCount(b, from, to);
        }
        return new RestoreCells(tracks, per, o, hc, fc, bc);
    }

    private static long word(long[] words, int w) {
        return w < words.length ? words[w] : 0;
    }

    public long tracks() {
        return tracks;
    }

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

    /** Counts of fine cells [from, to), by state. */
    public Counts counts(int from, int to) {
        long o = 0;
        long h = 0;
        long f = 0;
        long b = 0;
        for (int i = from; i < to; i++) {
            o += owed[i];
            h += host[i];
            f += fetched[i];
            b += bulk[i];
        }
        return new Counts(tracksIn(from, to), o, h, f, b);
    }

    /** The fine cell holding track {@code t}. */
    public int fineOf(long t) {
        return (int) Math.min(count - 1, t / perFine);
    }

    /** A range's tracks by state; {@code earlier()} are those current from before this process opened the restore. */
    public record Counts(long tracks, long owed, long host, long fetched, long bulk) {
        public long earlier() {
            return Math.max(0, tracks - owed - host - fetched - bulk);
        }
    }
}
