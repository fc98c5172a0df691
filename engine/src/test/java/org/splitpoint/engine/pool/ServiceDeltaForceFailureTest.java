package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.bitmap.DurableBitmap;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A service window's delta bitmap names every track the offline drive may be missing, durably
 * before any member has the write. A bit whose force failed (a writeback error: the kernel drops
 * the page and the next fsync succeeds without it) must be written again before the next write to
 * its track relies on it: that write found the bit set in memory and went on, and after a power
 * cut the delta did not name the track, so the drive came back without the write.
 */
class ServiceDeltaForceFailureTest {

    @TempDir
    Path tmp;

    @Test
    void aDeltaBitWhoseForceFailedIsWrittenAgainBeforeTheNextWriteRelies() throws Exception {
        Path dir = ServicePools.pool(tmp, "p", Layout.RAID1, 2);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, 1)
                .unforcedWritesLost();
        Pool p = Pool.open(dir, inj);
        p.service().offline("d2", OfflineReason.RESET, LogMode.POINTERS);
        ServicePools.awaitJobs(p);
        Path delta = p.paths.delta("v").toAbsolutePath();
        long rowTracks = p.volume("v").rowTracks();
        inj.failForces(f -> f.toAbsolutePath().equals(delta), 1);
        byte[] bytes = new byte[4096];
        assertThatThrownBy(() -> p.volume("v").write(5 * 4096L, ByteBuffer.wrap(bytes))).isInstanceOf(java.io.IOException.class);
        p.volume("v").write(5 * 4096L, ByteBuffer.wrap(bytes)); // the host writes again
        p.volume("v").flush(); // acknowledged
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (DurableBitmap reread = DurableBitmap.open(StorageFactory.real(), delta, rowTracks, true)) {
            assertThat(reread.bits().cardinality()).as("tracks the delta names after the power cut").isPositive();
        }
    }
}
