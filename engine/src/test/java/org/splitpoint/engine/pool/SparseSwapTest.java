package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.engine.pool.ServicePools.TRACK;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A blank drive put in place of a member of a sparsely written volume during a firmware window.
 * Before, the samples taken at offline time (8 spread tracks and 256 probes, here tracks 0, 128,
 * ... and 2, 6, 10, ...) were all zeros, so the blank matched them: the drive came back by its
 * (empty) delta, 0 tracks written, and its mirror disagreed on the one track written (128 sectors).
 */
@QuickServiceSteps
class SparseSwapTest {

    @TempDir
    Path tmp;

    @Test
    void aBlankSwappedIntoASparseVolumeIsRebuiltWhole() throws Exception {
        Path a = ServicePools.pool(tmp, "p", Layout.RAID1, 2, 64L << 20); // 1024 tracks
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            v.write(5L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55))); // the only data, on no probed track
            v.flush();
            p.service().offline("d2", OfflineReason.FIRMWARE, LogMode.POINTERS);
            ServicePools.awaitJobs(p);
        }
        swapD2(a, -1); // a blank drive put in its place
        comesBackRebuiltWhole(a);
    }

    /** Puts a sparse image of d2's size in its place: blank, or with one track of 0x66 at {@code track} (-1: none). */
    private static void swapD2(Path a, long track) throws Exception {
        Path img = a.resolve("drives/d2.img");
        long size = Files.size(img);
        Files.delete(img);
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(size);
            if (track >= 0) {
                f.seek(track * TRACK);
                f.write(TestPools.filled(TRACK, 0x66));
            }
        }
    }

    /** d2 brought online: rebuilt whole, ONLINE, its mirror agreeing. */
    private static void comesBackRebuiltWhole(Path a) throws Exception {
        try (Pool p = Pool.open(a)) {
            Job back = p.service().online("d2");
            assertThat(back.await(30_000)).isTrue();
            ServicePools.awaitJobs(p);
            assertThat(back.state()).isEqualTo(JobState.DONE);
            assertThat(back.kind()).as("d2 rebuilt whole, not by its delta").isEqualTo("rebuild");
            assertThat(p.admin().verify("v", false, null)).as("mirrors that disagree").isZero();
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
        }
    }

    /**
     * Another drive's image put in place of a member that held no data when it left: its samples
     * were all zeros, and the foreign image holds zeros there too (its data lies between them), so
     * it matched them. Before, it came back by its empty delta and its foreign track stayed, read as
     * volume data where d1 holds zeros (verify: 128 sectors disagree).
     */
    @Test
    void anotherDrivesImageSwappedForAnEmptyDriveIsRebuiltWhole() throws Exception {
        Path a = ServicePools.pool(tmp, "f", Layout.RAID1, 2, 64L << 20); // 1024 tracks
        try (Pool p = Pool.open(a)) {
            p.service().offline("d2", OfflineReason.FIRMWARE, LogMode.POINTERS);
            ServicePools.awaitJobs(p);
        }
        swapD2(a, 5); // another pool's drive: one track of its data, on no sampled track
        comesBackRebuiltWhole(a);
    }

    /** A drive whose image holds no data at all is sampled without error, and comes back by its delta. */
    @Test
    void anEmptyDriveComesBackByItsDelta() throws Exception {
        Path a = ServicePools.pool(tmp, "e", Layout.RAID1, 2, 16L << 20);
        try (Pool p = Pool.open(a)) {
            p.service().offline("d2", OfflineReason.FIRMWARE, LogMode.POINTERS);
            ServicePools.awaitJobs(p);
            p.volume("v").write(3L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x33)));
            p.volume("v").flush();
            Job back = p.service().online("d2");
            assertThat(back.await(30_000)).isTrue();
            assertThat(p.service().lastReturn("d2").wholeRebuild()).isNull();
            assertThat(p.service().lastReturn("d2").tracksResynced()).isEqualTo(1);
            assertThat(p.admin().verify("v", false, null)).isZero();
        }
    }
}
