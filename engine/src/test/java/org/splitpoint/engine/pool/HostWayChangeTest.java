package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;

/**
 * A host's request finds its way (the pool's host view: a restore's view, a pair's side, or the
 * volume) and then runs on it. A request that found the volume itself just before an instant
 * restore began, and reached the disk after, landed below the restore: the track stayed owed, so
 * the restore's copy put the backup's (or the snapshot's) track over a write acknowledged after the
 * restore had begun. A change of the way waits for the requests under way on the old one.
 */
class HostWayChangeTest {

    private static final int TRACK = 4096;
    private static final long OFF = 20L * TRACK;

    @TempDir
    Path tmp;

    /** Begins a restore of volume v in {@code pool}, throttled to a track a second. */
    private interface Begin {
        Job begin(Pool pool) throws Exception;
    }

    @Test
    void aWriteUnderWayWhenARestoreFromABackupBeginsIsNotUndoneByIt() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 1 << 20, TRACK);
        Path store = tmp.resolve("store");
        byte[] image = BackedUp.volume(dir, store, 3, false);
        writeDuringTheBeginning(dir, image, p -> p.instantRestores().restore("v", store, null, false, TRACK));
    }

    @Test
    void aWriteUnderWayWhenARestoreToASnapshotBeginsIsNotUndoneByIt() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK, 1L << 20);
        byte[] image;
        try (Pool pool = Pool.open(dir)) {
            pool.snapshots().setSaveArea("save");
            image = random((int) pool.volume("v").size(), 5);
            pool.device("v").write(0, ByteBuffer.wrap(image));
            pool.snapshots().create("v", "s1");
            pool.device("v").write(0, ByteBuffer.wrap(random(image.length, 6))); // every track changed since
        }
        writeDuringTheBeginning(dir, image, p -> p.snapshots().restore("v", "s1", false, TRACK));
    }

    /**
     * A host's write to v is held at the disk (after it found its way) while the restore begins,
     * then let go: acknowledged after the restore began, it must be kept; acknowledged before (the
     * beginning waited for it), it is restored over.
     */
    private void writeDuringTheBeginning(Path dir, byte[] restoredTo, Begin restore) throws Exception {
        FaultInjector inj = new FaultInjector(StorageFactory.real())
                .hold(FaultInjector.Op.WRITE, p -> p.toString().contains("drives"),
                        t -> t.getName().equals("host-writer"), 30_000);
        byte[] w = random(TRACK, 4);
        AtomicLong acked = new AtomicLong();
        AtomicLong begun = new AtomicLong();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        try (Pool pool = Pool.open(dir, inj)) {
            Thread writer = new Thread(() -> {
                try {
                    pool.device("v").write(OFF, ByteBuffer.wrap(w));
                    acked.set(System.nanoTime());
                } catch (Throwable e) {
                    failed.set(e);
                }
            }, "host-writer");
            writer.start();
            long until = System.currentTimeMillis() + 10_000;
            while (inj.waitingOnHolds() == 0 && System.currentTimeMillis() < until) {
                Thread.sleep(2);
            }
            assertThat(inj.waitingOnHolds()).as("the host's write is under way on the volume").isPositive();
            Job[] job = new Job[1];
            Thread restorer = new Thread(() -> {
                try {
                    job[0] = restore.begin(pool);
                    begun.set(System.nanoTime());
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            restorer.start();
            until = System.currentTimeMillis() + 10_000; // the restore begins, or waits for the write under way
            while (begun.get() == 0 && !StuckThreads.waitsIn(restorer, "holdWay") && System.currentTimeMillis() < until) {
                Thread.sleep(2);
            }
            inj.releaseHolds();
            writer.join(10_000);
            restorer.join(10_000);
            assertThat(failed.get()).isNull();
            job[0].setThrottle(0);
            assertThat(job[0].await(30_000)).isTrue();
            byte[] got = new byte[TRACK];
            pool.device("v").read(OFF, ByteBuffer.wrap(got));
            boolean ackedAfterTheRestoreBegan = acked.get() > begun.get();
            byte[] expected = ackedAfterTheRestoreBegan ? w : Arrays.copyOfRange(restoredTo, (int) OFF, (int) OFF + TRACK);
            assertThat(Arrays.equals(got, expected)).as(ackedAfterTheRestoreBegan
                    ? "a write acknowledged after the restore began is kept"
                    : "a write acknowledged before the restore began is restored over").isTrue();
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
