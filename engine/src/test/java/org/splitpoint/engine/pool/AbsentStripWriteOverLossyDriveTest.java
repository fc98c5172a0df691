package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A RAID 5 volume with d2 out (FAILED, or OFFLINE in a service window): stripe 0 has data on d1
 * and d2, parity on d3, and d2's strip lives only as the XOR of d1's and the parity. A write of
 * d1's strip (journaled: the volume is short of d2), then a flush whose force of d1 fails for want
 * of space and drops d1's pages of it: d1's image holds the old bytes, the parity the new ones.
 * Then a write of part of d2's strip: it replaces d2's rows whole, so it reads no XOR, but its
 * parity needs d1's strip there, which only d1's image gives (no other copy: d2 is out). Computed
 * from d1's old bytes, that parity went into the journal after d1's entry; the reopen replayed
 * both, d1 got its write back and the parity kept the old bytes, and d2's strip read as neither
 * its old bytes nor the write's (their XOR with both of d1's). Seen by SettledLossCrashTest
 * (rebuild and return scenes, RAID 5) at the reopen after a clean close refused for want of space.
 * Such a write is refused until the reopen, as a read of d2's strip is. RAID 3 goes the same way
 * (its strips are 512 B, its parity on d3).
 */
class AbsentStripWriteOverLossyDriveTest {

    @TempDir
    Path tmp;

    private static final int STRIP = 64 * 1024;

    @ParameterizedTest(name = "d2 {0}")
    @ValueSource(strings = {"FAILED", "OFFLINE"})
    void aWriteOfAnAbsentDrivesStripDoesNotTakeItsParityFromADriveThatLostWrites(String out) throws Exception {
        // RAID 5: d1's strip of stripe 0 is volume bytes [0, 64 KiB), d2's [64 KiB, 128 KiB)
        scene(Layout.RAID5, out, STRIP, STRIP, 4096);
    }

    /** RAID 3 (512 B strips, parity on d3): d1's strip of stripe 0 is volume bytes [0, 512), d2's [512, 1024). */
    @Test
    void raid3TooWithD2Failed() throws Exception {
        scene(Layout.RAID3, "FAILED", 2 * STRIP, 512, 512);
    }

    /**
     * d2 out, {@code first} volume bytes of 0x22 from 0 (d1's strip among them, journaled), d1's
     * force failed, then {@code len} bytes of 0x44 at {@code at} (on d2's strip of stripe 0); after
     * the crash and reopen those bytes read 0x11, 0x22 or 0x44 (none of the writes was acknowledged),
     * never a mix of them.
     */
    private void scene(Layout layout, String out, int first, int at, int len) throws Exception {
        Path dir = ServicePools.writtenPool(tmp, layout, 3); // stripe 0: data on d1, d2; parity on d3; 0x11 flushed
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        boolean written;
        try {
            if (out.equals("FAILED")) {
                p.admin().failDrive("d2");
            } else {
                p.service().offline("d2", OfflineReason.RESET, LogMode.POINTERS);
                ServicePools.awaitJobs(p);
            }
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(TestPools.filled(first, 0x22))); // d1's strip, journaled; the parity has it
            inj.failForcesNoSpace(ServicePools.image(p, "d1"), 1);
            assertThatThrownBy(v::flush).as("the flush whose force of d1 fails").isInstanceOf(IOException.class);
            try {
                v.write(at, ByteBuffer.wrap(TestPools.filled(len, 0x44))); // part of d2's strip: its parity needs d1's
                written = true;
            } catch (IOException refused) {
                written = false;
                assertThat(refused).as("the refusal").hasMessageContaining("volume v: a write's parity needs")
                        .hasMessageContaining("d1").hasMessageContaining("refused until the pool is reopened");
            }
        } finally {
            inj.processCrash(); // the process ends: what it wrote stays in the page cache, d1's dropped pages gone
            p.abandon();
        }
        try (Pool q = Pool.open(dir)) { // the journal replayed: d1's write, and the partial write's parity if it went
            RaidVolume v = q.volume("v");
            String write = written ? "written" : "refused";
            int was = at < first ? 0x22 : 0x11; // d2's bytes there after the first write (not acknowledged either)
            assertThat(TestPools.only(ServicePools.read(v, at, len))).as("d2's strip under the partial write (%s): its"
                    + " old bytes or the write's", write).isIn(0x11, was, written ? 0x44 : was);
            if (layout == Layout.RAID5) {
                assertThat(TestPools.only(ServicePools.read(v, at + len, 2 * STRIP - at - len))).as("the rest of d2's"
                        + " strip (the partial write %s)", write).isEqualTo(0x11);
            }
            assertThat(TestPools.only(ServicePools.read(v, 0, Math.min(first, at)))).as("d1's strip, its write replayed")
                    .isIn(0x11, 0x22);
        }
    }
}
