package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;
import static org.splitpoint.engine.pool.ServicePools.*;

/** Review finding: a deadlock (its own class: the stuck threads outlive the test). */
@QuickServiceSteps
class ServiceReviewDeadlockTest {

    @TempDir
    Path tmp;

    /**
     * Repository mode: ServiceResync.finished() replays the last pieces inside v.exclusive() via
     * writeBelowRedirect, which calls the write observers. A running backup's copy-before-write
     * observer takes its per-track lock; the backup's own thread holds that lock while it waits in
     * volume.read for the gate the finisher holds for writing: a deadlock (pool monitor held too).
     */
    @Test
    void aRepositoryReturnsLastPassDoesNotDeadlockWithARunningBackup() throws Exception {
        Path a = pool(tmp, "bk", Layout.RAID5, 3);
        byte[] image;
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            image = new byte[(int) v.size()];
            new Random(5).nextBytes(image);
            v.write(0, ByteBuffer.wrap(image));
            v.flush();
        }
        Path store = tmp.resolve("store");
        org.splitpoint.engine.io.FaultInjector inj = new org.splitpoint.engine.io.FaultInjector(
                org.splitpoint.engine.io.StorageFactory.real()).hold(org.splitpoint.engine.io.FaultInjector.Op.WRITE,
                f -> f.startsWith(store), t -> t.getName().startsWith("splitpoint-job-backup"), 300);
        Pool p = Pool.open(a, inj, new PoolOptions(false));
        try {
            RaidVolume v = p.volume("v");
            p.service().offline("d2", OfflineReason.REPLACEMENT, LogMode.REPOSITORY);
            v.write(0, ByteBuffer.wrap(new byte[4096]));
            v.flush();
            Job resync = p.service().online("d2"); // its first pass: the repository as it is now
            byte[] big = new byte[30 * TRACK];
            new Random(6).nextBytes(big);
            v.write(TRACK, ByteBuffer.wrap(big)); // for the last pass
            v.flush();
            Job backup = p.backups().backup("v", store, true, 0);
            backup.start();
            Thread.sleep(1000); // the backup is a few tracks in
            Thread finisher = new Thread(() -> {
                while (resync.stepOnce()) {
                    // the passes, then finished()
                }
            }, "finisher");
            finisher.start();
            finisher.join(20_000);
            boolean stuck = finisher.isAlive();
            if (stuck) {
                for (var e : Thread.getAllStackTraces().entrySet()) {
                    String n = e.getKey().getName();
                    if (n.equals("finisher") || n.startsWith("splitpoint-job-backup")) {
                        System.err.println("--- " + n + " " + e.getKey().getState());
                        for (StackTraceElement el : e.getValue()) {
                            if (el.getClassName().startsWith("org.splitpoint")) {
                                System.err.println("    at " + el);
                            }
                        }
                    }
                }
            }
            assertThat(stuck).as("the repository return's last pass finished (no deadlock with the backup)").isFalse();
            assertThat(resync.state()).isEqualTo(JobState.DONE);
            inj.releaseHolds(); // the slow store has done its part: the backup may finish at speed
            assertThat(backup.await(60_000)).isTrue();
        } finally {
            inj.releaseHolds();
            p.abandon();
        }
    }

}
