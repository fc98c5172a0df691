package org.splitpoint.engine.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.PoolLockHandle;

/**
 * A backup store asked for in a directory on a read-only file system: the refusal is the store's
 * sentence, not an I/O error of its lock file. The app's first backup into an empty directory on a
 * read-only mount read "I/O error: /tmp/ro/store.lock: Read-only file system" (seen by hand).
 */
class ReadOnlyStoreTest {

    @TempDir
    Path tmp;

    /** Real files, but the file system refuses new files as a read-only mount does (root or not). */
    private static final ForwardingStorage READ_ONLY = new ForwardingStorage() {
        @Override
        public PoolLockHandle tryLock(Path lockFile, String holder) throws IOException {
            throw new FileSystemException(lockFile.toString(), null, "Read-only file system");
        }
    };

    @Test
    void aStoreThatCannotBeMadeSaysSoAsTheStores() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("ro"));
        assertThatThrownBy(() -> DirectoryStore.open(dir, READ_ONLY, true))
                .isInstanceOf(BackupException.class)
                .hasMessage("a backup store cannot be made in " + dir + ": Read-only file system; choose a directory"
                        + " this process can write");
        assertThat(dir.resolve("store.json")).doesNotExist();
    }

    /**
     * A directory not ours (EACCES): the JDK's AccessDeniedException carries no reason, and the
     * sentence read "a backup store cannot be made in /tmp/ro: AccessDeniedException" (seen by hand,
     * `backup create --store` into a root-owned directory as another user).
     */
    @Test
    void aStoreInADirectoryNotOursSaysPermissionDeniedNotAnExceptionName() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("notours"));
        ForwardingStorage notOurs = new ForwardingStorage() {
            @Override
            public PoolLockHandle tryLock(Path lockFile, String holder) throws IOException {
                throw new java.nio.file.AccessDeniedException(lockFile.toString());
            }
        };
        assertThatThrownBy(() -> DirectoryStore.open(dir, notOurs, true))
                .isInstanceOf(BackupException.class)
                .hasMessage("a backup store cannot be made in " + dir + ": permission denied on "
                        + dir.resolve("store.lock") + "; choose a directory this process can write");
        assertThat(dir.resolve("store.json")).doesNotExist();
    }
}
