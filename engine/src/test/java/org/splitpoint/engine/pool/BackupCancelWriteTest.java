package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.pool;
import static org.splitpoint.engine.pool.ServicePools.read;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A host write inside a backup's copy-before-write as the backup is cancelled. The write runs the
 * volume's observers in turn: the changed-block map first (it fsyncs a bit it sets), then the
 * backup's copy-before-write, which copies the track's old bytes into the image. The cancel took
 * the observer away and abandoned (closed) the image without waiting for writes already past the
 * observer list; the write then copied into a closed image and the host got "image ... is closed"
 * for a write that had nothing left to keep. Here the write's fsync of the map is held until the
 * cancel has run as far as it goes.
 */
class BackupCancelWriteTest {

    @TempDir
    Path tmp;

    @Test
    void aHostWriteInTheCopyBeforeWriteAsTheBackupIsCancelledSucceeds() throws Exception {
        Path dir = pool(tmp, "p", Layout.RAID1, 2);
        byte[] image;
        try (Pool p = Pool.open(dir)) {
            RaidVolume v = p.volume("v");
            image = new byte[(int) v.size()];
            new Random(5).nextBytes(image);
            v.write(0, ByteBuffer.wrap(image));
            v.flush();
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool p = Pool.open(dir, inj, new PoolOptions(false)); // the backup's job runs when the test says
        try {
            RaidVolume v = p.volume("v");
            Job backup = p.backups().backup("v", tmp.resolve("store"), true, 0);
            Path map = p.paths.changeMap("v").toAbsolutePath().normalize();
            inj.holdForces(f -> f.toAbsolutePath().normalize().equals(map), t -> t.getName().equals("host-write"), 60_000);
            byte[] write = new byte[TRACK];
            Arrays.fill(write, (byte) 0x6b);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread host = StuckThreads.start("host-write", () -> v.write(3L * TRACK, ByteBuffer.wrap(write)), failed);
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0, "the write fsyncing the changed-block map");

            backup.cancel();
            backup.start();
            // the cancel's end runs as far as it goes: to its end, or to a wait for the write
            StuckThreads.awaitTrue(() -> backup.state().isFinished() || jobWaitsForTheGate(), "the cancel's end");
            inj.releaseHolds();
            host.join(20_000);
            assertThat(host.isAlive()).as("the host's write returned").isFalse();
            assertThat(failed.get()).as("the host's write").isNull();
            assertThat(backup.await(20_000)).isTrue();
            assertThat(backup.state()).isEqualTo(JobState.CANCELLED);
            System.arraycopy(write, 0, image, 3 * TRACK, TRACK);
            assertThat(Arrays.mismatch(read(v, 0, image.length), image)).as("the volume's bytes").isNegative();
        } finally {
            inj.releaseHolds();
            p.close();
        }
        try (Pool p2 = Pool.open(dir)) {
            assertThat(Arrays.mismatch(read(p2.volume("v"), 0, image.length), image)).as("after a reopen").isNegative();
        }
    }

    private static boolean jobWaitsForTheGate() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("splitpoint-job-backup") && StuckThreads.waitsIn(t, "lockGateExclusively")) {
                return true;
            }
        }
        return false;
    }
}
