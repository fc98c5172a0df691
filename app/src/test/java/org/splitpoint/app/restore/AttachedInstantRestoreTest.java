package org.splitpoint.app.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.backup.KnownStores;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.BackupPools;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.app.testing.ServeHolder;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.job.JobState;

/**
 * An instant restore from a backup while the app is attached to the pool's holder, no toolkit:
 * the newest image is found here, the restore started by the holder, its bulk copy shown from the
 * stream, and cancelled by the holder.
 */
class AttachedInstantRestoreTest {

    private static final Duration WAIT = Duration.ofSeconds(60); // a loaded 2-CPU CI box

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();
    private final ActionStatus status = new ActionStatus();
    private final AtomicInteger started = new AtomicInteger();
    private BackupPools.Made made;
    private ServeHolder holder;
    private PoolBridge bridge;
    private InstantRestoreViewModel vm;

    @BeforeEach
    void attach() throws Exception {
        made = BackupPools.failed(tmp);
        holder = new ServeHolder(made.pool());
        bridge = PoolBridge.open(made.pool(), new CurrentThreadTaskExecutor(), ui);
        assertThat(bridge.attachedTo()).startsWith("serve, pid ");
        KnownStores stores = new KnownStores(KnownStores.Memory.inMemory(List.of(made.store())));
        vm = new InstantRestoreViewModel(bridge, status, new Expectations(), stores, BackupPools.VOLUME,
                started::incrementAndGet);
        bridge.onSnapshot(vm::apply);
        bridge.onPairs(vm::apply);
        bridge.start();
        shows(() -> vm.bannerProperty().get().startsWith("Volume data is FAILED"));
        vm.findNewest();
        shows(() -> vm.bannerProperty().get().contains("Newest backup: " + made.image()));
    }

    @AfterEach
    void close() throws Exception {
        bridge.close();
        holder.close();
    }

    private void shows(BooleanSupplier condition) throws InterruptedException {
        assertThat(TestPools.await(WAIT, ui::drain, condition)).as("shown within " + WAIT).isTrue();
    }

    @Test
    void theHolderRestoresFromTheBackupAndCancelsWhenAsked() throws Exception {
        RestoreForm f = vm.restoreForm(null);
        shows(() -> f.imageProperty().get() != null);
        assertThat(f.imageProperty().get().image().id()).isEqualTo(made.image());
        f.throttleProperty().set(256_000); // slow, so it is still running when cancelled
        shows(() -> f.blockedProperty().get().isEmpty());
        f.restore();
        shows(() -> started.get() == 1);
        assertThat(status.messageProperty().get()).contains("Restore of data from image " + made.image()
                + " started: the volume is usable now; ");
        assertThat(holder.pool.backups().restoreOf(BackupPools.VOLUME)).isNotNull();
        shows(() -> vm.restoringProperty().get());

        shows(() -> vm.bulk().cancelBlockedProperty().get().isEmpty());
        vm.bulk().cancel();
        shows(() -> status.messageProperty().get().contains("is CANCELLED; the volume stays partly restored"));
        assertThat(holder.pool.job(InstantRestoreViewModel.jobId(BackupPools.VOLUME)).state())
                .isEqualTo(JobState.CANCELLED);
        shows(() -> !vm.restoringProperty().get());
    }
}
