package org.splitpoint.app.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.Attached;
import org.splitpoint.app.testing.BackupPools;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.backup.ImageInfo;

/**
 * The Backups view's model while the app is attached to a pool {@code serve} holds, no toolkit:
 * the stores are listed here with the pool's backup facts from the holder's stream, a backup is
 * taken by the holder (its job followed in the stream) and ends listed.
 */
class AttachedBackupsTest {

    @TempDir
    Path tmp;
    private final ActionStatus status = new ActionStatus();
    private BackupPools.Made made;
    private Attached app;
    private BackupsViewModel vm;

    @BeforeEach
    void attach() throws Exception {
        made = BackupPools.withBackup(tmp);
        app = new Attached(made.pool());
        Path store = made.store().toAbsolutePath().normalize();
        vm = new BackupsViewModel(app.bridge, status, new KnownStores(KnownStores.Memory.inMemory(List.of(store))));
        app.bridge.onSnapshot(vm::apply);
        app.bridge.start();
        app.shows(() -> vm.backupNow().volumeProperty().get() != null);
        vm.refresh();
        app.shows(() -> vm.listingProperty().get() != null && vm.listingProperty().get().images().size() == 1);
    }

    @AfterEach
    void close() throws Exception {
        app.close();
    }

    @Test
    void theStoreIsListedWithTheHoldersLastBackupSoAnIncrementalIsOffered() {
        StoreListing l = vm.listingProperty().get();
        assertThat(l.problem()).isNull();
        assertThat(l.lastBackups().get(BackupPools.VOLUME).image()).isEqualTo(made.image());
        assertThat(BackupNow.incrementalProblem(BackupPools.VOLUME, l)).as("it builds on the image in this store").isNull();
    }

    @Test
    void aBackupIsTakenByTheHolderFollowedInItsStreamAndListed() throws Exception {
        vm.backupNow().volumeProperty().set(BackupPools.VOLUME);
        vm.backupNow().fullProperty().set(true);
        app.shows(() -> vm.backupNow().blockedProperty().get().isEmpty());
        vm.backupNow().backUp();
        app.shows(() -> status.messageProperty().get().contains("Backup of data started: "));
        assertThat(status.messageProperty().get()).contains("tracks to read (full; all-zero tracks are not stored) into "
                + made.store().toAbsolutePath().normalize());
        app.holder.pool.awaitJobs(null);
        app.shows(() -> vm.backupNow().progressTextProperty().get().startsWith("backup of data finished"));
        assertThat(TestPools.await(Attached.WAIT, () -> {
            vm.refresh();
            app.ui.drain();
        }, () -> vm.listingProperty().get().images().size() == 2)).isTrue();
        List<ImageInfo> images = vm.listingProperty().get().imagesOf(BackupPools.VOLUME);
        assertThat(images.get(0).kind()).isEqualTo(ImageInfo.Kind.FULL);
        assertThat(app.holder.pool.backups().lastBackup(BackupPools.VOLUME).image()).isEqualTo(images.get(0).id());
    }
}
