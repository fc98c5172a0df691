package org.splitpoint.app.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;

/**
 * A directory this process really cannot write. Root writes any directory whatever its mode, so as
 * root it is a read-only tmpfs mounted there (as a read-only backup disk is); otherwise a directory
 * of mode 555. Where neither can be had, the test using it is skipped (said, not passed).
 */
public final class ReadOnlyDir implements AutoCloseable {

    private final Path dir;
    private final boolean mounted;

    private ReadOnlyDir(Path dir, boolean mounted) {
        this.dir = dir;
        this.mounted = mounted;
    }

    /** A new read-only directory at {@code dir} (which must not exist). */
    public static ReadOnlyDir at(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        boolean mounted = false;
        if ("root".equals(System.getProperty("user.name"))) {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", dir.toString())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            mounted = p.waitFor() == 0;
        } else {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        ReadOnlyDir ro = new ReadOnlyDir(dir, mounted);
        if (Files.isWritable(dir)) {
            ro.close();
            Assumptions.abort("no read-only directory can be made here (root without mount)");
        }
        return ro;
    }

    public Path path() {
        return dir;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (mounted) {
            new ProcessBuilder("umount", dir.toString()).inheritIO().start().waitFor();
        } else {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
