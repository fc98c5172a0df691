package org.splitpoint.app.testing;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * Pools for the snapshot tests: six drives of 8 MiB, 64 KiB tracks, "prod" (raid5 d1..d3, 16 MiB
 * = 256 tracks) holding {@link BackupPools#pattern} on every byte, "save" (raid1 d4, d5: 8 MiB =
 * 128 tracks, the save area once designated), d6 SPARE.
 */
public final class SnapshotPools {

    public static final String VOLUME = "prod";
    public static final String SAVE = "save";
    public static final int TRACK = 64 << 10;
    public static final int TRACKS = 256;
    public static final int SAVE_TRACKS = 128;

    private SnapshotPools() {
    }

    /** The pool with no save area. */
    public static Path fresh(Path parent) throws Exception {
        Path dir = parent.resolve("pool");
        Pool.create(dir, 6, 8L << 20, TRACK, StorageFactory.real());
        try (Pool pool = Pool.open(dir)) {
            pool.admin().createVolume(VOLUME, Layout.RAID5, List.of("d1", "d2", "d3"), 0);
            pool.admin().createVolume(SAVE, Layout.RAID1, List.of("d4", "d5"), 0);
            BlockDevice v = pool.device(VOLUME);
            byte[] b = new byte[(int) v.size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = BackupPools.pattern(i);
            }
            v.write(0, ByteBuffer.wrap(b));
            v.flush();
        }
        return dir;
    }

    /** The pool with "save" as its save area. */
    public static Path withSaveArea(Path parent) throws Exception {
        Path dir = fresh(parent);
        try (Pool pool = Pool.open(dir)) {
            pool.snapshots().setSaveArea(SAVE);
        }
        return dir;
    }

    /** Writes {@code tracks} whole tracks of "prod" from {@code track}, a pattern of {@code seed}, flushed. */
    public static void write(Pool pool, int track, int tracks, int seed) throws Exception {
        byte[] b = new byte[tracks * TRACK];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7 + seed * 13 + i / 4096);
        }
        BlockDevice v = pool.device(VOLUME);
        v.write((long) track * TRACK, ByteBuffer.wrap(b));
        v.flush();
    }

    /** All of {@code device}. */
    public static byte[] read(BlockDevice device) throws Exception {
        ByteBuffer b = ByteBuffer.allocate((int) device.size());
        device.read(0, b);
        return b.array();
    }
}
