package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.LargestAllocation;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.PageCacheProbe;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * A pair copy's buffers. It reuses its threads' buffers: it allocated a new 1 MiB direct buffer per
 * run, 1 GiB per GiB copied, left for a later garbage collection to free (and the collections it
 * brought stopped the app's window thread during a full-speed restore); counted by the JVM's direct
 * buffer pool. And a full copy writes around the page cache: through it, the copy read everything
 * first and wrote it all back at its last commit (see PairCopyWork.RUNS); counted by the pages of
 * the target's member images left in the cache.
 */
class CopyBufferTest {

    @TempDir
    Path dir;

    @Test
    void aFullCopyAllocatesNoDirectBufferPerRun() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 64L << 20, 65536, 1);
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.pairs().establish("p1", true).await(60_000)).isTrue();
            pool.pairs().split(java.util.List.of("p1"));
            long before = direct.getCount();
            assertThat(pool.pairs().restore("p1", true, false).await(60_000)).isTrue(); // 64 runs of 1 MiB
            assertThat(direct.getCount() - before).as("direct buffers allocated by a 64 MiB restore").isLessThan(24);
        }
    }

    @Test
    void aFullCopyWritesTheTargetAroundThePageCache() throws Exception {
        assumeTrue(PageCacheProbe.available(), "needs the JVM flags that let the engine advise the kernel");
        assumeFalse("tmpfs".equals(Files.getFileStore(dir).type()), "O_DIRECT is refused on tmpfs");
        for (Layout layout : List.of(Layout.RAID1, Layout.RAID5)) {
            Path at = dir.resolve(layout.name());
            PairFixture.create(at, layout, 32L << 20, 65536, 1);
            List<Path> targets;
            try (Pool pool = Pool.open(at)) {
                BlockDevice std = pool.device("std");
                byte[] image = new byte[(int) std.size()];
                new Random(5).nextBytes(image);
                std.write(0, ByteBuffer.wrap(image));
                std.flush();
                targets = layout == Layout.RAID1 ? List.of(at.resolve("drives/d3.img"), at.resolve("drives/d4.img"))
                        : List.of(at.resolve("drives/d4.img"), at.resolve("drives/d5.img"), at.resolve("drives/d6.img"));
                for (Path t : targets) {
                    assertThat(PageCacheProbe.evict(t)).isTrue();
                    // tmpfs refuses O_DIRECT and keeps every page: nothing to tell there
                    assumeTrue(PageCacheProbe.cachedPages(t, 0, Files.size(t)) == 0, "the page cache could not be emptied here");
                }
                assertThat(pool.pairs().establish("p1", true).await(60_000)).isTrue();
                for (Path t : targets) {
                    long pages = Files.size(t) / 4096;
                    // a few at most: a short last run written through the cache
                    assertThat(PageCacheProbe.cachedPages(t, 0, Files.size(t))).as(layout + ": pages of " + t.getFileName()
                            + " cached after the copy wrote it (of " + pages + ")").isLessThan(pages / 20);
                }
                assertThat(PairFixture.read(pool.device("bcv"))).as(layout + " BCV after the establish").isEqualTo(image);
            }
        }
    }

    /**
     * Tracks larger than a run's MiB are copied in pieces of it: a pool of 1 GiB tracks copied each
     * through a buffer of its own size (3.2 GB resident for a 3 GiB pair). Counted by the JVM's direct
     * buffer pool: a 16 MiB track's buffer would stay in it (kept for the next run), pieces of 1 MiB do not.
     */
    @Test
    void tracksLargerThanARunAreCopiedInPieces() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 64L << 20, 16 << 20, 1);
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        try (Pool pool = Pool.open(dir)) {
            BlockDevice std = pool.device("std");
            byte[] image = new byte[(int) std.size()];
            new Random(8).nextBytes(image);
            std.write(0, ByteBuffer.wrap(image));
            long before = direct.getTotalCapacity();
            assertThat(pool.pairs().establish("p1", true).await(60_000)).isTrue();
            assertThat(direct.getTotalCapacity() - before).as("direct bytes held after copying 16 MiB tracks")
                    .isLessThan(8L << 20);
            assertThat(PairFixture.read(pool.device("bcv"))).isEqualTo(image);
        }
    }

    /**
     * A host write over part of a track still to restore merges the BCV's track first, and a host
     * read of one has it restored in the background: both copied the whole track through a buffer of
     * its size on the heap (1 GiB a write, on a pool of 1 GiB tracks). Now in pieces of 1 MiB:
     * counted by the bytes the writing thread allocates, on 16 MiB tracks; and the bytes are right.
     */
    @Test
    void aHostWriteIntoATrackStillToRestoreMergesItInPieces() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        PairFixture.create(dir, Layout.RAID1, 64L << 20, 16 << 20, 1);
        try (Pool pool = Pool.open(dir)) {
            BlockDevice std = pool.device("std");
            byte[] image = new byte[(int) std.size()];
            new Random(9).nextBytes(image);
            std.write(0, ByteBuffer.wrap(image));
            assertThat(pool.pairs().establish("p1", true).await(60_000)).isTrue();
            pool.pairs().split(List.of("p1"));
            std.write(0, ByteBuffer.wrap(new byte[(int) std.size()])); // the STD zeroed: the BCV keeps the image
            pool.pairs().restore("p1", true, true, 1); // 1 byte/s: the copier leaves the tracks to the host
            byte[] small = new byte[4096];
            java.util.Arrays.fill(small, (byte) 7);
            long tid = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(tid);
            std.write((16L << 20) + 100_000, ByteBuffer.wrap(small)); // inside track 1, still to restore
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            assertThat(allocated).as("bytes the host's 4 KiB write allocated, merging a 16 MiB track").isLessThan(4L << 20);
            System.arraycopy(small, 0, image, (16 << 20) + 100_000, small.length);
            byte[] back = new byte[(int) std.size()];
            std.read(0, ByteBuffer.wrap(back)); // tracks 0, 2, 3 from the BCV, track 1 merged
            assertThat(back).isEqualTo(image);
        }
    }

    /**
     * The open after a crash resyncs each volume's dirty tracks and compares the pair tracks either
     * side may have written: both read whole tracks into heap buffers of a track's size (a mirror's
     * resync one per member, the comparison two; gigabytes on a pool of 1 GiB tracks). Now in pieces
     * of 1 MiB: the largest buffer the opening thread allocates, on 16 MiB tracks; and a track that
     * differs only in its last piece is still found.
     */
    @Test
    void theOpenAfterACrashReadsLargeTracksInPieces() throws Exception {
        int track = 16 << 20;
        PairFixture.create(dir, Layout.RAID1, 64L << 20, track, 1);
        byte[] image = new byte[64 << 20];
        new Random(10).nextBytes(image);
        Pool pool = Pool.open(dir);
        pool.device("std").write(0, ByteBuffer.wrap(image));
        assertThat(pool.pairs().establish("p1", true).await(60_000)).isTrue();
        pool.device("std").flush(); // a flush of the STD flushes the BCV too
        byte[] small = new byte[4096];
        java.util.Arrays.fill(small, (byte) 3);
        pool.device("std").write(track, ByteBuffer.wrap(small));        // tracks 1 and 2 mirrored, not flushed
        pool.device("std").write(2L * track, ByteBuffer.wrap(small));
        pool.abandon();                                                  // the process dies
        // as if track 1's mirrored write had reached the BCV only in part: its last MiB differs
        byte[] other = new byte[1 << 20];
        java.util.Arrays.fill(other, (byte) 9);
        for (String bcvDrive : List.of("d3", "d4")) {
            try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(dir.resolve("drives/" + bcvDrive + ".img"),
                    java.nio.file.StandardOpenOption.WRITE)) {
                f.write(ByteBuffer.wrap(other), 2L * track - other.length);
            }
        }
        Pool[] opened = new Pool[1];
        long largest = LargestAllocation.during(() -> opened[0] = Pool.open(dir));
        try (Pool reopened = opened[0]) {
            assertThat(largest).as("the largest buffer of the open, resyncing and comparing dirty 16 MiB tracks")
                    .isLessThanOrEqualTo(2L << 20);
            reopened.awaitJobs(null); // the resync the open started
            assertThat(PairFixture.read(reopened.device("bcv"))).as("track 1, different in its last MiB only, copied again")
                    .isEqualTo(PairFixture.read(reopened.device("std")));
        }
    }

    /** The copy's threads end once idle: a holder that copied once kept all 32 of them for its life. */
    @Test
    void theCopysThreadsEndOnceIdle() throws Exception {
        PairFixture.create(dir.resolve("idle"), Layout.RAID1, 16L << 20, 65536, 1);
        try (Pool pool = Pool.open(dir.resolve("idle"))) {
            assertThat(pool.pairs().establish("p1", true).await(60_000)).isTrue();
            assertThat(PairCopyWork.copierThreads()).as("threads the copy started").isPositive();
            PairCopyWork.copierIdleMillis(50);
            try {
                long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
                while (PairCopyWork.copierThreads() > 0 && System.nanoTime() < until) {
                    Thread.sleep(10);
                }
                assertThat(PairCopyWork.copierThreads()).as("copy threads left 10 s after the copy").isZero();
            } finally {
                PairCopyWork.copierIdleMillis(60_000);
            }
        }
    }
}
