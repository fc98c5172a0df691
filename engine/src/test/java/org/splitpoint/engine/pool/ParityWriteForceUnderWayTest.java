package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.WritesLostException;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A RAID 5 partial-stripe write reads the data strips it does not replace and computes the parity
 * from them. A host flush's force of d1 fails for want of space and drops d1's pages of a write
 * (0x55 on d1's strip), and before its error is back (the loss not counted yet) a partial write of
 * d2's strip in the same stripe reads d1's rows: their old bytes (0x11), its comparison of the
 * losses still equal. The parity written from them holds d1's old bytes there; the next flush
 * healed d1 from d2 and that parity (0x11 again) and succeeded over the write no drive held. The
 * write must compare once the forces under way have ended, and read again.
 */
class ParityWriteForceUnderWayTest {

    @TempDir
    Path tmp;

    private static final int STRIP = 64 * 1024;

    @Test
    void aPartialWriteDoesNotComputeParityFromAStripAFailingForceDroppedUnderItsRead() throws Exception {
        Path dir = ServicePools.writtenPool(tmp, Layout.RAID5, 3); // stripe 0: data on d1, d2; parity on d3
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(TestPools.filled(STRIP, 0x55))); // d1's strip, and the parity on d3
            HeldFailingFlush flush = HeldFailingFlush.start(inj, p, v, "d1"); // d1's pages of 0x55 dropped
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            Thread writer = StuckThreads.start("host-write",
                    () -> v.write(STRIP, ByteBuffer.wrap(TestPools.filled(4096, 0x66))), writeFailure); // reads d1's rows 0..4 KiB
            Throwable flushFailure = flush.releaseOnceWaiting(writer);
            writer.join();
            assertThat(flushFailure).as("the flush whose force of d1 fails").isInstanceOf(WritesLostException.class);
            boolean flushed = ServicePools.flushes(v) || ServicePools.flushes(v);
            ServicePools.assertKeptAfterFlush(v, flushed, 0, STRIP, 0x55, "d1's strip (the partial write: "
                    + writeFailure.get() + ")");
            if (flushed && writeFailure.get() == null) {
                assertThat(TestPools.only(ServicePools.read(v, STRIP, 4096))).as("the partial write").isEqualTo(0x66);
            }
        } finally {
            inj.releaseHolds();
            inj.cutNow();
            inj.crash();
            p.abandon();
        }
    }

}
