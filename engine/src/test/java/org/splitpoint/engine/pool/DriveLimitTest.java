package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;

/** A pool holds at most as many drives as it can be created with, however they came (the app's and the CLI's adds alike). */
class DriveLimitTest {

    @TempDir
    Path dir;

    @Test
    void noDriveIsAddedPastTheMost() throws Exception {
        Path p = dir.resolve("p");
        Pool.create(p, PoolFiles.MAX_DRIVES - 1, 1 << 20, 64 << 10, StorageFactory.real());
        try (Pool pool = Pool.open(p)) {
            assertThat(DriveRules.add(pool.snapshot(), 1)).isNull();
            assertThat(DriveRules.add(pool.snapshot(), 2).sentence()).contains("at most 1 more can be added");
            assertThat(pool.admin().addDrive(0)).isEqualTo("d" + PoolFiles.MAX_DRIVES);
            byte[] before = Files.readAllBytes(p.resolve("pool.json"));
            assertThatThrownBy(() -> pool.admin().addDrive(0)).isInstanceOf(PoolException.class)
                    .hasMessageContaining("the most a pool holds: no more can be added");
            assertThat(Files.readAllBytes(p.resolve("pool.json"))).isEqualTo(before);
            assertThat(pool.snapshot().drives()).hasSize(PoolFiles.MAX_DRIVES);
        }
    }
}
