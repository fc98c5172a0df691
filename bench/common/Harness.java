import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * What the Java harnesses of the instant, journal and drills suites share (each extends it and is
 * compiled with it by its run.sh): settings from the environment, settling and dropping the page
 * cache, running commands, awaiting jobs, JFR recordings for --profile, and named samples with
 * their medians.
 */
abstract class Harness {

    static final int MIB = 1 << 20;

    /** Idle time after the sync before each timed sample (BENCH_SETTLE_MS). */
    final long settleMs = Long.parseLong(env("BENCH_SETTLE_MS", "500"));
    /** Whether {@link #dropCaches()} worked (checked once at the start). */
    boolean canDrop;
    /** Samples by name, in the order first recorded. */
    final Map<String, List<Double>> samples = new LinkedHashMap<>();
    /** The load average (and `uptime`) before and after each regime, by regime. */
    final Map<String, String> loads = new LinkedHashMap<>();

    /** What a suite runs in one page-cache regime ("warm", "cold"). */
    interface Regime {
        void run(String regime, boolean cold) throws Exception;
    }

    /** Something a suite runs. */
    interface Step {
        void run() throws Exception;
    }

    /** Writes a suite's table to a file. */
    interface Report {
        void write(Path out) throws Exception;
    }

    /**
     * The main of a suite with page-cache regimes, after WORK exists: {@code WORK OUT.md} runs
     * {@code prepare}, then {@code regime} in each of {@code regimes}, then writes the table with
     * {@code report}; {@code WORK - profile} runs {@code profile} instead. {@code close} runs last,
     * in any case.
     */
    void runSuite(String[] args, List<String> regimes, Step prepare, Regime regime, Report report, Step profile, Step close)
            throws Exception {
        canDrop = dropCaches();
        System.out.println("page cache: " + (canDrop ? "'cold' samples run right after sync; echo 3 > drop_caches"
                : "could not drop caches (not permitted): every 'cold' figure is WARM"));
        System.out.println("load average at start: " + load());
        try {
            if (args.length > 2 && args[2].equals("profile")) {
                profile.run();
                return;
            }
            prepare.run();
            eachRegime(regimes, regime);
            report.write(Path.of(args[1]).toAbsolutePath());
        } finally {
            close.run();
        }
    }

    /** Runs {@code body} in each regime, noting the load before and after in {@link #loads}. */
    void eachRegime(List<String> regimes, Regime body) throws Exception {
        for (String regime : regimes) {
            String before = load() + " (`uptime`: " + exec(List.of("uptime")).trim() + ")";
            body.run(regime, regime.equals("cold"));
            loads.put(regime, before + " -> " + load());
            System.out.printf("regime %s: load average %s%n", regime, loads.get(regime));
        }
    }

    /** {@link #loads} as "regime: before -> after, ..." for a table's note. */
    String loadsText() {
        return loads.toString().replace("{", "").replace("}", "").replace("=", ": ");
    }

    static String env(String k, String d) {
        String v = System.getenv(k);
        return v == null || v.isBlank() ? d : v.trim();
    }

    static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The load average over 1, 5 and 15 minutes. */
    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** {@code mib} MiB of seeded random bytes in a direct buffer (the same bytes in every run). */
    static ByteBuffer randomBuffer(int mib) {
        ByteBuffer random = ByteBuffer.allocateDirect(mib * MIB);
        byte[] chunk = new byte[MIB];
        Random r = new Random(42);
        while (random.hasRemaining()) {
            r.nextBytes(chunk);
            random.put(chunk);
        }
        return random.clear();
    }

    /** Size of each of {@code members} parity members holding {@code size} volume bytes: whole strips, just enough rows. */
    static long parityMemberSize(long size, int members, int strip) {
        long stripeData = (long) strip * (members - 1);
        return (size + stripeData - 1) / stripeData * strip;
    }

    static void await(Job j) throws Exception {
        while (!j.await(600_000)) {
            // keep waiting
        }
        if (j.state() != JobState.DONE) {
            throw new IOException(j.kind() + " ended " + j.state() + ": " + j.progress().message());
        }
    }

    static String exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IOException(String.join(" ", cmd) + " exited with " + rc + ":\n" + text);
        }
        return text;
    }

    void settle() throws IOException, InterruptedException {
        exec(List.of("sync"));
        Thread.sleep(settleMs);
    }

    /** {@code sync; echo 3 > /proc/sys/vm/drop_caches}; false when that is not permitted. */
    boolean dropCaches() throws IOException, InterruptedException {
        exec(List.of("sync"));
        try {
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3\n");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** Reads the file through the page cache; returns its length. */
    static long readThrough(Path f) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(MIB + 4096).alignedSlice(4096).slice(0, MIB); // on a page, as a peer's (Bench.readBuf)
        long at = 0;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            while (true) {
                b.clear();
                int n = ch.read(b, at);
                if (n < 0) {
                    break;
                }
                at += n;
            }
        }
        return at;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.delete(x);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** A note for a table: empty, or that caches could not be dropped. */
    String dropNote() {
        return canDrop ? "" : " **Caches could not be dropped: every figure is warm.**";
    }

    // ---- --profile ---------------------------------------------------------------------------------

    /** WORK/jfr, created: where a profile's recordings go (run.sh moves them to bench/target/SUITE/jfr). */
    static Path jfrDir(Path work) throws IOException {
        return Files.createDirectories(work.resolve("jfr"));
    }

    /** The profile's phases to run: the comma-separated list in {@code envName}, by default {@code all}. */
    static java.util.Set<String> phases(String envName, String all) {
        return java.util.Set.of(env(envName, all).split(","));
    }

    /** A JFR recording: 1 ms execution and native-method sampling, file force, monitor enter, park, slow file I/O. */
    static Recording startJfr() throws Exception {
        Recording rec = new Recording(Configuration.getConfiguration("profile"));
        rec.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
        rec.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(1));
        rec.enable("jdk.JavaMonitorEnter").withThreshold(Duration.ofMillis(1)).withStackTrace();
        rec.enable("jdk.ThreadPark").withThreshold(Duration.ofMillis(1)).withStackTrace();
        rec.enable("jdk.FileRead").withThreshold(Duration.ofMillis(1)).withStackTrace();
        rec.enable("jdk.FileWrite").withThreshold(Duration.ofMillis(1)).withStackTrace();
        rec.enable("jdk.FileForce").withThreshold(Duration.ofMillis(0)).withStackTrace();
        rec.start();
        return rec;
    }

    static void stopJfr(Recording rec, Path to) throws IOException {
        rec.stop();
        rec.dump(to);
        rec.close();
    }

    /**
     * A profiled phase's window in System.nanoTime() (CLOCK_MONOTONIC), for bench/journal/perf-phases.py
     * to cut a {@code perf record -k CLOCK_MONOTONIC} of the harness by phase.
     */
    static void mark(String phase, long t0) {
        System.out.printf("perf-phase %s %d %d%n", phase, t0, System.nanoTime());
    }

    // ---- samples -----------------------------------------------------------------------------------

    void record(String key, double v) {
        samples.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
    }

    /** The median of the key's samples (NaN ones left out), or NaN when there are none. */
    double med(String key) {
        double[] a = samples.getOrDefault(key, List.of()).stream().mapToDouble(Double::doubleValue)
                .filter(x -> !Double.isNaN(x)).sorted().toArray();
        int n = a.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
    }

    double best(String key) {
        return samples.getOrDefault(key, List.of()).stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    /** The key's samples, comma-separated, each times {@code scale} in {@code fmt}. */
    String runs(String key, double scale, String fmt) {
        StringBuilder b = new StringBuilder();
        for (double x : samples.getOrDefault(key, List.of())) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format(fmt, x * scale));
        }
        return b.toString();
    }

    String runs(String key) {
        return runs(key, 1, "%.2f");
    }

    static String bold(String res) {
        return res.equals("MISS") ? "**MISS**" : res;
    }

    /**
     * Writes the markdown table to {@code out} and prints the console one: rows of regime, line,
     * ours, {@code reference}, ratio, target, result.
     */
    static void writeTables(Path out, CharSequence md, List<String[]> console, String reference) throws IOException {
        Files.createDirectories(out.getParent());
        Files.writeString(out, md);
        System.out.println();
        int width = console.stream().mapToInt(c -> c[1].length()).max().orElse(4);
        String fmt = "%-6s %-" + width + "s %12s %12s %7s %7s  %s%n";
        System.out.printf(fmt, "regime", "line", "ours", reference, "ratio", "target", "result");
        for (String[] c : console) {
            System.out.printf(fmt, (Object[]) c);
        }
    }
}
