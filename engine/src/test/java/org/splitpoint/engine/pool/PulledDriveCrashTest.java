package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.pool;
import static org.splitpoint.engine.pool.ServicePools.read;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/** A drive pulled after a crash, whose image is away at the open that recovers from it. */
@QuickServiceSteps
class PulledDriveCrashTest {

    @TempDir
    Path tmp;

    /** What an open says: its notes and the drives' problems. */
    private static List<String> said(Pool p) {
        List<String> out = new ArrayList<>(p.openNotes());
        out.addAll(p.problems());
        return out;
    }

    /**
     * A power cut after each write index of a mirror write; d2 pulled before the open that
     * recovers. Before, that recovery cleared the dirty tracks with d2 away and pool.json still
     * ONLINE, so d2 put back was taken for current: after the cut between the two members' writes
     * the mirrors disagreed on 128 sectors (reads returning either version) with d2 ONLINE.
     */
    @Test
    void aDrivePulledBeforeACrashRecoveryIsNotTakenForCurrentOnceBack() throws Exception {
        for (int cut = 1; cut <= 6; cut++) {
            Path a = pool(tmp, "t" + cut, Layout.RAID1, 2);
            FaultInjector inj = new FaultInjector(StorageFactory.real());
            Pool p = Pool.open(a, inj);
            try {
                RaidVolume v = p.volume("v");
                v.write(0, ByteBuffer.wrap(TestPools.filled(8 * TRACK, 0x11)));
                v.flush();
                inj.unforcedWritesLand().powerCutAfterWrite(cut, 0, 1);
                v.write(5L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55)));
            } catch (FaultInjector.PowerCutException expected) {
                // the cut
            } finally {
                inj.crash();
                p.abandon();
            }
            Path img = a.resolve("drives/d2.img");
            Path away = tmp.resolve("d2.away" + cut);
            Files.move(img, away); // pulled
            boolean recovered;
            try (Pool q = Pool.open(a)) {
                recovered = q.openNotes().stream().anyMatch(n -> n.contains("not shut down cleanly"));
                assertThat(q.snapshot().drive("d2").state()).as("cut " + cut).isEqualTo(DriveState.MISSING);
                if (recovered) {
                    assertThat(said(q)).as("cut " + cut).anyMatch(n -> n.contains("d2") && n.contains("written without it"))
                            .noneMatch(n -> n.contains("it is FAILED and must be replaced"));
                }
            }
            Files.move(away, img); // put back
            try (Pool q = Pool.open(a)) {
                DriveState d2 = q.snapshot().drive("d2").state();
                if (recovered) {
                    assertThat(d2).as("cut " + cut + ": d2 missed the recovery").isEqualTo(DriveState.FAILED);
                }
                if (d2 == DriveState.ONLINE) {
                    assertThat(q.admin().verify("v", false, null)).as("cut " + cut + ": mirrors that disagree").isZero();
                }
            }
        }
    }

    /**
     * The same in a service window: the drive is OFFLINE in its window (its delta takes the dirty
     * tracks), said so, never as FAILED; and it comes back by its delta with every byte.
     */
    @Test
    void aDrivePulledInItsWindowIsOfflineAfterACrashRecovery() throws Exception {
        Path a = pool(tmp, "w", Layout.RAID5, 3);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool p = Pool.open(a, inj);
        try {
            RaidVolume v = ServicePools.writtenThenOffline(p, OfflineReason.REPLACEMENT, LogMode.POINTERS);
            v.write(2L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x22)));
            v.write(5L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55))); // left write-intent dirty
            inj.processCrash();
        } finally {
            p.abandon();
        }
        Path img = a.resolve("drives/d2.img");
        Path away = tmp.resolve("d2.away");
        Files.move(img, away); // pulled
        try (Pool q = Pool.open(a)) {
            assertThat(q.openNotes()).anyMatch(n -> n.contains("not shut down cleanly"));
            assertThat(q.snapshot().drive("d2").state()).isEqualTo(DriveState.OFFLINE);
            assertThat(said(q)).noneMatch(n -> n.contains("d2") && (n.contains("FAILED") || n.contains("written without it")));
            Files.move(away, img); // put back
            Job job = q.service().online("d2");
            assertThat(job.await(30_000)).isTrue();
            assertThat(job.state()).as(job.progress().message()).isEqualTo(JobState.DONE);
            assertThat(Arrays.mismatch(read(q.volume("v"), 2L * TRACK, TRACK), TestPools.filled(TRACK, 0x22))).isNegative();
            assertThat(Arrays.mismatch(read(q.volume("v"), 5L * TRACK, TRACK), TestPools.filled(TRACK, 0x55))).isNegative();
            assertThat(q.admin().verify("v", false, null)).as("parity mismatches").isZero();
        }
    }
}
