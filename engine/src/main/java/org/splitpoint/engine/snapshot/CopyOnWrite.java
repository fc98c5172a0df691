package org.splitpoint.engine.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.io.RangeLocks;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * Copy on first write: put before every write to a volume that has snapshots (whoever writes: a
 * host, a pair's copier, a restore's refill), it saves the old bytes of each track the write
 * changes that a snapshot still needs, before the write may touch them.
 *
 * <p>Design. The tracks of a write are locked (two writers of one track save it once), the ones
 * to save read from the volume in runs (once the forces of its drives under way have answered: a
 * failing one drops a write's pages before its loss is counted), written to slots taken side by
 * side, and committed in one group commit ({@link SaveArea#commit}); only then are they entered in the {@link OriginIndex},
 * and only then does the write go on. A track that cannot be saved (the area is full, or failed)
 * is handed to {@link Unsaved}, which makes the snapshots that needed it invalid — durably, before
 * the write goes on — so a host write is never refused or held back because of a snapshot, and a
 * snapshot never shows bytes written after it was taken.
 */
public final class CopyOnWrite implements RaidVolume.WriteObserver {

    /** What becomes of snapshots whose track could not be saved. */
    public interface Unsaved {
        /**
         * Track {@code track} of {@code volume} could not be saved for generations [{@code from},
         * {@code to}] ({@code why}): the snapshots there are invalid, durably, when this returns.
         */
        void cannotSave(String volume, long track, long from, long to, String why) throws IOException;

        /** The save area's use moved (for its thresholds). */
        void used(SaveArea area);
    }

    /** Where saves go now (null: no save area). */
    public interface Areas {
        SaveArea current();
    }

    private final String volume;
    private final RaidVolume origin;
    private final OriginIndex index;
    private final Areas areas;
    private final Unsaved unsaved;
    private final int trackSize;
    private final RangeLocks locks = new RangeLocks(1);

    public CopyOnWrite(String volume, RaidVolume origin, int trackSize, OriginIndex index, Areas areas, Unsaved unsaved) {
        this.volume = volume;
        this.origin = origin;
        this.trackSize = trackSize;
        this.index = index;
        this.areas = areas;
        this.unsaved = unsaved;
    }

    public OriginIndex index() {
        return index;
    }

    @Override
    public void beforeWrite(long offset, long length) throws IOException {
        if (index.quiet() || length <= 0) {
            return;
        }
        long t0 = offset / trackSize;
        long t1 = (offset + length + trackSize - 1) / trackSize;
        try (RangeLocks.Held h = locks.lock(t0, t1)) {
            saveNeeded(java.util.stream.LongStream.range(t0, t1).toArray());
        }
    }

    /**
     * Saves ahead the tracks of {@code tracks} (ascending) that a snapshot still needs, in one
     * commit: for a copier about to write scattered tracks one run at a time (a restore's bulk
     * copy), which would otherwise pay a commit per run. A track written meanwhile is saved by its
     * writer as usual, and a track saved here and not written after all keeps a true copy.
     */
    public void saveAhead(long[] tracks) throws IOException {
        if (index.quiet() || tracks.length == 0) {
            return;
        }
        // the lock order of a write: the volume's gate (read), then the tracks' locks; taking the
        // tracks first and the gate in the read of the old bytes would wait behind a flush's barrier
        // that waits for a writer that waits for these tracks
        origin.shared(() -> {
            // all the tracks' locks at once, in the order ranges take them (scattered tracks one at
            // a time would take the hashed locks out of order and could deadlock with a writer)
            try (RangeLocks.Held held = locks.lockAll(tracks)) {
                saveNeeded(tracks);
            }
        });
    }

    /** Saves those of {@code tracks} (ascending, their locks held) that a snapshot still needs. */
    private void saveNeeded(long[] tracks) throws IOException {
        List<long[]> need = new ArrayList<>(); // {track, from, to}
        for (long t : tracks) {
            long[] r = index.saveRange(t);
            if (r != null) {
                need.add(new long[] {t, r[0], r[1]});
            }
        }
        if (!need.isEmpty()) {
            save(need);
        }
    }

    private int trackLength(long t) {
        return (int) Math.min(trackSize, origin.size() - t * trackSize);
    }

    private void save(List<long[]> need) throws IOException {
        SaveArea area = areas.current();
        if (area == null) {
            for (long[] n : need) {
                unsaved.cannotSave(volume, n[0], n[1], n[2], "the pool has no save area");
            }
            return;
        }
        long[] slots = area.allocate(need.size());
        List<SaveRecord> records = new ArrayList<>(slots.length);
        String failure = null;
        long[] toFree = new long[0];
        try {
            byte[] buf = new byte[(int) Math.min((long) trackSize * slots.length, 1 << 24)];
            int i = 0;
            while (i < slots.length) {
                // a run: consecutive tracks into consecutive slots, as much as the buffer holds
                int j = i + 1;
                while (j < slots.length && need.get(j)[0] == need.get(j - 1)[0] + 1 && slots[j] == slots[j - 1] + 1
                        && (long) (j - i + 1) * trackSize <= buf.length) {
                    j++;
                }
                long first = need.get(i)[0];
                long len = 0;
                for (int k = i; k < j; k++) {
                    len += trackLength(need.get(k)[0]);
                }
                // a run is one track when a track is larger than the buffer: it goes in pieces of it
                for (long done = 0; done < len; done += buf.length) {
                    int n = (int) Math.min(buf.length, len - done);
                    // kept for good: once a failing force under way answered (RaidVolume.readToKeep)
                    origin.readToKeep(first * trackSize + done, ByteBuffer.wrap(buf, 0, n));
                    area.write(slots[i], done, buf, 0, n);
                }
                for (int k = i; k < j; k++) {
                    long[] n = need.get(k);
                    records.add(new SaveRecord(volume, n[0], slots[k], n[1], n[2]));
                }
                i = j;
            }
            area.commit(records);
        } catch (IOException e) {
            failure = "the track could not be saved in the save area " + area.volume() + ": " + e.getMessage();
            toFree = slots; // given back once the snapshots that would have used them are durably invalid
            records.clear();
        }
        for (SaveRecord r : records) {
            if (!index.add(r)) {
                area.free(r.slot()); // its snapshots went while it was saved: the drop missed it
            }
        }
        unsaved.used(area);
        for (int k = records.size(); k < need.size(); k++) {
            long[] n = need.get(k);
            unsaved.cannotSave(volume, n[0], n[1], n[2], failure != null ? failure
                    : "the save area " + area.volume() + " is full (" + area.slots() + " tracks)");
        }
        for (long s : toFree) {
            area.free(s);
        }
    }
}
