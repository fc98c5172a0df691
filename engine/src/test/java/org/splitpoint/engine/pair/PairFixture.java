package org.splitpoint.engine.pair;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/** Pools with pairs for tests: volumes "std" and "bcv" (and more pairs p2, p3 when asked). */
final class PairFixture {

    private PairFixture() {
    }

    /** A pool with {@code pairs} pairs p1..pN of two volumes each, {@code layout}, drives of {@code driveSize}. */
    static Path create(Path dir, Layout layout, long driveSize, int trackSize, int pairs) throws Exception {
        int per = layout == Layout.RAID1 ? 2 : 3;
        Pool.create(dir, per * 2 * pairs, driveSize, trackSize, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            int d = 1;
            for (int i = 1; i <= pairs; i++) {
                String suffix = pairs == 1 ? "" : String.valueOf(i);
                for (String v : List.of("std" + suffix, "bcv" + suffix)) {
                    List<String> drives = new java.util.ArrayList<>();
                    for (int k = 0; k < per; k++) {
                        drives.add("d" + d++);
                    }
                    p.admin().createVolume(v, layout, drives, 0);
                }
                p.pairs().create("p" + i, "std" + suffix, "bcv" + suffix);
            }
        }
        return dir;
    }

    /**
     * A pool with pair p1 of two RAID 1 volumes (std on d1, d2; bcv on d3, d4), both sides 0x11,
     * split, then track {@code track} of the STD written 0x22 (marked: the next establish owes it),
     * closed cleanly.
     */
    static void splitWithTrackOwed(Path dir, int trackSize, long track) throws Exception {
        create(dir, Layout.RAID1, 2 << 20, trackSize, 1);
        try (Pool pool = Pool.open(dir)) {
            BlockDevice std = pool.device("std");
            std.write(0, ByteBuffer.wrap(org.splitpoint.engine.TestPools.filled((int) std.size(), 0x11)));
            if (!pool.pairs().establish("p1", true).await(60_000)) {
                throw new AssertionError("the establish of p1 did not end");
            }
            pool.pairs().split(List.of("p1"));
            std.write(track * trackSize, ByteBuffer.wrap(org.splitpoint.engine.TestPools.filled(trackSize, 0x22)));
        }
    }

    /**
     * A pool with pair p1 of {@code layout}, its STD filled with a random image (seed 77), fully
     * established and split, closed cleanly; returns the image (both sides hold it).
     */
    static byte[] splitWithRandomImage(Path dir, Layout layout, int trackSize) throws Exception {
        create(dir, layout, 1 << 20, trackSize, 1);
        try (Pool pool = Pool.open(dir)) {
            BlockDevice s = pool.device("std");
            byte[] image = new byte[(int) s.size()];
            new java.util.Random(77).nextBytes(image);
            s.write(0, ByteBuffer.wrap(image));
            pool.pairs().establish("p1", true).await(60_000);
            pool.pairs().split(List.of("p1"));
            return image;
        }
    }

    static byte[] read(BlockDevice dev) throws Exception {
        byte[] b = new byte[(int) dev.size()];
        dev.read(0, ByteBuffer.wrap(b));
        return b;
    }
}
