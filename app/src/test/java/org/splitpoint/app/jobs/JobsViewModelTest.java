package org.splitpoint.app.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.DemoPool;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.testing.ManualUi;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Pool;

/** Jobs view model against a real pool: resumed jobs and their speed limit. */
class JobsViewModelTest {

    @TempDir
    Path tmp;
    private final ManualUi ui = new ManualUi();

    @Test
    void aRebuildResumedAtOpenShowsItsSavedLimit() throws Exception {
        Path dir = tmp.resolve("pool");
        DemoPool.create(dir, 32L << 20, DemoPool.TRACK_SIZE); // big enough that the rebuild outlives the setup
        try (Pool pool = Pool.open(dir)) {
            pool.admin().failDrive("d5");
            Job job = pool.admin().replaceDrive("d5");
            job.setThrottle(1_000_000);
        } // closing stops the rebuild at a checkpoint; it resumes on the next open

        PoolBridge bridge = PoolBridge.open(dir, new CurrentThreadTaskExecutor(), ui);
        try {
            JobsViewModel vm = new JobsViewModel(bridge, new ActionStatus());
            bridge.onSnapshot(vm::apply);
            bridge.refresh();
            ui.drain();

            assertThat(vm.rows()).extracting(r -> r.titleProperty().get()).containsExactly("rebuild d5 of prod-bcv");
            assertThat(vm.rows().get(0).limitProperty().get()).isEqualTo(1_000_000);
        } finally {
            bridge.close();
        }
    }

    /** An instant restore's row was titled "instant-restore data": its job id, cut to "instant-restore d...". */
    @Test
    void anInstantRestoreIsTitledByWhatItRestoresAndFromWhichImage() throws Exception {
        org.splitpoint.app.testing.BackupPools.Made m = org.splitpoint.app.testing.BackupPools.withBackup(tmp);
        try (Pool pool = Pool.open(m.pool(), org.splitpoint.engine.io.StorageFactory.real(),
                new org.splitpoint.engine.pool.PoolOptions(false))) { // the copy waits
            pool.instantRestores().restore("data", m.store(), null, false, 0);
            JobsViewModel vm = new JobsViewModel(null, new ActionStatus());
            vm.apply(pool.snapshot());
            assertThat(vm.rows()).extracting(r -> r.titleProperty().get())
                    .containsExactly("instant restore of data from " + m.image());
        }
    }

    /**
     * A restore to a snapshot was titled "snapshot-restore prod" and a journal's ship "journal-ship
     * prod" in the Jobs list, the engine's ids (seen by hand); they say what they do.
     */
    @Test
    void aRestoreToASnapshotAndAJournalShipAreTitledInWords() throws Exception {
        Path dir = org.splitpoint.app.testing.SnapshotPools.withSaveArea(tmp);
        try (Pool pool = Pool.open(dir, org.splitpoint.engine.io.StorageFactory.real(),
                new org.splitpoint.engine.pool.PoolOptions(false))) { // the copy back waits
            pool.snapshots().create("prod", "s1");
            org.splitpoint.app.testing.SnapshotPools.write(pool, 0, 4, 1);
            pool.snapshots().restore("prod", "s1", false, 0);
            JobsViewModel vm = new JobsViewModel(null, new ActionStatus());
            vm.apply(pool.snapshot());
            assertThat(vm.rows()).extracting(r -> r.titleProperty().get()).containsExactly("restore of prod to snapshot s1");
        }
        JobRow ship = new JobRow(new org.splitpoint.engine.job.JobProgress("journal-ship-prod", "journal-ship", "prod",
                org.splitpoint.engine.job.JobState.RUNNING, 1, 10, 65536, 1e6, 9, 0, ""), new JobThrottle(null, new ActionStatus()));
        assertThat(ship.titleProperty().get()).isEqualTo("journal ship of prod");
    }

    @Test
    void aJobIsPausedResumedAndCancelledFromItsRow() throws Exception {
        Path dir = tmp.resolve("pool2");
        DemoPool.create(dir, 32L << 20, DemoPool.TRACK_SIZE);
        PoolBridge bridge = PoolBridge.open(dir, new CurrentThreadTaskExecutor(), ui);
        try {
            ActionStatus status = new ActionStatus();
            JobsViewModel vm = new JobsViewModel(bridge, status);
            bridge.onSnapshot(vm::apply);
            bridge.run(pool -> {
                pool.admin().failDrive("d5");
                pool.admin().replaceDrive("d5", 1_000_000);
                return null;
            }, ok -> { }, e -> { });
            ui.drain();
            JobRow row = vm.rows().get(0);
            assertThat(row.lineProperty().get()).matches("\\d+\\.\\d% · .* · [\\d,]+/[\\d,]+ tracks");
            assertThat(row.limitProperty().get()).isEqualTo(1_000_000);

            vm.pauseOrResume(row);
            ui.drain();
            assertThat(row.pausedProperty().get()).isTrue();
            assertThat(row.lineProperty().get()).contains("PAUSED");
            vm.pauseOrResume(row);
            ui.drain();
            assertThat(row.pausedProperty().get()).isFalse();

            assertThat(JobsViewModel.cancelConsequence(row)).startsWith("The drive stays FAILED");
            vm.cancel(row);
            ui.drain();
            assertThat(vm.rows()).isEmpty();
            assertThat(status.messageProperty().get()).endsWith("rebuild d5 of prod-bcv is CANCELLED");
        } finally {
            bridge.close();
        }
    }
}
