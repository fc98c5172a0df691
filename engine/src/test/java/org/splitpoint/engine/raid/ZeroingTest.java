package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.splitpoint.engine.io.Zeros;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.VolumeState;

/**
 * Zeroing a volume ({@code writeZeroes}) on the member images: large ranges are given back to the
 * file system (holes punched: the images' allocated blocks go down) and read as zeros; zeroing in
 * place keeps the space; zeroing zeros writes nothing; parity stays consistent whether stripes are
 * zeroed whole, in part, or while the volume is degraded.
 */
class ZeroingTest {

    private static final int TRACK = 65536;

    @TempDir
    Path dir;

    /** 512-byte blocks allocated to {@code image} (Java 17 has no attribute for it: stat(1) says). */
    static long blocks(Path image) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b", image.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor()).as(out).isZero();
        return Long.parseLong(out);
    }

    private long[] memberBlocks(int drives) throws Exception {
        long[] b = new long[drives];
        for (int i = 0; i < drives; i++) {
            b[i] = blocks(dir.resolve("drives/d" + (i + 1) + ".img"));
        }
        return b;
    }

    private static byte[] fill(RaidVolume v, long seed) throws Exception {
        byte[] model = new byte[(int) v.size()];
        new Random(seed).nextBytes(model);
        v.write(0, ByteBuffer.wrap(model));
        v.flush();
        return model;
    }

    private interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} with images given space back by {@code way}: "native" (the downcall) or "process". */
    private static void by(String way, Body body) throws Exception {
        if (way.equals("process")) {
            System.setProperty("splitpoint.fallocate", "process");
        }
        try {
            assertThat(Zeros.deallocator())
                    .isEqualTo(way.equals("process") ? "util-linux fallocate" : "fallocate(2)");
            body.run();
        } finally {
            System.clearProperty("splitpoint.fallocate");
        }
    }

    @ParameterizedTest(name = "{0} over {1} drives, {2}")
    @CsvSource({"RAID1, 2, native", "RAID1, 2, process", "RAID3, 3, native", "RAID5, 3, process", "RAID5, 4, native"})
    void aLargeZeroingGivesTheSpaceBackOnEveryMemberAndVerifiesClean(Layout layout, int drives, String way) throws Exception {
        by(way, () -> largeZeroing(layout, drives));
    }

    private void largeZeroing(Layout layout, int drives) throws Exception {
        TestPools.create(dir, layout, drives, 8 << 20, TRACK);
        byte[] model;
        long off = 12_345;
        int len = (5 << 20) + 777; // partial stripes at both ends, whole ones between
        try (Pool pool = Pool.open(dir)) {
            RaidVolume v = pool.volume("v");
            model = fill(v, drives);
            long[] before = memberBlocks(drives);
            v.writeZeroes(off, len, true);
            v.flush();
            Arrays.fill(model, (int) off, (int) off + len, (byte) 0);
            TestPools.assertSameBytes(TestPools.readAll(v), model, "after the zeroing");
            long[] after = memberBlocks(drives);
            int dataMembers = layout == Layout.RAID1 ? 1 : drives - 1;
            long expectFreed = (long) len / dataMembers * 8 / 10 / 512; // most of each member's share
            for (int i = 0; i < drives; i++) {
                assertThat(before[i] - after[i]).as("blocks given back by d%d", i + 1).isGreaterThan(expectFreed);
            }
            assertThat(pool.admin().verify("v", false, null)).isZero();
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.openNotes()).isEmpty();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), model, "reopened");
            assertThat(pool.admin().verify("v", false, null)).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"native", "process"})
    void zeroingInPlaceKeepsTheSpaceAllocated(String way) throws Exception {
        by(way, this::inPlace);
    }

    private void inPlace() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 8 << 20, TRACK);
        try (Pool pool = Pool.open(dir)) {
            RaidVolume v = pool.volume("v");
            byte[] model = fill(v, 5);
            long[] before = memberBlocks(2);
            v.writeZeroes(1 << 20, 4 << 20, false); // NO_HOLE
            v.flush();
            Arrays.fill(model, 1 << 20, 5 << 20, (byte) 0);
            TestPools.assertSameBytes(TestPools.readAll(v), model, "after the zeroing");
            long[] after = memberBlocks(2);
            for (int i = 0; i < 2; i++) {
                assertThat(after[i]).as("d%d keeps its blocks", i + 1).isGreaterThanOrEqualTo(before[i]);
            }
        }
    }

    /**
     * A zeroing that must leave the rows allocated (NO_HOLE) over holes of the fresh volume's sparse
     * images: small, and large with unaligned ends. Its rows read as zeros, so they were skipped and
     * stayed holes; now every member holds them allocated (data and parity alike).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"RAID5", "RAID1"})
    void aZeroingThatMustNotUnmapAllocatesWhatWasAHole(Layout layout) throws Exception {
        int drives = layout == Layout.RAID1 ? 2 : 3;
        TestPools.create(dir, layout, drives, 8 << 20, TRACK);
        try (Pool pool = Pool.open(dir)) {
            RaidVolume v = pool.volume("v");
            long[] before = memberBlocks(drives);
            v.writeZeroes(4 << 20, 70_000, false);
            v.writeZeroes((5 << 20) + 100, (1 << 20) + 300, false);
            v.flush();
            long[] after = memberBlocks(drives);
            int dataMembers = layout == Layout.RAID1 ? 1 : drives - 1;
            long want = (70_000L + (1 << 20)) / dataMembers / 512 * 8 / 10; // most of each member's share
            for (int i = 0; i < drives; i++) {
                assertThat(after[i] - before[i]).as("blocks allocated on d%d", i + 1).isGreaterThan(want);
            }
            assertThat(TestPools.readAll(v)).isEqualTo(new byte[(int) v.size()]);
            assertThat(pool.admin().verify("v", false, null)).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"RAID5", "RAID1"})
    void zeroingWhatIsZeroAlreadyWritesNothing(Layout layout) throws Exception {
        int drives = layout == Layout.RAID1 ? 2 : 3;
        TestPools.create(dir, layout, drives, 8 << 20, TRACK);
        try (Pool pool = Pool.open(dir)) {
            RaidVolume v = pool.volume("v");
            v.write(6 << 20, ByteBuffer.wrap(new byte[] {1, 2, 3})); // one stripe with data, far away
            v.flush();
            long[] before = memberBlocks(drives);
            v.writeZeroes(100, 200_000, true); // small and partial: read, found zero, not written
            v.writeZeroes(300_000, 3 << 20, true); // large: holes punched in holes
            v.writeZeroes(5 << 20, 4 * TRACK, true); // whole stripes, too few to punch: read, not written
            v.flush();
            assertThat(memberBlocks(drives)).isEqualTo(before);
            byte[] got = new byte[3];
            v.read(6 << 20, ByteBuffer.wrap(got));
            assertThat(got).containsExactly(1, 2, 3);
            assertThat(pool.admin().verify("v", false, null)).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"RAID5", "RAID3", "RAID1"})
    void aDegradedVolumeZeroesAsAWriteAndRebuildsClean(Layout layout) throws Exception {
        TestPools.create(dir, layout, 3, 4 << 20, TRACK);
        try (Pool pool = Pool.open(dir)) {
            RaidVolume v = pool.volume("v");
            byte[] model = fill(v, 9);
            pool.admin().failDrive("d2");
            assertThat(v.state()).isEqualTo(VolumeState.DEGRADED);
            assertThat(v.zeroesFast(0, 2 << 20)).as("degraded: not fast").isEqualTo(layout == Layout.RAID1);
            v.writeZeroes(70_000, (2 << 20) + 3, true);
            v.writeZeroes(5, 10, true);
            Arrays.fill(model, 70_000, 70_000 + (2 << 20) + 3, (byte) 0);
            Arrays.fill(model, 5, 15, (byte) 0);
            TestPools.assertSameBytes(TestPools.readAll(v), model, "degraded, after the zeroings");
            Job rebuild = pool.admin().replaceDrive("d2");
            assertThat(rebuild.await(60_000)).isTrue();
            assertThat(v.state()).isEqualTo(VolumeState.OPTIMAL);
            TestPools.assertSameBytes(TestPools.readAll(v), model, "rebuilt");
            assertThat(pool.admin().verify("v", false, null)).isZero();
        }
    }
}
