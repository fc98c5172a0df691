package org.splitpoint.app.nav;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.BackupPools;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.pool.Pool;

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
}
