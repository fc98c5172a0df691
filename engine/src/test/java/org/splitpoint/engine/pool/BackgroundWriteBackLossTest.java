package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A member image's own write-back (a background force, as RealStorage's files start one every 32
 * MiB written) that failed is counted as a loss by the first reader that keeps what it reads
 * (Member.settledLosses: a parity write's strips, a rebuild's, a repair's), not at the next flush.
 * Until that flush no one knew: the pages the write-back could not write may be evicted meanwhile
 * and read as the disk's old bytes, which such a reader would have kept (a parity computed from them
 * gives them back to the drive at the heal).
 */
class BackgroundWriteBackLossTest {

    @TempDir
    Path tmp;

    @Test
    void aFailedBackgroundWriteBackIsCountedByTheNextSettledReaderNotTheNextFlush() throws Exception {
        Path dir = ServicePools.writtenPool(tmp, Layout.RAID5, 3);
        FaultInjector inj = FaultInjector.losingUnforcedWrites().writesBackEarly(16 * 1024);
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            RaidVolume v = p.volume("v");
            Member d1 = v.members().get(0);
            long before = d1.losses();
            inj.failForcesNoSpace(ServicePools.image(p, "d1"), 1);
            // whole stripes: each member gets its strips, past the threshold: d1's background force starts and fails
            for (int i = 0; i < 16 && inj.backgroundFailures() == 0; i++) {
                v.write((long) i * 2 * 64 * 1024, ByteBuffer.wrap(TestPools.filled(2 * 64 * 1024, 0x30 + i)));
                for (int w = 0; w < 100 && inj.backgroundFailures() == 0 && inj.backgroundForces() < i + 1; w++) {
                    Thread.sleep(10);
                }
            }
            assertThat(inj.backgroundFailures()).as("d1's own write-back failed").isEqualTo(1);
            assertThat(d1.losses()).as("no flush yet: not counted").isEqualTo(before);
            assertThat(v.anyLostWrites()).as("nor said").isFalse();
            assertThat(d1.settledLosses()).as("a reader that keeps what it reads counts it first").isEqualTo(before + 1);
            assertThat(v.anyLostWrites()).as("v says a drive lost writes").isTrue();
            assertThat(d1.settledLosses()).as("counted once").isEqualTo(before + 1);
        } finally {
            inj.cutNow();
            inj.crash();
            p.abandon();
        }
    }
}
