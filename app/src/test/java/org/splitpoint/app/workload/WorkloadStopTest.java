package org.splitpoint.app.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.pool.Pool;

/**
 * A stop returns only once the workload's thread is done with the volume, also when a Stop click's
 * own stop asked it first (the app's pool close came while that one still waited): the pool must
 * not close under a write in flight.
 */
class WorkloadStopTest {

    @TempDir
    Path tmp;

    @Test
    void aSecondStopWaitsForTheWriteTheFirstStopIsWaitingFor() throws Exception {
        try (Pool pool = Pool.open(TestPools.demo(tmp))) {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<Thread> writer = new AtomicReference<>();
            Workload w = new Workload("prod", v -> held(pool.device(v), writer, entered, release), new Expectations(),
                    new WorkloadSettings(0, 4 << 10, 0, true, false));
            w.start();
            entered.await();

            Thread click = new Thread(w::stop, "stop-click"); // WorkloadViewModel.stop's thread
            click.start();
            awaitJoining(click);
            AtomicBoolean writerAliveAfterStop = new AtomicBoolean();
            Thread closing = new Thread(() -> {
                w.stop(); // the pool's close
                writerAliveAfterStop.set(writer.get().isAlive());
            }, "pool-close");
            closing.start();
            awaitJoining(closing);
            release.countDown();
            closing.join();
            click.join();

            assertThat(writerAliveAfterStop).as("the workload's thread after the close's stop returned").isFalse();
        }
    }

    /** Until {@code t} waits (joining the workload's thread) or has ended. */
    private static void awaitJoining(Thread t) throws InterruptedException {
        while (t.isAlive() && t.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait();
        }
    }

    /** {@code dev} whose first write waits for {@code release} once it has said so. */
    private static BlockDevice held(BlockDevice dev, AtomicReference<Thread> writer, CountDownLatch entered,
                                    CountDownLatch release) {
        return new BlockDevice() {
            @Override
            public long size() {
                return dev.size();
            }

            @Override
            public void read(long offset, ByteBuffer dst) throws IOException {
                dev.read(offset, dst);
            }

            @Override
            public void write(long offset, ByteBuffer src) throws IOException {
                if (writer.compareAndSet(null, Thread.currentThread())) {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
                dev.write(offset, src);
            }

            @Override
            public void flush() throws IOException {
                dev.flush();
            }
        };
    }
}
