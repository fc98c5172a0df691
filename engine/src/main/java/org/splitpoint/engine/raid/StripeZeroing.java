package org.splitpoint.engine.raid;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.splitpoint.engine.io.RangeLocks;
import org.splitpoint.engine.io.Zeros;
import org.splitpoint.engine.pool.VolumeState;
import org.splitpoint.engine.raid.RaidVolume.IoAction;

/**
 * A parity volume's zeroing: whole stripes zeroed on every member at once, data and parity alike,
 * without reading anything (zero data has zero parity), and the partial stripes at either end as
 * reconstruct-writes of zeros, skipped where the bytes are zero already (unless the zeroing must
 * leave the rows allocated, NO_HOLE: zeros read from a hole are no allocation).
 *
 * <p>Design. A degraded volume cannot zero this way (its stripe journal must carry the updates), so
 * it writes the zeros as any write; a member that goes while whole stripes are being zeroed sends
 * those stripes the same way. The partial ends run beside the whole stripes' deallocations: other
 * stripes, other rows, other row locks.
 */
final class StripeZeroing {

    private final ParityVolume volume;
    private final Member[] members;
    private final RangeLocks rowLocks;
    private final StripeWrites writes;
    private final StripeUpdates updates;
    private final int unit;
    private final long stripeData;

    StripeZeroing(ParityVolume volume, StripeGeometry geo, Member[] members, RangeLocks rowLocks,
                  StripeWrites writes, StripeUpdates updates) {
        this.volume = volume;
        this.members = members;
        this.rowLocks = rowLocks;
        this.writes = writes;
        this.updates = updates;
        this.unit = geo.unit;
        this.stripeData = geo.stripeData;
    }

    /**
     * Whole stripes are zeroed on every member at once, data and parity alike (zero data has zero
     * parity, so the stripes stay consistent without reading anything); a partial stripe at either
     * end is a reconstruct-write of zeros, skipped where its bytes are zero already (unless NO_HOLE). A degraded
     * volume writes the zeros as any write (its stripe journal must carry the updates).
     */
    void zero(long offset, long length, boolean mayUnmap) throws IOException {
        updates.redoPending();
        if (volume.degraded()) {
            writeZeros(offset, length);
            return;
        }
        long end = offset + length;
        long firstWhole = (offset + stripeData - 1) / stripeData * stripeData;
        long lastWhole = end / stripeData * stripeData;
        if (lastWhole <= firstWhole) {
            zeroPartialStripes(offset, end, mayUnmap); // no whole stripe in the range
            return;
        }
        IoAction whole = () -> zeroFullStripes(firstWhole / stripeData, (lastWhole - firstWhole) / stripeData, mayUnmap);
        if (firstWhole == offset && lastWhole == end) {
            whole.run();
            return;
        }
        // the partial stripes at the ends (reads, then zeros and parity written) go beside the whole
        // stripes' fallocates, not before and after them: other stripes, other rows, other row locks. A
        // client's 32 MiB zeroings are never whole stripes, so each had its two ends' I/O in series with
        // the rest (bench/notes/raid5-cold-read-zero-fx-2026-12-03c.txt)
        MemberIo.beside(() -> {
            zeroPartialStripes(offset, firstWhole, mayUnmap);
            zeroPartialStripes(lastWhole, end, mayUnmap);
        }, whole);
    }

    /**
     * Zeros over volume bytes [from, to), none of its stripes whole: a reconstruct-write per stripe,
     * skipped where zero unless the rows must stay allocated ({@code mayUnmap} false, NO_HOLE: bytes
     * that read as zeros may be a hole of the image, which the write provisions).
     */
    private void zeroPartialStripes(long from, long to, boolean mayUnmap) throws IOException {
        for (long pos = from; pos < to; ) {
            long s = pos / stripeData;
            long within = pos - s * stripeData;
            int len = (int) Math.min(to - pos, stripeData - within);
            writes.writePartialStripe(s, (int) within, len, Zeros.of(len), mayUnmap);
            pos += len;
        }
    }

    /** Zeros written as any write, in pieces that end on whole stripes where they can (no reads for those). */
    private void writeZeros(long offset, long length) throws IOException {
        long per = stripeData <= Zeros.CHUNK ? Zeros.CHUNK / stripeData * stripeData : Zeros.CHUNK;
        long end = offset + length;
        for (long pos = offset; pos < end; ) {
            long next = Math.min(end, (pos / per + 1) * per);
            writes.write(pos, Zeros.of((int) (next - pos)));
            pos = next;
        }
    }

    /** Stripes [s0, s0+count) zeroed on every member, each on its own thread, under the rows' lock. */
    private void zeroFullStripes(long s0, long count, boolean mayUnmap) throws IOException {
        long row = s0 * unit;
        long len = count * unit;
        try (RangeLocks.Held h = rowLocks.lock(row, row + len)) {
            // unjournaled, as a whole stripe update (see StripeUpdates#whole): a member that fails
            // meanwhile is not recorded absent before every other member's rows were zeroed
            if (!updates.whole(row, row + len, () -> zeroOnEveryMember(row, len, mayUnmap))) {
                // a member went meanwhile: the stripes go through the journal as zeros written
                writeZeros(s0 * stripeData, count * stripeData);
            }
        }
    }

    private void zeroOnEveryMember(long row, long len, boolean mayUnmap) throws IOException {
        List<IoAction> tasks = new ArrayList<>(members.length);
        AtomicReference<Member.FailedException> failed = new AtomicReference<>();
        for (Member m : members) {
            tasks.add(() -> {
                try {
                    MemberZeros.zeroRows(m, row, len, mayUnmap);
                } catch (Member.FailedException e) {
                    failed.set(e); // the others' rows are zero: consistent without it, as after a degraded write
                }
            });
        }
        MemberIo.all(tasks);
        if (failed.get() != null && volume.state() == VolumeState.FAILED) {
            throw failed.get();
        }
    }
}
