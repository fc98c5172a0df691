package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * A host flush forcing a service window's log (data mode) or repository as the drive's return
 * ends. A flush takes the log from the volume, then forces it outside any lock the return's end
 * waits for; the end forced the log itself, took it from the volume and closed its files. The
 * flush then forced a closed file and the host got "ClosedChannelException" for a flush that had
 * nothing left to do (ServiceCrashTest, repository cut 165 seed 1652, once in CI). Here the
 * flush's force of the log is held until the return's end is on record and past it.
 */
@QuickServiceSteps
class FlushAtWindowEndTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"RAID5, data, true", "RAID5, repository, true", "RAID5, repository, false", "RAID1, data, false"})
    void aFlushForcingTheLogAsTheReturnEndsSucceeds(Layout layout, String modeWord, boolean spare) throws Exception {
        LogMode mode = LogMode.parse(modeWord);
        Path dir = tmp.resolve("pool");
        TestPools.create(dir, layout, layout == Layout.RAID1 ? 2 : 3, DRIVE, TRACK);
        String spareDrive = null;
        byte[] image;
        try (Pool pool = Pool.open(dir)) {
            if (spare) {
                spareDrive = pool.admin().addDrive(2 * DRIVE); // a repository window takes it
            }
            image = new byte[(int) pool.volume("v").size()];
            new Random(3).nextBytes(image);
            pool.device("v").write(0, ByteBuffer.wrap(image));
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool pool = Pool.open(dir, inj);
        try {
            BlockDevice dev = pool.device("v");
            pool.service().offline("d2", OfflineReason.RESET, mode);
            for (Job j : pool.jobs()) {
                j.await(10_000);
            }
            byte[] bytes = new byte[3 * TRACK];
            Arrays.fill(bytes, (byte) 0x5a);
            dev.write(2 * TRACK, ByteBuffer.wrap(bytes));
            System.arraycopy(bytes, 0, image, 2 * TRACK, bytes.length);
            String sparePath = spareDrive == null ? null : abs(pool.paths.image(spareDrive)).toString();
            inj.holdForces(p -> isLog(pool, p, sparePath), t -> t.getName().equals("host-flush"), 30_000);
            AtomicReference<Throwable> flushed = new AtomicReference<>();
            Thread flusher = new Thread(() -> {
                try {
                    dev.flush();
                } catch (Throwable e) {
                    flushed.set(e);
                }
            }, "host-flush");
            flusher.start();
            long until = System.currentTimeMillis() + 20_000;
            while (inj.waitingOnHolds() == 0 && System.currentTimeMillis() < until) {
                Thread.sleep(5);
            }
            assertThat(inj.waitingOnHolds()).as("the flush waits in its force of the log").isPositive();
            Job resync = pool.service().online("d2");
            until = System.currentTimeMillis() + 20_000;
            while (pool.snapshot().drive("d2").state() != DriveState.ONLINE && System.currentTimeMillis() < until) {
                Thread.sleep(5);
            }
            assertThat(pool.snapshot().drive("d2").state()).as("the return's end is on record").isEqualTo(DriveState.ONLINE);
            Thread.sleep(100); // the return goes on to release the window's files
            inj.releaseHolds();
            flusher.join(20_000);
            assertThat(flushed.get()).as("the host's flush").isNull();
            assertThat(resync.await(20_000)).isTrue();
            assertThat(resync.state()).as(resync.progress().message()).isEqualTo(JobState.DONE);
            byte[] got = new byte[image.length];
            dev.read(0, ByteBuffer.wrap(got));
            assertThat(Arrays.mismatch(got, image)).as("the volume's bytes").isNegative();
        } finally {
            inj.releaseHolds();
            pool.close();
        }
        try (Pool reopened = Pool.open(dir)) {
            assertThat(Arrays.mismatch(TestPools.readAll(reopened.volume("v")), image)).as("after a reopen").isNegative();
            assertThat(reopened.admin().verify("v", false, null)).as("the members agree").isZero();
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
