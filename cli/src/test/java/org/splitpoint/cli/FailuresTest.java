package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

/** The sentences {@link Failures} makes of what the file system refused. */
class FailuresTest {

    /**
     * EFBIG comes from the process's file-size limit as often as from the file system: `volume read
     * --out` under `ulimit -f` was told only that the file would be "larger than its file system
     * allows", which sent an administrator to the wrong place.
     */
    @Test
    void aFileThatMayNotGrowNamesTheFileSizeLimitToo() {
        String s = Failures.fileSystem(new FileSystemException("/tmp/out.img", null, "File too large"));
        assertThat(s).contains("/tmp/out.img", "File too large", "file-size limit", "ulimit -f");
    }
}
