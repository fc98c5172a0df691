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
 * A restore's write-through image that cannot be written any more (its store's disk failing or
 * full) is dropped, and host writes go on: every host write failed with the store's error after
 * it had landed on the volume (and its overwrite bit was committed), for the rest of the restore,
 * so a backup disk filling up made the volume unwritable to its hosts.
 */
class WriteThroughStoreFailsTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void hostWritesGoOnWhenTheWriteThroughImageCannotBeWritten() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, DRIVE, TRACK);
        Path store = tmp.resolve("store");
        byte[] model = BackedUp.volume(dir, store, 95, true);
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            java.util.List<org.splitpoint.engine.event.Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            pool.events().addListener(events::add);
            Job job = pool.instantRestores().restore("v", store, null, true, 0);
            job.pause();
            String wt = pool.instantRestores().restoreOf("v").writeThrough().header().id();
            disk.eio(f -> f.startsWith(store), FaultInjector.Op.WRITE, FaultInjector.Mode.FROM_NTH, 1, 0);
            byte[] written = new byte[TRACK];
            new Random(96).nextBytes(written);
            pool.device("v").write(100L * TRACK, ByteBuffer.wrap(written)); // threw the store's error
            System.arraycopy(written, 0, model, 100 * TRACK, TRACK);
            assertThat(pool.instantRestores().restoreOf("v").writeThrough()).as("the write-through image, dropped").isNull();
            pool.events().drain();
            assertThat(events).anyMatch(e -> e.message().contains("write-through image " + wt) && e.message().contains("is dropped"));
            job.resume();
            assertThat(job.await(60_000)).isTrue();
            assertThat(job.state()).isEqualTo(JobState.DONE);
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), model, "the volume");
        }
    }
}
