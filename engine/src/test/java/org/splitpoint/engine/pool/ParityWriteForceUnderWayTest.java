package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
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
            Predicate<Path> d1 = image(p, "d1");
            inj.failForcesNoSpace(d1, 1);
            Runnable errorGoes = inj.holdReleasable(FaultInjector.Op.FORCE_FAILED, d1, t -> true, 60_000);
            AtomicReference<Throwable> flushFailure = new AtomicReference<>();
            Thread flusher = StuckThreads.start("host-flush", v::flush, flushFailure);
            inj.awaitHeld(1); // d1's pages of 0x55 are dropped; the force's error is on its way back
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            Thread writer = StuckThreads.start("host-write",
                    () -> v.write(STRIP, ByteBuffer.wrap(TestPools.filled(4096, 0x66))), writeFailure); // reads d1's rows 0..4 KiB
            StuckThreads.awaitTrue(() -> !writer.isAlive() || StuckThreads.waiting(writer), "the partial write to end or wait");
            errorGoes.run();
            flusher.join();
            writer.join();
            assertThat(flushFailure.get()).as("the flush whose force of d1 fails").isInstanceOf(WritesLostException.class);
            boolean flushed = ServicePools.flushes(v) || ServicePools.flushes(v);
            int strip0;
            try {
                strip0 = TestPools.only(ServicePools.read(v, 0, STRIP));
            } catch (WritesLostException refused) {
                strip0 = -2; // no drive is known to hold it: refused until the reopen
            }
            assertThat(strip0).as("d1's strip after a flush that %s (the partial write: %s)",
                    flushed ? "succeeded" : "failed", writeFailure.get())
                    .isIn(flushed ? new Integer[] {0x55} : new Integer[] {0x55, -2});
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

    private static Predicate<Path> image(Pool p, String drive) {
        Path img = p.paths.image(drive).toAbsolutePath();
        return f -> f.toAbsolutePath().equals(img);
    }
}
