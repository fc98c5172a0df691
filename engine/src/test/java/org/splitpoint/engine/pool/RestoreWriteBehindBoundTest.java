package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * During an instant restore, tracks fetched from the backup for hosts' reads wait in memory for the
 * write-behind thread; they are bounded in bytes, not only in number: up to 256 tracks were held, 4
 * GiB of heap for a random reader of a pool of 16 MiB tracks. Past 64 MiB a read's fetch writes its
 * track to the volume itself, and every read still answers the backup's bytes.
 */
class RestoreWriteBehindBoundTest {

    private static final int TRACK = 2 << 20;

    @TempDir
    Path tmp;

    @Test
    void readsOfFiftyOwedTracksOfTwoMegabytesHoldAtMostSixtyFourMegabytes() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), org.splitpoint.engine.pool.Layout.RAID1, 2, 52L * TRACK, TRACK);
        Path store = tmp.resolve("store");
        byte[] image;
        try (Pool pool = Pool.open(dir)) {
            BlockDevice v = pool.device("v");
            image = new byte[(int) v.size()];
            new Random(31).nextBytes(image);
            v.write(0, ByteBuffer.wrap(image));
            assertThat(pool.backups().backup("v", store, true, 0).await(60_000)).isTrue();
            byte[] other = new byte[image.length];
            new Random(32).nextBytes(other);
            v.write(0, ByteBuffer.wrap(other));
            v.flush();
        }
        int tracks = image.length / TRACK;
        assertThat(tracks).isGreaterThanOrEqualTo(40);
        // the write-behind thread's writes wait: every fetched track stays in memory unless bounded
        FaultInjector inj = new FaultInjector(StorageFactory.real()).hold(FaultInjector.Op.WRITE,
                f -> f.getFileName().toString().endsWith(".img"),
                t -> t.getName().startsWith("splitpoint-restore-writeback"), 60_000);
        try (Pool pool = Pool.open(dir, inj, new PoolOptions(false))) {
            // jobs are not started in a pool opened so: every owed track read is fetched for the read
            Job bulk = pool.instantRestores().restore("v", store, null, false, 0);
            InstantRestore r = pool.instantRestores().restoreOf("v");
            BlockDevice v = pool.device("v");
            long most = 0;
            byte[] one = new byte[1];
            for (int t = tracks - 1; t >= 1; t--) {
                long at = (long) t * TRACK + 12345;
                v.read(at, ByteBuffer.wrap(one));
                assertThat(one[0]).as("track %d read from the backup", t).isEqualTo(image[(int) at]);
                most = Math.max(most, r.writeBehindBytes());
            }
            assertThat(most).as("bytes of fetched tracks held for the write-behind thread")
                    .isLessThanOrEqualTo(64L << 20).isGreaterThan(0);
            inj.releaseHolds();
            bulk.start();
            boolean done = bulk.await(20_000);
            if (!done) {
                System.err.println(bulk.progress().line());
                for (var e : Thread.getAllStackTraces().entrySet()) {
                    if (e.getKey().getName().startsWith("splitpoint")) {
                        System.err.println("--- " + e.getKey().getName() + " " + e.getKey().getState());
                        for (StackTraceElement el : e.getValue()) {
                            System.err.println("    at " + el);
                        }
                    }
                }
            }
            assertThat(done).isTrue();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), image, "the volume restored");
        }
    }
}
