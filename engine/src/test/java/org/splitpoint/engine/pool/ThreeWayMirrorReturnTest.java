package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.awaitJobs;
import static org.splitpoint.engine.pool.ServicePools.pool;
import static org.splitpoint.engine.pool.ServicePools.read;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A 3-way mirror keeps a copy of every track with two members gone: a drive back from a pointers
 * window while another member has FAILED is resynced from the member left, and loses nothing.
 * Before, the return took "every other member ONLINE" as the only way to rebuild a track and
 * recorded each track of the delta as lost (reads of it failing) though d1 held it.
 */
class ThreeWayMirrorReturnTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void quickSteps() {
        System.setProperty("splitpoint.serviceStepScale", "0");
    }

    @Test
    void aPointersReturnWithAnotherMemberFailedResyncsFromTheMemberLeft() throws Exception {
        Path a = pool(tmp, "m3", Layout.RAID1, 3);
        try (Pool p = Pool.open(a)) {
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(TestPools.filled(8 * TRACK, 0x11)));
            v.flush();
            p.service().offline("d2", OfflineReason.RESET, LogMode.POINTERS);
            awaitJobs(p);
            v.write(2L * TRACK, ByteBuffer.wrap(TestPools.filled(3 * TRACK, 0x22))); // tracks 2..4 in d2's delta
            v.flush();
            p.admin().failDrive("d3");
            assertThat(p.snapshot().volume("v").lostTracks()).as("d1 holds every track").isEmpty();
            Job job = p.service().online("d2");
            assertThat(job.await(30_000)).isTrue();
            assertThat(job.state()).as(job.progress().message()).isEqualTo(JobState.DONE);
            assertThat(p.snapshot().volume("v").lostTracks()).as("tracks lost after the return").isEmpty();
            assertThat(p.service().lastReturn("d2").tracksResynced()).isEqualTo(3);
            assertThat(Arrays.mismatch(read(v, 2L * TRACK, 3 * TRACK), TestPools.filled(3 * TRACK, 0x22))).isNegative();
            assertThat(Arrays.mismatch(read(v, 0, 2 * TRACK), TestPools.filled(2 * TRACK, 0x11))).isNegative();
        }
        byte[] d2 = Files.readAllBytes(a.resolve("drives/d2.img"));
        assertThat(Arrays.mismatch(Arrays.copyOfRange(d2, 2 * TRACK, 5 * TRACK), TestPools.filled(3 * TRACK, 0x22)))
                .as("d2's own copy of the window's writes").isNegative();
    }
}
