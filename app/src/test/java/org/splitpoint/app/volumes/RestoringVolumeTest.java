package org.splitpoint.app.volumes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.nav.NavViewModel;
import org.splitpoint.app.testing.BackupPools;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolOptions;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * A volume under an instant restore is OPTIMAL to the engine (its drives are all there) while
 * most of its tracks still come from the backup: the Volumes table and the tree showed a green
 * OPTIMAL for it. They show it is being restored.
 */
class RestoringVolumeTest {

    @TempDir
    Path tmp;

    @Test
    void aVolumeUnderAnInstantRestoreShowsRestoringNotOptimal() throws Exception {
        BackupPools.Made m = BackupPools.withBackup(tmp);
        try (Pool pool = Pool.open(m.pool(), StorageFactory.real(), new PoolOptions(false))) { // the copy waits
            pool.instantRestores().restore(BackupPools.VOLUME, m.store(), null, false, 0);
            PoolSnapshot s = pool.snapshot();

            VolumesViewModel volumes = new VolumesViewModel();
            volumes.apply(s);
            assertThat(volumes.row(BackupPools.VOLUME).reasonProperty().get()).as("the state cell's words")
                    .isEqualTo("RESTORING: 0% · from backup " + m.image());

            NavViewModel nav = new NavViewModel("p");
            nav.apply(s);
            NavItem data = nav.treeProperty().get().groups().get(1).children().get(0);
            assertThat(data.look().word()).isEqualTo("RESTORING");
        }
    }

    /** The volume's own page said the same green OPTIMAL in its header, beside the banner "Being restored". */
    @Test
    void theVolumePageSaysRestoringToo() throws Exception {
        BackupPools.Made m = BackupPools.withBackup(tmp);
        org.splitpoint.app.testing.ManualUi ui = new org.splitpoint.app.testing.ManualUi();
        org.splitpoint.app.bridge.PoolBridge bridge = org.splitpoint.app.bridge.PoolBridge.open(m.pool(),
                new org.splitpoint.app.bridge.CurrentThreadTaskExecutor(), ui);
        try {
            VolumeViewModel vm = new VolumeViewModel(bridge, BackupPools.VOLUME, new RateHistory(),
                    new org.splitpoint.app.workload.Workloads(bridge, new org.splitpoint.app.workload.Expectations(),
                            new org.splitpoint.app.common.ActionStatus()).of(BackupPools.VOLUME));
            bridge.onSnapshot(vm::apply);
            bridge.refresh();
            ui.drain();
            assertThat(vm.lookProperty().get().word()).isEqualTo("OPTIMAL");
            bridge.run(pool -> pool.instantRestores().restore(BackupPools.VOLUME, m.store(), null, false, 64 << 10),
                    ok -> { }, why -> { throw new AssertionError(why); });
            bridge.refresh();
            ui.drain();
            assertThat(vm.stateProperty().get()).as("the engine's word").isEqualTo(
                    org.splitpoint.engine.pool.VolumeState.OPTIMAL);
            assertThat(vm.lookProperty().get().word()).isEqualTo("RESTORING");
        } finally {
            bridge.close();
        }
    }
}
