package org.splitpoint.app.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.backup.KnownStores;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.Attached;
import org.splitpoint.app.testing.BackupPools;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.job.JobState;

/**
 * An instant restore from a backup while the app is attached to the pool's holder, no toolkit:
 * the newest image is found here, the restore started by the holder, its bulk copy shown from the
 * stream, and cancelled by the holder.
 */
class AttachedInstantRestoreTest {

    @TempDir
    Path tmp;
    private final ActionStatus status = new ActionStatus();
    private final AtomicInteger started = new AtomicInteger();
    private BackupPools.Made made;
    private Attached app;
    private InstantRestoreViewModel vm;

    @BeforeEach
    void attach() throws Exception {
        made = BackupPools.failed(tmp);
        app = new Attached(made.pool());
        KnownStores stores = new KnownStores(KnownStores.Memory.inMemory(List.of(made.store())));
        vm = new InstantRestoreViewModel(app.bridge, status, new Expectations(), stores, BackupPools.VOLUME,
                started::incrementAndGet);
        app.bridge.onSnapshot(vm::apply);
        app.bridge.onPairs(vm::apply);
        app.bridge.start();
        app.shows(() -> vm.bannerProperty().get().startsWith("Volume data is FAILED"));
        vm.findNewest();
        app.shows(() -> vm.bannerProperty().get().contains("Newest backup: " + made.image()));
    }

    @AfterEach
    void close() throws Exception {
        app.close();
    }

    @Test
    void theHolderRestoresFromTheBackupAndCancelsWhenAsked() throws Exception {
        RestoreForm f = vm.restoreForm(null);
        app.shows(() -> f.imageProperty().get() != null);
        assertThat(f.imageProperty().get().image().id()).isEqualTo(made.image());
        f.throttleProperty().set(256_000); // slow, so it is still running when cancelled
        app.shows(() -> f.blockedProperty().get().isEmpty());
        f.restore();
        app.shows(() -> started.get() == 1);
        assertThat(status.messageProperty().get()).contains("Restore of data from image " + made.image()
                + " started: the volume is usable now; ");
        assertThat(app.holder.pool.instantRestores().restoreOf(BackupPools.VOLUME)).isNotNull();
        app.shows(() -> vm.restoringProperty().get());

        app.shows(() -> vm.bulk().cancelBlockedProperty().get().isEmpty());
        vm.bulk().cancel();
        app.shows(() -> status.messageProperty().get().contains("is CANCELLED; the volume stays partly restored"));
        assertThat(app.holder.pool.job(InstantRestoreViewModel.jobId(BackupPools.VOLUME)).state())
                .isEqualTo(JobState.CANCELLED);
        app.shows(() -> !vm.restoringProperty().get());
    }
}
