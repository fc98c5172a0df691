package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.LargestAllocation;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * A rebuild and a resync on a pool of large tracks hold a megabyte of each member's rows at a time,
 * not a track: the rebuild job hands the volume about a megabyte of tracks per step, at least one
 * track, and a RAID 5 reconstruction read every other member's rows into a heap buffer of that
 * size (4 GiB per step on 1 GiB tracks; a mirror one direct buffer of a track's size, kept). Here
 * on 16 MiB tracks; the rebuilt and resynced bytes are checked too.
 */
class LargeTrackRebuildTest {

    private static final int TRACK = 16 << 20;

    @TempDir
    Path dir;

    /** The bytes {@link #filledPool} wrote. */
    private byte[] data;

    /** A new pool of 16 MiB tracks whose volume v, over {@code members} drives, is filled with random bytes; opened. */
    private Pool filledPool(Layout layout, int members) throws Exception {
        TestPools.create(dir, layout, members, 64L << 20, TRACK);
        Pool pool = Pool.open(dir);
        RaidVolume v = pool.volume("v");
        data = new byte[(int) v.size()];
        new Random(7).nextBytes(data);
        v.write(0, ByteBuffer.wrap(data));
        v.flush();
        return pool;
    }

    private static byte[] readAll(RaidVolume v) throws Exception {
        byte[] b = new byte[(int) v.size()];
        v.read(0, ByteBuffer.wrap(b));
        return b;
    }

    /** Member {@code index} of {@code v} with its image swapped for a blank one, REBUILDING from row 0. */
    private Member blankAndRebuilding(RaidVolume v, int index) throws Exception {
        Member m = v.members().get(index);
        StorageFile spare = StorageFactory.real().create(dir.resolve("spare-" + m.drive() + ".img"));
        spare.setLength(64L << 20);
        m.replaceFile(spare);
        m.setState(DriveState.REBUILDING, 0);
        return m;
    }

    @Test
    void aParityRebuildAndResyncHoldAMegabyteOfRowsPerMember() throws Exception {
        try (Pool pool = filledPool(Layout.RAID5, 4)) {
            RaidVolume v = pool.volume("v");
            Member m = blankAndRebuilding(v, 1);
            long largest = LargestAllocation.during(() -> v.rebuildRows(m, 0, TRACK));
            assertThat(largest).as("the largest buffer rebuilding a 16 MiB track").isLessThanOrEqualTo(2L << 20);
            v.rebuildRows(m, TRACK, v.memberRows());
            m.setState(DriveState.ONLINE, 0);
            assertThat(v.verifyRows(0, v.memberRows(), false)).as("stripes whose parity is wrong after the rebuild").isZero();
            assertThat(readAll(v)).isEqualTo(data);

            Member other = v.members().get(2);
            try (FileChannel f = FileChannel.open(dir.resolve("drives/" + other.drive() + ".img"), StandardOpenOption.WRITE)) {
                f.write(ByteBuffer.wrap(new byte[3 << 20]), TRACK + (5L << 20)); // its track 1 damaged in the middle
            }
            assertThat(v.verifyRows(0, v.memberRows(), false)).isPositive();
            long resync = LargestAllocation.during(() -> v.resyncTracks(other, new long[] {0, 1}));
            assertThat(resync).as("the largest buffer resyncing two 16 MiB tracks").isLessThanOrEqualTo(5L << 20);
            assertThat(v.verifyRows(0, v.memberRows(), false)).isZero();
            assertThat(readAll(v)).isEqualTo(data);
        }
    }

    @Test
    void aMirrorRebuildKeepsAMegabyteOfDirectMemory() throws Exception {
        try (Pool pool = filledPool(Layout.RAID1, 2)) {
            RaidVolume v = pool.volume("v");
            Member m = blankAndRebuilding(v, 0);
            BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
            long before = direct.getMemoryUsed();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread t = new Thread(() -> { // a thread of its own: the mirror keeps its rebuild buffer per thread
                try {
                    v.rebuildRows(m, 0, v.memberRows());
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            t.start();
            t.join();
            assertThat(failed.get()).isNull();
            assertThat(direct.getMemoryUsed() - before).as("direct memory a rebuild of 16 MiB tracks keeps").isLessThan(4L << 20);
            m.setState(DriveState.ONLINE, 0);
            v.takeOut(v.members().get(1), DriveState.FAILED); // reads now come from the rebuilt member alone
            assertThat(readAll(v)).isEqualTo(data);
        }
    }
}
