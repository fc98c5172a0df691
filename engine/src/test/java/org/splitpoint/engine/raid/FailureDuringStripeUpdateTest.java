package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * A member fails (found by another thread's I/O) while a stripe update that began on the whole
 * volume, unjournaled, is between its member writes: the absence must not be recorded, and the
 * update acknowledged, with that stripe's data and parity durable on the other members only in
 * part. Otherwise a power cut leaves the stripe torn with the member absent, and the failed
 * member's rows there, acknowledged and flushed long before, are rebuilt from torn parity as garbage.
 *
 * <p>RAID 5 of d1, d2, d3: stripe 0 has data strip 0 on d1, data strip 1 on d2,
 * parity on d3. A host writes strip 0 (a reconstruct-write: d1 is written, then d3's parity), its
 * parity write held; meanwhile a read of d2 (in stripe 2) fails with EIO, so d2 FAILED is recorded.
 * The power goes after the write returned, before any flush.
 */
class FailureDuringStripeUpdateTest {

    @TempDir
    Path dir;

    @Test
    void theFailedMembersFlushedBytesSurviveAPowerCutAfterAStripeUpdateItInterrupted() throws Exception {
        TestPools.create(dir, Layout.RAID5, 3, 4 << 20, 4096);
        FaultInjector inj = new FaultInjector(StorageFactory.real())
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"))
                .powerCutAfterWrite(Long.MAX_VALUE, 0, 1)
                .unforcedWritesLost();
        Pool pool = Pool.open(dir, inj);
        ParityVolume v = (ParityVolume) pool.volume("v");
        int unit = v.stripUnit();
        byte[] old = TestPools.filled(2 * unit, 0x11);
        Arrays.fill(old, unit, 2 * unit, (byte) 0x22); // stripe 0: strip 0 (d1) 0x11, strip 1 (d2) 0x22
        byte[] fresh = TestPools.filled(unit, 0x33);
        assertThat(v.parityMember(0)).isEqualTo(2);
        assertThat(v.dataMember(2, 0)).isEqualTo(1);
        v.write(0, ByteBuffer.wrap(old));
        v.flush(); // d2's 0x22 is acknowledged and durable

        Runnable parityGoes = inj.holdReleasable(FaultInjector.Op.WRITE, p -> p.getFileName().toString().equals("d3.img"),
                t -> t.getName().equals("writer"), 60_000);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                v.write(0, ByteBuffer.wrap(fresh)); // d1 gets 0x33, then d3 the parity (held)
            } catch (Throwable e) {
                failed.compareAndSet(null, e);
            }
        }, "writer");
        writer.start();
        org.awaitility.Awaitility.await().until(() -> inj.waitingOnHolds() == 1);

        inj.eio(p -> p.getFileName().toString().equals("d2.img"), FaultInjector.Op.READ, FaultInjector.Mode.FROM_NTH, 1, 1);
        Thread reader = new Thread(() -> {
            try {
                v.read(2L * 2 * unit, ByteBuffer.allocate(unit)); // stripe 2's strip 0 is on d2: EIO, d2 FAILED
            } catch (Throwable e) {
                failed.compareAndSet(null, e);
            }
        }, "reader");
        reader.start();
        // the reader records d2's absence, or waits (settling the volume) for the update in flight to end
        org.awaitility.Awaitility.await().until(() -> !reader.isAlive() || waitsToSettle(reader));
        parityGoes.run();
        writer.join();
        reader.join();
        assertThat(failed.get()).isNull();
        assertThat(pool.snapshot().drive("d2").state()).isEqualTo(DriveState.FAILED);

        inj.cutNow(); // both returned; no flush since
        inj.crash();
        pool.abandon();
        try (Pool reopened = Pool.open(dir)) {
            assertThat(reopened.snapshot().drive("d2").state()).isEqualTo(DriveState.FAILED);
            byte[] got = new byte[2 * unit];
            reopened.volume("v").read(0, ByteBuffer.wrap(got));
            byte[] d2 = Arrays.copyOfRange(got, unit, 2 * unit);
            assertThat(Arrays.mismatch(d2, TestPools.filled(unit, 0x22)))
                    .as("first byte of d2's strip of stripe 0 (flushed as 0x22) that differs; it reads 0x%02x", d2[0])
                    .isEqualTo(-1);
            assertThat(got[0]).as("strip 0: the old or the new bytes").isIn((byte) 0x11, (byte) 0x33);
        }
    }

    private static boolean waitsToSettle(Thread t) {
        if (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            return false;
        }
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getMethodName().equals("settleWithoutAbsent")) {
                return true;
            }
        }
        return false;
    }
}

