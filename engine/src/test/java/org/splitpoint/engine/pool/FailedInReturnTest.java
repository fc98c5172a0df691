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
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A drive FAILED by an I/O error during its return from a pointers window: a host write that
 * reached the other members but not the drive (the drive took writes again, so the window's delta
 * did not name the track) is not in its delta, so a return by the delta alone leaves the drive
 * stale there. The drive must be rebuilt whole.
 */
@QuickServiceSteps
class FailedInReturnTest {

    @TempDir
    Path tmp;

    private static final Predicate<Path> D2 = f -> f.getFileName().toString().equals("d2.img");

    /**
     * In pool {@code p}: volume "v" written 0x11, d2 OFFLINE (pointers), tracks 2..3 written 0x22
     * in its window; its return started with its first write to d2 held; a host write of track 8
     * (0x33), outside the delta, fails on d2 (d2 FAILED) and is acknowledged without it once
     * {@code beforeRelease} has run and the return is let go. Returns the return's job.
     */
    private static Job d2FailsInItsReturn(Pool p, FaultInjector inj, Runnable beforeRelease) throws Exception {
        RaidVolume v = p.volume("v");
        v.write(0, ByteBuffer.wrap(TestPools.filled(16 * TRACK, 0x11)));
        v.flush();
        p.service().offline("d2", OfflineReason.RESET, LogMode.POINTERS);
        awaitJobs(p);
        v.write(2L * TRACK, ByteBuffer.wrap(TestPools.filled(2 * TRACK, 0x22))); // in d2's delta
        v.flush();
        // the return's first write to d2 waits, so the host write below comes while it runs
        Runnable letTheResyncGoOn = inj.holdReleasable(FaultInjector.Op.WRITE, D2,
                t -> t.getName().startsWith("splitpoint-job-resync"), 30_000);
        Job back = p.service().online("d2");
        StuckThreads.awaitTrue(() -> inj.waitingOnHolds() == 1, "the return writing d2");
        inj.eio(D2, FaultInjector.Op.WRITE, FaultInjector.Mode.NTH, 1, 1); // the next write to d2 fails
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        Thread host = StuckThreads.start("host", () -> {
            v.write(8L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x33))); // acknowledged without d2
            v.flush();
        }, failed);
        // d2 fails on the host's write, whose record of it waits for the return's rows
        StuckThreads.awaitTrue(() -> v.members().get(1).state() == DriveState.FAILED, "d2 failing");
        beforeRelease.run();
        letTheResyncGoOn.run();
        host.join(30_000);
        assertThat(failed.get()).as("the host's write and flush").isNull(); // d2's failure on record in pool.json
        return back;
    }

    /** d2 FAILED in its return by a host write to a track outside its delta; returns the pool. */
    private Path failedInItsReturn(Layout layout, int drives) throws Exception {
        Path a = pool(tmp, layout.name(), layout, drives);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool p = Pool.open(a, inj)) {
            Job back = d2FailsInItsReturn(p, inj, () -> { });
            assertThat(back.await(30_000)).isTrue();
            assertThat(p.snapshot().drive("d2").state()).as("d2 after its return").isEqualTo(DriveState.FAILED);
            assertThat(back.state()).as("the return, its drive FAILED").isNotEqualTo(JobState.DONE);
        }
        return a;
    }

    /** Every acknowledged byte, read through the volume; and no mismatch between the members. */
    private static void everyAcknowledgedByte(Pool p) throws Exception {
        RaidVolume v = p.volume("v");
        byte[] want = TestPools.filled(16 * TRACK, 0x11);
        Arrays.fill(want, 2 * TRACK, 4 * TRACK, (byte) 0x22);
        Arrays.fill(want, 8 * TRACK, 9 * TRACK, (byte) 0x33);
        TestPools.assertSameBytes(read(v, 0, 16 * TRACK), want, "the volume's acknowledged bytes");
        assertThat(p.admin().verify("v", false, null)).as("mismatches between the members").isZero();
    }

    /** 'drive online' of d2 FAILED in its return: rebuilt whole, its window over, every acknowledged byte. */
    private static void broughtOnlineIsRebuiltWhole(Path a) throws Exception {
        try (Pool p = Pool.open(a)) {
            Job again = p.service().online("d2");
            assertThat(again.await(30_000)).isTrue();
            awaitJobs(p);
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            assertThat(p.snapshot().drive("d2").service()).isNull();
            everyAcknowledgedByte(p);
        }
    }

    @Test
    void aMirrorDriveFailedInItsReturnIsRebuiltWholeWhenBroughtOnline() throws Exception {
        Path a = failedInItsReturn(Layout.RAID1, 2);
        broughtOnlineIsRebuiltWhole(a);
        byte[] d2 = Files.readAllBytes(a.resolve("drives/d2.img"));
        assertThat(Arrays.mismatch(Arrays.copyOfRange(d2, 8 * TRACK, 9 * TRACK), TestPools.filled(TRACK, 0x33)))
                .as("d2's copy of the write it failed").isNegative();
    }

    @Test
    void aParityDriveFailedInItsReturnIsRebuiltWholeWhenBroughtOnline() throws Exception {
        broughtOnlineIsRebuiltWhole(failedInItsReturn(Layout.RAID5, 3));
    }

    /**
     * A crash after d2 FAILED in its return and before the return's stop was recorded: pool.json
     * says d2 FAILED with its window's return under way. Before, the open left it so, and 'drive
     * online' was refused as 'already coming back (its resync is running)' with nothing running.
     */
    @Test
    void aDriveFailedInItsReturnBeforeACrashIsRebuiltWholeAfterIt() throws Exception {
        Path a = pool(tmp, "crash", Layout.RAID1, 2);
        Predicate<Path> config = f -> f.getFileName().toString().startsWith("pool.json");
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool p = Pool.open(a, inj);
        try {
            // the return's stop, recording the window, waits: the crash comes before it
            d2FailsInItsReturn(p, inj, () -> inj.hold(FaultInjector.Op.WRITE, config,
                    t -> t.getName().startsWith("splitpoint-job-resync"), 30_000));
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() == 1, "the return's stop recording the window");
            inj.processCrash();
            inj.releaseHolds();
        } finally {
            p.abandon();
        }
        try (Pool q = Pool.open(a)) {
            assertThat(q.snapshot().drive("d2").state()).isEqualTo(DriveState.FAILED);
            Job again = q.service().online("d2");
            assertThat(again.await(30_000)).isTrue();
            awaitJobs(q);
            assertThat(q.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            assertThat(q.snapshot().drive("d2").service()).isNull();
            everyAcknowledgedByte(q);
        }
    }

    @Test
    void aDriveFailedInItsReturnIsReplacedAndItsWindowEnds() throws Exception {
        Path a = failedInItsReturn(Layout.RAID1, 2);
        try (Pool p = Pool.open(a)) {
            Job rebuild = p.admin().replaceDrive("d2");
            assertThat(rebuild.await(30_000)).isTrue();
            awaitJobs(p);
            assertThat(p.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            assertThat(p.snapshot().drive("d2").service()).as("no window left").isNull();
            everyAcknowledgedByte(p);
        }
        try (Pool p = Pool.open(a)) {
            assertThat(p.snapshot().drive("d2").state()).as("as pool.json has it").isEqualTo(DriveState.ONLINE);
            assertThat(p.snapshot().drive("d2").service()).isNull();
            everyAcknowledgedByte(p);
        }
    }
}
