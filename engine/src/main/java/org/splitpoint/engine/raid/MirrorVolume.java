package org.splitpoint.engine.raid;

import org.splitpoint.engine.io.BufferStash;
import org.splitpoint.engine.io.RangeLocks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.splitpoint.engine.bitmap.WriteIntent;
import org.splitpoint.engine.io.Peek;
import org.splitpoint.engine.io.Zeros;
import org.splitpoint.engine.pool.Layout;

/**
 * RAID 1: an n-way mirror. Volume byte x is row x of every member.
 *
 * <p>Reads go to one member that holds the rows, chosen by the region they start in (region r to
 * member r mod n; regions of {@link #READ_REGION}, smaller on a small volume so that it still has
 * two per member): each member reads whole regions, so its read-ahead serves a sequential stream
 * however its requests are ordered, and a whole-volume read, like random reads, spreads over all
 * mirrors (every mirror is read, so a failing one is found); writes go to every member that takes
 * writes. A
 * mirror has no cross-member parity, so a degraded write needs no journal: the members that got it
 * are consistent among themselves.
 */
public final class MirrorVolume extends RaidVolume {

    /**
     * Reads starting in the same region of this many bytes go to the same member. Choosing by
     * request (round robin, or "continues where a member's last read ended") split a sequential
     * stream whose requests run out of order (nbdcopy: 64 of 256 KiB in flight per connection)
     * between the members: each one's read-ahead then read bytes that were read from the other,
     * 1.2 GiB cached for a 1 GiB read and twice nbdkit's system time (see
     * bench/notes/nbd-profile-2026-12-03.txt). With whole regions, the read-ahead past a region's
     * end is the only overlap: up to the device's read-ahead (8 MiB on the bench's virtio disk) per
     * region, so regions are large (32 MiB ones still cached 1.2 GiB; 256 MiB ones 1.04 GiB).
     */
    static final long READ_REGION = 256L << 20;

    /** This volume's region: {@link #READ_REGION}, or less on a volume of under two regions per member. */
    private final long readRegion;

    /**
     * Each thread's rebuild buffer, reused from step to step and for every volume (held per volume,
     * a thread kept one for every volume it had rebuilt, closed or not).
     */
    private static final ThreadLocal<ByteBuffer> REBUILD_BUFFER = new ThreadLocal<>();

    public MirrorVolume(String name, Member[] members, long size, int trackSize, WriteIntent writeIntent) {
        super(name, Layout.RAID1, members, size, trackSize, writeIntent);
        long perTwo = Math.max(trackSize, size / (2L * members.length));
        this.readRegion = Math.min(READ_REGION, Long.highestOneBit(perTwo));
    }

    /** Reads starting in the same region of this many bytes go to the same member. */
    long readRegion() {
        return readRegion;
    }

    /** Capacity of a mirror over members of {@code memberSize} bytes. */
    public static long capacity(long memberSize) {
        return memberSize;
    }

    @Override
    public long memberRows() {
        return size;
    }

    @Override
    protected long[] rowsOf(long offset, long length) {
        return new long[] {offset, offset + length};
    }

    @Override
    protected boolean refillNeedsNoIntent(long offset, long length) {
        return true; // every member gets the same bytes: a refill written again is whole
    }

    @Override
    protected long[] volumeRangeOfRows(long from, long to) {
        return new long[] {from, to};
    }

    @Override
    protected void doRead(long offset, ByteBuffer dst) throws IOException {
        long to = offset + dst.remaining();
        Member m = reader(offset, to);
        m.read(offset, dst);
    }

    /** What the member a read would go to holds there: a hole, or data it has not cached. */
    @Override
    protected Peek peekMembers(long from, long to) {
        Member m;
        try {
            m = reader(from, to);
        } catch (IOException none) {
            return Peek.UNKNOWN;
        }
        if (m.holeAt(from, to - from)) {
            return Peek.ZEROS;
        }
        return m.uncached(from) ? Peek.COLD_DATA : Peek.UNKNOWN;
    }

    /**
     * The member a read of rows [from, to) goes to (see the class note). One whose image may have
     * lost writes at a failed flush ({@link Member#lostWrites}) is read only when no other holds the
     * rows: its disk may have the old bytes of a write the others have.
     */
    Member reader(long from, long to) throws IOException {
        int first = (int) ((from / readRegion) % members.length);
        Member lastResort = null;
        for (int i = 0; i < members.length; i++) {
            Member m = members[(first + i) % members.length];
            if (m.holds(from, to)) {
                if (!m.lostWrites()) {
                    return m;
                }
                lastResort = lastResort == null ? m : lastResort;
            }
        }
        if (lastResort != null) {
            return lastResort;
        }
        throw new Member.FailedException("no member of " + name + " holds rows " + from + ".." + to, null);
    }

    @Override
    protected void doWrite(long offset, ByteBuffer src) throws IOException {
        long to = offset + src.remaining();
        int start = src.position();
        int len = (int) (to - offset);
        try (RangeLocks.Held h = rowLocks.lock(offset, to)) {
            // one member after the other, on this thread: writing them at once (each on a member-I/O
            // thread) was tried and made a single stream's writes slower, 0.35-0.47 of fio against
            // 0.54-0.83, and gave nbdcopy nothing (bench/RESULTS.md, 2026-12-03)
            onEveryMember(m -> missed(m, offset, src.duplicate().position(start).limit(start + len)),
                    m -> m.write(offset, src.duplicate().position(start).limit(start + len)), false);
        }
        src.position(start + len);
    }

    /**
     * Every member that takes writes zeroes the rows at once, on its own thread (each may start a
     * process to punch its image); a member OFFLINE in a service window is given the zeros (a
     * data-mode delta keeps them), as a write gives it the bytes.
     */
    @Override
    protected void doZero(long offset, long length, boolean mayUnmap) throws IOException {
        try (RangeLocks.Held h = rowLocks.lock(offset, offset + length)) {
            onEveryMember(m -> Zeros.inChunks(offset, length, (at, zeros) -> missed(m, at, zeros)),
                    m -> MemberZeros.zeroRows(m, offset, length, mayUnmap), true);
        }
    }

    /** What a member does: write its rows, or be given what it missed. */
    private interface MemberAction {
        void run(Member m) throws IOException;
    }

    /**
     * Runs {@code change} on every member that takes writes ({@code inParallel}: each on its own
     * thread) and {@code missed} on the others. A member that fails does not stop the rest: the change
     * still counts on those that took it; it fails only when no member took it.
     */
    private void onEveryMember(MemberAction missed, MemberAction change, boolean inParallel) throws IOException {
        List<IoAction> tasks = new ArrayList<>();
        AtomicInteger changed = new AtomicInteger();
        AtomicReference<Member.FailedException> failed = new AtomicReference<>();
        for (Member m : members) {
            if (!m.takesWrites()) {
                missed.run(m);
                continue;
            }
            tasks.add(() -> {
                try {
                    change.run(m);
                    changed.incrementAndGet();
                } catch (Member.FailedException e) {
                    failed.set(e); // the others go on; the change still counts on them
                }
            });
        }
        if (inParallel && tasks.size() > 1) {
            MemberIo.all(tasks);
        } else {
            for (IoAction t : tasks) {
                t.run();
            }
        }
        if (changed.get() == 0) {
            throw failed.get() != null ? failed.get()
                    : new Member.FailedException("no member of " + name + " takes writes", null);
        }
    }

    @Override
    protected void reconstructRows(Member target, long from, long to) throws IOException {
        Member source = otherHolding(target, from, to);
        if (source == null) {
            throw new IOException("volume " + name + " has no member to rebuild " + target.drive() + " from");
        }
        int len = (int) (to - from);
        ByteBuffer buf = REBUILD_BUFFER.get();
        if (buf == null || buf.capacity() < len) {
            buf = BufferStash.lineBuffer(len); // see there
            REBUILD_BUFFER.set(buf);
        }
        buf.clear().limit(len);
        source.read(from, buf);
        buf.flip();
        target.write(from, buf);
    }

    @Override
    protected byte[] reconstructed(Member target, long from, int len) throws IOException {
        Member source = otherHolding(target, from, from + len);
        if (source == null) {
            throw new Member.FailedException("volume " + name + " has no member holding rows " + from + ".." + (from + len), null);
        }
        return readMember(source, from, len);
    }

    /**
     * A member but {@code target} that holds rows [from, to), or null: a mirror's copy is any one of
     * them, one that did not lose writes at a failed flush first (see {@link #refuseLostSources}).
     */
    private Member otherHolding(Member target, long from, long to) {
        Member lastResort = null;
        for (Member m : members) {
            if (m != target && m.holds(from, to)) {
                if (!m.lostWrites()) {
                    return m;
                }
                lastResort = lastResort == null ? m : lastResort;
            }
        }
        return lastResort;
    }

    /**
     * A mirror's crash resync needs two members that hold the rows, not every member: with a third
     * absent (in a service window, FAILED) the two others may hold different versions of a write the
     * crash cut, and skipping them, as a parity layout skips a stripe short of a member, left them
     * disagreeing for good, their bits cleared (MirrorCrashResyncInWindowTest).
     */
    @Override
    protected boolean resyncableAfterCrash(long from, long to) {
        int holding = 0;
        for (Member m : members) {
            if (m.holds(from, to)) {
                holding++;
            }
        }
        return holding >= 2;
    }

    /**
     * A mirror's heal copies from one holder: with a third drive out (FAILED, in a service window)
     * the other still has the rows. Before, the heal asked for every member, and every flush failed
     * until the pool was reopened (MemberFlushNoSpaceTest.aMirrorWithAThirdDriveOutHealsFromTheOtherHolder).
     */
    @Override
    protected boolean healNeedsEveryMember() {
        return false;
    }

    @Override
    protected boolean healableFrom(Member lossy, long from, long to) {
        Member source = otherHolding(lossy, from, to);
        return source != null && !source.lostWrites();
    }

    /** A mirror reads one holder, a lossy one only when every holder lost writes ({@link #reader}). */
    @Override
    protected boolean answeredOnlyByLossy(long from, long to) {
        boolean held = false;
        for (Member m : members) {
            if (m.holds(from, to)) {
                if (!m.lostWrites()) {
                    return false;
                }
                held = true;
            }
        }
        return held;
    }

    /** A mirror copies from one holder: refused only when every other holder lost writes. */
    @Override
    protected void refuseLostSources(Member target, long from, long to) throws IOException {
        Member source = otherHolding(target, from, to);
        if (source != null && source.lostWrites()) {
            throw lostSource(source, target);
        }
    }

    @Override
    protected long checkRows(long from, long to, IoAction repair) throws IOException {
        int len = (int) (to - from);
        byte[] reference = null;
        long mismatches = 0;
        for (Member m : members) {
            if (!m.holds(from, to)) {
                continue;
            }
            byte[] data = readMember(m, from, len);
            if (reference == null) {
                reference = data;
                continue;
            }
            long bad = 0;
            for (int s = 0; s < len; s += 512) {
                int e = Math.min(len, s + 512);
                if (!Arrays.equals(reference, s, e, data, s, e)) {
                    bad++;
                }
            }
            if (bad > 0 && repair != null) {
                repair.run(); // the reference (or this member) may have dropped a write's pages under its read
                m.write(from, ByteBuffer.wrap(reference));
            }
            mismatches = Math.max(mismatches, bad);
        }
        return mismatches;
    }
}
