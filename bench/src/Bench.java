import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * Splitpoint throughput benchmark: the engine against plain file I/O (fio) and qemu-img on the
 * same file system, in one run. Started by bench/run.sh; see bench/README.md.
 *
 * <p>For each layout (raid1 over 2 drives, raid5 over 4): two pools and a plain file are created
 * and filled once (untimed), then each repetition measures, in ABBA order (ours, peer, peer, ours;
 * BAAB on even repetitions):
 * <ol>
 *   <li>write: ours overwrites the volume in 1 MiB requests from a direct buffer of random bytes,
 *       then flush() (fsync of every member); peer: fio overwrites the plain file, bs=1M, psync,
 *       end_fsync=1 (fio's job runtime, which includes the final fsync).</li>
 *   <li>read: caches dropped (sync; echo 3 &gt; drop_caches) when permitted, else both hot;
 *       ours reads the volume in 1 MiB requests; peer: fio sequential read, bs=1M, psync.</li>
 *   <li>rebuild: ours: failDrive("d2"), caches dropped, replaceDrive("d2") until the job is DONE
 *       (the job ends with the member forced). peer: caches dropped, {@code qemu-img convert -W -m 8
 *       -f raw -O raw} of member image d1 to a new file, then {@code sync FILE} (fsync).</li>
 * </ol>
 * Before each timed write or copy the file system is synced and left idle for BENCH_SETTLE_MS
 * (500). Each figure is the median of all samples (2 per repetition per side); a ratio is
 * median(ours) / median(peer).
 */
public final class Bench {

    static final int MIB = 1 << 20;
    static final int TRACK = 64 * 1024;
    static final int STRIP = 64 * 1024;

    final Path work;
    final int reps;
    final long size;
    final Path out;
    boolean canDrop;
    final Map<String, List<Double>> samples = new LinkedHashMap<>(); // seconds
    final Map<String, Long> bytes = new LinkedHashMap<>();
    final ByteBuffer random;

    Bench(Path work, int reps, long size, Path out) {
        this.work = work;
        this.reps = reps;
        this.size = size;
        this.out = out;
        // 64 MiB of random bytes, cycled through: nothing is zero, so no one can skip or compress it.
        random = ByteBuffer.allocateDirect(64 * MIB);
        byte[] chunk = new byte[MIB];
        Random r = new Random(42);
        while (random.hasRemaining()) {
            r.nextBytes(chunk);
            random.put(chunk);
        }
        random.clear();
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        Path work = Path.of(args[0]).toAbsolutePath();
        Path out = Path.of(args[1]).toAbsolutePath();
        int reps = Integer.parseInt(env("BENCH_REPS", "3"));
        long size = Long.parseLong(env("BENCH_SIZE_MIB", "1024")) * MIB;
        String only = env("BENCH_ONLY", "raid1,raid5");
        Bench b = new Bench(work, reps, size, out);
        b.run(only);
    }

    static String env(String k, String d) {
        String v = System.getenv(k);
        return v == null || v.isBlank() ? d : v.trim();
    }

    void run(String only) throws Exception {
        Files.createDirectories(work);
        canDrop = dropCaches();
        System.out.println("page cache: " + (canDrop ? "dropped before every read and rebuild (cold)"
                : WARM ? "kept warm (BENCH_CACHE=warm): reads are HOT for both sides"
                : "could not drop caches (not permitted): reads are HOT for both sides"));
        List<Setup> setups = new ArrayList<>();
        if (only.contains("raid1")) {
            setups.add(new Setup("raid1", Layout.RAID1, 2));
        }
        if (only.contains("raid5")) {
            setups.add(new Setup("raid5", Layout.RAID5, 4));
        }
        for (Setup s : setups) {
            layout(s);
        }
        cleanup();
        report(setups);
    }

    record Setup(String name, Layout layout, int drives) {
        String label() {
            return name + " (" + drives + " drives)";
        }
    }

    /** Drive size: just enough member rows for {@code size} volume bytes, a multiple of the strip. */
    long driveSize(Setup s) {
        if (s.layout() == Layout.RAID1) {
            return size;
        }
        long stripeData = (long) STRIP * (s.drives() - 1);
        long stripes = (size + stripeData - 1) / stripeData;
        return stripes * STRIP;
    }

    /**
     * All repetitions for one layout. Two pools (A, B) and the plain file are created and filled
     * once, untimed; every timed write then overwrites allocated blocks on both sides. (Timing
     * writes into new files measured mostly whether the file system handed out recycled blocks,
     * which on a VM disk differ several-fold in write speed from never-written ones.)
     *
     * <p>Each repetition runs every phase in ABBA order (BAAB on even repetitions): ours, peer,
     * peer, ours, the two "ours" on pools A and B, so drift in the machine (the host still writing
     * back what was just written, say) favours neither side.
     */
    void layout(Setup s) throws Exception {
        Path dirA = work.resolve("pool-" + s.name() + "-a");
        Path dirB = work.resolve("pool-" + s.name() + "-b");
        Path plain = work.resolve("plain.img");
        Path copy = work.resolve("copy.img");
        Pool[] pools = new Pool[2];
        try {
            System.out.printf("%s: preparing (filling two volumes and the plain file, untimed)%n", s.label());
            pools[0] = newPool(s, dirA);
            pools[1] = newPool(s, dirB);
            RaidVolume[] vols = {pools[0].volume("v"), pools[1].volume("v")};
            for (RaidVolume v : vols) {
                timeWrite(v);
            }
            Files.deleteIfExists(plain);
            fio("write", plain);
            for (int rep = 1; rep <= reps; rep++) {
                System.out.printf("%s: repetition %d/%d%n", s.label(), rep, reps);
                boolean[] oursAt = rep % 2 == 1 ? new boolean[] {true, false, false, true}
                        : new boolean[] {false, true, true, false};

                // ---- sequential write (overwrite), ending with flush / fsync ----
                int next = 0;
                for (boolean ours : oursAt) {
                    settle();
                    if (ours) {
                        record(s.name() + " write ours", timeWrite(vols[next++]), size);
                    } else {
                        record(s.name() + " write peer", fio("write", plain), size);
                    }
                }

                // ---- sequential read, cold (or hot when caches cannot be dropped) ----
                next = 0;
                for (boolean ours : oursAt) {
                    dropCaches();
                    if (ours) {
                        RaidVolume v = vols[next++];
                        record(s.name() + " read ours", timeRead(v), size);
                        checkSample(v);
                    } else {
                        record(s.name() + " read peer", fio("read", plain), size);
                    }
                }

                // ---- rebuild of d2 (a new sparse image) vs qemu-img copying member d1 to a new file ----
                next = 0;
                int copied = 0;
                for (boolean ours : oursAt) {
                    if (ours) {
                        timeRebuild(s, pools[next], vols[next]);
                        next++;
                    } else {
                        Path dir = copied++ == 0 ? dirA : dirB;
                        timeCopy(s, dir.resolve("drives").resolve("d1.img"), copy);
                    }
                }
            }
        } finally {
            for (Pool p : pools) {
                if (p != null) {
                    p.close();
                }
            }
        }
        Files.deleteIfExists(plain);
        Harness.deleteTree(dirA);
        Harness.deleteTree(dirB);
    }

    Pool newPool(Setup s, Path dir) throws Exception {
        Harness.deleteTree(dir);
        Pool.create(dir, s.drives(), driveSize(s), TRACK, StorageFactory.real());
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= s.drives(); i++) {
            names.add("d" + i);
        }
        Pool pool = Pool.open(dir);
        try {
            pool.admin().createVolume("v", s.layout(), names, size);
        } catch (Exception e) {
            pool.close();
            throw e;
        }
        return pool;
    }

    /** Ours: fail d2, drop caches, replace d2 and wait until the rebuild job is DONE. */
    void timeRebuild(Setup s, Pool pool, RaidVolume v) throws Exception {
        long rows = v.memberRows();
        pool.admin().failDrive("d2");
        settle();
        dropCaches();
        long t0 = System.nanoTime();
        Job job = pool.admin().replaceDrive("d2");
        while (!job.await(60_000)) {
            // keep waiting; a rebuild of 1 GiB takes seconds
        }
        double tb = (System.nanoTime() - t0) / 1e9;
        if (job.state() != JobState.DONE) {
            throw new IllegalStateException("rebuild ended " + job.state() + ": " + job.progress().message());
        }
        record(s.name() + " rebuild ours", tb, rows);
        checkSample(v);
        Files.deleteIfExists(pool.dir().resolve("drives").resolve("d2.img.replaced"));
    }

    /** The peer of a rebuild: qemu-img copies a member image (all data), cold cache, then fsync. */
    void timeCopy(Setup s, Path member, Path copy) throws IOException, InterruptedException {
        long memberBytes = Files.size(member);
        Files.deleteIfExists(copy);
        settle();
        dropCaches();
        long t0 = System.nanoTime();
        Harness.exec(List.of("qemu-img", "convert", "-W", "-m", "8", "-f", "raw", "-O", "raw",
                member.toString(), copy.toString()));
        Harness.exec(List.of("sync", copy.toString()));
        double pb = (System.nanoTime() - t0) / 1e9;
        record(s.name() + " rebuild peer", pb, memberBytes);
        Files.deleteIfExists(copy);
    }

    /** sync (which also completes the discards of deleted files), then a short pause. */
    void settle() throws IOException, InterruptedException {
        sync();
        Thread.sleep(SETTLE_MILLIS);
    }

    static final long SETTLE_MILLIS = Long.parseLong(env("BENCH_SETTLE_MS", "500"));

    double timeWrite(RaidVolume v) throws IOException {
        long t0 = System.nanoTime();
        int slots = random.capacity() / MIB;
        for (long off = 0, i = 0; off < size; off += MIB, i++) {
            int len = (int) Math.min(MIB, size - off);
            int at = (int) (i % slots) * MIB;
            ByteBuffer b = random.slice(at, len);
            v.write(off, b);
        }
        v.flush();
        return (System.nanoTime() - t0) / 1e9;
    }

    // on a page, as fio's buffers are: allocateDirect's start 16 bytes into a page, and the kernel's copy
    // into such a buffer took 1.8x as long here (bench/notes/nbd-buffer-floor-2026-12-06.txt)
    final ByteBuffer readBuf = ByteBuffer.allocateDirect(MIB + 4096).alignedSlice(4096).slice(0, MIB);

    double timeRead(RaidVolume v) throws IOException {
        long t0 = System.nanoTime();
        for (long off = 0; off < size; off += MIB) {
            int len = (int) Math.min(MIB, size - off);
            readBuf.clear().limit(len);
            v.read(off, readBuf);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Untimed sanity check: a few 1 MiB blocks read back equal what was written. */
    void checkSample(RaidVolume v) throws IOException {
        int slots = random.capacity() / MIB;
        long blocks = size / MIB;
        for (long i : new long[] {0, blocks / 3, blocks / 2, blocks - 1}) {
            ByteBuffer got = ByteBuffer.allocateDirect(MIB);
            v.read(i * MIB, got);
            got.flip();
            ByteBuffer want = random.slice((int) (i % slots) * MIB, MIB);
            if (!got.equals(want)) {
                throw new IllegalStateException("volume " + v.name() + ": block " + i + " reads back wrong");
            }
        }
    }

    static final Pattern RUNTIME = Pattern.compile("\"job_runtime\"\\s*:\\s*(\\d+)");

    /** Runs fio on {@code file}; returns its job runtime in seconds (includes end_fsync for writes). */
    double fio(String rw, Path file) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("fio", "--name=plain", "--filename=" + file, "--rw=" + rw,
                "--bs=1M", "--size=" + size, "--ioengine=psync", "--numjobs=1", "--iodepth=1",
                "--output-format=json"));
        if (rw.equals("write")) {
            cmd.add("--end_fsync=1");
        }
        if (WARM) {
            cmd.add("--invalidate=0"); // fio drops the file's cached pages before a job unless told not to
        }
        String json = Harness.exec(cmd);
        Matcher m = RUNTIME.matcher(json);
        if (!m.find()) {
            throw new IOException("no job_runtime in fio output:\n" + json);
        }
        return Long.parseLong(m.group(1)) / 1000.0;
    }

    void sync() throws IOException, InterruptedException {
        Harness.exec(List.of("sync"));
    }

    /** The page-cache regime: BENCH_CACHE=warm keeps what the writes left cached (no drops). */
    static final boolean WARM = env("BENCH_CACHE", "cold").equals("warm");

    /** sync, then drop the page cache; false when not permitted or when the run is warm. */
    boolean dropCaches() throws IOException, InterruptedException {
        sync();
        if (WARM) {
            return false;
        }
        try {
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3\n");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    void record(String key, double seconds, long bytes) {
        samples.computeIfAbsent(key, k -> new ArrayList<>()).add(seconds);
        this.bytes.put(key, bytes);
        System.out.printf("  %-22s %8.3f s  %9.1f MiB/s%n", key, seconds, bytes / (double) MIB / seconds);
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = a.length;
        return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
    }

    double rate(String key) {
        return bytes.get(key) / (double) MIB / median(samples.get(key));
    }

    void report(List<Setup> setups) throws IOException {
        record Line(String test, String key, String peer, Double target) { }
        List<Line> lines = new ArrayList<>();
        for (Setup s : setups) {
            String n = s.name();
            String d = " (" + s.drives() + ")";
            lines.add(new Line(n + d + " seq write", n + " write", "fio write+fsync", n.equals("raid1") ? 0.45 : null));
            lines.add(new Line(n + d + " seq read", n + " read", "fio read", 0.9));
            lines.add(new Line(n + d + " rebuild", n + " rebuild", "qemu-img convert+sync", 1.0));
        }
        StringBuilder md = new StringBuilder();
        md.append("| test | ours MiB/s | peer MiB/s | peer | ratio ours/peer | target | result | best-run ratio | ours s (runs) | peer s (runs) |\n");
        md.append("|---|---:|---:|---|---:|---:|---|---:|---|---|\n");
        String fmt = "%-22s %10s %10s %7s %7s  %-6s %10s  %s%n";
        System.out.println();
        System.out.printf(fmt, "test", "ours MiB/s", "peer MiB/s", "ratio", "target", "result", "best ratio", "peer");
        for (Line l : lines) {
            if (!samples.containsKey(l.key + " ours")) {
                continue;
            }
            double ours = rate(l.key + " ours");
            double peer = rate(l.key + " peer");
            double ratio = ours / peer;
            String target = l.target == null ? "-" : String.format(">=%.2f", l.target);
            String result = l.target == null ? "info" : ratio >= l.target ? "PASS" : "MISS";
            // fastest run against fastest run: less sensitive to a machine whose speed jumps
            double best = best(l.key + " peer") / best(l.key + " ours");
            System.out.printf(fmt, l.test, String.format("%.1f", ours), String.format("%.1f", peer),
                    String.format("%.2f", ratio), target, result, String.format("%.2f", best), l.peer);
            md.append(String.format("| %s | %.1f | %.1f | %s | %.2f | %s | %s | %.2f | %s | %s |%n", l.test, ours, peer,
                    l.peer, ratio, target.replace(">=", "≥ "), result.equals("MISS") ? "**MISS**" : result, best,
                    runs(l.key + " ours"), runs(l.key + " peer")));
        }
        md.append("\nVolume size ").append(size / MIB).append(" MiB; ").append(reps)
                .append(" repetitions in ABBA order (ours, peer, peer, ours; BAAB on even repetitions), so ")
                .append(2 * reps).append(" samples per side; medians shown (ratio = median ours / median peer; "
                        + "PASS/MISS is judged on it). The best-run ratio compares the fastest run of each side. ")
                .append("Writes overwrite a volume / plain file filled once beforehand (untimed), so both sides write "
                        + "to allocated blocks. Page cache: ")
                .append(canDrop ? "dropped (`sync; echo 3 > /proc/sys/vm/drop_caches`) before every read and every rebuild/copy, "
                        + "so reads and rebuilds are **cold** on both sides; writes start from a synced cache."
                        : WARM ? "**warm** on both sides (BENCH_CACHE=warm: never dropped); reads follow the writes at once."
                        : "**hot** on both sides (dropping caches was not permitted); reads follow the writes at once.")
                .append(" Rebuild bytes are member bytes (raid5: one member of 4 = 1/3 of the volume); "
                        + "the peer copies member image d1 of the same pool.\n");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
    }

    /** Shortest time of {@code key}'s samples. */
    double best(String key) {
        return samples.get(key).stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    String runs(String key) {
        StringBuilder b = new StringBuilder();
        for (double x : samples.get(key)) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format("%.2f", x));
        }
        return b.toString();
    }

    void cleanup() throws IOException {
        for (String d : List.of("pool-raid1-a", "pool-raid1-b", "pool-raid5-a", "pool-raid5-b")) {
            Harness.deleteTree(work.resolve(d));
        }
        Files.deleteIfExists(work.resolve("plain.img"));
        Files.deleteIfExists(work.resolve("copy.img"));
    }
}
