package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.log.WriteJournal;
import org.splitpoint.engine.pool.JournalAdmin.Open;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * The journal after an unclean shutdown: the tracks a crash left uncertain, and those a resumed
 * restore still owes that entries written during it touch, are journaled again at open, forced
 * before any host writes, so the base plus the journal equals the volume again.
 *
 * <p>Design. Runs at pool open only, where no ship can run: a journal too full to take those
 * tracks stops protecting the volume ({@link JournalWrites#stopProtecting}) rather than wait; the
 * other volumes' journals still take theirs.
 */
final class JournalAfterCrash {

    private JournalAfterCrash() { }

    /**
     * After an unclean shutdown a write may have reached the volume while its journal entry did not
     * (neither was acknowledged: the flush forces the journal before write-intent bits clear). The
     * volume shows such a write from now on, so the journal takes the tracks that may hold one
     * again, as hosts see them after recovery (through a restore under way, which was resumed
     * first), forced before any host writes: base + journal equals the volume again. A resumed
     * restore's owed tracks that entries written during it touch are taken too ({@link #restoreResumed}).
     */
    static void rejournalAfterCrash(Pool pool) throws IOException {
        if (pool.isReadOnly()) {
            return;
        }
        journals:
        for (Open o : pool.journals.values()) {
            RaidVolume v = pool.volumes.get(o.volume);
            List<long[]> dirty = v == null ? List.of()
                    : merged(without(v.crashDirtyVolumeRanges(), o.owedAsBase, pool.trackSize), o.owedButJournaled);
            o.owedButJournaled = List.of();
            o.owedAsBase = null;
            if (dirty.isEmpty() || v.state() == VolumeState.FAILED && !pool.restores.containsKey(o.volume)) {
                continue;
            }
            org.splitpoint.engine.io.BlockDevice view;
            try {
                view = pool.device(o.volume);
            } catch (PoolException e) {
                continue;
            }
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            for (long[] r : dirty) {
                for (long at = r[0]; at < r[1]; at += buf.capacity()) {
                    buf.clear().limit((int) Math.min(buf.capacity(), r[1] - at));
                    view.read(at, buf);
                    buf.flip();
                    if (o.journal.append(at, buf) == -2) { // no ship runs during an open: it cannot wait for one
                        o.journal.sync();
                        JournalWrites.stopProtecting(pool, o.volume, "after an unclean shutdown the journal could not take the"
                                + " tracks the crash left uncertain (" + Sizes.format(r[1] - r[0]) + " at " + at + ")");
                        continue journals; // the other volumes' journals still take theirs
                    }
                }
            }
            o.journal.sync();
        }
    }

    /**
     * An instant restore of a journaled volume is resumed at open, its copy not yet started: the
     * tracks it still owes that journal entries written during the restore touch are taken again by
     * {@link #rejournalAfterCrash}. Such an entry is a host write that reached the journal while its
     * track's owed bit was not yet cleared durably (a write to an owed track commits that clear
     * after a volume flush, and other writers' flushes may clear the track's write-intent bit
     * first), so the write-intent bits need not name it: the restore copies the track again from
     * its source, over whatever of the write the volume took, and the journal must say so too.
     * Entries before {@code from} are the restore's source already (a rebuild's overlay), or
     * predate the journal's base (a plain restore re-bases it).
     */
    static void restoreResumed(Pool pool, PoolConfig.RestoreRecord restore, TrackBitmap owed, long volumeSize) {
        Open o = pool.journals.get(restore.volume());
        PoolConfig.JournalRecord rec = pool.journalRecords.get(restore.volume());
        if (o == null || rec == null || rec.base() == null || pool.isReadOnly()) {
            return;
        }
        long from = Math.max(restore.journalTo(), rec.shippedThrough());
        List<long[]> ranges = new ArrayList<>();
        TrackBitmap asBase = new TrackBitmap(owed.size());
        asBase.loadWords(owed.toWords());
        for (WriteJournal.Entry e : o.journal.entries(from, o.journal.nextSeq())) {
            long t1 = (e.end() + pool.trackSize - 1) / pool.trackSize;
            for (long t = e.offset() / pool.trackSize; t < t1; t++) {
                if (owed.get(t)) {
                    ranges.add(new long[] {t * pool.trackSize, Math.min(volumeSize, (t + 1) * pool.trackSize)});
                    asBase.clear(t);
                }
            }
        }
        o.owedButJournaled = merged(ranges, List.of());
        // an owed track no entry since the restore began touches is, through the restore, its
        // source: the base's chain (plus, for a rebuild, the entries of its overlay, all before
        // {@code from}); base + journal says it already, whatever the crash left on the members
        // (the restore copies it again over them). Journaling it again as the crash's dirty
        // tracks are made the next ship carry the tracks the copy had not reached, up to the whole volume.
        o.owedAsBase = asBase;
    }

    /** Byte ranges {from, to} less their parts in the tracks {@code skip} names (null: none). */
    private static List<long[]> without(List<long[]> ranges, TrackBitmap skip, int trackSize) {
        if (skip == null) {
            return ranges;
        }
        List<long[]> out = new ArrayList<>();
        for (long[] r : ranges) {
            long at = r[0];
            while (at < r[1]) {
                long t = at / trackSize;
                long end = Math.min(r[1], (t + 1) * trackSize);
                if (t >= skip.size() || !skip.get(t)) {
                    long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
                    if (last != null && last[1] == at) {
                        last[1] = end;
                    } else {
                        out.add(new long[] {at, end});
                    }
                }
                at = end;
            }
        }
        return out;
    }

    /** Byte ranges {from, to} of both lists, sorted and merged where they touch. */
    private static List<long[]> merged(List<long[]> a, List<long[]> b) {
        List<long[]> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        all.sort(java.util.Comparator.comparingLong(r -> r[0]));
        List<long[]> out = new ArrayList<>();
        for (long[] r : all) {
            long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && r[0] <= last[1]) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                out.add(new long[] {r[0], r[1]});
            }
        }
        return out;
    }
}
