package org.splitpoint.engine.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A store being made by one pool is not one a crash cut short: while the first backup of one pool
 * (another process, in life) is between its images/ and its store.json, the directory looks just
 * like a creation a power cut stopped there (cdbef49). A second pool backing up into the same new
 * store at that moment "made it a store again": it deleted the first one's store.json.tmp and wrote
 * its own store.json, so the first one's rename failed (its backup refused with a bare
 * NoSuchFileException) — or, a moment later, each pool went on with a store uuid of its own, the
 * first one's images recorded in a store whose store.json names the other's. The gap is widened
 * here by holding the first creator just before its store.json's rename.
 */
class StoreCreationRaceTest {

    @TempDir
    Path tmp;

    @Test
    void aStoreBeingMadeByAnotherPoolIsNotMadeAgain() throws Exception {
        CountDownLatch firstAtRename = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        ForwardingStorage storage = new ForwardingStorage() {
            @Override
            public void rename(Path from, Path to) throws IOException {
                if (to.getFileName().toString().equals("store.json") && Thread.currentThread().getName().equals("first")) {
                    firstAtRename.countDown();
                    try {
                        goOn.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.rename(from, to);
            }
        };
        Path dir = tmp.resolve("store");
        CompletableFuture<DirectoryStore> first = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                first.complete(DirectoryStore.open(dir, storage, true));
            } catch (Throwable e) {
                first.completeExceptionally(e);
            }
        }, "first");
        t.start();
        assertThat(firstAtRename.await(10, TimeUnit.SECONDS)).isTrue();
        DirectoryStore second = null;
        BackupException refused = null;
        try {
            second = DirectoryStore.open(dir, storage, true); // another pool's first backup into the same store, now
        } catch (BackupException e) {
            refused = e;
        } finally {
            goOn.countDown();
        }
        DirectoryStore made;
        try {
            made = first.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the first pool's creation of the store failed: " + e.getCause(), e.getCause());
        }
        String onDisk = DirectoryStore.open(dir, StorageFactory.real(), false).uuid();
        assertThat(onDisk).as("store.json names the store the first pool made").isEqualTo(made.uuid());
        if (second != null) {
            assertThat(second.uuid()).as("the second pool's store is the same store").isEqualTo(onDisk);
        } else {
            assertThat(refused.getMessage()).contains("is being made");
        }
    }
}
