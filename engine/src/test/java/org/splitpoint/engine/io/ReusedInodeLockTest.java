package org.splitpoint.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lock file deleted while held and then released (a backup store's store.lock once its store.json is
 * durable, an image's writer.lock at its seal or removal) leaves this process no claim on the next file
 * the file system gives its inode number. The release closed the descriptor, which freed the inode,
 * and only then dropped the file from the process's map of held locks: a lock file created by another
 * thread in that moment (ext4 hands out a freed inode number at once) was refused as held by this
 * process, and its store creation failed with "the backup store ... is being made by another pool (pid
 * <this process>)" (JournalVerbsPowerCutTest, once in a wide run).
 */
class ReusedInodeLockTest {

    @TempDir
    Path dir;

    @Test
    void aNewLockFileGivenAReleasedOnesInodeIsNotTakenForHeld() throws Exception {
        StorageFactory storage = StorageFactory.real();
        Set<Object> released = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> releaserFailed = new AtomicReference<>();
        Thread releaser = new Thread(() -> {
            try {
                for (long i = 0; !stop.get(); i++) {
                    Path f = dir.resolve("released-" + i + ".lock");
                    PoolLockHandle h = storage.tryLock(f, "the releaser");
                    if (h == null) {
                        throw new AssertionError("a fresh lock file was refused to the releaser: " + f);
                    }
                    released.add(Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class).fileKey());
                    storage.delete(f); // as a store's creation does: the file goes while its lock is held
                    h.close();
                }
            } catch (Throwable t) {
                releaserFailed.set(t);
            }
        }, "lock-releaser");
        releaser.start();
        long reused = 0;
        String refused = null;
        long until = System.nanoTime() + 3_000_000_000L;
        try {
            for (long j = 0; System.nanoTime() < until && refused == null && releaserFailed.get() == null; j++) {
                Path g = dir.resolve("taken-" + j + ".lock");
                PoolLockHandle h = storage.tryLock(g, "the taker");
                Object key = Files.readAttributes(g, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
                if (released.contains(key)) {
                    reused++;
                }
                if (h == null) {
                    refused = "lock file " + g.getFileName() + " (inode of a released one: " + released.contains(key)
                            + ") refused as held by '" + storage.lockHolder(g) + "' after " + j + " takes";
                    break;
                }
                storage.delete(g);
                h.close();
            }
        } finally {
            stop.set(true);
            releaser.join();
        }
        assertThat(releaserFailed.get()).as("the releaser").isNull();
        assertThat(refused).as("a new lock file nobody holds").isNull();
        assumeTrue(reused > 0, "this file system gave no released inode number to a new file: the scene never arose");
        System.out.println("ReusedInodeLockTest: " + reused + " new lock files were given a released one's inode number");
    }
}
