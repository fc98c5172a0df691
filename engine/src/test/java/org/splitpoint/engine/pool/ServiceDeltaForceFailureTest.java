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
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * A service window's delta bitmap names every track the offline drive may be missing, durably
 * before any member has the write. A bit whose force failed (a writeback error: the kernel drops
 * the page and the next fsync succeeds without it) must be written again before the next write to
 * its track relies on it: that write found the bit set in memory and went on, and after a power
 * cut the delta did not name the track, so the drive came back without the write.
 *
 * <p>When the bitmap cannot be written, the window goes on with the drive to be rebuilt whole (on
 * record in pool.json): the volume keeps taking writes on its other members. Only when pool.json
 * cannot say that either does the write fail, and then the bit is written again as above.
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
        Path configTmp = p.paths.config().resolveSibling("pool.json.tmp").toAbsolutePath();
        // the bitmap's force fails, and so does pool.json's that would put a whole rebuild on record
        inj.failForces(f -> f.toAbsolutePath().equals(delta) || f.toAbsolutePath().equals(configTmp), 2);
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

    /**
     * The delta bitmap's file fails every force (meta/ on a failing disk): the host's write goes
     * on without d2, the window with a whole rebuild of d2 on record; after a power cut d2 comes
     * back rebuilt whole, and holds the write. Before, that write and every one after it failed.
     */
    @Test
    void aDeltaBitmapThatCannotBeWrittenLeavesTheDriveToBeRebuiltWholeAndTheWriteGoesOn() throws Exception {
        Path dir = ServicePools.pool(tmp, "p", Layout.RAID1, 2);
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj);
        p.service().offline("d2", OfflineReason.FIRMWARE, LogMode.POINTERS);
        ServicePools.awaitJobs(p);
        Path delta = p.paths.delta("v").toAbsolutePath();
        inj.failForces(f -> f.toAbsolutePath().equals(delta), Long.MAX_VALUE);
        p.volume("v").write(5 * 4096L, ByteBuffer.wrap(org.splitpoint.engine.TestPools.filled(4096, 0x5A)));
        p.volume("v").flush(); // acknowledged
        assertThat(p.volume("v").state()).as("v while d2 is in its window").isEqualTo(VolumeState.SERVICE);
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool again = Pool.open(dir)) {
            Job back = again.service().online("d2");
            assertThat(back.await(30_000)).isTrue();
            ServicePools.awaitJobs(again);
            assertThat(back.state()).isEqualTo(JobState.DONE);
            assertThat(back.kind()).as("d2 rebuilt whole, not by its delta").isEqualTo("rebuild");
            again.admin().failDrive("d1"); // what v reads now is d2's
            assertThat(org.splitpoint.engine.TestPools.only(ServicePools.read(again.volume("v"), 5 * 4096L, 4096)))
                    .as("the write acknowledged while d2 was away, read from d2").isEqualTo(0x5A);
        }
    }
}
