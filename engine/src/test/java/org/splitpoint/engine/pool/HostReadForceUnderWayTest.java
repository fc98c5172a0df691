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
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A host's read compares the members' losses without waiting for the forces under way (a failing
 * one drops a drive's pages before it counts the loss): what it may take so was to be the old bytes
 * of the host's own write not yet flushed, for that read only. Not so where the volume derives what
 * it reads from the drive: a degraded RAID 5 rebuilds an absent drive's strip from that drive's
 * dropped bytes, and a drive being rebuilt answers with the blank beneath the copies it dropped,
 * both bytes acknowledged and flushed long before, which the host never wrote since. Such a read
 * must wait for the force (and read again, or be refused), as a copy does.
 */
class HostReadForceUnderWayTest {

    @TempDir
    Path tmp;

    private static final int STRIP = 64 * 1024;

    /**
     * d2 FAILED; a degraded write of 0x55 on d1's strip of stripe 0 (the parity on d3 then 0x55 ^
     * d2's 0x11); a host flush's force of d1 fails and drops d1's pages of it, held before its error
     * is back. A read of d2's strip, 0x11 since the pool was written and flushed, rebuilt as d1's
     * old 0x11 ^ the parity: 0x55.
     */
    @Test
    void aDegradedReadDoesNotRebuildAnAbsentStripFromADroppedWrite() throws Exception {
        Path dir = ServicePools.writtenPool(tmp, Layout.RAID5, 3); // stripe 0: data on d1, d2; parity on d3
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            RaidVolume v = p.volume("v");
            p.admin().failDrive("d2");
            v.write(0, ByteBuffer.wrap(TestPools.filled(STRIP, 0x55))); // d1's strip, and the parity on d3
            HeldFailingFlush flush = HeldFailingFlush.start(inj, p, v, "d1"); // d1's pages of 0x55 dropped
            byte[] got = new byte[4096];
            AtomicReference<Throwable> readFailure = new AtomicReference<>();
            Thread reader = StuckThreads.start("host-read", () -> v.read(STRIP, ByteBuffer.wrap(got)), readFailure);
            flush.releaseOnceWaiting(reader);
            reader.join();
            if (readFailure.get() == null) {
                assertThat(TestPools.only(got)).as("d2's strip, read while d1's failing force was under way")
                        .isEqualTo(0x11);
            } else {
                assertThat(readFailure.get()).as("the read of d2's strip").isInstanceOf(WritesLostException.class);
            }
        } finally {
            inj.releaseHolds();
            inj.cutNow();
            inj.crash();
            p.abandon();
        }
    }

    /**
     * d3 replaced and its rebuild's first step copied a megabyte of member rows (volume bytes 0..2
     * MiB, all 0x11) to the blank, not forced yet; a host flush's force of d3 fails and drops them,
     * held before its error is back. A read of the volume there took d3's strips from the blank: zeros.
     */
    @Test
    void aReadDoesNotTakeARebuiltDrivesDroppedCopies() throws Exception {
        Path dir = ServicePools.writtenPool(tmp, Layout.RAID5, 3); // tracks 0..31 (volume bytes 0..2 MiB) 0x11
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false)); // the rebuild stepped by hand
        try {
            RaidVolume v = p.volume("v");
            p.admin().failDrive("d3");
            Job rebuild = p.admin().replaceDrive("d3");
            rebuild.stepOnce(); // a megabyte of member rows copied to the blank, not forced
            HeldFailingFlush flush = HeldFailingFlush.start(inj, p, v, "d3"); // the copies dropped
            byte[] got = new byte[2 << 20];
            AtomicReference<Throwable> readFailure = new AtomicReference<>();
            Thread reader = StuckThreads.start("host-read", () -> v.read(0, ByteBuffer.wrap(got)), readFailure);
            flush.releaseOnceWaiting(reader);
            reader.join();
            assertThat(readFailure.get()).as("the read").isNull();
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
