package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * 'drive fail' whose pool.json write fails puts the drive back as it stood: it must stand as it did
 * when the volume's writes stopped for the take-out, not as it did before. A host write in flight
 * as the command began failed the drive (an I/O error, recorded) before the exclusive section; the
 * put-back then made it ONLINE again over an image that missed the write, and a read of it returned
 * the bytes from before the write.
 */
class FailDriveRacingFailureTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    @Test
    void aDriveThatFailedWhileTheCommandWaitedStaysFailedWhenTheCommandCannotBeRecorded() throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), Layout.RAID1, 2, 1 << 20, TRACK);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool pool = Pool.open(dir, inj);
        try {
            Path d2 = dir.resolve("drives").resolve("d2.img");
            // the host's write waits at d2 until the command is under way, then d2 fails it
            Runnable release = inj.holdReleasable(FaultInjector.Op.WRITE, d2::equals,
                    t -> t.getName().equals("host-writer"), 30_000);
            inj.eio(d2::equals, FaultInjector.Op.WRITE, FaultInjector.Mode.NTH, 1, 1);
            // the drive's failure is recorded (the first pool.json write), the command's take-out not
            inj.eio(p -> p.getFileName().toString().startsWith("pool.json"), FaultInjector.Op.WRITE,
                    FaultInjector.Mode.FROM_NTH, 2, 1);
            AtomicReference<Throwable> writeError = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    pool.device("v").write(0, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55)));
                } catch (Throwable e) {
                    writeError.set(e);
                }
            }, "host-writer");
            writer.start();
            while (inj.waitingOnHolds() == 0) {
                Thread.onSpinWait(); // the write is at d2
            }
            Thread command = new Thread(() -> {
                try {
                    pool.admin().failDrive("d2");
                } catch (IOException | PoolException expected) {
                    // pool.json could not be written
                }
            }, "drive-fail");
            command.start();
            // the command waits for the write in flight (its exclusive section); let the write fail d2
            while (command.getState() != Thread.State.WAITING && command.getState() != Thread.State.TIMED_WAITING
                    && command.isAlive()) {
                Thread.onSpinWait();
            }
            release.run();
            writer.join(30_000);
            command.join(30_000);
            assertThat(writeError.get()).as("the host's write").isNull();
            assertThat(pool.volume("v").members().get(1).state()).as("d2, failed by an I/O error and recorded")
                    .isEqualTo(DriveState.FAILED);
            byte[] back = new byte[TRACK];
            pool.device("v").read(0, ByteBuffer.wrap(back));
            TestPools.assertSameBytes(back, TestPools.filled(TRACK, 0x55), "the write read back");
        } finally {
            pool.abandon();
        }
    }
}
