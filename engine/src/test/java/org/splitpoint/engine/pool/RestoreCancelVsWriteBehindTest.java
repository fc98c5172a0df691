package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * The end of an instant restore stops its write-behind before hosts write the volume directly: a
 * cancel let host requests go straight to the volume (not under the restore's track locks) while the
 * write-behind thread still wrote the tracks reads had fetched, if still owed, which a cancelled
 * restore's tracks are; so the backup's track landed over a host's write acknowledged after the cancel.
 */
class RestoreCancelVsWriteBehindTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aWriteAfterTheCancelIsNeverOverwrittenByATrackFetchedBefore() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, DRIVE, TRACK);
        Path store = tmp.resolve("store");
        BackedUp.volume(dir, store, 91, true);
        long[] fetched = {100, 150, 200, 250};
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            Job job = pool.instantRestores().restore("v", store, null, false, TRACK); // a track a second
            // the write-behind's writes wait, so the tracks the reads fetched wait in its queue
            disk.hold(FaultInjector.Op.WRITE, f -> true, t -> t.getName().startsWith("splitpoint-restore-writeback-"), 1_000);
            for (long t : fetched) {
                pool.device("v").read(t * TRACK, ByteBuffer.allocate(512));
            }
            assertThat(pool.instantRestores().restoreOf("v").writeBehindBytes()).as("tracks waiting to be written behind").isGreaterThanOrEqualTo(2L * TRACK);
            // the cancel's pool.json waits too: the restore's files close a while after hosts go to the volume
            disk.hold(FaultInjector.Op.WRITE, f -> f.getFileName().toString().startsWith("pool.json"), t -> true, 10_000);
            job.cancel();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (pool.instantRestores().restoreOf("v") != null && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            byte[][] written = new byte[fetched.length][TRACK];
            for (int i = fetched.length - 1; i >= 0; i--) { // acknowledged after the restore ended; the last queued first
                new Random(92 + i).nextBytes(written[i]);
                pool.device("v").write(fetched[i] * TRACK, ByteBuffer.wrap(written[i]));
            }
            assertThat(job.await(60_000)).isTrue();
            assertThat(job.state()).isEqualTo(JobState.CANCELLED);
            while (disk.waitingOnHolds() > 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            for (int i = 0; i < fetched.length; i++) {
                byte[] got = new byte[TRACK];
                pool.device("v").read(fetched[i] * TRACK, ByteBuffer.wrap(got));
                TestPools.assertSameBytes(got, written[i], "track " + fetched[i] + ", written after the cancel");
            }
        }
    }
}
