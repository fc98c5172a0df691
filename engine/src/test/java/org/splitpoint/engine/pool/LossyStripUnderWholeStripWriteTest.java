package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.WritesLostException;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * RAID 5 over d1..d3, d2 OFFLINE in a service window, d1's force failing for want of space: d1's
 * image lost a host write (its old bytes are back on it), and the only copy of the write is in the
 * parity. A later write that replaces d2's strip of the stripe whole and d1's in part reads the rest
 * of d1's strip to compute the parity: no XOR can give it (d2 is out), so it took d1's image, old
 * bytes and all, and put them into the parity. The parity no longer held the lost write anywhere;
 * once d2 was back, the flush's heal rebuilt d1 from d2 and that parity, which agreed on the old
 * bytes, and succeeded: the first write, returned to the host before, was acknowledged and gone.
 * With the parity's drive out (stripe 1), the same: its data log carried the parity made from the
 * old bytes to it. ConcurrentAdminDeadlockTest saw it (a zeroing at tick 3 on d1's strip of stripe 0 dropped by the
 * first failing force, the final flush acknowledging it, the byte reading its value from before).
 * Such a write is now refused as a write over lost writes (the rows of d1 it must read were written
 * since the last flush that succeeded), as a read of them is.
 */
@QuickServiceSteps
class LossyStripUnderWholeStripWriteTest {

    @TempDir
    Path tmp;

    private static final int STRIP = 64 * 1024;

    /**
     * Which of stripe {@code stripe}'s drives is out: d2 holds a data strip of stripe 0 (data on d1
     * then d2, parity on d3) and the parity of stripe 1 (data on d3 then d1). {@code lost} is the
     * volume offset of d1's lost 4 KiB, {@code from}..{@code to} the later write: the other data
     * strip whole, d1's strip in part.
     */
    enum Absent {
        DATA_STRIP(16 * 1024, 60_000, 2 * STRIP),
        PARITY(3 * STRIP + 16 * 1024, 2 * STRIP, 3 * STRIP + 8 * 1024);

        final long lost;
        final long from;
        final long to;

        Absent(long lost, long from, long to) {
            this.lost = lost;
            this.from = from;
            this.to = to;
        }
    }

    @ParameterizedTest
    @EnumSource(Absent.class)
    void aWriteNeverBakesTheOldBytesOfALossyDrivesStripIntoTheParityWhileAnotherDriveIsOut(Absent absent)
            throws Exception {
        Path dir = ServicePools.writtenPool(tmp, Layout.RAID5, 3); // tracks 0..31 0x11
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj);
        try {
            RaidVolume v = p.volume("v");
            // a data log: its return copies the log to d2 and heals nothing first (a pointers return
            // rebuilds d2's tracks from the others, refuses to read d1, and fails until d1 is healed)
            p.service().offline("d2", OfflineReason.RESET, LogMode.DATA);
            ServicePools.awaitJobs(p);
            v.write(absent.lost, ByteBuffer.wrap(TestPools.filled(4096, 0x55))); // on d1, and in the parity
            inj.failForcesNoSpace(ServicePools.image(p, "d1"), 1);
            assertThatThrownBy(v::flush).as("the flush whose force of d1 fails, dropping 0x55 from d1")
                    .isInstanceOf(WritesLostException.class);
            // the other data strip whole, d1's in part: the rest of d1's strip is read for the parity
            int len = (int) (absent.to - absent.from);
            boolean returned;
            try {
                v.write(absent.from, ByteBuffer.wrap(TestPools.filled(len, 0x66)));
                returned = true;
            } catch (IOException e) {
                assertThat(e).as("the write over d1's lost rows").isInstanceOf(WritesLostException.class);
                returned = false;
            }
            Job back = p.service().online("d2"); // the log copied to d2, reading no other drive
            assertThat(back.await(30_000)).as("d2's return: " + back.progress().message()).isTrue();
            v.flush(); // d1 healed from d2 and the parity: every write returned is acknowledged
            assertThat(TestPools.only(ServicePools.read(v, absent.lost, 4096)))
                    .as("the 0x55 written before d1's failed flush, acknowledged by the flush after d2's return")
                    .isEqualTo(0x55);
            if (returned) {
                assertThat(TestPools.only(ServicePools.read(v, absent.from, len))).as("the 0x66").isEqualTo(0x66);
            }
            assertThat(p.admin().verify("v", false, null)).as("v's members agree").isZero();
        } finally {
            inj.failForcesNoSpace(f -> false, 0);
            p.close();
        }
    }
}
