package org.splitpoint.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A look at who holds a lock file (lockHolder: a store's creation refused, 'backup list' naming an
 * image's writer) never takes the lock from a holder in this process. The look read the file's
 * identity, then opened the name; when another thread here had meanwhile made a new lock file under
 * that name, locked it (and deleted it, as a store's creation does), the look closed its descriptor of
 * that new file as if it were the one it had looked at, which nobody here held, and the kernel dropped
 * the holder's lock: another process could then take it, two holders of one store's creation or one
 * image. The kernel's own table (/proc/locks) says whether the holder still has its lock.
 */
class HolderLookKeepsLockTest {

    @TempDir
    Path dir;

    @Test
    void aLookAtTheHolderWhileTheLockFileIsRemadeLeavesTheHolderItsLock() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/locks")), "needs the kernel's table of locks, /proc/locks");
        StorageFactory storage = StorageFactory.real();
        Path lockFile = dir.resolve("store.lock");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> lookFailed = new AtomicReference<>();
        Thread looker = new Thread(() -> {
            try {
                while (!stop.get()) {
                    storage.lockHolder(lockFile);
                }
            } catch (Throwable t) {
                lookFailed.set(t);
            }
        }, "holder-looker");
        looker.start();
        String lost = null;
        long takes = 0;
        long until = System.nanoTime() + 3_000_000_000L;
        try {
            while (System.nanoTime() < until && lost == null) {
                PoolLockHandle h = storage.tryLock(lockFile, "the holder");
                if (h == null) {
                    continue; // the look's probe stood a moment on the file: not ours to judge here
                }
                takes++;
                long inode = (Long) Files.getAttribute(lockFile, "unix:ino");
                for (int i = 0; i < 3 && lost == null; i++) { // the look runs meanwhile
                    if (!kernelHoldsForThisProcess(inode)) {
                        lost = "the kernel no longer holds the lock of take " + takes + " (inode " + inode + ") for this process";
                    }
                }
                storage.delete(lockFile); // as a store's creation does: the file goes while its lock is held
                h.close();
            }
        } finally {
            stop.set(true);
            looker.join();
        }
        assertThat(lookFailed.get()).as("the looker").isNull();
        assertThat(lost).as("the holder's lock while a look runs").isNull();
        assertThat(takes).as("locks taken").isPositive();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            System.out.println("HolderLookKeepsLockTest: " + takes + " locks taken; " + fds.count()
                    + " descriptors open in this process after (a look that cannot tell its file keeps it open)");
        }
    }

    /** Whether /proc/locks lists a POSIX lock of this process on the file with {@code inode}. */
    private static boolean kernelHoldsForThisProcess(long inode) throws Exception {
        String pid = " " + ProcessHandle.current().pid() + " ";
        for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
            // "1: POSIX  ADVISORY  WRITE 4242 fe:00:2146327 0 EOF"
            if (line.contains(" POSIX ") && line.contains(pid) && line.matches(".*:" + inode + " .*")) {
                return true;
            }
        }
        return false;
    }
}
