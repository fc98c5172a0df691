package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.DirectoryStore;

/**
 * The record of a backup this pool started (meta/ID.backup-started) names its store by path, and a
 * path may hold a newline. The record was read line by line: a store at '/srv/b&lt;newline&gt;x' was
 * read back as '/srv/b', so the image that backup left unfinished there was never said by 'pool
 * status', and the record, looked for in the wrong directory, was kept for good (or, were there a
 * directory '/srv/b', dropped as if the image had ended).
 */
class BackupStartedStorePathTest {

    @TempDir
    Path tmp;

    @Test
    void anUnfinishedImageInAStoreWhosePathHoldsANewlineIsSaid() throws Exception {
        Path dir = tmp.resolve("p");
        Path store = tmp.resolve("b\nx");
        Files.createDirectories(tmp.resolve("b")); // another directory, where the cut path led
        TestPools.create(dir, Layout.RAID1, 2, 1 << 20, 4096);
        try (Pool pool = Pool.open(dir)) {
            BackupsStarted.starting(pool, "v", "v-20261207-050000-abcd-full", store);
            Files.createDirectories(DirectoryStore.unfinishedImage(store, "v-20261207-050000-abcd-full"));
        }
        try (Pool pool = Pool.open(dir)) { // the opening drops the records of images that ended
            assertThat(pool.backups().unfinished()).singleElement().asString()
                    .startsWith("a backup of volume v did not finish (its process stopped): its unfinished image"
                            + " v-20261207-050000-abcd-full stays in the backup store " + store + ";");
        }
    }
}
