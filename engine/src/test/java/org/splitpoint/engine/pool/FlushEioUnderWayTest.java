package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A member's force that fails with EIO drops the pages it could not write back before its error is
 * back, as one that fails for want of space does (Linux marks them clean: the image reads its old
 * bytes). The drive is failed once the error is back, but a reader of its image in that moment took
 * the old bytes while nothing said so: the flush must count such a failure as a loss, as it counts
 * a failure for want of space, so that the volume's readers (a parity write's strips, a degraded
 * read, a read over a drive being rebuilt) read again without the drive. Before, they kept what
 * they read: an acknowledged write was lost under a parity computed from the old bytes, and reads
 * answered wrong bytes without an error. The scenes of ParityWriteForceUnderWayTest and
 * HostReadForceUnderWayTest, with EIO.
 */
class FlushEioUnderWayTest {

    @TempDir
    Path tmp;

    private static final int STRIP = 64 * 1024;

    /**
     * 0x55 written on d1's strip of stripe 0 (parity on d3), not flushed; a host flush's force of d1
     * fails with EIO and drops d1's pages of it, held before its error is back; a partial write of
     * d2's strip reads d1's rows meanwhile (0x11, the old bytes) and computed the parity from them.
     * d1 is failed after the flush, and its strip, rebuilt from d2 and that parity, read 0x11.
     */
    @Test
    void aPartialWriteDoesNotComputeParityFromAStripAFailedForceDropped() throws Exception {
        Path dir = ServicePools.writtenPool(tmp, Layout.RAID5, 3); // stripe 0: data on d1, d2; parity on d3
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(TestPools.filled(STRIP, 0x55))); // d1's strip, and the parity on d3
            HeldFailingFlush flush = HeldFailingFlush.startEio(inj, p, v, "d1"); // d1's pages of 0x55 dropped
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            Thread writer = StuckThreads.start("host-write",
                    () -> v.write(STRIP, ByteBuffer.wrap(TestPools.filled(4096, 0x66))), writeFailure); // reads d1's rows 0..4 KiB
            Throwable flushFailure = flush.releaseOnceWaiting(writer);
            writer.join();
            assertThat(flushFailure).as("the flush whose force of d1 failed (d2 and d3 hold the stripe)").isNull();
            assertThat(writeFailure.get()).as("the partial write of d2's strip").isNull();
            assertThat(v.members().get(0).state()).as("d1 after its force failed").isEqualTo(DriveState.FAILED);
            assertThat(v.state()).isEqualTo(VolumeState.DEGRADED);
            v.flush();
            assertThat(TestPools.only(ServicePools.read(v, 0, STRIP))).as("d1's strip, written 0x55 before the flush")
                    .isEqualTo(0x55);
            assertThat(TestPools.only(ServicePools.read(v, STRIP, 4096))).as("the partial write").isEqualTo(0x66);
        } finally {
            inj.releaseHolds();
            inj.cutNow();
            inj.crash();
            p.abandon();
        }
    }

    /**
     * d2 FAILED; a degraded write of 0x55 on d1's strip of stripe 0 (the parity on d3 then 0x55 ^
     * d2's 0x11); a host flush's force of d1 fails with EIO and drops d1's pages of it. A read of
     * d2's strip meanwhile rebuilt it as d1's old 0x11 ^ the parity: 0x55, bytes d2's strip never
     * held. With d1 failed too nothing holds the stripe: the read fails instead.
     */
    @Test
    void aDegradedReadDoesNotRebuildAnAbsentStripFromAStripAFailedForceDropped() throws Exception {
        Path dir = ServicePools.writtenPool(tmp, Layout.RAID5, 3);
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            RaidVolume v = p.volume("v");
            p.admin().failDrive("d2");
            v.write(0, ByteBuffer.wrap(TestPools.filled(STRIP, 0x55))); // d1's strip, and the parity on d3
            HeldFailingFlush flush = HeldFailingFlush.startEio(inj, p, v, "d1"); // d1's pages of 0x55 dropped
            byte[] got = new byte[4096];
            AtomicReference<Throwable> readFailure = new AtomicReference<>();
            Thread reader = StuckThreads.start("host-read", () -> v.read(STRIP, ByteBuffer.wrap(got)), readFailure);
            Throwable flushFailure = flush.releaseOnceWaiting(reader);
            reader.join();
            assertThat(flushFailure).as("the flush of a RAID 5 that lost its second drive").isInstanceOf(IOException.class);
            assertThat(v.state()).isEqualTo(VolumeState.FAILED);
            if (readFailure.get() == null) {
                assertThat(TestPools.only(got)).as("d2's strip, read while d1's failing force was under way")
                        .isEqualTo(0x11);
            } else {
                assertThat(readFailure.get()).as("the read of d2's strip").isInstanceOf(IOException.class);
            }
        } finally {
            inj.releaseHolds();
            inj.cutNow();
            inj.crash();
            p.abandon();
        }
    }

    /**
     * d3 replaced; its rebuild's first step copied a megabyte of member rows (volume bytes 0..2 MiB,
     * all 0x11) to the blank, not forced; a host flush's force of d3 fails with EIO and drops them.
     * A read there meanwhile took d3's strips from the blank: zeros. d3 is failed once the error is
     * back, and the read, done again, rebuilds them from d1 and d2.
     */
    @Test
    void aReadDoesNotTakeTheCopiesAFailedForceDroppedFromADriveBeingRebuilt() throws Exception {
        Path dir = ServicePools.writtenPool(tmp, Layout.RAID5, 3); // volume bytes 0..2 MiB 0x11
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false)); // the rebuild stepped by hand
        try {
            RaidVolume v = p.volume("v");
            p.admin().failDrive("d3");
            Job rebuild = p.admin().replaceDrive("d3");
            rebuild.stepOnce(); // a megabyte of member rows copied to the blank, not forced
            HeldFailingFlush flush = HeldFailingFlush.startEio(inj, p, v, "d3"); // the copies dropped
            byte[] got = new byte[2 << 20];
            AtomicReference<Throwable> readFailure = new AtomicReference<>();
            Thread reader = StuckThreads.start("host-read", () -> v.read(0, ByteBuffer.wrap(got)), readFailure);
            Throwable flushFailure = flush.releaseOnceWaiting(reader);
            reader.join();
            assertThat(flushFailure).as("the flush (d1 and d2 hold every stripe)").isNull();
            assertThat(readFailure.get()).as("the read").isNull();
            assertThat(v.members().get(2).state()).as("d3 after its force failed").isEqualTo(DriveState.FAILED);
            for (int at = 0; at < got.length; at += 4096) {
                assertThat(got[at]).as("volume byte %d, read while d3's failing force was under way", at)
                        .isEqualTo((byte) 0x11);
            }
        } finally {
            inj.releaseHolds();
            inj.cutNow();
            inj.crash();
            p.abandon();
        }
    }
}
