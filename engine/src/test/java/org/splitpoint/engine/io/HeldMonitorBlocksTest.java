package org.splitpoint.engine.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review 41. RealStorage.tryLock, lockHolder and every lock handle's close do their file I/O inside
 * synchronized (HELD), one monitor for the whole JVM. One look at a store on a file system that hangs
 * (a dead NFS or USB mount: 'backup list' asking who writes an unfinished image, a clean-up's
 * tryLock) then stops every other pool's open and close in the process (the app), and every image
 * writer's seal/close (which holds the writer's monitor, so host writes copying-before-write wait
 * too). A FIFO as writer.lock stands in for the hung file system: open(O_RDONLY) blocks on it.
 */
class HeldMonitorBlocksTest {

    @TempDir
    Path dir;

    @Test
    void aHungLookAtOneLockFileDoesNotStopAnotherLocksRelease() throws Exception {
        Path fifo = dir.resolve("writer.lock");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mk.waitFor() == 0, "needs mkfifo");
        PoolLockHandle pool = StorageFactory.real().tryLock(dir.resolve("pool.lock"), "pid 1");
        assertThat(pool).isNotNull();

        CompletableFuture<String> look = CompletableFuture.supplyAsync(() -> {
            try {
                return StorageFactory.real().lockHolder(fifo); // hangs, as on a dead mount
            } catch (Exception e) {
                return e.toString();
            }
        });
        Thread.sleep(300);
        CompletableFuture<Void> close = CompletableFuture.runAsync(() -> {
            try {
                pool.close();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try {
            close.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("releasing an unrelated pool's lock waits for a look at a hung store's lock file", e);
        } finally {
            // let the look go: a writer on the FIFO
            try (var w = java.nio.channels.FileChannel.open(fifo, java.nio.file.StandardOpenOption.WRITE)) {
                w.write(java.nio.ByteBuffer.wrap(new byte[0]));
            }
            look.get(5, TimeUnit.SECONDS);
            close.get(5, TimeUnit.SECONDS);
        }
    }
}
