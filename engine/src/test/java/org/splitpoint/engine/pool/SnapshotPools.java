package org.splitpoint.engine.pool;

import java.nio.file.Path;
import java.util.List;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/** The snapshot tests' pool: volumes v (d1, d2) and w (d3, d4) of RAID 1, and "save" of RAID 5 (d5 on) for the save area. */
final class SnapshotPools {

    private SnapshotPools() {
    }

    static Path create(Path dir, int track) throws Exception {
        return create(dir, track, 2L << 20);
    }

    static Path create(Path dir, int track, long driveSize) throws Exception {
        return create(dir, track, driveSize, 3);
    }

    /** As {@link #create(Path, int, long)}, with the save area over {@code saveDrives} drives (d5...). */
    static Path create(Path dir, int track, long driveSize, int saveDrives) throws Exception {
        Pool.create(dir, 4 + saveDrives, driveSize, track, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
            p.admin().createVolume("w", Layout.RAID1, List.of("d3", "d4"), 0);
            List<String> save = new java.util.ArrayList<>();
            for (int i = 5; i < 5 + saveDrives; i++) {
                save.add("d" + i);
            }
            p.admin().createVolume("save", Layout.RAID5, save, 0);
        }
        return dir;
    }

    /** An injector whose writes stay in its cache until forced, and whose power cut then loses every unforced one. */
    static FaultInjector cutting() {
        return new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, 1).unforcedWritesLost();
    }
}
