package org.splitpoint.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write the kernel refuses with EFBIG (past the file system's largest file, or the process's
 * file-size limit) comes up as a {@link NoSpaceException}, a condition of the host that fails no
 * drive, with words that say which limit. The write at 16 TiB passes ext4's largest file (4 KiB
 * blocks); where the file system takes it (XFS, tmpfs), the test is skipped.
 */
class FileTooLargeTest {

    @TempDir
    Path dir;

    @Test
    void aWritePastTheLargestFileIsRefusedAsAConditionOfTheHost() throws Exception {
        try (StorageFile f = RealStorage.INSTANCE.create(dir.resolve("d1.img"))) {
            Throwable t = catchThrowable(() -> f.writeFully(1L << 44, ByteBuffer.wrap(new byte[4096])));
            assumeTrue(t != null, "this file system holds files of 16 TiB");
            assertThat(t).isInstanceOf(NoSpaceException.class).hasMessageContaining("File too large")
                    .hasMessageContaining("file-size limit").hasMessageContaining("d1.img");
        }
    }
}
