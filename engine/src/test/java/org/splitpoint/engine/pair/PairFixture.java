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

    static byte[] read(BlockDevice dev) throws Exception {
        byte[] b = new byte[(int) dev.size()];
        dev.read(0, ByteBuffer.wrap(b));
        return b;
    }
}
