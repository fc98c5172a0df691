package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A RAID 5 volume with d2 FAILED: stripe 0's strip on d2 lives only as the XOR of d1's strip and
 * the parity on d3. A write of d1's strip, then a flush whose force of d1 fails for want of space
 * and drops d1's pages of it: d1's image holds the old bytes, the parity the new ones. A partial
 * write of d1's strip then recomputed the parity from d2's strip as the others' XOR, d1's old bytes
 * in it, and wrote it: d2's strip, flushed long before, read back as garbage from then on. A
 * reconstruct-write must not compute d2's strip from a drive that lost writes there, as a read
 * does not ({@link RaidVolume}'s refuseReconstructionFromLossy).
 */
class DegradedParityLossyWriteTest {

    @TempDir
    Path tmp;

    private static final int STRIP = 64 * 1024;

    @Test
    void aPartialWriteBesideAFailedDriveDoesNotComputeItsStripFromADriveThatLostWrites() throws Exception {
        Path dir = ServicePools.writtenPool(tmp, Layout.RAID5, 3); // stripe 0: data on d1, d2; parity on d3
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        boolean written;
        try {
            p.admin().failDrive("d2");
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(TestPools.filled(STRIP, 0x22))); // d1's strip; the parity keeps d2's 0x11
            Path d1 = p.paths.image("d1").toAbsolutePath();
            inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d1), 1);
            assertThatThrownBy(v::flush).as("the flush whose force of d1 fails").isInstanceOf(IOException.class);
            try {
                v.write(0, ByteBuffer.wrap(TestPools.filled(4096, 0x44))); // part of d1's strip: d2's from the XOR
                written = true;
            } catch (IOException refused) {
                written = false;
                assertThat(refused).as("the refusal").hasMessageContaining("volume v: a write's parity needs what absent"
                        + " drive d2 holds there").hasMessageContaining("refused until the pool is reopened");
            }
        } finally {
            inj.processCrash(); // the process ends: what it wrote stays in the page cache, d1's dropped pages gone
            p.abandon();
        }
        try (Pool q = Pool.open(dir)) {
            RaidVolume v = q.volume("v");
            String write = written ? "written" : "refused";
            assertThat(TestPools.only(ServicePools.read(v, STRIP, 4096))).as("d2's strip beside the partial write (%s),"
                    + " flushed before d2 failed", write).isEqualTo(0x11);
            assertThat(TestPools.only(ServicePools.read(v, STRIP + 4096, STRIP - 4096))).as("the rest of d2's strip"
                    + " (the partial write %s)", write).isEqualTo(0x11);
        }
    }
}
