package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * A large RAID 5 read with every member present reads each data strip once, straight into the
 * caller's buffer, and no parity strip (issue 14, raid5 read vs fio on the member files). Before, each
 * member read its whole span of rows, the parity strips between its data included, into a bounce
 * buffer that was then copied into the destination: a third more bytes read and every byte copied twice.
 */
class ParityLargeReadTest {

    @TempDir
    Path dir;

    @Test
    void aLargeReadReadsEachDataByteOnceAndNoParity() throws Exception {
        int unit = 64 << 10;
        TestPools.create(dir, Layout.RAID5, 4, 16L << 20, unit);
        byte[] data = new byte[5 << 20];
        new Random(7).nextBytes(data);
        ParityVolumeWriteTest.Members storage = new ParityVolumeWriteTest.Members(16 << 20, 1); // bytes read, all rows
        try (Pool pool = Pool.open(dir, storage)) {
            RaidVolume v = pool.volume("v");
            v.write(0, ByteBuffer.wrap(data));
            for (int[] req : new int[][] {{0, 1 << 20}, {12345, 3 << 20}, {unit * 3, unit * 6 + 100}}) {
                int at = req[0], len = req[1];
                for (ByteBuffer dst : new ByteBuffer[] {ByteBuffer.allocateDirect(len + 10), ByteBuffer.allocate(len + 10)}) {
                    dst.position(10); // a destination that does not start at 0
                    storage.resetCounts();
                    v.read(at, dst);
                    assertThat(dst.position()).isEqualTo(len + 10);
                    assertThat(storage.readTotal()).as("bytes read from the members for %d at %d", len, at)
                            .isEqualTo(len);
                    byte[] got = new byte[len];
                    dst.get(10, got);
                    assertThat(got).as("bytes of %d at %d", len, at).isEqualTo(java.util.Arrays.copyOfRange(data, at, at + len));
                }
            }
        }
    }

    /**
     * RAID 3's strips are 512 B: a large read goes through one read per member over its rows, not one
     * per strip (2,048 calls per MiB on four drives, 3.5 times slower than before, a review found).
     */
    @Test
    void aLargeRaid3ReadIsOneReadPerMember() throws Exception {
        TestPools.create(dir, Layout.RAID3, 4, 8L << 20, 4096);
        byte[] data = new byte[1 << 20];
        new Random(9).nextBytes(data);
        ParityVolumeWriteTest.Members storage = new ParityVolumeWriteTest.Members(8 << 20, 1);
        try (Pool pool = Pool.open(dir, storage)) {
            RaidVolume v = pool.volume("v");
            v.write(4096, ByteBuffer.wrap(data));
            storage.resetCounts();
            ByteBuffer dst = ByteBuffer.allocateDirect(data.length);
            v.read(4096, dst);
            assertThat(storage.readCalls.get()).as("member reads for 1 MiB").isLessThanOrEqualTo(4);
            byte[] got = new byte[data.length];
            dst.flip().get(got);
            assertThat(got).isEqualTo(data);
        }
    }

    /**
     * RAID 3's large reads take their member buffers from one stash for the process: a thread that
     * reads volume after volume (a copier, a server worker, across pool opens) holds nothing per
     * volume. Each volume object had its own per-thread buffers, 4 MiB a member, held by the thread
     * after the volume was closed: ConcurrentCrashTest's copier threads ran out of direct memory
     * (6 GB) over a few hundred pool opens, and a copy failed with OutOfMemoryError. Here 40 opens
     * read on this one thread grew direct memory by 40 x 4 x 4 MiB before.
     */
    @Test
    void readingManyRaid3VolumesOnOneThreadKeepsNoBuffersPerVolume() throws Exception {
        TestPools.create(dir, Layout.RAID3, 4, 8L << 20, 4096);
        java.lang.management.BufferPoolMXBean direct = java.lang.management.ManagementFactory
                .getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        ByteBuffer dst = ByteBuffer.allocateDirect(1 << 20);
        long before = -1;
        for (int i = 0; i < 40; i++) {
            try (Pool pool = Pool.open(dir)) {
                pool.volume("v").read(0, dst.clear());
            }
            if (i == 1) {
                before = direct.getMemoryUsed(); // after the stash's first buffers
            }
        }
        assertThat(direct.getMemoryUsed() - before).as("direct memory grown over 38 opens read on one thread")
                .isLessThan(32L << 20);
    }

    /**
     * A large read that continues a sequential stream reads its members' parts on the caller's
     * thread (the kernel's read-ahead is fetching ahead on each member already; handed to other
     * threads, a 1 MiB read from the page cache went at about half the rate on two cores); a large
     * read elsewhere still goes to all members at once.
     */
    @Test
    void aStreamIsReadOnTheCallersThreadAndARandomReadOnTheMembersThreads() throws Exception {
        TestPools.create(dir, Layout.RAID5, 4, 64L << 20, 64 << 10);
        ParityVolumeWriteTest.Members storage = new ParityVolumeWriteTest.Members(64 << 20, 1);
        Set<String> readers = storage.readers;
        try (Pool pool = Pool.open(dir, storage)) {
            RaidVolume v = pool.volume("v");
            ByteBuffer dst = ByteBuffer.allocateDirect(1 << 20);
            v.read(0, dst.clear()); // the stream's first read: nothing to continue yet
            readers.clear();
            for (long at = 1 << 20; at < 16 << 20; at += 1 << 20) {
                v.read(at, dst.clear());
            }
            assertThat(readers).as("threads reading a sequential stream").containsExactly(Thread.currentThread().getName());
            readers.clear();
            v.read(150L << 20, dst.clear()); // far from the stream: a random read
            assertThat(readers).as("threads reading a random 1 MiB").hasSizeGreaterThan(1);
        }
    }
}
