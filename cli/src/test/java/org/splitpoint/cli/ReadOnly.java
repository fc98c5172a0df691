package org.splitpoint.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Makes a file or directory unwritable for the test's user and undoes it on close: a mode without
 * write bits for an ordinary user; for root, whom modes do not stop, the immutable attribute
 * ({@code chattr +i}), skipping the test where that is not available.
 */
final class ReadOnly implements AutoCloseable {

    private final Path path;
    private final Set<PosixFilePermission> before;

    private ReadOnly(Path path, Set<PosixFilePermission> before) {
        this.path = path;
        this.before = before;
    }

    static ReadOnly make(Path path) throws Exception {
        if (isRoot()) {
            assumeTrue(chattr("+i", path), "needs chattr +i (root on ext4) to make a file read-only for root");
            return new ReadOnly(path, null);
        }
        Set<PosixFilePermission> before = Files.getPosixFilePermissions(path);
        Set<PosixFilePermission> ro = new java.util.HashSet<>(before);
        ro.removeAll(List.of(PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.OTHERS_WRITE));
        Files.setPosixFilePermissions(path, ro);
        return new ReadOnly(path, before);
    }

    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (Exception e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static boolean chattr(String flag, Path path) throws Exception {
        if (!Tools.installed("chattr")) {
            return false;
        }
        Process p = new ProcessBuilder("chattr", flag, path.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @Override
    public void close() throws Exception {
        if (before == null) {
            chattr("-i", path);
        } else {
            Files.setPosixFilePermissions(path, before);
        }
    }
}
