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
 * A backup's copier takes the volume's gate before its own track lock, as a host write does around
 * its copy-before-write (its own class: threads stuck by a deadlock outlive the test).
 *
 * <p>The cycle it closes: a host write holds the gate for reading and, in the backup's observer, waits
 * for the lock of a track the copier holds; a membership change (a drive failing) queues for the gate
 * exclusively behind the write; the copier, holding that track's lock, then asks the gate for reading
 * and is queued behind the change (a read-write lock lets no new reader past a queued writer). Each
 * waits for the next: the write, the failing drive and the backup hung for good.
 */
class BackupLockOrderTest {

    @TempDir
    Path tmp;

    /**
     * Whether the copier or the woken write takes track 1's lock first is up to the scheduler (the
     * old code hung in 4 runs of 6), so the scene is played eight times, each on a pool of its own.
     */
    @Test
    void aHostWriteAcrossTwoTracksAndADriveFailingDuringABackupAllFinish() throws Exception {
        for (int round = 0; round < 8; round++) {
            oneRound(round);
        }
    }

    private void oneRound(int round) throws Exception {
        Path dir = pool(tmp, "bk" + round, Layout.RAID5, 3);
        byte[] image;
        try (Pool p = Pool.open(dir)) {
            RaidVolume v = p.volume("v");
            image = new byte[(int) v.size()];
            new Random(11).nextBytes(image);
            v.write(0, ByteBuffer.wrap(image));
            v.flush();
        }
        Path store = tmp.resolve("store" + round);
        // the copier's first member read waits (up to a minute) until released: it then holds the
        // gate for reading and track 0's lock while the write and the failure line up behind it
        FaultInjector inj = new FaultInjector(StorageFactory.real()).hold(FaultInjector.Op.READ,
                f -> f.getFileName().toString().endsWith(".img"),
                t -> t.getName().startsWith("splitpoint-job-backup"), 60_000);
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        Thread host = null;
        Thread admin = null;
        boolean finished = false;
        try {
            RaidVolume v = p.volume("v");
            Job backup = p.backups().backup("v", store, true, 0);
            backup.start();
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0, "the copier reading track 0");

            byte[] write = new byte[8192];
            new Random(12).nextBytes(write);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            // the end of track 0 and the start of track 1
            host = StuckThreads.start("host-writer", () -> v.write(TRACK - 4096, ByteBuffer.wrap(write)), failed);
            Thread h = host;
            StuckThreads.awaitTrue(() -> StuckThreads.waiting(h),
                    "the host write waiting for track 0's copy");

            admin = StuckThreads.start("admin-fail", () -> p.admin().failDrive("d3"), failed);
            Thread a = admin;
            StuckThreads.awaitTrue(() -> StuckThreads.waiting(a),
                    "the drive failure queued for the gate");

            inj.releaseHolds();
            boolean done = StuckThreads.finished(
                    n -> n.equals("host-writer") || n.equals("admin-fail") || n.startsWith("splitpoint-job-backup"), host, admin);
            assertThat(done).as("round " + round + ": the host write and the drive failure finished (no deadlock with the backup's copier)")
                    .isTrue();
            assertThat(failed.get()).isNull();
            assertThat(backup.await(60_000)).isTrue();
            assertThat(backup.state()).isEqualTo(JobState.DONE);

            byte[] now = image.clone();
            System.arraycopy(write, 0, now, TRACK - 4096, write.length);
            assertThat(Arrays.equals(read(v, 0, now.length), now)).as("the volume has the host's write").isTrue();
            finished = true;
        } finally {
            inj.releaseHolds();
            if (finished) {
                p.close();
            } else {
                p.abandon(); // threads may still hold its locks
            }
        }
        if (round > 0) {
            return;
        }
        // the image holds the volume as it was at the backup's instant: before the host's write
        try (Pool p2 = Pool.open(dir)) {
            Job restore = p2.instantRestores().restore("v", store, null, false, 0);
            restore.start();
            assertThat(restore.await(60_000)).isTrue();
            assertThat(Arrays.equals(read(p2.volume("v"), 0, image.length), image))
                    .as("the backup image is the volume as it was when the backup started").isTrue();
        }
    }
}
