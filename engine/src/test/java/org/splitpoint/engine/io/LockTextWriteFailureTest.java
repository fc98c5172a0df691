package org.splitpoint.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review 41. RealStorage.tryLock takes the kernel's lock, then writes the holder's text into the
 * lock file; when that write fails (ENOSPC: a full backup store, where every image writer now
 * takes writer.lock) the IOException leaves the channel open and its lock held, outside HELD. From
 * then on, in this process: lockHolder, whose catch of OverlappingFileLockException b60d0e1 removed,
 * throws that unchecked exception (backup list, backup delete, a pool's "who holds it"); a tryLock
 * returns null and leaks one more descriptor; and the lock is held until the garbage collector
 * happens to close the lost channel. /dev/full stands in for a full file system here.
 */
class LockTextWriteFailureTest {

    @TempDir
    Path dir;

    @Test
    void aLockWhoseHolderTextCannotBeWrittenIsNotKeptAndItsHolderCanStillBeAsked() throws Exception {
        Path full = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(full), "needs /dev/full");
        Path lockFile = dir.resolve("writer.lock");
        Files.createSymbolicLink(lockFile, full);

        assertThatThrownBy(() -> StorageFactory.real().tryLock(lockFile, "pid 1 writing"))
                .isInstanceOf(IOException.class).hasMessageContaining("No space left on device");

        assertThat(StorageFactory.real().lockHolder(lockFile)).as("nobody holds it").isNull();
        assertThat(LockProbe.fromAnotherProcess(lockFile)).as("the failed tryLock keeps no lock").isEqualTo("free");
    }
}
