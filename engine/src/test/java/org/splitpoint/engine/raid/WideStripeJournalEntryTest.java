package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * RAID 5 over 17 drives: a full-stripe run is cut for a whole volume (4 MiB per member); a member
 * failing while that run waits for its rows' lock leaves it to be journaled, and one entry of the
 * 16 members still written, 64 MiB, does not fit the 64 MiB ring (the host got
 * IllegalArgumentException). The update must be journaled in pieces the ring holds, and the write
 * acknowledged and durable.
 */
class WideStripeJournalEntryTest {

    @TempDir
    Path dir;

    @Test
    void aFullStripeRunThatBecomesDegradedWhileItWaitsIsJournaledInPiecesTheRingHolds() throws Exception {
        TestPools.create(dir, Layout.RAID5, 17, 8L << 20, 1 << 20);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Path d1 = null;
        int len;
        byte[] data;
        try (Pool p = Pool.open(dir, inj)) {
            ParityVolume v = (ParityVolume) p.volume("v");
            len = (int) (v.stripUnit() * 16L * 64); // 64 stripes: 4 MiB on each of the 17 members
            data = new byte[len];
            new Random(7).nextBytes(data);
            // writer A: a piece of stripe 0, held at its member write to d1 with the stripe's rows locked
            Runnable releaseA = inj.holdReleasable(FaultInjector.Op.WRITE,
                    f -> f.getFileName().toString().equals("d1.img"), t -> t.getName().equals("writer-A"), 60_000);
            AtomicReference<Throwable> failedA = new AtomicReference<>();
            Thread a = new Thread(() -> {
                try {
                    v.write(0, ByteBuffer.wrap(new byte[4096]));
                } catch (Throwable e) {
                    failedA.set(e);
                }
            }, "writer-A");
            a.start();
            Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> inj.waitingOnHolds() == 1);
            // writer B: the whole run from stripe 0, decided while the volume is whole; it waits for A's rows
            AtomicReference<Throwable> failedB = new AtomicReference<>();
            Thread b = new Thread(() -> {
                try {
                    v.write(0, ByteBuffer.wrap(data));
                } catch (Throwable e) {
                    failedB.set(e);
                }
            }, "writer-B");
            b.start();
            Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> b.getState() == Thread.State.WAITING
                    || b.getState() == Thread.State.TIMED_WAITING);
            // d1 fails under A's write: A goes on degraded, then B finds the volume degraded
            inj.eio(f -> f.getFileName().toString().equals("d1.img"), FaultInjector.Op.WRITE,
                    FaultInjector.Mode.FROM_NTH, 1, 1);
            releaseA.run();
            a.join(60_000);
            b.join(120_000);
            assertThat(failedA.get()).as("writer A").isNull();
            assertThat(failedB.get()).as("writer B, the 64-stripe run").isNull();
            v.flush();
            assertThat(p.read("v", 0, len)).isEqualTo(data);
        }
        try (Pool p = Pool.open(dir)) {
            assertThat(p.read("v", 0, len)).as("the run after a reopen without d1").isEqualTo(data);
        }
    }
}
