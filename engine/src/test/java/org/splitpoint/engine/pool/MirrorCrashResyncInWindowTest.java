package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A 3-way mirror with a drive in its service window, and a power cut that lands a write on one of
 * the two other drives but not on the other. The open's resync of the tracks the crash left dirty
 * skipped every track some member did not hold (the drive in its window), and cleared their bits:
 * the two drives that hold them kept disagreeing for good, each read went to one or the other by
 * its region, and the drive's return then copied one of them (MemberFlushNoSpaceCrashTest's return
 * case: mismatched sectors after the return). A mirror makes the drives that hold a dirty track
 * agree, whatever the others.
 */
class MirrorCrashResyncInWindowTest {

    @TempDir
    Path tmp;

    private static final int TRACK = ServicePools.TRACK;

    @Test
    void theCrashResyncMakesTheDrivesOutsideTheWindowAgree() throws Exception {
        Path dir = ServicePools.pool(tmp, "p", Layout.RAID1, 3);
        Path d3 = dir.resolve("drives").resolve("d3.img").toAbsolutePath();
        FaultInjector inj = new FaultInjector(StorageFactory.real()).countOnly(f -> f.toAbsolutePath().equals(d3))
                .unforcedWritesLand();
        Pool p = Pool.open(dir, inj);
        assertThat(p.paths.image("d3").toAbsolutePath()).isEqualTo(d3);
        p.service().offline("d1", OfflineReason.RESET, LogMode.POINTERS);
        ServicePools.awaitJobs(p);
        RaidVolume v = p.volume("v");
        v.write(5L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x11)));
        v.flush();
        inj.powerCutAfterWrite(1, 0, 1); // d3's copy of the next write is the torn one, nothing of it kept
        v.write(5L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x22))); // d2's lands, unflushed
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors between d2 and d3 after the open")
                    .isZero();
            ServicePools.awaitJobs(q);
            q.service().online("d1").await(30_000);
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after d1's return").isZero();
        }
    }
}
