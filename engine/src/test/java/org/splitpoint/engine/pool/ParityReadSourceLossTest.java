package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.splitpoint.engine.TestPools;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A RAID 5 (or RAID 3) write of one strip reads the stripe's other data strip (d1's) to compute the parity,
 * and a host flush's force of d1 fails for want of space between the write's check that d1 lost
 * nothing and its read: the force dropped d1's pages of a write made before, the read took d1's old
 * bytes, and the new parity was computed from them. The next flush healed d1 from the parity and
 * d2, which gave d1 its old bytes back, and succeeded over a write no drive held. The write must
 * compare the members' losses across its reads, and read again (from the others' XOR) when one moved.
 */
class ParityReadSourceLossTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"RAID3", "RAID5"})
    void aPartialStripeWriteDoesNotComputeParityFromBytesAFailedFlushDroppedUnderItsRead(Layout layout) throws Exception {
        Path dir = ServicePools.writtenPool(tmp, layout, 3); // stripe 0: data on d1, d2; parity on d3
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            RaidVolume v = p.volume("v");
            int strip = (int) (v.wholeWriteUnit() / 2); // RAID 5's 64 KiB, RAID 3's 512 bytes
            v.write(0, ByteBuffer.wrap(TestPools.filled(strip, 0x55))); // strip 0, on d1 (and the parity on d3)
            Path d1 = p.paths.image("d1").toAbsolutePath();
            inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d1), 1);
            Runnable forceGoes = inj.holdReleasable(FaultInjector.Op.ANY, f -> f.toAbsolutePath().equals(d1), t -> true, 60_000);
            Runnable readGoes = inj.holdReleasable(FaultInjector.Op.READ, f -> f.toAbsolutePath().equals(d1),
                    t -> t.getName().equals("host-write"), 60_000);
            AtomicReference<Throwable> flushFailure = new AtomicReference<>();
            Thread flusher = StuckThreads.start("host-flush", v::flush, flushFailure);
            inj.awaitHeld(1); // the flush is about to force d1
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            Thread writer = StuckThreads.start("host-write", // strip 1, on d2: reads d1's strip 0
                    () -> v.write(strip, ByteBuffer.wrap(TestPools.filled(strip, 0x66))), writeFailure);
            inj.awaitHeld(2); // the write checked d1 (no loss yet) and is about to read its strip
            forceGoes.run();
            flusher.join();
            assertThat(flushFailure.get()).as("the flush whose force of d1 fails").isInstanceOf(IOException.class);
            readGoes.run();
            writer.join();
            assertThat(writeFailure.get()).as("the write of strip 1").isNull();
            assertThat(ServicePools.flushes(v)).as("a flush that heals d1").isTrue();
            assertThat(TestPools.only(ServicePools.read(v, 0, strip))).as("strip 0, flushed").isEqualTo(0x55);
            assertThat(TestPools.only(ServicePools.read(v, strip, strip))).as("strip 1, flushed").isEqualTo(0x66);
            assertThat(p.admin().verify("v", false, null)).as("mismatched sectors").isZero();
        } finally {
            inj.releaseHolds();
            inj.cutNow();
            inj.crash();
            p.abandon();
        }
    }
}
