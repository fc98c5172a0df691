package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.meta.CheckedJson;

/** Making a pool's files: the directory, blank drive images (sparse), the first pool.json. */
final class PoolFiles {

    private PoolFiles() {
    }

    /** Creates a pool of {@code count} blank drives in {@code dir} (absent or empty). */
    static void create(Path dir, int count, long driveSize, int trackSize, StorageFactory storage)
            throws IOException, PoolException {
        Validation.trackSize(trackSize);
        if (count < 1 || count > 256) {
            throw new IllegalArgumentException("--drives must be between 1 and 256, not " + count);
        }
        Validation.driveSize(driveSize, trackSize);
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new PoolException(dir + " exists and is not a directory");
            }
            try (var s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new PoolException(dir + " is not empty; a pool is created in a new or empty directory");
                }
            }
        }
        PoolPaths paths = new PoolPaths(dir);
        Files.createDirectories(paths.drives());
        Files.createDirectories(paths.meta());
        List<PoolConfig.DriveRecord> records = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String name = "d" + i;
            createImage(storage, paths, name, driveSize);
            records.add(new PoolConfig.DriveRecord(name, driveSize, DriveState.SPARE, null, null));
        }
        storage.syncDirectory(paths.drives());
        PoolConfig config = new PoolConfig(UUID.randomUUID().toString(), trackSize, driveSize, count + 1,
                records, List.of(), List.of(), List.of());
        // pool.json last: a crash before it leaves a directory that is not (yet) a pool.
        CheckedJson.write(storage, paths.config(), PoolConfig.MAGIC, PoolConfig.VERSION, config);
    }

    static void createImage(StorageFactory storage, PoolPaths paths, String name, long size) throws IOException {
        Path tmp = paths.drives().resolve(name + ".img.new");
        storage.delete(tmp);
        try (StorageFile f = storage.create(tmp)) {
            f.setLength(size);
            f.force();
        }
        storage.rename(tmp, paths.image(name));
    }
}
