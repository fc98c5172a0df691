package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A compaction of a service window's log needs room for its new generation beside the old one
 * (DeltaLog's note: the peak is the two side by side). When meta/ has none (ENOSPC on the new
 * file), the window goes on as it was: flushes succeed, reads and the return are right, and the
 * failure is said once, not at every flush that finds the compaction due again (before: a warning
 * at each, 19 for 20 flushes here). Once there is room, the next compaction succeeds and the log
 * shrinks again; a failure after that is a new episode, said again.
 */
@QuickServiceSteps(compactOften = true)
class CompactionNoRoomTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"DATA", "REPOSITORY"})
    void aCompactionWithNoRoomLeavesTheWindowWorkingAndSaysSoOnce(String mode) throws Exception {
        Path dir = tmp.resolve("p"); // no SPARE: a repository in meta/ (one on a SPARE stays there, cleaned)
        Pool.create(dir, 2, 16L * MIB, ServicePools.TRACK, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", Layout.RAID1, java.util.List.of("d1", "d2"), 0);
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        byte[] last = null;
        String logName = mode.equals("DATA") ? "v.delta.log" : "v.repo";
        try (Pool p = Pool.open(dir, inj)) {
            List<String> said = new CopyOnWriteArrayList<>();
            p.events().addListener(e -> said.add(e.message()));
            p.service().offline("d2", OfflineReason.RESET, LogMode.valueOf(mode));
            ServicePools.awaitJobs(p);
            RaidVolume v = p.volume("v");
            ServiceWindow w = p.windows.get("v");
            inj.diskFullAfter(f -> f.getFileName().toString().endsWith(".next"), 256 * 1024); // no room for a copy
            for (int i = 0; i < 20; i++) {
                last = TestPools.filled(MIB, i + 1);
                v.write(3 * ServicePools.TRACK, ByteBuffer.wrap(last));
                v.flush();
                w.awaitCompaction();
            }
            p.events().drain();
            assertThat(said.stream().filter(m -> m.contains("could not be compacted")).count())
                    .as("warnings of compactions that found no room: " + said).isEqualTo(1);
            assertThat(said.stream().filter(m -> m.contains("could not be compacted")).findFirst().orElseThrow())
                    .contains("no space left in meta/");
            assertThat(ServicePools.read(v, 3 * ServicePools.TRACK, MIB)).as("read in the window").isEqualTo(last);
            assertThat(ServiceLogGrowthTest.logBytes(dir, logName)).as("the log in meta/, uncompacted").isGreaterThan(4L * MIB);

            inj.diskFreed(); // room again: the next compaction succeeds
            last = TestPools.filled(MIB, 0x77);
            v.write(3 * ServicePools.TRACK, ByteBuffer.wrap(last));
            v.flush();
            w.awaitCompaction();
            assertThat(ServiceLogGrowthTest.logBytes(dir, logName)).as("the log in meta/, compacted").isLessThan(3L * MIB);

            inj.diskFullAfter(f -> f.getFileName().toString().endsWith(".next"), 256 * 1024); // a new episode
            for (int i = 0; i < 4; i++) {
                last = TestPools.filled(MIB, 0x40 + i);
                v.write(3 * ServicePools.TRACK, ByteBuffer.wrap(last));
                v.flush();
                w.awaitCompaction();
            }
            p.events().drain();
            assertThat(said.stream().filter(m -> m.contains("could not be compacted")).count())
                    .as("warnings after a compaction succeeded in between").isEqualTo(2);
            inj.diskFreed();

            Job back = p.service().online("d2");
            assertThat(back.await(60_000)).as(back.progress().message()).isTrue();
            ServicePools.awaitJobs(p);
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            assertThat(ServicePools.read(v, 3 * ServicePools.TRACK, MIB)).as("read after the return").isEqualTo(last);
            assertThat(p.admin().verify("v", false, null)).as("the members agree").isZero();
        }
    }
}
