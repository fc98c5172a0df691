package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * {@link Pool#startJobs} (a short command's pool, 'splitpoint wait', a drill) with a job whose thread
 * cannot start (OutOfMemoryError: unable to create native thread). Before, the Error left
 * startJobs at that job: the jobs after it never started, and the job stayed RUNNING with no
 * thread, so 'wait' (which waits while a job is RUNNING) waited for ever. Now each job that cannot
 * start ends FAILED saying so, the others start, its record stays, and the next opening resumes it.
 */
class StartJobsThreadTest {

    @TempDir
    Path tmp;

    private static final int TRACK = ServicePools.TRACK;

    @Test
    void aJobWhoseThreadCannotStartEndsSayingSoAndResumesAtTheNextOpening() throws Exception {
        Path dir = ServicePools.pool(tmp, "p", Layout.RAID1, 2);
        byte[] data = new byte[32 * TRACK];
        Arrays.fill(data, (byte) 0x11);
        try (Pool p = Pool.open(dir)) {
            p.volume("v").write(0, ByteBuffer.wrap(data));
        }
        try (Pool p = Pool.open(dir, org.splitpoint.engine.io.StorageFactory.real(), new PoolOptions(false))) {
            p.admin().failDrive("d2");
            Job rebuild = p.admin().replaceDrive("d2");
            AtomicReference<List<String>> said = new AtomicReference<>();
            Throwable thrown = NoNewThread.refusing(true, () -> said.set(p.startJobs()));
            assertThat(thrown).as("what startJobs threw").isNull();
            assertThat(rebuild.await(5_000)).as("the rebuild has ended, not RUNNING with no thread").isTrue();
            assertThat(rebuild.state()).isEqualTo(JobState.FAILED);
            assertThat(rebuild.progress().message()).contains("could not start").contains("next opened");
            assertThat(said.get()).as("what startJobs said").singleElement().asString().contains("rebuild of d2")
                    .contains("could not start");
            assertThat(p.rebuildJobOf("d2")).as("its record, for the next opening").isNotNull();
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.REBUILDING);
            p.volume("v").write(3L * TRACK, ByteBuffer.wrap(Arrays.copyOf(data, TRACK)));
            p.volume("v").flush();
        }
        try (Pool q = Pool.open(dir)) {
            q.awaitJobs(j -> { });
            assertThat(q.snapshot().drive("d2").state()).as("d2 rebuilt by the next opening").isEqualTo(DriveState.ONLINE);
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors").isZero();
            assertThat(ServicePools.read(q.volume("v"), 0, 32 * TRACK)).isEqualTo(data);
        }
    }

    /**
     * A rebuild on record resumed by an opening whose thread cannot start: the open threw the Error
     * with the pool's lock and files held and no pool returned to close them, so the pool could not
     * be opened again in this process. Now the open goes on, says so in a note, and the rebuild
     * resumes at the next opening.
     */
    @Test
    void aRebuildResumedAtOpenWhoseThreadCannotStartLeavesThePoolOpen() throws Exception {
        Path dir = ServicePools.pool(tmp, "p", Layout.RAID1, 2);
        byte[] data = new byte[32 * TRACK];
        Arrays.fill(data, (byte) 0x22);
        try (Pool p = Pool.open(dir, org.splitpoint.engine.io.StorageFactory.real(), new PoolOptions(false))) {
            p.volume("v").write(0, ByteBuffer.wrap(data));
            p.admin().failDrive("d2");
            p.admin().replaceDrive("d2"); // not run: on record
        }
        Throwable thrown = NoNewThread.refusing(true, () -> {
            try (Pool p = Pool.open(dir)) {
                assertThat(p.openNotes()).as("said at open").anyMatch(n -> n.contains("rebuild of d2")
                        && n.contains("could not start"));
                assertThat(p.jobs()).as("no job RUNNING with no thread").allMatch(j -> j.state().isFinished());
                assertThat(ServicePools.read(p.volume("v"), 0, 32 * TRACK)).isEqualTo(data);
            }
        });
        assertThat(thrown).as("what the open threw").isNull();
        try (Pool q = Pool.open(dir)) {
            q.awaitJobs(j -> { });
            assertThat(q.snapshot().drive("d2").state()).as("d2 rebuilt by the next opening").isEqualTo(DriveState.ONLINE);
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors").isZero();
        }
    }

    /**
     * The same for a pair's copy resumed at open (SyncInProg on record): its thread refused, the Error
     * went out of Pool.open past its catch (IOException, PoolException, RuntimeException) with the
     * pool's lock and files held, as the rebuild's did before 2ef27801. Now the open goes on and says
     * so; the copy resumes at the next opening.
     */
    @Test
    void aPairCopyResumedAtOpenWhoseThreadCannotStartLeavesThePoolOpen() throws Exception {
        Path dir = tmp.resolve("pair");
        Pool.create(dir, 4, 4L << 20, TRACK, org.splitpoint.engine.io.StorageFactory.real());
        byte[] data = new byte[32 * TRACK];
        Arrays.fill(data, (byte) 0x33);
        try (Pool p = Pool.open(dir, org.splitpoint.engine.io.StorageFactory.real(), new PoolOptions(false))) {
            p.admin().createVolume("std", Layout.RAID1, java.util.List.of("d1", "d2"), 0);
            p.admin().createVolume("bcv", Layout.RAID1, java.util.List.of("d3", "d4"), 0);
            p.volume("std").write(0, ByteBuffer.wrap(data));
            p.pairs().create("p", "std", "bcv");
            p.pairs().establish("p", true); // not run: SyncInProg on record
        }
        Throwable thrown = NoNewThread.refusing(true, () -> {
            try (Pool p = Pool.open(dir)) {
                assertThat(p.openNotes()).as("said at open").anyMatch(n -> n.contains("could not start"));
                assertThat(p.jobs()).as("no job RUNNING with no thread").allMatch(j -> j.state().isFinished());
            }
        });
        assertThat(thrown).as("what the open threw").isNull();
        try (Pool q = Pool.open(dir)) {
            q.awaitJobs(j -> { });
            assertThat(q.pairs().get("p").state()).as("the copy resumed by the next opening")
                    .isEqualTo(org.splitpoint.engine.pair.PairState.Synchronized);
            assertThat(ServicePools.read(q.volume("bcv"), 0, 32 * TRACK)).isEqualTo(data);
        }
    }

    /**
     * A drive's return from its service window resumed at open (phase resync on record) whose job's
     * thread cannot start: the Error went out of Pool.open (ServiceReopen, past its catch of
     * PoolException and NoSpaceException) with the pool's lock and files held, as the rebuild's did
     * before 2ef27801. Now the open goes on and says so, the drive stays out of the volume's reads,
     * writes go on, and the return resumes at the next opening.
     */
    @Test
    void aServiceReturnResumedAtOpenWhoseThreadCannotStartLeavesThePoolOpen() throws Exception {
        for (LogMode mode : LogMode.values()) {
            Path dir = ServicePools.pool(tmp, "w-" + mode.word(), Layout.RAID5, 3);
            byte[] data = new byte[8 * TRACK];
            Arrays.fill(data, (byte) 0x11);
            byte[] window = Arrays.copyOf(data, TRACK);
            Arrays.fill(window, (byte) 0x44);
            byte[] after = Arrays.copyOf(data, TRACK);
            Arrays.fill(after, (byte) 0x55);
            try (Pool p = Pool.open(dir)) {
                ServicePools.writtenThenOffline(p, OfflineReason.RESET, mode);
                p.volume("v").write(2L * TRACK, ByteBuffer.wrap(window));
                p.volume("v").flush();
            }
            try (Pool p = Pool.open(dir, org.splitpoint.engine.io.StorageFactory.real(), new PoolOptions(false))) {
                p.service().online("d2"); // not run: the return on record (phase resync)
            }
            Throwable thrown = NoNewThread.refusing(true, () -> {
                try (Pool p = Pool.open(dir)) {
                    assertThat(p.openNotes()).as("said at open (" + mode + ")").anyMatch(n -> n.contains("could not start"));
                    assertThat(p.jobs()).as("no job RUNNING with no thread").allMatch(j -> j.state().isFinished());
                    assertThat(ServicePools.read(p.volume("v"), 2L * TRACK, TRACK)).isEqualTo(window);
                    p.volume("v").write(5L * TRACK, ByteBuffer.wrap(after));
                    p.volume("v").flush();
                }
            });
            assertThat(thrown).as("what the open threw (" + mode + ")").isNull();
            try (Pool q = Pool.open(dir)) {
                q.awaitJobs(j -> { });
                assertThat(q.snapshot().drive("d2").state()).as("d2 back by the next opening (" + mode + ")")
                        .isEqualTo(DriveState.ONLINE);
                assertThat(q.admin().verify("v", false, null)).as("mismatched sectors (" + mode + ")").isZero();
                assertThat(ServicePools.read(q.volume("v"), 2L * TRACK, TRACK)).isEqualTo(window);
                assertThat(ServicePools.read(q.volume("v"), 5L * TRACK, TRACK)).isEqualTo(after);
            }
        }
    }
}
