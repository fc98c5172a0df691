package org.splitpoint.engine.raid;

/**
 * Which reads of a volume are sequential streams, and what of each stream to fetch ahead: the
 * read-ahead of a volume whose members read without the kernel's (see {@link ParityReads}).
 *
 * <p>Design, after the kernel's and md's read-ahead. A read continues a stream when it starts near
 * where one of the last few streams' reads ended: "near" is a window that grows with the request
 * (64 requests, at most 16 MiB), since NBD clients keep many requests in flight and they arrive a
 * little out of order, while 4 KiB random reads must not look sequential by chance. Up to {@link
 * #STREAMS} streams are followed at once (nbdcopy's four connections each read a region of their
 * own; a backup and a client reading elsewhere). A read that continues none is remembered as a
 * candidate, in slots of its own: a candidate that is continued becomes a stream, and candidates
 * replace each other, not streams, so that reads elsewhere (the 4 KiB a block-status request reads
 * at every MiB ahead of a copy, eight at a time; random reads) do not make streams forget where
 * they were, nor the first read of a stream be forgotten before its second comes. A stream fetches ahead as many bytes as it has read (at least
 * four requests), at most {@link #MAX_AHEAD}: a chance match of two random reads fetches a few of their
 * own size, a long copy 16 MiB. The fetched range grows in steps, not read by read, so that hints
 * are few and long. Nothing here touches a file: the volume turns a range into member hints.
 */
final class StreamFetch {

    /** The most bytes fetched ahead of a stream's last read. */
    static final long MAX_AHEAD = 16L << 20;
    /** The widest window in which a read continues a stream. */
    static final long MAX_WINDOW = 16L << 20;
    /**
     * A stream's fetched range grows only by steps of a quarter of its distance ahead, at most this
     * much: fewer, longer hints, the fetch never more than a step short of the distance.
     */
    static final long MAX_STEP = 4L << 20;
    /** Streams followed at once. */
    static final int STREAMS = 4;
    /** Reads that may start a stream, remembered at once. */
    static final int CANDIDATES = 16;
    private static final int SLOTS = STREAMS + CANDIDATES;

    /** What to do for a read: whether it continues a stream, and [from, to) of the volume to fetch now (empty: nothing). */
    record Ahead(boolean stream, long from, long to) {
        static final Ahead NONE = new Ahead(false, 0, 0);
        /** A read of a stream that has nothing new to fetch (most of them: the fetch grows in steps). */
        static final Ahead STREAM = new Ahead(true, 0, 0);

        boolean fetches() {
            return to > from;
        }
    }

    private final long size;
    // per slot; slots [0, STREAMS) hold streams, the others candidates
    private final long[] lastEnd = new long[SLOTS];
    private final long[] fetchedUpTo = new long[SLOTS];
    private final long[] lastUse = new long[SLOTS];
    /** Bytes a slot's reads have read: how far its stream has come (a span would let two random reads far apart fetch much). */
    private final long[] streamed = new long[SLOTS];
    /** Reads recorded so far: the clock of lastUse. */
    private long reads;

    StreamFetch(long size) {
        this.size = size;
        java.util.Arrays.fill(lastEnd, -1);
    }

    /** Records a read of [offset, end) and says what to fetch for it. */
    synchronized Ahead read(long offset, long end) {
        long len = end - offset;
        if (len <= 0) {
            return Ahead.NONE;
        }
        long window = Math.min(MAX_WINDOW, 64 * len);
        int s = -1;
        for (int i = 0; i < SLOTS; i++) {
            if (lastEnd[i] >= 0 && Math.abs(offset - lastEnd[i]) <= window && (s < 0 || lastUse[i] > lastUse[s])) {
                s = i;
            }
        }
        reads++;
        if (s < 0) {
            remember(oldest(STREAMS, SLOTS), end, len);
            return Ahead.NONE;
        }
        if (s >= STREAMS) { // a candidate continued: a stream now, in the place of the least recently read one
            int t = oldest(0, STREAMS);
            remember(t, lastEnd[s], streamed[s]);
            lastEnd[s] = -1;
            s = t;
        }
        lastUse[s] = reads;
        lastEnd[s] = end;
        streamed[s] += len;
        long ahead = Math.min(MAX_AHEAD, Math.max(4 * len, streamed[s]));
        long to = Math.min(size, end + ahead);
        long from = Math.max(fetchedUpTo[s], end); // what the reads overtook they read themselves
        long step = Math.min(MAX_STEP, ahead / 4);
        if (to <= from || to - from < step && to < size) {
            return Ahead.STREAM;
        }
        fetchedUpTo[s] = to;
        return new Ahead(true, from, to);
    }

    private int oldest(int from, int to) {
        int o = from;
        for (int i = from + 1; i < to; i++) {
            if (lastUse[i] < lastUse[o]) {
                o = i;
            }
        }
        return o;
    }

    private void remember(int slot, long end, long read) {
        lastEnd[slot] = end;
        streamed[slot] = read;
        fetchedUpTo[slot] = end;
        lastUse[slot] = reads;
    }
}
