package org.splitpoint.engine.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.PoolLockHandle;

/**
 * Review 41. ImageWriter.create makes {@code images/<id>.partial/} (Files.createDirectories) and only
 * then takes its writer.lock ("first: a clean-up meanwhile finds it written"). A clean-up that runs
 * in that gap (another pool's backup of a volume of the same name into the same store, in another
 * process: BackupAdmin.removeUnfinished, or a journal ship's removeOrphans) finds the directory with
 * its lock free, takes it and removes the image being created; the creator then fails (its lock
 * file's directory is gone). The gap is widened here by holding the creator before its tryLock.
 */
class CreateVsCleanUpRaceTest {

    @TempDir
    Path tmp;

    @Test
    void anImageBeingCreatedIsNotALeftover() throws Exception {
        CountDownLatch creatorAtLock = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        ForwardingStorage storage = new ForwardingStorage() {
            @Override
            public PoolLockHandle tryLock(Path lockFile, String holder) throws IOException {
                // the image writer's lock, not the clean-up's nor the store's creation lock
                if (lockFile.getFileName().toString().equals(DirectoryStore.WRITER_LOCK) && holder.startsWith("pid ")
                        && creatorAtLock.getCount() > 0) {
                    creatorAtLock.countDown();
                    try {
                        goOn.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.tryLock(lockFile, holder);
            }
        };
        DirectoryStore store = DirectoryStore.open(tmp.resolve("store"), storage, true);
        ImageInfo header = new ImageInfo("v-20250101-000000-abcd-full", store.uuid(), "v", 1 << 20, 4096,
                java.time.Instant.now().toString(), null, ImageInfo.Kind.FULL, 0, 0, null, null);
        CompletableFuture<ImageWriter> created = CompletableFuture.supplyAsync(() -> {
            try {
                return store.create(header);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(creatorAtLock.await(10, TimeUnit.SECONDS)).isTrue();
        boolean removed;
        try {
            assertThat(store.unfinished()).containsExactly(header.id());
            removed = store.deleteIfAbandoned(header.id()); // what another process's clean-up does now
        } finally {
            goOn.countDown();
        }
        ImageWriter w = null;
        Throwable failed = null;
        try {
            w = created.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            failed = e.getCause();
        }
        try {
            assertThat(removed).as("the image being created was taken for a leftover and removed").isFalse();
            assertThat(failed).as("the creation").isNull();
        } finally {
            if (w != null) {
                w.abandon();
            }
        }
    }
}
