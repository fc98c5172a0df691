package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * A rebuild ended because its drive failed again (or was replaced for a restore) ends as a job:
 * before, its thread stopped with the job still RUNNING, so 'job list' showed it running for good,
 * and 'wait' (Pool.awaitJobs) waited for it forever, spinning.
 */
class StoppedRebuildTest {

    private static final long DRIVE = 8L << 20;
    private static final int TRACK = 64 * 1024;

    @TempDir
    Path tmp;

    @Test
    void aRebuildWhoseDriveFailsAgainEndsAndIsNotAwaitedForever() throws Exception {
        Path dir = UnrecordedAdminTest.blankPool(tmp.resolve("p"), 2, DRIVE);
        try (Pool p = Pool.open(dir)) {
            UnrecordedAdminTest.degradedMirror(p, TRACK, 0x17);
            Job job = p.admin().replaceDrive("d2", 1 << 20); // 1 MB/s: still running when d2 fails again
            StuckThreads.awaitTrue(() -> job.progress().doneTracks() > 0, "the rebuild under way");
            p.admin().failDrive("d2");
            assertThat(job.await(30_000)).as("the rebuild ended").isTrue();
            assertThat(job.state()).isEqualTo(JobState.CANCELLED);
            assertThat(p.activeJobs()).isEmpty();
            Thread waiter = new Thread(() -> {
                try {
                    p.awaitJobs(null);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            waiter.start();
            waiter.join(10_000);
            assertThat(waiter.isAlive()).as("awaitJobs still waiting").isFalse();
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.FAILED);
        }
    }

    /**
     * The rebuild's last step is done and its end waits for the pool's monitor, which 'drive fail'
     * holds: before, the end then set the drive ONLINE again (pool.json too), over the writes it
     * had missed since it was failed.
     */
    @Test
    void aRebuildEndingAsItsDriveFailsLeavesTheDriveFailed() throws Exception {
        Path dir = UnrecordedAdminTest.blankPool(tmp.resolve("p"), 2, DRIVE);
        try (Pool p = Pool.open(dir)) {
            UnrecordedAdminTest.degradedMirror(p, TRACK, 0x17);
            Job job;
            synchronized (p) {
                job = p.admin().replaceDrive("d2");
                StuckThreads.awaitTrue(() -> job.progress().doneTracks() == job.progress().totalTracks()
                        && waitsForAMonitor("splitpoint-job-" + job.id()), "the rebuild's end waiting for the pool");
                p.admin().failDrive("d2");
            }
            assertThat(job.await(30_000)).isTrue();
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.FAILED);
            p.device("v").write(0, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55)));
            p.device("v").flush();
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.snapshot().drive("d2").state()).as("after reopen").isEqualTo(DriveState.FAILED);
            assertThat(p.read("v", 0, TRACK)).isEqualTo(TestPools.filled(TRACK, 0x55));
        }
    }

    private static boolean waitsForAMonitor(String threadName) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals(threadName) && t.getState() == Thread.State.BLOCKED);
    }
}
