import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarizes a JFR recording of the instant-restore harness: execution samples (threads running
 * Java code) and native method samples (threads in a native call: pread, pwrite, fsync...) per
 * thread, by category of the top-most frame that says what the time is for, plus the top frames,
 * the engine methods on the stack, and the blocking events (file force, monitor enter, park).
 *
 * <pre>java JfrTop FILE.jfr [THREAD-SUBSTRING]</pre>
 */
public final class JfrTop {

    /** Categories, tried on each frame from the top of the stack down; the first match wins. */
    static final String[][] CATEGORIES = {
        {"SHA-256 (MessageDigest)", "sun.security.provider.SHA2", "sun.security.provider.DigestBase",
            "java.security.MessageDigest"},
        {"CRC32C", "java.util.zip.CRC32C"},
        {"fsync (FileChannel.force)", "FileDispatcherImpl.force", "FileChannelImpl.force"},
        {"pread (FileChannel.read)", "FileDispatcherImpl.pread", "IOUtil.read", "FileChannelImpl.read"},
        {"pwrite (FileChannel.write)", "FileDispatcherImpl.pwrite", "IOUtil.write", "FileChannelImpl.write"},
        {"open/close/rename/delete/list", "UnixNativeDispatcher", "FileChannelImpl.implCloseChannel",
            "FileDispatcherImpl.close", "sun.nio.fs"},
        {"heap<->direct copy (NIO temp buffer)", "Unsafe.copyMemory", "Unsafe.copySwapMemory", "DirectByteBuffer.put",
            "HeapByteBuffer.put"},
        {"byte compare (zero test, equals)", "ArraysSupport.mismatch", "java.util.Arrays.equals"},
        {"bitmap (TrackBitmap)", "org.splitpoint.engine.bitmap.TrackBitmap"},
        {"locks (RangeLocks, ReentrantLock, monitors)", "org.splitpoint.engine.io.RangeLocks",
            "java.util.concurrent.locks", "Object.wait"},
        {"JSON (Jackson)", "com.fasterxml.jackson"},
        {"JFR / harness", "jdk.jfr", "InstantBench", "JournalBench", "DrillBench", "SnapshotBench", "JfrTop"},
    };

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        Path file = Path.of(args[0]);
        String only = args.length > 1 ? args[1] : null;
        Map<String, Map<String, Integer>> byThreadCat = new LinkedHashMap<>();
        Map<String, Integer> topFrames = new HashMap<>();
        Map<String, Integer> engineMethods = new HashMap<>();
        Map<String, long[]> blocking = new HashMap<>();
        Map<String, Integer> totals = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            if (type.equals("jdk.ExecutionSample") || type.equals("jdk.NativeMethodSample")) {
                String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
                if (thread == null || (only != null && !thread.contains(only))) {
                    continue;
                }
                String t = threadGroup(thread) + (type.equals("jdk.ExecutionSample") ? " [running Java]" : " [in native]");
                RecordedStackTrace st = e.getStackTrace();
                if (st == null) {
                    continue;
                }
                List<RecordedFrame> frames = st.getFrames();
                String cat = categorize(frames);
                byThreadCat.computeIfAbsent(t, k -> new HashMap<>()).merge(cat, 1, Integer::sum);
                totals.merge(t, 1, Integer::sum);
                if (!frames.isEmpty()) {
                    topFrames.merge(t + "  " + name(frames.get(0)), 1, Integer::sum);
                }
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (RecordedFrame f : frames) {
                    String n = name(f);
                    if (n.startsWith("org.splitpoint.") && seen.add(n)) {
                        engineMethods.merge(threadGroup(thread) + "  " + n, 1, Integer::sum);
                    }
                }
            } else if (type.equals("jdk.FileForce") || type.equals("jdk.JavaMonitorEnter") || type.equals("jdk.ThreadPark")
                    || type.equals("jdk.FileRead") || type.equals("jdk.FileWrite")) {
                String thread = e.getThread() == null ? "?" : e.getThread().getJavaName();
                if (thread == null || (only != null && !thread.contains(only))) {
                    continue;
                }
                String where = "";
                if (e.getStackTrace() != null) {
                    for (RecordedFrame f : e.getStackTrace().getFrames()) {
                        if (name(f).startsWith("org.splitpoint.")) {
                            where = name(f);
                            break;
                        }
                    }
                }
                String monitor = type.equals("jdk.JavaMonitorEnter") && e.getClass("monitorClass") != null
                        ? " (monitor " + e.getClass("monitorClass").getName() + ")" : "";
                String key = type.substring(4) + "  " + threadGroup(thread) + "  " + where + monitor;
                long[] s = blocking.computeIfAbsent(key, k -> new long[2]);
                s[0]++;
                s[1] += e.getDuration().toNanos();
            }
        }
        System.out.println("JFR " + file + (only == null ? "" : " (threads containing '" + only + "')"));
        for (Map.Entry<String, Map<String, Integer>> t : byThreadCat.entrySet()) {
            int total = totals.get(t.getKey());
            System.out.printf("  %s: %d samples%n", t.getKey(), total);
            t.getValue().entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                    .forEach(c -> System.out.printf("    %5.1f%%  %5d  %s%n", 100.0 * c.getValue() / total, c.getValue(), c.getKey()));
        }
        System.out.println("  top frames (samples):");
        topFrames.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(18)
                .forEach(c -> System.out.printf("    %5d  %s%n", c.getValue(), c.getKey()));
        System.out.println("  engine methods on the stack (samples, inclusive):");
        engineMethods.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(25)
                .forEach(c -> System.out.printf("    %5d  %s%n", c.getValue(), c.getKey()));
        System.out.println("  blocking events over their threshold (count, total ms; file force: every one):");
        blocking.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(15)
                .forEach(c -> System.out.printf("    %5d  %9.1f ms  %s%n", c.getValue()[0], c.getValue()[1] / 1e6, c.getKey()));
    }

    static String threadGroup(String thread) {
        if (thread.startsWith("splitpoint-job-")) {
            return "job " + thread.substring("splitpoint-job-".length());
        }
        return thread;
    }

    static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    static String categorize(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String n = name(f);
            for (String[] c : CATEGORIES) {
                for (int i = 1; i < c.length; i++) {
                    if (n.contains(c[i])) {
                        return c[0];
                    }
                }
            }
            if (n.startsWith("org.splitpoint.")) {
                return "engine code: " + n.replace("org.splitpoint.engine.", "");
            }
        }
        return frames.isEmpty() ? "?" : "other: " + name(frames.get(0));
    }

    static Duration d(long nanos) {
        return Duration.ofNanos(nanos);
    }
}
