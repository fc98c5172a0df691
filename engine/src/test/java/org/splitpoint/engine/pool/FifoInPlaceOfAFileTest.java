package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A named pipe where a file of the pool belongs (meta/v.wib here) is refused in a sentence, at a look
 * and at a writable open alike. Before, both hung for good: a FIFO opened to read waits for a writer,
 * and one opened to read and write waits at its first read ('pool status' never came back).
 */
class FifoInPlaceOfAFileTest {

    @TempDir
    Path dir;

    @Test
    void aPipeInPlaceOfAMetaFileIsRefusedNotWaitedOn() throws Exception {
        Pool.create(dir, 2, 1 << 20, 4096, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
        }
        Path wib = dir.resolve("meta").resolve("v.wib");
        Files.delete(wib);
        Process mk = new ProcessBuilder("mkfifo", wib.toString()).inheritIO().start();
        assertThat(mk.waitFor()).isZero();

        for (PoolOptions options : new PoolOptions[] {new PoolOptions(false, true), PoolOptions.DEFAULT}) {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                assertThatThrownBy(() -> {
                    try (Pool p = Pool.open(dir, StorageFactory.real(), options)) {
                        p.device("v"); // (a look may open its files lazily)
                    }
                }).as(options.readOnly() ? "a look" : "a writable open")
                        .hasMessageContaining(wib.toString())
                        .hasMessageContaining("not a regular file (a pipe, a socket or a device)");
            }, "the open waited on the pipe");
        }
        assertThat(Files.isRegularFile(wib)).as("the pipe is left as it was").isFalse();
        assertThat(Files.exists(wib)).isTrue();
    }
}
