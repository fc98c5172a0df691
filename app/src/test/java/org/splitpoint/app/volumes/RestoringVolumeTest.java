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
}
