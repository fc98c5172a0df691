package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/** A restore stopped on damaged tracks must keep the pool at WARNING after other jobs finish. */
class RestoreStoppedHealthTest {

    private static final int TRACK = 64 << 10;

    @TempDir
    Path tmp;

    @Test
    void aStoppedRestoreStaysWarningAfterFiveOtherJobsFinish() throws Exception {
        Path dir = tmp.resolve("pool");
        Pool.create(dir, 12, 1L << 20, TRACK, org.splitpoint.engine.io.StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
            for (int i = 1; i <= 5; i++) {
                p.admin().createVolume("w" + i, Layout.RAID1, List.of("d" + (2 * i + 1), "d" + (2 * i + 2)), 0);
            }
        }
        Path store = tmp.resolve("store");
        BackedUp.volume(dir, store, 65, false);
        BackedUp.damage(store, 5L * TRACK + 10);
        try (Pool pool = Pool.open(dir)) {
            Job job = pool.instantRestores().restore("v", store, null, false, 0);
            assertThat(job.await(60_000)).isTrue();
            assertThat(job.state()).isEqualTo(JobState.FAILED);
            assertThat(pool.snapshot().health()).isEqualTo(PoolSnapshot.Health.WARNING);
            for (int i = 1; i <= 5; i++) { // other work of the pool: a backup of each other volume
                Job b = pool.backups().backup("w" + i, tmp.resolve("store-w"), true, 0);
                assertThat(b.await(60_000)).isTrue();
                assertThat(b.state()).isEqualTo(JobState.DONE);
            }
            assertThat(pool.instantRestores().restoreOf("v")).as("still under way, track 5 unreadable").isNotNull();
            PoolSnapshot snap = pool.snapshot();
            assertThat(snap.restoreStopped(snap.volume("v"))).as("restoreStopped(v)").isTrue();
            assertThat(pool.snapshot().health()).as("track 5 of v still cannot be read")
                    .isEqualTo(PoolSnapshot.Health.WARNING);
        }
    }
}
