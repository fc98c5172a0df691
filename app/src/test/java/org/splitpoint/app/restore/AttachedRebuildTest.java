package org.splitpoint.app.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.backup.KnownStores;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.Attached;
import org.splitpoint.app.testing.JournalPools;
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

    @TempDir
    Path tmp;
    private final ActionStatus status = new ActionStatus();
    private final AtomicInteger started = new AtomicInteger();
    private Attached app;

    @AfterEach
    void close() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void theHolderPreviewsAndRebuildsToTheLastAcknowledgedWrite() throws Exception {
        JournalPools.Made made = JournalPools.lostWithJournal(tmp, 3, 5);
        app = new Attached(made.pool());
        KnownStores stores = new KnownStores(KnownStores.Memory.inMemory(List.of(made.store())));
        InstantRestoreViewModel vm = new InstantRestoreViewModel(app.bridge, status, new Expectations(), stores,
                JournalPools.VOLUME, started::incrementAndGet);
        app.bridge.onSnapshot(vm::apply);
        app.bridge.onPairs(vm::apply);
        app.bridge.onJournals(vm::apply);
        app.bridge.start();

        app.shows(() -> vm.rebuild().previewProperty().get() != null);
        JournalAdmin.RebuildPreview p = vm.rebuild().previewProperty().get();
        assertThat(p.lostDrives()).containsExactly("d1", "d2");
        assertThat(p.chain()).hasSize(2);
        assertThat(p.entryBytes()).isEqualTo(5L * JournalPools.TRACK);
        assertThat(vm.rebuild().bannerProperty().get()).startsWith("Volume data is FAILED (");

        RebuildForm f = vm.rebuild().form();
        app.shows(() -> f.previewProperty().get() != null && f.blockedProperty().get().isEmpty());
        f.rebuild();
        app.shows(() -> started.get() == 1);
        assertThat(status.messageProperty().get()).contains("Rebuild of data from image ")
                .contains(" of journal started: the volume is usable now");
        app.shows(() -> app.holder.pool.snapshot().volume(JournalPools.VOLUME).state() == VolumeState.OPTIMAL
                && app.holder.pool.snapshot().volume(JournalPools.VOLUME).restore() == null);
        byte[] now = JournalPools.read(app.holder.pool);
        assertThat(JournalPools.sha256(now)).as("the volume as of its last acknowledged write")
                .isEqualTo(JournalPools.sha256(made.expect()));
    }
}
