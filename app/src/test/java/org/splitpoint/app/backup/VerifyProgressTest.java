package org.splitpoint.app.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.testing.BackupPools;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A verify's progress in the Backups view carries the CLI's figures: a rate and an ETA (it showed a
 * rate only). Every update reaches the UI at once here (an executor that runs what it is given), and
 * the clock moves 20 ms at each reading, so each report after an image's first is measured.
 */
class VerifyProgressTest {

    @TempDir
    Path tmp;
    private PoolBridge bridge;

    @AfterEach
    void close() {
        if (bridge != null) {
            bridge.close();
        }
    }

    @Test
    void aVerifyUnderWaySaysItsRateAndEtaInTheLineAndTheImagesState() throws Exception {
        BackupPools.Made made = BackupPools.withBackup(tmp); // a 16 MiB image: its verify reads 32 MiB, reported each MiB
        bridge = PoolBridge.open(made.pool(), new CurrentThreadTaskExecutor(), Runnable::run);
        AtomicLong now = new AtomicLong();
        List<String> lines = new ArrayList<>();
        List<String> states = new ArrayList<>();
        VerifyControl[] control = new VerifyControl[1];
        control[0] = new VerifyControl(bridge, () -> states.add(control[0].stateOf(made.store(), made.image()).line()),
                () -> now.addAndGet(20_000_000L));
        control[0].lineProperty().addListener((o, was, line) -> lines.add(line));
        List<ImageInfo> images = DirectoryStore.open(made.store(), StorageFactory.real(), false).list();

        control[0].verify(made.store(), images);

        // each figure's own space does not break (no-break), the line wraps between them
        String figures = " · [0-9.]+\u00A0[kM]?B/s · ETA\u00A0\\d+:\\d\\d";
        assertThat(lines).as("progress lines").anyMatch(l -> l.matches("Verifying " + made.image() + ": \\d+\\.\\d%" + figures));
        assertThat(states).as("the image's state while verifying (the cell's tooltip)")
                .anyMatch(l -> l.matches("verifying \\d+\\.\\d%" + figures));
        assertThat(lines.get(lines.size() - 1)).isEqualTo("1 image verified: every SHA-256 matched");
        // one report's ETA is the time the rest took at the rate measured: 20 ms per report of about a MiB
        String last = lines.stream().filter(l -> l.contains("ETA")).reduce((a, b) -> b).orElseThrow();
        assertThat(last).matches(".*· ETA\u00A00:0[01]");
    }
}
