package org.splitpoint.engine.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool's lock stays held while this process has it reserved, even when nothing refers to its
 * handle any more (a pool dropped without a close). The lock's descriptor was reachable from the
 * handle only, and the JDK's cleaner closes an unreachable FileChannel's descriptor: the kernel then
 * dropped the lock (another process could open the pool beside this one) while the process still
 * counted the file as its own, and once the file was deleted and a new lock file got its inode
 * number, an open of another pool in this process was refused as 'already open' (ServiceCrashTest,
 * seen twice under a long run of many test classes).
 */
class LockNotCollectedTest {

    @TempDir
    Path dir;

    @Test
    void aLockWhoseHandleNobodyHoldsIsStillHeldAfterACollection() throws Exception {
        Path lockFile = Files.createFile(dir.resolve("pool.lock"));
        WeakReference<PoolLockHandle> gone = new WeakReference<>(StorageFactory.real().tryLock(lockFile, "test"));
        assertThat(gone.get()).as("the lock taken").isNotNull();
        for (int i = 0; i < 50 && gone.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(gone.get()).as("the handle collected").isNull();
        for (int i = 0; i < 10; i++) { // the cleaner runs on its own thread
            System.gc();
            Thread.sleep(20);
        }
        assertThat(LockProbe.fromAnotherProcess(lockFile)).as("what another process finds").isEqualTo("held");
    }
}
