package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.awaitJobs;
import static org.splitpoint.engine.pool.ServicePools.pool;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.Severity;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A volume state sentence never calls a volume with lost tracks healthy: after a second failure in
 * a pointers window, the second drive replaced and rebuilt, the volume is OPTIMAL by its members but
 * still fails reads of the track it lost, and its state event says so.
 */
class LostTracksStateSentenceTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void quickSteps() {
        System.setProperty("splitpoint.serviceStepScale", "0");
    }

    @Test
    void theStateEventOfAVolumeWithLostTracksSaysThem() throws Exception {
        Path a = pool(tmp, "m2", Layout.RAID1, 2);
        List<Event> events = new CopyOnWriteArrayList<>();
        try (Pool p = Pool.open(a)) {
            p.addListener(events::add);
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(TestPools.filled(4 * TRACK, 0x11)));
            v.flush();
            p.service().offline("d2", OfflineReason.RESET, LogMode.POINTERS);
            awaitJobs(p);
            v.write(2L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x22))); // only d1 gets it
            v.flush();
            p.admin().failDrive("d1");
            Job back = p.service().online("d2");
            assertThat(back.await(30_000)).isTrue();
            Job rebuild = p.admin().replaceDrive("d1");
            assertThat(rebuild.await(30_000)).isTrue();
            assertThat(rebuild.state()).isEqualTo(JobState.DONE);
            assertThat(v.state()).isEqualTo(VolumeState.OPTIMAL);
            assertThat(p.snapshot().volume("v").lostTracks()).containsExactly(2L);
            assertThat(JournaledPools.said(events, "volume v is OPTIMAL")).as("the rebuild's state sentence").isTrue();
            Event e = events.stream().filter(x -> x.message().contains("volume v is OPTIMAL")).findFirst().orElseThrow();
            assertThat(e.message()).as("the state sentence after the rebuild").contains("1 track lost").contains("track 2");
            assertThat(e.severity()).isNotEqualTo(Severity.INFO);
        }
    }
}
