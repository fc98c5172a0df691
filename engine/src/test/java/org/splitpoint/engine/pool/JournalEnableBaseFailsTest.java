package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * 'volume journal enable' whose base backup cannot start (the store's file system full) changes
 * nothing: the enable is the journal and the backup that gives it its base. It failed with the
 * store's error while the journal stayed on record, its two drives taken, so the administrator
 * read a failure of something that had happened, and an enable tried again once space was freed
 * was refused as 'has a journal already'.
 */
class JournalEnableBaseFailsTest {

    @TempDir
    Path tmp;

    @Test
    void anEnableWhoseBaseBackupCannotStartChangesNothing() throws Exception {
        Path dir = tmp.resolve("pool");
        TestPools.create(dir, Layout.RAID5, 3, JournaledPools.DRIVE, JournaledPools.TRACK);
        Path store = tmp.resolve("store");
        Files.createDirectories(store);
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            List<String> legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            disk.diskFullAfter(p -> p.startsWith(store.resolve("images")), 0);
            assertThatThrownBy(() -> pool.journals().enable("v", legs, store, 900 * 1024, 0))
                    .isInstanceOf(IOException.class);
            assertThat(pool.journals().volumes()).as("journals in memory").isEmpty();
            for (String leg : legs) {
                assertThat(pool.snapshot().drive(leg).state()).as(leg).isEqualTo(DriveState.SPARE);
            }
            disk.diskFreed();
            assertThat(pool.journals().enable("v", legs, store, 900 * 1024, 0).await(60_000)).isTrue();
            assertThat(pool.journals().status("v").protecting()).isTrue();
        }
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.journals().status("v").protecting()).isTrue();
        }
    }
}
