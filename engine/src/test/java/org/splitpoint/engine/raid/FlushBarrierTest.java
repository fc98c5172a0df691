package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * What a volume's flush holds back (issue 14, pauses under fio): it waits for the writes in flight
 * when it was asked for, not for writes that begin meanwhile; and flushes asked for while one runs
 * share the next one instead of running one after the other.
 */
class FlushBarrierTest {

    @TempDir
    Path dir;

    /** Real files: a member write at {@link #holdAt} waits for {@link #release}; member forces are counted and take 50 ms. */
    static final class Storage extends ForwardingStorage {
        volatile long holdAt = -1;
        volatile long lastImageWrite = -1;
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger imageForces = new AtomicInteger();
        volatile boolean slowForces;

        @Override
        protected StorageFile wrap(Path path, StorageFile f) {
            boolean image = path.getFileName().toString().endsWith(".img");
            return new ForwardingStorage.ForwardingFile(f) {
                @Override
                public void writeFully(long position, ByteBuffer src) throws IOException {
                    if (image) {
                        lastImageWrite = position;
                    }
                    if (image && position == holdAt) {
                        held.countDown();
                        await(release);
                    }
                    file.writeFully(position, src);
                }

                @Override
                public void force() throws IOException {
                    if (image) {
                        imageForces.incrementAndGet();
                        if (slowForces) {
                            sleep(50);
                        }
                    }
                    file.force();
                }
            };
        }

        private static void await(CountDownLatch l) {
            try {
                l.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void writesThatBeginWhileAFlushWaitsForAnEarlierOneGoOn() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 4L << 20, 65536);
        Storage storage = new Storage();
        try (Pool pool = Pool.open(dir, storage)) {
            RaidVolume v = pool.volume("v");
            v.write(65536, ByteBuffer.allocate(4096));
            v.write(0, ByteBuffer.allocate(4096)); // its write-intent group is dirty now: no bitmap sync below
            storage.holdAt = storage.lastImageWrite; // where the members hold volume byte 0
            CompletableFuture<Void> slow = CompletableFuture.runAsync(() -> write(v, 0));
            assertThat(storage.held.await(30, TimeUnit.SECONDS)).as("the first write is in flight").isTrue();
            CompletableFuture<Void> flush = CompletableFuture.runAsync(() -> {
                try {
                    v.flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(200); // the flush is waiting for the write in flight
            assertThat(flush).isNotDone();
            try {
                // a write that begins now is not the flush's to cover: it completes while the
                // earlier one is still held (an exclusive barrier would hold it behind the flush)
                CompletableFuture.runAsync(() -> write(v, 65536)).get(30, TimeUnit.SECONDS);
                assertThat(slow).isNotDone();
                assertThat(flush).isNotDone();
            } finally {
                storage.release.countDown();
            }
            slow.get(30, TimeUnit.SECONDS);
            flush.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void flushesAskedForWhileOneRunsShareTheNext() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 4L << 20, 65536);
        Storage storage = new Storage();
        try (Pool pool = Pool.open(dir, storage)) {
            RaidVolume v = pool.volume("v");
            v.write(0, ByteBuffer.allocate(4096));
            storage.slowForces = true;
            storage.imageForces.set(0);
            int hosts = 8;
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Void>> flushes = new ArrayList<>();
            for (int i = 0; i < hosts; i++) {
                flushes.add(CompletableFuture.runAsync(() -> {
                    try {
                        go.await();
                        v.flush();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, r -> new Thread(r).start()));
            }
            go.countDown();
            for (CompletableFuture<Void> f : flushes) {
                f.get(60, TimeUnit.SECONDS);
            }
            // one after the other: 8 flushes x 2 members; shared: the running one and the next
            // (a third when a thread came late), 2 members each
            assertThat(storage.imageForces.get()).as("member forces for %d flushes asked for at once", hosts)
                    .isLessThanOrEqualTo(6);
        }
    }

    private static void write(RaidVolume v, long at) {
        try {
            v.write(at, ByteBuffer.allocate(4096));
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
