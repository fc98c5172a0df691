package org.splitpoint.app.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.backup.KnownStores;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolSnapshot.Health;

/** A journal's store with a garbage store.json: the status bar showed HEALTHY; it says why it is WARNING now. */
class JournalStoreWarningViewModelTest {

    @TempDir
    Path tmp;

    @Test
    void aJournalsDamagedStoreShowsInTheStatusBar() throws Exception {
        Path dir = TestPools.plain(tmp, 1 << 20);
        Path store = Files.createDirectories(tmp.resolve("store"));
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.journals().enable("prod", java.util.List.of("d4", "d5"), store, 512 * 1024, 0).await(60_000)).isTrue();
        }
        Files.writeString(store.resolve("store.json"), "garbage");
        ManualUi ui = new ManualUi();
        PoolViewModel vm = new PoolViewModel(PoolBridge.open(dir, new CurrentThreadTaskExecutor(), ui),
                KnownStores.Memory.inMemory(java.util.List.of()));
        try {
            vm.start();
            ui.drain();
            assertThat(vm.healthProperty().get()).isEqualTo(Health.WARNING);
            assertThat(vm.problemsProperty().get()).contains("cannot ship", store + " is damaged");
        } finally {
            vm.close();
        }
    }
}
