package org.splitpoint.engine.raid;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.bitmap.WriteIntent;
import org.splitpoint.engine.io.NoSpaceException;
import org.splitpoint.engine.io.RangeLocks;

/**
 * Making a volume's members agree, by member-row range, whatever the layout: a rebuild of a
 * member, the resync of a drive back from a service window, a verify (and repair), the resync of
 * the tracks a crash left dirty.
 *
 * <p>Design. Each procedure holds the gate shared (counted in flight, so a flush waits for it, as
 * for a write) and locks the rows it works on throughout, in ascending order as every locker does:
 * a host write to them lands wholly before (and is reconstructed or checked) or after (and reaches
 * every member). The layout says how rows are recomputed ({@link RaidVolume#reconstructRows},
 * {@link RaidVolume#reconstructRanges}) and checked ({@link RaidVolume#checkRows}); this class
 * walks the ranges in {@link #PIECE}s, since both hold every member's rows in memory and tracks
 * may be up to 1 GiB. A copy never reads a member that lost writes at a failed flush ({@link
 * RaidVolume#refuseLostSources}): its image may have a write's old bytes, which the copy would
 * put on the target over the write (a return or a rebuild) for the heal to take back as good. A
 * rebuild's rows count as rebuilt only if no source lost writes while they were read either, and a
 * repair writes nothing once a drive lost writes since its check: the check before a copy or a
 * repair cannot see a flush that fails during it. Both compare once the forces under way have
 * ended ({@link RaidVolume#settledLossesBut}): a failing one drops the pages before it counts the loss.
 */
final class RowRepair {

    /**
     * Rows checked ({@link RaidVolume#checkRows}) or reconstructed ({@link RaidVolume#reconstructRows}) at
     * most at once: callers pass whole tracks (up to 1 GiB each), and both hold every member's rows in
     * memory (a mirror's resync after a crash took a heap buffer of a track's size per member, a RAID 5
     * rebuild of 1 GiB tracks one per member per step, 4 GiB).
     */
    static final int PIECE = 1 << 20;
    /** Rows a resync of scattered tracks reconstructs at most in one batch ({@link RaidVolume#reconstructRanges}). */
    static final int BATCH = 4 << 20;

    private final RaidVolume volume;
    private final HostGate gate;
    private final RangeLocks rowLocks;
    private final WriteIntent writeIntent;

    RowRepair(RaidVolume volume, HostGate gate, RangeLocks rowLocks, WriteIntent writeIntent) {
        this.volume = volume;
        this.gate = gate;
        this.rowLocks = rowLocks;
        this.writeIntent = writeIntent;
    }

    /** See {@link RaidVolume#rebuildRows}. */
    boolean rebuildRows(Member target, long from, long to) throws IOException {
        long sharedEpoch = gate.enterShared();
        try (RangeLocks.Held h = rowLocks.lock(from, to)) {
            long lossesBefore = volume.lossesBut(target); // before the check: a loss after it is then seen
            volume.refuseLostSources(target, from, to);
            for (long at = from; at < to; at += PIECE) {
                volume.reconstructRows(target, at, Math.min(to, at + PIECE));
            }
            if (volume.settledLossesBut(target) != lossesBefore) { // a failing force under way counts its loss first
                // a source's flush failed for want of space while these rows were read: the copy
                // may hold its old bytes of a write the flush dropped, the target's copy of that
                // write overwritten. Counted rebuilt, the rows were read by hosts and by the heal,
                // which gave the source the old bytes back as good (RebuildSourceLossTest)
                return false;
            }
            target.advanceRebuilt(to);
            return true;
        } finally {
            gate.exitShared(sharedEpoch);
        }
    }

    /** See {@link RaidVolume#rowsAsOthersHaveThem}. */
    byte[] rowsAsOthersHaveThem(Member target, long from, int len) throws IOException {
        long sharedEpoch = gate.enterShared();
        try (RangeLocks.Held h = rowLocks.lock(from, from + len)) {
            return volume.reconstructed(target, from, len);
        } finally {
            gate.exitShared(sharedEpoch);
        }
    }

    /** See {@link RaidVolume#resyncTracks}. */
    void resyncTracks(Member target, long[] tracks) throws IOException {
        long sharedEpoch = gate.enterShared();
        try {
            reconstructTracks(target, tracks);
        } finally {
            gate.exitShared(sharedEpoch);
        }
    }

    /** As {@link #resyncTracks}, for a caller that holds the gate already (its read lock, at a flush). */
    void reconstructTracks(Member target, long[] tracks) throws IOException {
        int trackSize = volume.trackSize;
        long rows = volume.memberRows();
        List<long[]> ranges = new ArrayList<>(tracks.length);
        for (long t : tracks) {
            long from = t * trackSize;
            long to = Math.min(rows, from + trackSize);
            if (from < to) {
                ranges.add(new long[] {from, to});
            }
        }
        reconstructRowRanges(target, ranges);
    }

    /**
     * Recomputes the member-row {@code ranges} (ascending, disjoint) of {@code target} from the
     * others, all of them locked throughout, for a caller that holds the gate already (a flush's
     * heal, whose ranges may end inside a track: a rebuild's progress).
     */
    void reconstructRowRanges(Member target, List<long[]> ranges) throws IOException {
        // every range's locks at once, in the one order every locker takes them: range after range
        // in row order is not that order once the ranges pass a multiple of the locks' count, and
        // deadlocked with a host's zeroing across that multiple (HealLockOrderTest)
        try (RangeLocks.Held held = rowLocks.lockRanges(ranges)) {
            for (long[] r : ranges) {
                volume.refuseLostSources(target, r[0], r[1]);
            }
            // reconstructed a batch of at most BATCH bytes at a time, in pieces of at most PIECE: a
            // reconstruction holds every member's rows in memory, and tracks may be up to 1 GiB
            List<long[]> batch = new ArrayList<>();
            long bytes = 0;
            for (long[] r : ranges) {
                for (long at = r[0]; at < r[1]; at += PIECE) {
                    long end = Math.min(r[1], at + PIECE);
                    if (bytes + (end - at) > BATCH && !batch.isEmpty()) {
                        volume.reconstructRanges(target, batch);
                        batch = new ArrayList<>();
                        bytes = 0;
                    }
                    batch.add(new long[] {at, end});
                    bytes += end - at;
                }
            }
            if (!batch.isEmpty()) {
                volume.reconstructRanges(target, batch);
            }
        }
    }

    /** See {@link RaidVolume#writeMemberRows}. */
    void writeMemberRows(Member target, long row, ByteBuffer data) throws IOException {
        long sharedEpoch = gate.enterShared();
        try (RangeLocks.Held h = rowLocks.lock(row, row + data.remaining())) {
            target.write(row, data);
        } finally {
            gate.exitShared(sharedEpoch);
        }
    }

    /** See {@link RaidVolume#verifyRows}. */
    long verifyRows(long from, long to, boolean repair) throws IOException {
        long sharedEpoch = gate.enterShared();
        try (RangeLocks.Held h = rowLocks.lock(from, to)) {
            RaidVolume.IoAction repairWrite = null;
            if (repair) {
                long losses = volume.memberLosses(); // before the check: a loss after it is seen at each write
                volume.refuseRepairOverLostWrites();
                repairWrite = () -> volume.refuseRepairWriteAfterLoss(losses);
            }
            long end = Math.min(to, volume.memberRows());
            long mismatches = 0;
            for (long at = from; at < end; at += PIECE) {
                mismatches += volume.checkRows(at, Math.min(end, at + PIECE), repairWrite);
            }
            return mismatches;
        } finally {
            gate.exitShared(sharedEpoch);
        }
    }

    /** See {@link RaidVolume#resyncDirtyTracks}. */
    long resyncDirtyTracks() throws IOException {
        int trackSize = volume.trackSize;
        TrackBitmap dirty = writeIntent.dirty();
        long done = 0;
        long rows = volume.memberRows();
        try {
            for (long t = dirty.nextSetBit(0); t >= 0; t = dirty.nextSetBit(t + 1)) {
                long from = t * trackSize;
                if (from >= rows) {
                    break;
                }
                long to = Math.min(rows, from + trackSize);
                if (volume.resyncableAfterCrash(from, to)) {
                    verifyRows(from, to, true);
                }
                done++;
            }
            volume.forceTakers();
            writeIntent.heldTracksResynced();
        } catch (NoSpaceException e) {
            for (long t = dirty.nextSetBit(0); t >= 0; t = dirty.nextSetBit(t + 1)) {
                writeIntent.pin(t, t + 1);
            }
            throw e;
        }
        writeIntent.clearAll();
        return done;
    }
}
