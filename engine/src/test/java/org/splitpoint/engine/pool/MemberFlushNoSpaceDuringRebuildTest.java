package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A host flush that fails for want of space on a drive being rebuilt drops the rows the rebuild
 * copied to it since its last checkpoint, as well as host writes. The rebuild writes no
 * write-intent bits, so the heal at the next flush (which rewrites the dirty tracks) does not give
 * those rows back: it must not let the drive be trusted again, or the rebuild's next checkpoint
 * forces the image and records as rebuilt rows that hold the blank's zeros.
 */
class MemberFlushNoSpaceDuringRebuildTest {

    @TempDir
    Path tmp;

    private static final int TRACK = ServicePools.TRACK;

    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"RAID1", "RAID3"})
    void aFlushThatLostTheRebuildsRowsDoesNotLetTheRebuildRecordThemAsRebuilt(Layout layout) throws Exception {
        Path dir = withData(layout);
        FaultInjector inj = cutting();
        Pool p = Pool.open(dir, inj, new PoolOptions(false)); // the rebuild stepped by hand
        RaidVolume v = p.volume("v");
        Job rebuild = d2Replaced(p);
        rebuild.stepOnce(); // a megabyte of member rows (a mirror's tracks 0..15) copied to the blank, not forced yet
        rebuild.stepOnce(); // the next megabyte
        Path d2 = p.paths.image("d2").toAbsolutePath();
        inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d2), 1);
        assertThatThrownBy(v::flush).as("the host flush whose force of d2 fails").isInstanceOf(IOException.class);
        v.flush(); // room again: the heal writes the rebuild's copies again from d1, with the host's
        assertThat(p.problems()).as("pool status's problems after the heal").isEmpty();
        while (rebuild.stepOnce()) {
            // the rest of the rebuild, its checkpoint and its end
        }
        assertThat(rebuild.state()).as("the rebuild: " + rebuild.progress().message()).isEqualTo(JobState.DONE);
        v.flush();
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            assertThat(q.volume("v").members()).as("d2 rebuilt").anySatisfy(m -> {
                assertThat(m.drive()).isEqualTo("d2");
                assertThat(m.state()).isEqualTo(DriveState.ONLINE);
            });
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the rebuild").isZero();
            RaidVolume again = q.volume("v");
            for (long at = 0; at < 32L * TRACK; at += 4096) {
                assertThat(ServicePools.read(again, at, 4096)).as("a 4 KiB read at %d", at).containsOnly((byte) 0x11);
            }
        }
    }

    /**
     * A host's write above the rebuild's mark reaches d1 and the blank; a flush then fails for want
     * of space on d1, the drive the rebuild copies from, which drops the write. The rebuild must not
     * copy d1's old bytes over the blank's new ones: once it had, the heal took d1's copy back from
     * d2 and the next flush succeeded over a write no drive held. No flush may succeed until the
     * write is back (the reopen).
     */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"RAID1", "RAID3"})
    void aRebuildDoesNotCopyFromADriveThatLostWritesAtAFailedFlush(Layout layout) throws Exception {
        Path dir = withData(layout);
        FaultInjector inj = cutting();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        RaidVolume v = p.volume("v");
        Job rebuild = besideALossyD1(p, inj);
        ServicePools.stepsToARefusalToCopyFrom("d1", rebuild, v, above(), TRACK, 0x55);
    }

    /**
     * The rebuild refused to copy from d1, which lost writes: its stop cannot take d2 out (the
     * settle forces d1, which fails), so d2 stays REBUILDING, taking writes. Its rebuild must still
     * be on record when pool.json is next written, for the reopen to resume it: before, the stop
     * took the record out first, and after a later write of pool.json and a power cut d2 was
     * REBUILDING at the reopen with nothing rebuilding it, for good (and the event said FAILED).
     */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"RAID1", "RAID3"})
    void aRebuildStoppedWithoutTakingItsDriveOutIsResumedByTheReopen(Layout layout) throws Exception {
        Path dir = withData(layout);
        FaultInjector inj = cutting();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        java.util.List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
        p.events.addListener(e -> said.add(e.message()));
        RaidVolume v = p.volume("v");
        Job rebuild = besideALossyD1(p, inj);
        ServicePools.stepsToARefusalToCopyFrom("d1", rebuild, v, above(), TRACK, 0x55);
        assertThat(said).as("what the stop said").noneMatch(m -> m.contains("the drive is FAILED"));
        persistedCutAndReopenedFindsD2Rebuilt(dir, p, inj);
    }

    /**
     * 'drive fail' of the drive being rebuilt while another drive lost writes is refused (the
     * settle cannot force that drive), and a refusal changes nothing: the rebuild stays on record.
     * Before, its record was taken out first, and after the next write of pool.json and a power
     * cut the drive was REBUILDING with nothing rebuilding it.
     */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"RAID1", "RAID3"})
    void aRefusedFailOfTheDriveBeingRebuiltKeepsItsRebuild(Layout layout) throws Exception {
        Path dir = withData(layout);
        FaultInjector inj = cutting();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        RaidVolume v = p.volume("v");
        Job rebuild = besideALossyD1(p, inj);
        assertThatThrownBy(() -> p.admin().failDrive("d2")).as("drive fail d2").isInstanceOf(IOException.class);
        assertThat(p.rebuildJobOf("d2")).as("d2's rebuild on record").isNotNull();
        persistedCutAndReopenedFindsD2Rebuilt(dir, p, inj);
    }

    /**
     * The flush that lost d2's writes is the last before the rebuild's checkpoint: the checkpoint
     * gets them back itself (a flush of the volume, whose heal rewrites them) once there is room,
     * rather than failing the rebuild and the drive for a file system that was full a moment.
     */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"RAID1", "RAID3"})
    void aRebuildWhoseDriveLostWritesHealsItAtItsCheckpointInsteadOfFailingTheDrive(Layout layout) throws Exception {
        Path dir = withData(layout);
        FaultInjector inj = cutting();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        RaidVolume v = p.volume("v");
        Job rebuild = d2Replaced(p);
        rebuild.stepOnce();
        v.write(2L * TRACK, ByteBuffer.wrap(fill(TRACK, 0x22)));
        Path d2 = p.paths.image("d2").toAbsolutePath();
        inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d2), 1);
        assertThatThrownBy(v::flush).as("the host flush whose force of d2 fails").isInstanceOf(IOException.class);
        while (rebuild.stepOnce()) {
            // the rest of the rebuild, its checkpoint and its end
        }
        assertThat(rebuild.state()).as("the rebuild: " + rebuild.progress().message()).isEqualTo(JobState.DONE);
        assertThat(p.problems()).as("pool status's problems").isEmpty();
        v.flush();
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the rebuild").isZero();
            assertThat(ServicePools.read(q.volume("v"), 2L * TRACK, TRACK)).containsOnly((byte) 0x22);
        }
    }

    /**
     * The file system stays full: the rebuild's checkpoint cannot heal its drive, and the rebuild
     * fails. Its drive is then FAILED, on record, as after any failed rebuild; before, taking it out
     * forced it first, which failed as its flushes do, and the drive stayed REBUILDING with no
     * rebuild left to finish it.
     */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"RAID1", "RAID3"})
    void aRebuildThatCannotHealItsDriveFailsItOnRecord(Layout layout) throws Exception {
        Path dir = withData(layout);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(dir, inj, new PoolOptions(false))) {
            RaidVolume v = p.volume("v");
            p.admin().failDrive("d2");
            Job rebuild = p.admin().replaceDrive("d2");
            rebuild.stepOnce();
            Path d2 = p.paths.image("d2").toAbsolutePath();
            inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d2), Long.MAX_VALUE); // full for good
            assertThatThrownBy(v::flush).isInstanceOf(IOException.class);
            while (rebuild.stepOnce()) {
                // the rest of the rebuild, whose checkpoint fails
            }
            assertThat(rebuild.state()).isEqualTo(JobState.FAILED);
            assertThat(v.members()).as("d2 after its rebuild failed").anySatisfy(m -> {
                assertThat(m.drive()).isEqualTo("d2");
                assertThat(m.state()).isEqualTo(DriveState.FAILED);
            });
            assertThat(p.problems()).as("pool status's problems once d2 is FAILED (a replace, not space, brings it back)")
                    .noneSatisfy(s -> assertThat(s).contains("may have lost writes"));
            inj.failForcesNoSpace(f -> false, 0);
            v.flush(); // without d2 now
        }
        try (Pool q = Pool.open(dir)) {
            assertThat(q.volume("v").members()).as("d2 on record").anySatisfy(m -> {
                assertThat(m.drive()).isEqualTo("d2");
                assertThat(m.state()).isEqualTo(DriveState.FAILED);
            });
            assertThat(ServicePools.read(q.volume("v"), 0, 32 * TRACK)).containsOnly((byte) 0x11);
        }
    }

    private static byte[] fill(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** The layout of the test under way (RAID 3: d3 holds the parity). */
    private Layout layout;

    /**
     * A RAID1 of d1 and d2 (a RAID 3 of d1..d3) whose tracks 0..31 hold 0x11, closed cleanly (no
     * track dirty at the failure).
     */
    private Path withData(Layout layout) throws Exception {
        this.layout = layout;
        Path dir = ServicePools.pool(tmp, "p", layout, layout == Layout.RAID1 ? 2 : 3);
        try (Pool p = Pool.open(dir)) {
            p.volume("v").write(0, ByteBuffer.wrap(fill(32 * TRACK, 0x11)));
        }
        return dir;
    }

    /**
     * Volume bytes of a track above the rebuild's mark after its first step (a megabyte of each
     * member's rows): a mirror's track 20; RAID 3's first step covers volume tracks 0..31 (two data
     * drives), so its track 48.
     */
    private long above() {
        return (layout == Layout.RAID1 ? 20L : 48L) * TRACK;
    }

    /**
     * d2's rebuild, one step done; a host write above its mark (0x55 on track {@link #above}: d1 and
     * the blank take it), then a host flush whose force of d1 fails for want of space.
     */
    private Job besideALossyD1(Pool p, FaultInjector inj) throws Exception {
        RaidVolume v = p.volume("v");
        Job rebuild = d2Replaced(p);
        rebuild.stepOnce(); // a megabyte of member rows
        v.write(above(), ByteBuffer.wrap(fill(TRACK, 0x55)));
        Path d1 = p.paths.image("d1").toAbsolutePath();
        inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d1), 1);
        assertThatThrownBy(v::flush).as("the host flush whose force of d1 fails").isInstanceOf(IOException.class);
        return rebuild;
    }

    /**
     * pool.json written again (any later change), a power cut, and the reopen: d2's rebuild resumes
     * and ends, the drives agree and every track of 0..31 but {@link #above} (written, never acknowledged) is 0x11.
     */
    private void persistedCutAndReopenedFindsD2Rebuilt(Path dir, Pool p, FaultInjector inj) throws Exception {
        p.persist();
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            q.awaitJobs(j -> { });
            assertThat(q.volume("v").members()).as("d2 after the reopen").anySatisfy(m -> {
                assertThat(m.drive()).isEqualTo("d2");
                assertThat(m.state()).isEqualTo(DriveState.ONLINE);
            });
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the rebuild").isZero();
            for (long at = 0; at < 32L * TRACK; at += TRACK) {
                if (at != above()) {
                    assertThat(ServicePools.read(q.volume("v"), at, TRACK)).as("track at %d", at).containsOnly((byte) 0x11);
                }
            }
        }
    }

    /** d2 failed and replaced by a blank: its rebuild (stepped by hand when {@code p} runs no jobs itself). */
    private static Job d2Replaced(Pool p) throws Exception {
        p.admin().failDrive("d2");
        return p.admin().replaceDrive("d2");
    }

    /** An injector that cuts only when told, and drops the pages a failed force could not write back. */
    private static FaultInjector cutting() {
        return new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, 1).unforcedWritesLost();
    }
}
