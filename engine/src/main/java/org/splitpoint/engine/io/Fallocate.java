package org.splitpoint.engine.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Punching holes in, and zeroing ranges of, a drive image without writing zeros: Linux's
 * fallocate(2) with FALLOC_FL_PUNCH_HOLE or FALLOC_FL_ZERO_RANGE (both with KEEP_SIZE).
 *
 * <p>Design: why a child process. Java 17 has no fallocate. Three ways were weighed:
 * <ul>
 * <li>{@code jdk.incubator.foreign} (a downcall to libc's fallocate, about 0.1 ms a call): it needs
 *     {@code --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED} on every JVM
 *     that loads the engine (the launcher, the app, every test fork), prints an incubator warning
 *     on stderr at every start (the CLI promises one sentence there on error), and its API changed
 *     in every later JDK (18, 19, then {@code java.lang.foreign} in 22), so the code would tie the
 *     engine to exactly JDK 17;
 * <li>JNI: a native library to build and ship per platform;
 * <li>util-linux {@code fallocate --punch-hole|--zero-range --keep-size -o OFF -l LEN FILE}, run
 *     as a child: no flag, no warning, no native code, the same system call; it costs a process
 *     start (about 8 ms here) per call.
 * </ul>
 * The last is taken; its cost is kept off small requests by the callers (a volume deallocates
 * only ranges of at least {@link #WORTH_IT} bytes and writes, or skips, smaller zeroings), and a
 * volume runs the calls for its members at once. When the tool is missing, or the file system
 * cannot punch or zero (EOPNOTSUPP), this returns false and the caller writes the zeros: the same
 * result, only slower. A punched hole reads back as zeros; it is made durable like a write, by the
 * file's next force, which then syncs the file's metadata too (see {@code RealStorage}).
 */
final class Fallocate {

    /** Below this many bytes a zeroing is written (or skipped where already zero): cheaper than a process. */
    static final long WORTH_IT = Zeros.DEALLOCATE_MIN;

    private static final System.Logger LOG = System.getLogger(Fallocate.class.getName());
    private static final String TOOL = find();
    private static volatile boolean warned;

    private Fallocate() {
    }

    private static String find() {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            if (Files.isExecutable(Path.of(dir, "fallocate"))) {
                return dir + "/fallocate";
            }
        }
        return null;
    }

    /**
     * Zeroes [position, position+length) of {@code file} in place: a hole when {@code punch}, else
     * zeroed blocks kept allocated. Returns false (nothing done) when that cannot be done here.
     */
    static boolean zero(Path file, long position, long length, boolean punch) throws IOException {
        if (TOOL == null) {
            warnOnce("util-linux fallocate is not installed: zeroings write zeros and free no space");
            return false;
        }
        ProcessBuilder pb = new ProcessBuilder(TOOL, punch ? "--punch-hole" : "--zero-range", "--keep-size",
                "--offset", Long.toString(position), "--length", Long.toString(length), file.toString());
        pb.environment().put("LC_ALL", "C");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] said = p.getInputStream().readAllBytes();
        boolean interrupted = false;
        int code;
        while (true) {
            try {
                // the call completes whatever the caller's thread is told: a range half zeroed on one
                // mirror and not on the other would be worse than a late answer
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException("fallocate on " + file + " did not end within 60 s");
                }
                code = p.exitValue();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (code != 0) {
            warnOnce("fallocate " + (punch ? "--punch-hole" : "--zero-range") + " failed on " + file + " ("
                    + new String(said, StandardCharsets.UTF_8).trim() + "): zeros are written instead");
            return false;
        }
        return true;
    }

    private static void warnOnce(String message) {
        if (!warned) {
            warned = true;
            LOG.log(System.Logger.Level.WARNING, message);
        }
    }
}
