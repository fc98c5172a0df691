package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.WritesLostException;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A parity volume with a drive out (FAILED, or OFFLINE in a service window) whose other drive then
 * lost writes at a flush that failed for want of space: that drive's strips cannot be rebuilt from
 * the others, the absent one among them. A read of them gets the right bytes or is refused as a
 * read of lost writes (until the reopen resyncs the drives), the volume not said FAILED; ParityReads
 * refuses them all, also where no write-intent bit says the track was written since the last good
 * flush (see there why). Before, every read of that drive's
 * strips went to the reconstruction, which failed the read three times ("cannot reconstruct d1: d3 is
 * FAILED too") and threw "volume v is FAILED: d3 FAILED" for a DEGRADED volume (SettledLossCrashTest
 * found it in its rebuild and return scenes: a host's read of a track nobody had written for long).
 */
class DegradedLossyDriveReadTest {

    @TempDir
    Path tmp;

    private static final int STRIP = 64 * 1024;

    enum Out { FAILED, OFFLINE }

    /** A read of 4 KiB at {@code at} gets {@code value}, or is refused as one of lost writes, the volume not said FAILED. */
    private static void readOrRefused(RaidVolume v, long at, int value, String what) throws Exception {
        try {
            assertThat(TestPools.only(ServicePools.read(v, at, 4096))).as(what).isEqualTo(value);
        } catch (IOException e) {
            assertThat(e).as(what + ": the read").isInstanceOf(WritesLostException.class);
            assertThat(e.getMessage()).as(what + ": its sentence").doesNotContain("is FAILED");
        }
    }

    @ParameterizedTest
    @EnumSource(Out.class)
    void aReadOfADriveThatLostWritesBesideAnAbsentOneIsRefusedAsLostWritesNotAsAFailedVolume(Out out)
            throws Exception {
        Path dir = ServicePools.writtenPool(tmp, Layout.RAID5, 3); // tracks 0..31 0x11; stripe s's parity on d(3 - s % 3)
        try (Pool first = Pool.open(dir)) {
            // stripe 22 (member rows of member track 22; volume bytes 2816..3072 KiB) as stripe 1:
            // parity on d2, data on d3 then d1; d1's strip is volume track 45, written in an opening before
            first.volume("v").write(45L * STRIP, ByteBuffer.wrap(TestPools.filled(STRIP, 0x22)));
        }
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            RaidVolume v = p.volume("v");
            if (out == Out.FAILED) {
                p.admin().failDrive("d3");
            } else {
                p.service().offline("d3", OfflineReason.RESET, LogMode.POINTERS);
            }
            // stripe 1 (volume bytes 128..256 KiB): parity on d2, data on d3 then d1; d1's strip is
            // volume bytes 192..256 KiB, written now, after the last good flush
            v.write(3L * STRIP, ByteBuffer.wrap(TestPools.filled(4096, 0x55)));
            inj.failForcesNoSpace(ServicePools.image(p, "d1"), 1);
            assertThatThrownBy(v::flush).as("the flush whose force of d1 fails").isInstanceOf(WritesLostException.class);
            // stripe 22: not written since the last good flush (the write above dirtied member tracks 0..15)
            assertThat(v.tracksSinceLastGoodFlush().get(22)).as("member track 22 written since the last good flush")
                    .isFalse();
            readOrRefused(v, 45L * STRIP, 0x22, "d1's strip of stripe 22, not written since the last good flush");
            readOrRefused(v, 3L * STRIP, 0x55, "d1's strip of stripe 1, the write it lost");
            assertThat(v.state()).as("v").isNotEqualTo(VolumeState.FAILED);
        } finally {
            inj.cutNow();
            inj.crash();
            p.abandon();
        }
    }
}
