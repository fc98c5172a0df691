package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A host flush that fails for want of space on a drive coming back from a pointers window drops
 * the tracks the return copied to it since its last checkpoint, and the host's writes to it since
 * its last good flush. The return sets no write-intent bit for its copies, and host writes during
 * the return are not in the window's delta (the drive takes them itself): neither the heal at the
 * next flush nor the delta names all of them. The return must not clear from its delta copies a
 * failed flush dropped, and a return that stops with such a drive must put it back in its window
 * with every track it may lack in the delta.
 */
class ReturnFlushNoSpaceTest {

    @TempDir
    Path tmp;

    private static final int TRACK = ServicePools.TRACK;
    private static final int DELTA_TRACKS = 128; // two steps of the return (64 tracks each)

    /** d2 OFFLINE (pointers) with tracks 0..127 written 0x22 in its window over 0x11; closed cleanly. */
    private Path d2AwayWithADelta() throws Exception {
        Path dir = ServicePools.pool(tmp, "p", Layout.RAID1, 2, 16L << 20);
        try (Pool p = Pool.open(dir)) {
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(TestPools.filled(2 * DELTA_TRACKS * TRACK, 0x11)));
            v.flush();
            p.service().offline("d2", OfflineReason.RESET, LogMode.POINTERS);
            ServicePools.awaitJobs(p);
            v.write(0, ByteBuffer.wrap(TestPools.filled(DELTA_TRACKS * TRACK, 0x22)));
            v.flush();
        }
        return dir;
    }

    @Test
    void aFlushThatLostTheReturnsCopiesDoesNotLetItsCheckpointClearThemFromTheDelta() throws Exception {
        Path dir = d2AwayWithADelta();
        FaultInjector inj = cutting();
        Pool p = Pool.open(dir, inj, new PoolOptions(false)); // the return stepped by hand
        RaidVolume v = p.volume("v");
        Job back = p.service().online("d2");
        back.stepOnce(); // tracks 0..63 copied to d2, not forced yet
        Path d2 = p.paths.image("d2").toAbsolutePath();
        inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d2), 1);
        assertThatThrownBy(v::flush).as("the host flush whose force of d2 fails").isInstanceOf(IOException.class);
        v.flush(); // room again: the heal (no host write is dirty) trusts d2 again
        runToTheEnd(back);
        try (Pool q = flushedCutAndReopened(p, inj, dir)) {
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the return").isZero();
            assertThat(ServicePools.read(q.volume("v"), 0, DELTA_TRACKS * TRACK)).containsOnly((byte) 0x22);
        }
    }

    /**
     * The file system stays full: the return's checkpoint cannot make d2's copies durable and the
     * return fails. d2 goes back into its window, its delta naming the host's write the failed
     * flush dropped as well (track 200, outside the window's delta, written during the return);
     * before, d2 stayed REBUILDING holding every track, and once there was room again the heal
     * trusted it: reads of the tracks the return had not copied returned the old bytes.
     */
    @Test
    void aReturnThatCannotMakeItsCopiesDurableLeavesTheDriveInItsWindowMissingNothing() throws Exception {
        Path dir = d2AwayWithADelta();
        FaultInjector inj = cutting();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        RaidVolume v = p.volume("v");
        Job back = p.service().online("d2");
        v.flush(); // a good force of d2 during the return
        back.stepOnce();
        v.write(200L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x33))); // to d2 itself, not to the delta
        Path d2 = p.paths.image("d2").toAbsolutePath();
        inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d2), Long.MAX_VALUE); // full for good
        assertThatThrownBy(v::flush).isInstanceOf(IOException.class);
        while (back.stepOnce()) {
            // the rest of the return, whose checkpoint fails
        }
        assertThat(back.state()).as("the return").isEqualTo(JobState.FAILED);
        assertThat(v.members()).as("d2 after its return failed").anySatisfy(m -> {
            assertThat(m.drive()).isEqualTo("d2");
            assertThat(m.state()).isEqualTo(DriveState.OFFLINE);
        });
        inj.failForcesNoSpace(f -> false, 0); // room again
        v.flush();
        assertThat(ServicePools.read(v, 0, DELTA_TRACKS * TRACK)).as("the window's writes").containsOnly((byte) 0x22);
        assertThat(ServicePools.read(v, 200L * TRACK, TRACK)).as("the return's host write").containsOnly((byte) 0x33);
        Job again = p.service().online("d2");
        runToTheEnd(again);
        try (Pool q = flushedCutAndReopened(p, inj, dir)) {
            assertThat(q.volume("v").members()).allSatisfy(m -> assertThat(m.state()).isEqualTo(DriveState.ONLINE));
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the second return").isZero();
            assertThat(ServicePools.read(q.volume("v"), 0, DELTA_TRACKS * TRACK)).containsOnly((byte) 0x22);
            assertThat(ServicePools.read(q.volume("v"), 200L * TRACK, TRACK)).containsOnly((byte) 0x33);
        }
    }

    /**
     * Host writes during the return, to a delta track the return has not copied yet (stale on d2)
     * and to one outside the delta, then a flush that fails for want of space: once there is room the
     * next flush heals d2 (the stale track is the return's to copy) and the return goes on; before,
     * the heal found a dirty track d2 does not hold and refused, every flush failed, and so did the
     * return's checkpoint.
     */
    @Test
    void aHostWriteToATrackTheReturnHasNotCopiedDoesNotStopTheHeal() throws Exception {
        Path dir = d2AwayWithADelta();
        FaultInjector inj = cutting();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        RaidVolume v = p.volume("v");
        Job back = p.service().online("d2");
        v.flush();
        back.stepOnce(); // tracks 0..63
        v.write(100L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x44))); // stale on d2 still
        v.write(200L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x33)));
        Path d2 = p.paths.image("d2").toAbsolutePath();
        inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d2), 1);
        assertThatThrownBy(v::flush).isInstanceOf(IOException.class);
        v.flush(); // room again: healed
        assertThat(p.problems()).as("pool status's problems after the heal").isEmpty();
        runToTheEnd(back);
        try (Pool q = flushedCutAndReopened(p, inj, dir)) {
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the return").isZero();
            assertThat(ServicePools.read(q.volume("v"), 100L * TRACK, TRACK)).containsOnly((byte) 0x44);
            assertThat(ServicePools.read(q.volume("v"), 200L * TRACK, TRACK)).containsOnly((byte) 0x33);
            assertThat(ServicePools.read(q.volume("v"), 0, 100 * TRACK)).containsOnly((byte) 0x22);
        }
    }

    /**
     * A host's write to a track the return has not copied yet reaches both drives; then a flush
     * fails for want of space on d1, the drive the return copies from, and d1's image drops the
     * write. The return must not copy d1's old bytes over d2's: once it had, both drives held the
     * bytes from before the write, the heal took d1's copy from d2, and the next flush succeeded, an
     * acknowledgement of a write no drive held any more (read 0x22 where 0x55 was written). No
     * flush may succeed until the write is back, and the reopen finishes the return.
     */
    @Test
    void aReturnDoesNotCopyFromADriveThatLostWritesAtAFailedFlush() throws Exception {
        Path dir = d2AwayWithADelta();
        FaultInjector inj = cutting();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        RaidVolume v = p.volume("v");
        java.util.List<org.splitpoint.engine.event.Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        p.addListener(events::add);
        Job back = p.service().online("d2");
        v.write(100L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55))); // stale on d2: d1 and d2 take it
        Path d1 = p.paths.image("d1").toAbsolutePath();
        inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d1), 1);
        assertThatThrownBy(v::flush).as("the host flush whose force of d1 fails").isInstanceOf(IOException.class);
        ServicePools.stepsToARefusalToCopyFrom("d1", back, v, 100L * TRACK, TRACK, 0x55);
        // d2 cannot go OFFLINE again (the settle would force d1, which fails): it stays as it is, and says so
        p.events().drain(); // the bus delivers on a thread of its own: the stop's event may still be on its way
        assertThat(events).as("the return's stop").anySatisfy(e -> assertThat(e.message())
                .contains("the return of drive d2 failed").contains("could not be put back in its window")
                .contains("reopen"));
        assertThatThrownBy(() -> p.service().online("d2")).as("'drive online' with no return running")
                .hasMessageContaining("reopen the pool");
        try (Pool q = cutAndReopened(p, inj, dir)) {
            ServicePools.awaitJobs(q);
            if (q.windows.get("v") != null) {
                q.service().online("d2").await(30_000);
            }
            assertThat(q.volume("v").members()).allSatisfy(m -> assertThat(m.state()).isEqualTo(DriveState.ONLINE));
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the return").isZero();
            assertThat(ServicePools.read(q.volume("v"), 0, 100 * TRACK)).containsOnly((byte) 0x22);
        }
    }

    /**
     * The same loss a moment earlier: d1's failing force has dropped its pages of the write and its
     * error is not back yet (so its loss is not counted) when the return copies track 100 from d1 to
     * d2, over d2's copy of the write, and its checkpoint compares the losses. It must wait for the
     * forces under way first: before, it saw no loss, cleared the track from the delta, the heal took
     * d1's copy from d2 (the old bytes), and the next flush succeeded over a write no drive held.
     */
    @Test
    void aReturnsCheckpointWaitsForAFailingForceUnderWayBeforeItClearsItsCopies() throws Exception {
        Path dir = d2AwayWithADelta();
        FaultInjector inj = cutting();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            RaidVolume v = p.volume("v");
            Job back = p.service().online("d2");
            v.write(100L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55))); // stale on d2: d1 and d2 take it
            HeldFailingFlush flush = HeldFailingFlush.start(inj, p, v, "d1"); // d1's pages of 0x55 dropped
            Thread returner = StuckThreads.start("return", () -> {
                while (back.stepOnce()) {
                    // its copies (track 100 from d1's old bytes) and its checkpoints
                }
            }, new java.util.concurrent.atomic.AtomicReference<>());
            Throwable flushFailure = flush.releaseOnceWaiting(returner); // once the return waits (for the force under way) or ended
            returner.join();
            assertThat(flushFailure).as("the flush whose force of d1 fails").isInstanceOf(IOException.class);
            ServicePools.assertKeptAfterFlush(v, ServicePools.flushes(v), 100L * TRACK, TRACK, 0x55,
                    "track 100 (the return: " + back.state() + ", " + back.progress().message() + ")");
        } finally {
            inj.releaseHolds();
            inj.cutNow();
            inj.crash();
            p.abandon();
        }
    }

    /** An injector that cuts only when told, and drops the pages a failed force could not write back. */
    private static FaultInjector cutting() {
        return new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, 1).unforcedWritesLost();
    }

    /** Steps {@code job} (stepped by hand) to its end, which must be DONE. */
    private static void runToTheEnd(Job job) {
        while (job.stepOnce()) {
            // its steps, checkpoints and end
        }
        assertThat(job.state()).as(job.kind() + ": " + job.progress().message()).isEqualTo(JobState.DONE);
    }

    /** Flushes "v", cuts the power, and opens the pool again as it is on disk. */
    private static Pool flushedCutAndReopened(Pool p, FaultInjector inj, Path dir) throws Exception {
        p.volume("v").flush();
        return cutAndReopened(p, inj, dir);
    }

    /** Cuts the power and opens the pool again as it is on disk. */
    private static Pool cutAndReopened(Pool p, FaultInjector inj, Path dir) throws Exception {
        inj.cutNow();
        inj.crash();
        p.abandon();
        return Pool.open(dir);
    }
}
