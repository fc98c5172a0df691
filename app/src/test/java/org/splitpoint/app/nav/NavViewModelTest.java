package org.splitpoint.app.nav;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.BackupPools;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolSnapshot;

/** The navigation tree: pool → drives, volumes (each), pairs (each), with states. */
class NavViewModelTest {

    @TempDir
    Path tmp;

    @Test
    void theTreeListsVolumesAndPairsWithTheirStates() throws Exception {
        try (Pool pool = Pool.open(TestPools.demo(tmp))) {
            NavViewModel vm = new NavViewModel("demo");
            vm.apply(pool.snapshot());
            vm.apply(pool.pairs().query(null));

            NavViewModel.Tree t = vm.treeProperty().get();
            assertThat(t.pool().look().word()).isEqualTo("HEALTHY");
            assertThat(t.groups()).extracting(g -> g.item().label()).containsExactly("Drives (6)", "Volumes (2)", "Pairs (1)", "Backups", "Drills",
                    "Serving (NBD)");
            assertThat(t.groups().get(1).children()).extracting(NavItem::key).containsExactly("volume:prod", "volume:prod-bcv");
            assertThat(t.groups().get(2).children().get(0).look().word()).isEqualTo("Synchronized");
            assertThat(NavItem.nameIn("pair:prod-pair", "pair")).isEqualTo("prod-pair");
            assertThat(NavItem.nameIn("volume:prod", "pair")).isNull();
            assertThat(vm.selectedProperty().get()).isEqualTo(NavItem.DRIVES);
            assertThat(t.groups().get(1).below()).as("no volume is FAILED or restored").isEmpty();
        }
    }

    /**
     * A volume OPTIMAL again after a second failure in a pointers window lost tracks (reads of them
     * fail): the pool says CRITICAL, and the tree said the volume was a green OPTIMAL.
     */
    @Test
    void aVolumeWithLostTracksIsNotShownOptimal() throws Exception {
        try (Pool pool = Pool.open(TestPools.demo(tmp))) {
            PoolSnapshot s = pool.snapshot();
            PoolSnapshot lost = new PoolSnapshot(s.path(), s.trackSize(), s.drives(), s.volumes().stream()
                    .map(v -> !v.name().equals("prod") ? v : new PoolSnapshot.VolumeView(v.name(), v.layout(), v.state(),
                            v.stateReason(), v.size(), v.drives(), v.stripUnit(), v.bytesRead(), v.bytesWritten(),
                            v.dirtyTracks(), v.lastBackup(), v.restore(), java.util.List.of(3L, 4L, 9L), v.stripeJournal(),
                            v.problems())).toList(), s.jobs(), s.problems(), s.snapshots(), s.saveArea(), s.snapshotRestores());
            NavViewModel vm = new NavViewModel("demo");
            vm.apply(lost);

            NavViewModel.Tree t = vm.treeProperty().get();
            assertThat(t.pool().look().word()).isEqualTo("CRITICAL");
            NavItem prod = t.groups().get(1).children().get(0);
            assertThat(prod.look().word()).isEqualTo("TRACKS LOST");
            assertThat(prod.look().tone()).isEqualTo(StateLook.Tone.BAD);
            assertThat(t.groups().get(1).children().get(1).look().word()).isEqualTo("OPTIMAL");
        }
    }

    @Test
    void aFailedVolumeHasItsInstantRestoreEntryUnderItWhichStaysOnceOpened() throws Exception {
        BackupPools.Made m = BackupPools.failed(tmp);
        try (Pool pool = Pool.open(m.pool())) {
            NavViewModel vm = new NavViewModel("p");
            vm.apply(pool.snapshot());

            NavViewModel.Group volumes = vm.treeProperty().get().groups().get(1);
            assertThat(volumes.children().get(0).look().word()).isEqualTo("FAILED");
            assertThat(volumes.below().get("volume:data")).extracting(NavItem::key, NavItem::label)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("restore:data", "Instant restore"));
            assertThat(NavItem.nameIn("restore:data", "restore")).isEqualTo("data");

            vm.keepRestore("data");
            pool.instantRestores().restore("data", m.store(), null, false, 0).await(30_000);
            vm.apply(pool.snapshot());
            NavItem entry = vm.treeProperty().get().groups().get(1).below().get("volume:data").get(0);
            assertThat(entry.look().word()).as("restored: the entry stays, with how it ended").isEqualTo("DONE");
        }
    }

    /**
     * A volume FAILED by a second failure while a member is OFFLINE in a data-mode window (a drill's
     * second failure): its page leads with bringing that drive back (the writes are in the window's
     * log), but the tree offered "Instant restore" under it, a restore from a backup that loses every
     * write since the backup. The tree offers no restore there; the drive's return brings the volume back.
     */
    @Test
    void aVolumeFailedWhileAMemberIsInAServiceWindowHasNoInstantRestoreEntry() throws Exception {
        BackupPools.Made m = BackupPools.withBackup(tmp);
        try (var fast = org.splitpoint.app.testing.ServiceStepScale.set("0");
             Pool pool = Pool.open(m.pool())) {
            pool.service().offline("d1", org.splitpoint.engine.pool.OfflineReason.RESET,
                    org.splitpoint.engine.pool.LogMode.DATA).await(30_000);
            pool.device(BackupPools.VOLUME).write(0, java.nio.ByteBuffer.wrap(new byte[4096]));
            pool.admin().failDrive("d2");
            NavViewModel vm = new NavViewModel("p");
            vm.apply(pool.snapshot());

            NavViewModel.Group volumes = vm.treeProperty().get().groups().get(1);
            assertThat(volumes.children().get(0).look().word()).isEqualTo("FAILED");
            assertThat(volumes.below().get("volume:" + BackupPools.VOLUME)).isNull();

            // the administrator opened the restore view anyway (the banner's Restore from backup…): it stays
            vm.keepRestore(BackupPools.VOLUME);
            assertThat(vm.treeProperty().get().groups().get(1).below().get("volume:" + BackupPools.VOLUME))
                    .extracting(NavItem::label).containsExactly("Instant restore");
        }
    }
}
