package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * A host flush that took a service window's log from the volume before the window's end (or
 * before an opening that failed to be recorded), its force of the log held until the end is on
 * record (as in FlushAtWindowEndTest, FlushAtFailedOfflineTest), then failing. The window is
 * over (or never was): the members hold every byte, forced, and pool.json says so. A data
 * window's fall back to pointers put the window's record back and wrote it into pool.json after
 * the end had taken it out: d2 ONLINE, v OPTIMAL, and a window on record that a reopen kept; it
 * said the window goes on by pointers. The flush may fail (its force did); nothing else changes.
 */
@QuickServiceSteps
class FlushFailingAfterWindowEndTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"RAID5, data, false", "RAID1, data, false", "RAID5, repository, true"})
    void aFlushWhoseLogForceFailsAfterTheWindowEndedDoesNotBringTheWindowBack(Layout layout, String modeWord, boolean spare)
            throws Exception {
        LogMode mode = LogMode.parse(modeWord);
        Path dir = tmp.resolve("pool");
        TestPools.create(dir, layout, layout == Layout.RAID1 ? 2 : 3, DRIVE, TRACK);
        String spareDrive = null;
        byte[] image;
        try (Pool pool = Pool.open(dir)) {
            if (spare) {
                spareDrive = pool.admin().addDrive(2 * DRIVE);
            }
            image = new byte[(int) pool.volume("v").size()];
            new Random(5).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool pool = Pool.open(dir, inj);
        List<Event> said = new CopyOnWriteArrayList<>();
        pool.events().addListener(said::add);
        try {
            BlockDevice dev = pool.device("v");
            pool.service().offline("d2", OfflineReason.RESET, mode);
            for (Job j : pool.jobs()) {
                j.await(10_000);
            }
            byte[] bytes = new byte[3 * TRACK];
            Arrays.fill(bytes, (byte) 0x6b);
            dev.write(2 * TRACK, ByteBuffer.wrap(bytes));
            System.arraycopy(bytes, 0, image, 2 * TRACK, bytes.length);
            String sparePath = spareDrive == null ? null : abs(pool.paths.image(spareDrive)).toString();
            inj.holdForces(p -> isLog(pool, p, sparePath), t -> t.getName().equals("host-flush"), 30_000);
            AtomicReference<Throwable> flushed = new AtomicReference<>();
            Thread flusher = StuckThreads.start("host-flush", dev::flush, flushed);
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0, "the flush forcing the window's log");
            Job resync = pool.service().online("d2");
            StuckThreads.awaitTrue(() -> !pool.serviceRecords.containsKey("v") && pool.snapshot().drive("d2").state() == DriveState.ONLINE,
                    "the return's end on record");
            inj.failForces(p -> isLog(pool, p, sparePath), 1); // the held flush's force of the log fails
            inj.releaseHolds();
            flusher.join(20_000);
            assertThat(flusher.isAlive()).as("the flush returned").isFalse();
            assertThat(resync.await(20_000)).isTrue();
            assertThat(resync.state()).as(resync.progress().message()).isEqualTo(JobState.DONE);
            pool.events().drain();
            assertThat(pool.serviceRecords).as("windows on record once the flush ended (it %s)",
                    flushed.get() == null ? "succeeded" : "failed: " + flushed.get().getMessage()).doesNotContainKey("v");
            assertThat(said).as("nothing says the window goes on")
                    .noneMatch(e -> e.message().contains("goes on by pointers") || e.message().contains("cannot come back"));
            assertThat(pool.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            dev.flush(); // the next flush forces the members only
            byte[] got = new byte[image.length];
            dev.read(0, ByteBuffer.wrap(got));
            assertThat(Arrays.mismatch(got, image)).as("the volume's bytes").isNegative();
        } finally {
            inj.releaseHolds();
            pool.close();
        }
        try (Pool reopened = Pool.open(dir)) {
            assertThat(reopened.serviceRecords).as("windows on record after a reopen").doesNotContainKey("v");
            assertThat(reopened.snapshot().drive("d2").state()).as("d2 after a reopen").isEqualTo(DriveState.ONLINE);
            assertThat(Arrays.mismatch(TestPools.readAll(reopened.volume("v")), image)).as("after a reopen").isNegative();
            assertThat(reopened.admin().verify("v", false, null)).as("the members agree").isZero();
        }
    }

    /** As FlushAtFailedOfflineTest, the flush's force of the log then failing: the window never was. */
    @Test
    void aFlushWhoseLogForceFailsAfterAnOpeningThatFailedPutsNoWindowOnRecord() throws Exception {
        Path dir = tmp.resolve("pool");
        TestPools.create(dir, Layout.RAID1, 2, DRIVE, TRACK);
        byte[] image;
        try (Pool pool = Pool.open(dir)) {
            image = new byte[(int) pool.volume("v").size()];
            new Random(9).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool pool = Pool.open(dir, inj);
        List<Event> said = new CopyOnWriteArrayList<>();
        pool.events().addListener(said::add);
        try {
            BlockDevice dev = pool.device("v");
            java.util.function.Predicate<Path> config = f -> f.getFileName().toString().startsWith("pool.json");
            Runnable letTheOpeningGoOn = inj.holdReleasable(FaultInjector.Op.WRITE, config,
                    t -> t.getName().equals("admin"), 30_000);
            inj.eio(config, FaultInjector.Op.WRITE, FaultInjector.Mode.NTH, 1, 1);
            AtomicReference<Throwable> offline = new AtomicReference<>();
            Thread admin = StuckThreads.start("admin",
                    () -> pool.service().offline("d2", OfflineReason.RESET, LogMode.DATA), offline);
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() == 1, "the opening writing pool.json");
            Path log = abs(pool.paths.deltaLog("v"));
            inj.holdForces(f -> abs(f).equals(log), t -> t.getName().equals("host-flush"), 30_000);
            AtomicReference<Throwable> flushed = new AtomicReference<>();
            Thread flusher = StuckThreads.start("host-flush", dev::flush, flushed);
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() == 2, "the flush forcing the window's log");
            letTheOpeningGoOn.run();
            StuckThreads.awaitTrue(() -> !admin.isAlive() || StuckThreads.waitsIn(admin, "retire"),
                    "the failed opening releasing the window's files");
            inj.failForces(f -> abs(f).equals(log), 1); // the held flush's force of the log fails
            inj.releaseHolds();
            admin.join(20_000);
            assertThat(offline.get()).as("the opening failed on its pool.json write").isNotNull().hasMessageContaining("injected");
            flusher.join(20_000);
            assertThat(flusher.isAlive()).as("the flush returned").isFalse();
            pool.events().drain();
            assertThat(pool.serviceRecords).as("windows on record").doesNotContainKey("v");
            assertThat(said).as("nothing says a window goes on").noneMatch(e -> e.message().contains("goes on by pointers"));
            assertThat(pool.snapshot().drive("d2").state()).as("the drive stays in").isEqualTo(DriveState.ONLINE);
            dev.flush();
        } finally {
            inj.releaseHolds();
            pool.close();
        }
        try (Pool reopened = Pool.open(dir)) {
            assertThat(reopened.serviceRecords).as("windows on record after a reopen").doesNotContainKey("v");
            assertThat(reopened.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
            assertThat(Arrays.mismatch(TestPools.readAll(reopened.volume("v")), image)).isNegative();
        }
    }

    /** The window's log: meta/ delta log or repository segments, or the SPARE a repository took. */
    private static boolean isLog(Pool pool, Path p, String sparePath) {
        Path a = p.toAbsolutePath().normalize();
        return a.toString().equals(sparePath) || a.equals(abs(pool.paths.deltaLog("v")))
                || a.equals(abs(pool.paths.repository("v", 0))) || a.equals(abs(pool.paths.repository("v", 1)));
    }

    private static Path abs(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
