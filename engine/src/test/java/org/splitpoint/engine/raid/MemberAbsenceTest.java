package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.meta.CheckedJson;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolConfig;

/**
 * A volume that writes without one of its members records that durably before the write returns,
 * and never trusts the member again (issue 8, defects 5 and 7, item 9).
 */
class MemberAbsenceTest {

    @TempDir
    Path dir;

    private DriveState recordedState(String drive) throws Exception {
        PoolConfig c = CheckedJson.read(StorageFactory.real(), dir.resolve("pool.json"), PoolConfig.MAGIC,
                PoolConfig.VERSION, PoolConfig.class);
        return c.drives().stream().filter(d -> d.name().equals(drive)).findFirst().orElseThrow().state();
    }

    @Test
    void aWriteThatFailedAMemberReturnsOnlyOnceTheFailureIsInPoolJson() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 1 << 20, 4096);
        // pool.json is slow to write; d2 dies on its next write
        FaultInjector inj = new FaultInjector(StorageFactory.real())
                .eio(p -> p.getFileName().toString().equals("d2.img"), FaultInjector.Op.WRITE, FaultInjector.Mode.FROM_NTH, 1, 1)
                .holdWrites(p -> p.getFileName().toString().startsWith("pool.json"), 700);
        try (Pool pool = Pool.open(dir, inj)) {
            pool.volume("v").write(0, ByteBuffer.wrap(new byte[4096]));
            // the write returned: a crash now must not bring d2 back as a trusted mirror
            assertThat(recordedState("d2")).as("d2 in pool.json when the write returned").isEqualTo(DriveState.FAILED);
            inj.releaseHolds();
        }
    }

    @Test
    void aMissingImageThatComesBackAfterDegradedWritesIsNotTrustedAgain() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 1 << 20, 4096);
        Path image = dir.resolve("drives/d2.img");
        Path away = dir.resolve("d2.img.away");
        Files.move(image, away);
        byte[] data = new byte[64 * 1024];
        new Random(5).nextBytes(data);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.snapshot().drive("d2").state()).isEqualTo(DriveState.MISSING);
            pool.volume("v").write(0, ByteBuffer.wrap(data));
            pool.volume("v").flush();
            assertThat(recordedState("d2")).isEqualTo(DriveState.FAILED);
            assertThat(pool.problems()).anyMatch(p -> p.contains("written without it"));
        }
        Files.move(away, image); // the image is back, with what it held before the writes
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.snapshot().drive("d2").state()).isEqualTo(DriveState.FAILED);
            for (int i = 0; i < 8; i++) { // reads rotate between members: none may come from d2
                assertThat(pool.read("v", 0, data.length)).isEqualTo(data);
            }
        }
    }

    @Test
    void aMissingImageWithNoWriteMeanwhileIsTrustedWhenItComesBack() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 1 << 20, 4096);
        Path image = dir.resolve("drives/d2.img");
        Path away = dir.resolve("d2.img.away");
        Files.move(image, away);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.read("v", 0, 10)).hasSize(10);
        }
        Files.move(away, image);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.snapshot().drive("d2").state()).isEqualTo(DriveState.ONLINE);
        }
    }

    @Test
    void anInterruptedWriterNeverLeavesTheMirrorsDisagreeing() throws Exception {
        TestPools.create(dir, Layout.RAID1, 3, 1 << 20, 4096);
        try (Pool pool = Pool.open(dir)) {
            RaidVolume v = pool.volume("v");
            byte[] model = new byte[(int) v.size()];
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                Random rnd = new Random(11);
                while (!stop.get()) {
                    int len = 4096 * (1 + rnd.nextInt(16));
                    int off = rnd.nextInt(model.length - len) / 512 * 512;
                    byte[] d = new byte[len];
                    rnd.nextBytes(d);
                    try {
                        v.write(off, ByteBuffer.wrap(d));
                        synchronized (model) {
                            System.arraycopy(d, 0, model, off, len);
                        }
                    } catch (Exception e) {
                        throw new AssertionError("a write failed: " + e, e);
                    }
                    Thread.interrupted(); // the interrupt was for the I/O; the loop goes on
                }
            }, "interrupted-writer");
            Throwable[] failure = new Throwable[1];
            writer.setUncaughtExceptionHandler((t, e) -> failure[0] = e);
            writer.start();
            for (int i = 0; i < 400 && writer.isAlive(); i++) {
                writer.interrupt();
                Thread.sleep(0, 200_000);
            }
            stop.set(true);
            writer.join();
            assertThat(failure[0]).as("the writer's writes all succeeded").isNull();
            for (int i = 0; i < 3; i++) {
                v.flush(); // write-intent bits of idle tracks clear: nothing may be left to resync
            }
            assertThat(pool.admin().verify("v", false, null)).as("mismatched sectors").isZero();
            assertThat(TestPools.readAll(v)).isEqualTo(model);
        }
    }
}
