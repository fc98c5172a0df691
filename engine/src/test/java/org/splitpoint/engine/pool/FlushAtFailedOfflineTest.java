package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A host flush as a drive's service window fails to open: its pool.json write fails after the
 * window's log was given to the volume. A flush takes the log from the volume and forces it
 * under no lock the opening waits for (as at a window's end, FlushAtWindowEndTest); the failed
 * opening took the log back and closed its files, and the flush forced a closed file: the host
 * got ClosedChannelException for a flush with nothing to make durable (no write went to the log).
 * Here the opening's pool.json write is held until the flush took the log, and the flush's force
 * of it until the opening failed.
 */
class FlushAtFailedOfflineTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aFlushForcingTheLogOfAWindowThatFailedToOpenSucceeds() throws Exception {
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
        try {
            BlockDevice dev = pool.device("v");
            // the opening's pool.json write: held, then it fails
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
            // the failed opening goes as far as it goes: to its end, or to a wait for the flush
            StuckThreads.awaitTrue(() -> !admin.isAlive() || StuckThreads.waitsIn(admin, "retire"),
                    "the failed opening releasing the window's files");
            inj.releaseHolds();
            admin.join(20_000);
            assertThat(admin.isAlive()).as("the opening returned").isFalse();
            assertThat(offline.get()).as("the opening failed on its pool.json write").isNotNull()
                    .hasMessageContaining("injected");
            flusher.join(20_000);
            assertThat(flusher.isAlive()).as("the flush returned").isFalse();
            assertThat(flushed.get()).as("the host's flush").isNull();
            assertThat(pool.snapshot().drive("d2").state()).as("the drive stays in").isEqualTo(DriveState.ONLINE);
            dev.flush();
            assertThat(Arrays.mismatch(TestPools.readAll(pool.volume("v")), image)).as("the volume's bytes").isNegative();
        } finally {
            inj.releaseHolds();
            pool.close();
        }
    }

    private static Path abs(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
