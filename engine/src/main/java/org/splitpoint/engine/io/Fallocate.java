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
 * <p>Design: how to call fallocate from Java 17, which has no API for it. Three ways were weighed:
 * <ul>
 * <li>{@code jdk.incubator.foreign}, a downcall to libc (about 0.1 ms a call): it needs
 *     {@code --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED} on the JVM,
 *     prints an incubator warning on stderr at every start (the CLI promises one sentence there on
 *     error), and its API changed in every later JDK (18, 19, then {@code java.lang.foreign} in
 *     22), so code written for it works on exactly JDK 17;
 * <li>JNI: a native library to build and ship per platform;
 * <li>util-linux {@code fallocate --punch-hole|--zero-range --keep-size -o OFF -l LEN FILE} run as
 *     a child: no flag, no warning, no native code, the same system call, at the price of a
 *     process start (8 ms on an idle machine, 40 ms and more on a busy one) per call.
 * </ul>
 * The child process is the way that always works, and the default; the downcall
 * ({@link NativeFallocate}) is taken only where the JVM was started with the two flags, which the
 * launcher does for the long-running holders of a pool ({@code serve}, the app), where zeroing
 * speed matters and one warning line at start does no harm. {@code -Dsplitpoint.fallocate=process}
 * forces the child process (tests use it to keep both ways tested). Either way the cost is kept
 * off small requests by the callers (a volume deallocates only ranges of at least
 * {@link #WORTH_IT} bytes and writes, or skips, smaller zeroings), and a volume makes the calls
 * for its members at once. When neither way can do it (the tool is missing, the file system
 * refuses: EOPNOTSUPP), this returns false and the caller writes the zeros: the same result, only
 * slower. A punched hole reads back as zeros; it is made durable like a write, by the file's next
 * force, which then syncs the file's metadata too (see {@code RealStorage}). Whether a file system
 * zeroes in place at all (tmpfs punches holes but refuses ZERO_RANGE) is asked before the first
 * zeroing that needs it, once per file system, by a probe on a scratch file ({@link #zeroesInPlace}):
 * NBD's fast-zero question must be answered before anything is done.
 */
public final class Fallocate {

    /** Below this many bytes a zeroing is written (or skipped where already zero): cheaper than a process. */
    static final long WORTH_IT = Zeros.DEALLOCATE_MIN;

    private static final System.Logger LOG = System.getLogger(Fallocate.class.getName());
    private static final String TOOL = find();
    private static final NativeFallocate NATIVE = loadNative();
    private static volatile boolean warned;

    /** The downcall, when the JVM has the foreign API and lets the engine use it; else null. */
    private static NativeFallocate loadNative() {
        if (ModuleLayer.boot().findModule("jdk.incubator.foreign").isEmpty()) {
            return null; // not even loaded: NativeFallocate would not link
        }
        try {
            return new NativeFallocate();
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.INFO, "fallocate by downcall unavailable (" + e + "); util-linux fallocate is used");
            return null;
        }
    }

    /**
     * Loads this class and {@link ReadAdvice}, and so links their downcalls, on a thread of its own
     * (150-200 ms each here): the first file the engine opens for real starts it ({@link
     * RealStorage}), so the first zeroing a client asks for, or the first stream read of a RAID 5
     * volume, does not wait for it.
     */
    static void prepareInBackground() {
        Thread t = new Thread(() -> {
            isNative();
            ReadAdvice.available();
        }, "splitpoint-native-link");
        t.setDaemon(true);
        t.start();
    }

    /** True when calls go straight to libc (the JVM was started with the foreign API enabled). */
    static boolean isNative() {
        return NATIVE != null && !"process".equals(System.getProperty("splitpoint.fallocate"));
    }

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
        String failed = attempt(file, position, length, punch);
        if (failed != null) {
            warnOnce(failed + ": zeros are written instead");
        }
        return failed == null;
    }

    /** Whether ZERO_RANGE works, by file system (a probe's answer: tmpfs, say, can punch holes but not this). */
    private static final java.util.Map<java.nio.file.FileStore, Boolean> ZEROES_IN_PLACE = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * True when a range of {@code file} can be zeroed in place, kept allocated (FALLOC_FL_ZERO_RANGE),
     * without writing zeros: asked once per file system, by a probe on a scratch file beside it, so
     * that NBD's FAST_ZERO with NO_HOLE is refused at once where the zeroing would write the zeros
     * (the protocol: fail quickly unless faster than a write), not found out by the first slow one.
     */
    static boolean zeroesInPlace(Path file) {
        if (!isNative() && TOOL == null) {
            return false;
        }
        try {
            return ZEROES_IN_PLACE.computeIfAbsent(Files.getFileStore(file), fs -> probeInPlace(file.toAbsolutePath().getParent()));
        } catch (IOException e) {
            return false; // cannot tell: not fast
        }
    }

    private static boolean probeInPlace(Path dir) {
        Path probe = dir.resolve(".zero-range-probe-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            Files.write(probe, new byte[8192]);
            return attempt(probe, 0, 4096, false) == null;
        } catch (IOException | RuntimeException e) {
            return false;
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException e) {
                // a dot file of 8 KiB left beside the images: nothing reads it
            }
        }
    }

    /** One fallocate; null when done, else what failed (nothing was done). */
    private static String attempt(Path file, long position, long length, boolean punch) throws IOException {
        if (isNative()) {
            return NATIVE.zero(file, position, length, punch) ? null
                    : "fallocate " + (punch ? "PUNCH_HOLE" : "ZERO_RANGE") + " failed on " + file;
        }
        if (TOOL == null) {
            return "util-linux fallocate is not installed: zeroings free no space";
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
            return "fallocate " + (punch ? "--punch-hole" : "--zero-range") + " failed on " + file + " ("
                    + new String(said, StandardCharsets.UTF_8).trim() + ")";
        }
        return null;
    }

    private static void warnOnce(String message) {
        if (!warned) {
            warned = true;
            LOG.log(System.Logger.Level.WARNING, message);
        }
    }
}
