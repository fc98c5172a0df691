package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * A job stopped by the pool's close whose last checkpoint cannot be saved (pool.json's file system
 * full) has not ended: it resumes from its checkpoint before at the next opening, so the history
 * does not list it, least of all as FAILED.
 */
class StopCheckpointFailureTest {

    private static final long DRIVE = 8L << 20;
    private static final int TRACK = 64 * 1024;

    @TempDir
    Path tmp;

    @Test
    void aRebuildWhoseStopCheckpointFailsIsResumedAndNotListedAsFailed() throws Exception {
        Path dir = UnrecordedAdminTest.blankPool(tmp.resolve("p"), 2, DRIVE);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool p = Pool.open(dir, inj);
        Job job;
        try {
            UnrecordedAdminTest.degradedMirror(p, (int) (DRIVE / 2), 0x6B);
            job = p.admin().replaceDrive("d2", 1 << 20); // 1 MB/s: still running at the close
            StuckThreads.awaitTrue(() -> job.progress().doneTracks() > 0, "the rebuild under way");
            inj.diskFullAfter(UnrecordedAdminTest.CONFIG, 0);
        } finally {
            p.close();
        }
        assertThat(job.state()).as("stopped by the close, not ended").isNotIn(JobState.FAILED, JobState.CANCELLED,
                JobState.DONE);
        assertThat(JobHistory.readSaved(dir)).as("jobs that ended").isEmpty();
        try (Pool q = Pool.open(dir)) {
            assertThat(q.activeJobs()).as("the rebuild resumed").hasSize(1);
            ServicePools.awaitJobs(q);
            assertThat(q.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            assertThat(q.admin().verify("v", false, null)).as("mirror mismatches").isZero();
            assertThat(q.read("v", 0, TRACK)).isEqualTo(TestPools.filled(TRACK, 0x6B));
        }
    }
}
