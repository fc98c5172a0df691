package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.log.WriteJournal;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * A staged backup journal's entries [from, to) on top of tracks read from an image: for each
 * track, the entries that touch it, applied in the journal's order. This is the "blueprint" of
 * seed 003 (claims 7, 17, 28): volume addresses mapped to journal entries, in order.
 *
 * <p>Design. Only the entries' places are held in memory; their bytes are read from a journal leg
 * when a track is built (a journal of hundreds of MiB is never loaded whole), and only the part of
 * an entry that falls in the track. A ship and a rebuild each hold one; the entries they name stay
 * in the journal until the ship is recorded or the rebuild ends (a ship or a backup cannot run
 * beside a rebuild, and a ship retires only what it shipped).
 */
final class JournalOverlay implements InstantRestore.Overlay {

    private final int trackSize;
    private final WriteJournal journal;
    private final Map<Long, List<WriteJournal.Entry>> byTrack = new HashMap<>();
    private final TrackBitmap tracks;
    private final int entries;

    JournalOverlay(int trackSize, WriteJournal journal, long from, long to) {
        this.trackSize = trackSize;
        this.journal = journal;
        List<WriteJournal.Entry> list = journal.entries(from, to);
        this.entries = list.size();
        long max = 0;
        for (WriteJournal.Entry e : list) {
            max = Math.max(max, (e.end() + trackSize - 1) / trackSize);
        }
        this.tracks = new TrackBitmap(Math.max(1, max));
        for (WriteJournal.Entry e : list) {
            long t1 = (e.end() + trackSize - 1) / trackSize;
            for (long t = e.offset() / trackSize; t < t1; t++) {
                byTrack.computeIfAbsent(t, k -> new ArrayList<>()).add(e);
                tracks.set(t);
            }
        }
    }

    /** The tracks some entry touches. */
    TrackBitmap tracks() {
        return tracks;
    }

    int entries() {
        return entries;
    }

    @Override
    public boolean covers(long track, int length) {
        List<WriteJournal.Entry> es = byTrack.get(track);
        if (es == null) {
            return false;
        }
        long start = track * trackSize;
        long end = start + length;
        long[][] spans = new long[es.size()][];
        for (int i = 0; i < spans.length; i++) {
            WriteJournal.Entry e = es.get(i);
            spans[i] = new long[] {Math.max(start, e.offset()), Math.min(end, e.end())};
        }
        java.util.Arrays.sort(spans, java.util.Comparator.comparingLong(x -> x[0]));
        long reached = start;
        for (long[] x : spans) {
            if (x[0] >= x[1]) {
                continue; // the entry touches the track only beyond the length asked about
            }
            if (x[0] > reached) {
                return false; // a gap no entry writes
            }
            reached = Math.max(reached, x[1]);
        }
        return reached >= end;
    }

    @Override
    public void applyPart(long track, long within, byte[] buf, int off, int length) throws IOException {
        List<WriteJournal.Entry> es = byTrack.get(track);
        if (es == null) {
            return;
        }
        long start = track * trackSize + within;
        for (WriteJournal.Entry e : es) {
            long from = Math.max(start, e.offset());
            long to = Math.min(start + length, e.end());
            if (from < to) {
                journal.readData(e.seq(), from - e.offset(), ByteBuffer.wrap(buf, off + (int) (from - start), (int) (to - from)));
            }
        }
    }
}
