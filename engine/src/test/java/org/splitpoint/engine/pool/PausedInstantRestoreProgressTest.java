package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * While an instant restore from a backup is paused, host reads go on restoring the tracks they
 * read (fetched from the backup and written behind): the job's progress (the Jobs view's, the
 * status bar's, {@code job list}'s) follows them instead of staying at its paused figure, as a
 * paused pair restore's does.
 */
class PausedInstantRestoreProgressTest {

    private static final int TRACK = 64 << 10;

    @TempDir
    Path tmp;

    @Test
    void aPausedInstantRestoresProgressFollowsTheTracksReadsRestore() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 8L << 20, TRACK); // 128 tracks: a step copies 16
        Path store = tmp.resolve("store");
        BackedUp.volume(dir, store, 81, true);
        try (Pool pool = Pool.open(dir, org.splitpoint.engine.io.StorageFactory.real(), new PoolOptions(false))) {
            Job job = pool.instantRestores().restore("v", store, null, false, -1);
            job.stepOnce(); // one step: the copy has begun
            InstantRestore r = pool.instantRestores().restoreOf("v");
            long owedBefore = r.owedTracks().cardinality();
            assertThat(owedBefore).isGreaterThan(4);
            job.pause();
            long doneBefore = job.progress().doneTracks();
            long first = r.owedTracks().nextSetBit(0);
            pool.device("v").read(first * TRACK, ByteBuffer.allocate(4 * TRACK)); // owed tracks, fetched and written behind
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (r.owedTracks().cardinality() > owedBefore - 4 && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            long restoredByReads = owedBefore - r.owedTracks().cardinality();
            assertThat(restoredByReads).as("tracks the read restored").isGreaterThan(0);
            assertThat(job.progress().state()).isEqualTo(JobState.PAUSED);
            assertThat(job.progress().doneTracks()).as("the paused job's figure").isEqualTo(doneBefore + restoredByReads);
        }
    }
}
