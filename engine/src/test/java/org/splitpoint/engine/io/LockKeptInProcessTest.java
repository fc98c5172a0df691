package org.splitpoint.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;
import org.splitpoint.engine.pool.PoolOptions;
import org.splitpoint.engine.pool.Layout;

/**
 * A process keeps its pool's lock whatever else it does with the lock file. The kernel drops all of
 * a process's locks on a file when any of its descriptors of that file closes: a refused second open
 * of the pool in the same process (the app opening a pool it shows, from its recent list), or a
 * read-only look naming the holder, gave the lock up, and another process could then open the pool
 * and write it beside this one. A second process probes the lock after each.
 */
class LockKeptInProcessTest {

    @TempDir
    Path dir;

    @Test
    void aRefusedSecondOpenAndAReadOnlyLookLeaveTheLockHeld() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 1 << 20, 4096);
        Path lockFile = dir.resolve("pool.lock");
        try (Pool held = Pool.open(dir, StorageFactory.real())) {
            assertThat(lockFile).exists();
            assertThat(LockProbe.fromAnotherProcess(lockFile)).as("while the pool is open").isEqualTo("held");

            assertThatThrownBy(() -> Pool.open(dir, StorageFactory.real())).isInstanceOf(PoolException.class)
                    .hasMessageContaining("already open in another process").hasMessageContaining("pid " + ProcessHandle.current().pid());
            Path link = java.nio.file.Files.createSymbolicLink(dir.resolveSibling(dir.getFileName() + "-link"), dir);
            assertThatThrownBy(() -> Pool.open(link, StorageFactory.real())).isInstanceOf(PoolException.class)
                    .hasMessageContaining("already open");
            assertThat(LockProbe.fromAnotherProcess(lockFile)).as("after a refused open through a link").isEqualTo("held");
            assertThat(LockProbe.fromAnotherProcess(lockFile)).as("after a refused second open in this process").isEqualTo("held");

            try (Pool look = Pool.open(dir, StorageFactory.real(), PoolOptions.READ_ONLY)) {
                assertThat(look.openNotes()).anySatisfy(n -> assertThat(n).contains("is open in another process"));
            }
            assertThat(StorageFactory.real().lockHolder(lockFile)).contains("pid " + ProcessHandle.current().pid());
            assertThat(LockProbe.fromAnotherProcess(lockFile)).as("after a read-only look and a holder probe").isEqualTo("held");
        }
        assertThat(LockProbe.fromAnotherProcess(lockFile)).as("after the pool closed").isEqualTo("free");
        assertThat(StorageFactory.real().lockHolder(lockFile)).isNull();
        try (Pool again = Pool.open(dir, StorageFactory.real())) {
            assertThat(LockProbe.fromAnotherProcess(lockFile)).as("opened again").isEqualTo("held");
        }
    }
}
