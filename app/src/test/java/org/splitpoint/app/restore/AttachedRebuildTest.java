package org.splitpoint.app.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.backup.KnownStores;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.JournalPools;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.ServeHolder;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.VolumeState;

/**
 * The rebuild from backup + journal while the app is attached to the pool's holder, no toolkit:
 * the preview is the holder's (its journal is open there), the rebuild runs in the holder, and the
 * volume comes back as of its last acknowledged write. Before, both answered "not available while
 * attached to serve".
 */
class AttachedRebuildTest {

    private static final Duration WAIT = Duration.ofSeconds(60); // a loaded 2-CPU CI box

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private final ActionStatus status = new ActionStatus();
    private final AtomicInteger started = new AtomicInteger();
    private ServeHolder holder;
    private PoolBridge bridge;

    @AfterEach
    void close() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
        if (holder != null) {
            holder.close();
        }
    }

    private void shows(BooleanSupplier condition) throws InterruptedException {
        assertThat(TestPools.await(WAIT, ui::drain, condition)).as("shown within " + WAIT).isTrue();
    }

    @Test
    void theHolderPreviewsAndRebuildsToTheLastAcknowledgedWrite() throws Exception {
        JournalPools.Made made = JournalPools.lostWithJournal(tmp, 3, 5);
        holder = new ServeHolder(made.pool());
        bridge = PoolBridge.open(made.pool(), new CurrentThreadTaskExecutor(), ui);
        assertThat(bridge.attachedTo()).startsWith("serve, pid ");
        KnownStores stores = new KnownStores(KnownStores.Memory.inMemory(List.of(made.store())));
        InstantRestoreViewModel vm = new InstantRestoreViewModel(bridge, status, new Expectations(), stores,
                JournalPools.VOLUME, started::incrementAndGet);
        bridge.onSnapshot(vm::apply);
        bridge.onPairs(vm::apply);
        bridge.onJournals(vm::apply);
        bridge.start();

        shows(() -> vm.rebuild().previewProperty().get() != null);
        JournalAdmin.RebuildPreview p = vm.rebuild().previewProperty().get();
        assertThat(p.lostDrives()).containsExactly("d1", "d2");
        assertThat(p.chain()).hasSize(2);
        assertThat(p.entryBytes()).isEqualTo(5L * JournalPools.TRACK);
        assertThat(vm.rebuild().bannerProperty().get()).startsWith("Volume data is FAILED (");

        RebuildForm f = vm.rebuild().form();
        shows(() -> f.previewProperty().get() != null && f.blockedProperty().get().isEmpty());
        f.rebuild();
        shows(() -> started.get() == 1);
        assertThat(status.messageProperty().get()).contains("Rebuild of data from image ")
                .contains(" of journal started: the volume is usable now");
        shows(() -> holder.pool.snapshot().volume(JournalPools.VOLUME).state() == VolumeState.OPTIMAL
                && holder.pool.snapshot().volume(JournalPools.VOLUME).restore() == null);
        byte[] now = JournalPools.read(holder.pool);
        assertThat(JournalPools.sha256(now)).as("the volume as of its last acknowledged write")
                .isEqualTo(JournalPools.sha256(made.expect()));
    }
}
