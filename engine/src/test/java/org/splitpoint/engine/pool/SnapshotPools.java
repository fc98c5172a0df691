package org.splitpoint.engine.pool;

import java.nio.file.Path;
import java.util.List;
import org.splitpoint.engine.io.StorageFactory;

/** The snapshot tests' pool: volumes v (d1, d2) and w (d3, d4) of RAID 1, and "save" of RAID 5 (d5..d7) for the save area. */
final class SnapshotPools {

    private SnapshotPools() {
    }

    static Path create(Path dir, int track) throws Exception {
        return create(dir, track, 2L << 20);
    }

    static Path create(Path dir, int track, long driveSize) throws Exception {
        Pool.create(dir, 7, driveSize, track, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
            p.admin().createVolume("w", Layout.RAID1, List.of("d3", "d4"), 0);
            p.admin().createVolume("save", Layout.RAID5, List.of("d5", "d6", "d7"), 0);
        }
        return dir;
    }
}
