import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.jfr.Recording;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.SnapshotAdmin;
import org.splitpoint.engine.raid.RaidVolume;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * Snapshots benchmark (the snapshots issue, "Benchmark"), started by bench/snapshots/run.sh
 * ({@code bench/run.sh snapshots}); see bench/README.md.
 *
 * <p>One pool, created and filled once (untimed), 64 KiB tracks, every drive a sparse image:
 * volume "v" of BENCH_SIZE_MIB (1 GiB; raid1 over 2 drives, or BENCH_SNAP_LAYOUT=raid5 over 4),
 * volume "w" of the same size and layout with the same bytes (the source of the full-copy
 * reference: snapshot w@base, never written), the save area "save" (raid1 over 2 drives, as big as
 * v unless BENCH_SNAP_SAVE_MIB says otherwise, filled once so slot writes overwrite allocated
 * blocks), and volume "big" of BENCH_SNAP_BIG_GIB (64 GiB, same layout; 1 MiB written every GiB).
 * Beside it, for qemu-img: q1.qcow2 (the size of v, the same bytes) and q64.qcow2 (64 GiB, a 1 MiB
 * pattern every GiB). Timed, same run, in two regimes (page cache warm; {@code sync; echo 3 >
 * drop_caches} before every sample), medians of BENCH_REPS repetitions:
 *
 * <ol>
 * <li>create: {@code snapshots().create(volume, name)} on v vs on big (target: equal within noise,
 *     ratio 64 GiB / 1 GiB within 0.67–1.5), each against {@code qemu-img snapshot -c} on the
 *     qcow2 of the same size; snapshots deleted after each sample (untimed). 1c: the same, each the
 *     volume's first snapshot since the pool was opened (closed and opened again, untimed, before it),
 *     as every CLI create of a volume with no snapshot is.</li>
 * <li>first writes: BENCH_SNAP_WRITE_MIB (256 MiB) written through {@code pool.device("v")} by
 *     BENCH_SNAP_THREADS (4) threads, then {@code flush()}: sequential (1 MiB writes, each thread
 *     its own stretch) and random (distinct extents of 64 KiB..1 MiB at random 64 KiB-aligned
 *     offsets, random order), right after {@code create("v", ...)} (every track written is a first
 *     write: its old bytes saved) vs the same writes with no snapshot (target ≥ 0.5×).</li>
 * <li>rewrites: the same writes again with the snapshot still there (every track saved already)
 *     vs no snapshot (target ≥ 0.9×).</li>
 * <li>restore: a snapshot of v, BENCH_SNAP_PERCENT (1)% of v's tracks written whole at random
 *     (untimed), then {@code restore("v", snap, false, 0)} to the job DONE, vs a full copy by the
 *     same machinery: {@code restore("v", "w@base", false, 0)} (every track, from another volume's
 *     snapshot) (target ≤ 3%); and vs {@code qemu-img snapshot -a} of the qcow2 after the same
 *     tracks were written into it ({@code qemu-io}). 4b: the same restore with a safety snapshot
 *     first (the CLI's default), shown against the full copy without a target.</li>
 * <li>first read: from calling {@code restore()} to the end of the first correct read (equal to
 *     the snapshot's bytes, read before the restore) of the highest changed track, which the
 *     restore still owes (checked).</li>
 * </ol>
 *
 * <p>{@code SnapshotBench WORK OUT.md} runs the benchmark; {@code SnapshotBench WORK - profile} runs
 * one pass of each path through a timing file layer with a JFR recording per phase (WORK/jfr/*.jfr).
 */
public final class SnapshotBench extends Harness {

    static final int TRACK = 64 * 1024;
    static final String SNAP = "bench";

    final Path work;
    final Path dir;
    final Path q1;
    final Path q64;
    final int reps;
    final long size;
    final long bigSize;
    final long saveSize;
    final long writeBytes;
    final int threads;
    final int percent;
    final int creates;
    final Layout layout;
    final int members;
    final List<String> regimes;
    final List<String> workloads;
    final ByteBuffer random;
    final long volumeTracks;
    /** Drive names of each volume, for the profile's file names. */
    final Map<String, List<String>> drivesOf = new java.util.LinkedHashMap<>();
    Pool pool;
    StorageFactory storage = StorageFactory.real();
    ExecutorService writers;
    int shift;
    int qemuPattern = 0x20;

    SnapshotBench(Path work, int reps) {
        this.work = work;
        this.reps = reps;
        this.size = Long.parseLong(env("BENCH_SIZE_MIB", "1024")) * MIB;
        this.bigSize = Long.parseLong(env("BENCH_SNAP_BIG_GIB", "64")) * 1024 * MIB;
        this.saveSize = Long.parseLong(env("BENCH_SNAP_SAVE_MIB", String.valueOf(size / MIB))) * MIB;
        this.writeBytes = Math.min(size, Long.parseLong(env("BENCH_SNAP_WRITE_MIB", "256")) * MIB);
        this.threads = Integer.parseInt(env("BENCH_SNAP_THREADS", "4"));
        this.percent = Integer.parseInt(env("BENCH_SNAP_PERCENT", "1"));
        this.creates = Integer.parseInt(env("BENCH_SNAP_CREATES", "2"));
        this.layout = Layout.parse(env("BENCH_SNAP_LAYOUT", "raid1"));
        this.members = layout == Layout.RAID1 ? 2 : 4;
        this.regimes = List.of(env("BENCH_SNAP_REGIMES", "warm,cold").split(","));
        this.workloads = List.of(env("BENCH_SNAP_WORKLOADS", "seq,rand").split(","));
        this.dir = work.resolve("pool");
        this.q1 = work.resolve("q1.qcow2");
        this.q64 = work.resolve("q64.qcow2");
        if (size % MIB != 0 || size < 16 * MIB || writeBytes % MIB != 0 || saveSize < writeBytes + 16 * MIB) {
            throw new IllegalArgumentException("BENCH_SIZE_MIB >= 16; BENCH_SNAP_WRITE_MIB in MiB; the save area"
                    + " (BENCH_SNAP_SAVE_MIB) must hold the writes of a sample and more");
        }
        this.volumeTracks = size / TRACK;
        random = randomBuffer(64);
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        Path work = Path.of(args[0]).toAbsolutePath();
        SnapshotBench b = new SnapshotBench(work, Integer.parseInt(env("BENCH_REPS", "4"))); // even: as many of each order
        Files.createDirectories(work);
        b.runSuite(args, b.regimes, b::prepare, b::regime, b::report, b::profile, () -> {
            if (b.writers != null) {
                b.writers.shutdownNow();
            }
            if (b.pool != null) {
                b.pool.close();
            }
            b.cleanup();
        });
    }

    // ---- preparation ------------------------------------------------------------------------------

    long memberSize(long volSize) {
        return layout == Layout.RAID1 ? volSize : parityMemberSize(volSize, members, layout.defaultStripUnit());
    }

    /** The pool (v, w, save, big), w@base, the qcow2 images, and one untimed round of each path. */
    void prepare() throws Exception {
        cleanup();
        Files.createDirectories(work);
        writers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "host-writer");
            t.setDaemon(true);
            return t;
        });
        long t0 = System.nanoTime();
        Pool.create(dir, members, memberSize(size), TRACK, StorageFactory.real());
        pool = Pool.open(dir, storage);
        List<String> vd = new ArrayList<>();
        for (int i = 1; i <= members; i++) {
            vd.add("d" + i);
        }
        createVolume("v", layout, vd, size);
        createVolume("w", layout, addDrives(members, memberSize(size)), size);
        createVolume("save", Layout.RAID1, addDrives(2, saveSize), saveSize);
        createVolume("big", layout, addDrives(members, memberSize(bigSize)), bigSize);
        for (String vol : List.of("v", "w", "save")) {
            fill(vol);
        }
        BlockDevice big = pool.device("big");
        for (long at = 0; at < bigSize; at += 1024L * MIB) {
            big.write(at, random.slice(0, MIB));
        }
        big.flush();
        pool.snapshots().setSaveArea("save");
        pool.snapshots().create("w", "base");
        System.out.printf("prepared: %s volumes v and w of %d MiB over %d drives each, save area of %d MiB (raid1), %s volume"
                        + " big of %d GiB (1 MiB written every GiB), filled, w@base taken, in %.1f s%n", layout.word(), size / MIB,
                members, saveSize / MIB, layout.word(), bigSize / 1024 / MIB, secs(t0));
        t0 = System.nanoTime();
        Path raw = work.resolve("raw.img");
        try (var ch = java.nio.channels.FileChannel.open(raw, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long at = 0; at < size; at += MIB) {
                ByteBuffer b = random.slice((int) (at % random.capacity()), MIB);
                while (b.hasRemaining()) {
                    ch.write(b, at + b.position());
                }
            }
        }
        exec(List.of("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), q1.toString()));
        Files.delete(raw);
        exec(List.of("qemu-img", "create", "-q", "-f", "qcow2", q64.toString(), String.valueOf(bigSize)));
        List<String> io = new ArrayList<>(List.of("qemu-io"));
        for (long at = 0; at < bigSize; at += 1024L * MIB) {
            io.add("-c");
            io.add("write -q -P 0x5a " + at + " 1M");
        }
        io.add(q64.toString());
        exec(io);
        System.out.printf("prepared: q1.qcow2 (%d MiB, the same bytes as v) and q64.qcow2 (%d GiB, 1 MiB every GiB) in %.1f s%n",
                size / MIB, bigSize / 1024 / MIB, secs(t0));
        t0 = System.nanoTime();
        // untimed: one of each path first (class loading, JIT, the first snapshot of each volume in this opening)
        createSample("v", null);
        createSample("big", null);
        firstCreateSample("v", null);
        firstCreateSample("big", null);
        for (String wl : workloads) {
            writeSamples(wl, false, null);
        }
        restoreSample(null);
        restoreSample(null, true);
        fullRestoreSample(null);
        firstReadSample(null);
        qemuRevertSample(null);
        System.out.printf("warm-up round (one sample of each line, untimed) in %.1f s%n", secs(t0));
    }

    void createVolume(String name, Layout l, List<String> drives, long volSize) throws Exception {
        drivesOf.put(name, drives); // first: the profile's timing layer names the images as the volume opens them
        pool.admin().createVolume(name, l, drives, volSize);
    }

    List<String> addDrives(int n, long driveSize) throws Exception {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(pool.admin().addDrive(driveSize));
        }
        return out;
    }

    void fill(String vol) throws Exception {
        BlockDevice d = pool.device(vol);
        long s = d.size();
        for (long at = 0; at < s; at += MIB) {
            d.write(at, random.slice((int) (at % random.capacity()), (int) Math.min(MIB, s - at)));
        }
        d.flush();
    }

    List<Path> images(String... volumes) {
        List<Path> out = new ArrayList<>();
        for (String vol : volumes) {
            for (String d : drivesOf.get(vol)) {
                out.add(dir.resolve("drives").resolve(d + ".img"));
            }
        }
        return out;
    }

    /**
     * Before a timed sample: the write-intent bits of earlier samples aged out on v and the save
     * area (three flushes with no writes clear every bit, so every sample's first write to a track
     * pays the bitmap's fsync alike), sync and settle; cold: drop the caches.
     */
    void ready(boolean cold) throws Exception {
        for (int i = 0; i < 3; i++) {
            pool.volume("v").flush();
            pool.volume("save").flush();
        }
        settle();
        if (cold) {
            dropCaches();
        }
    }

    /** Warm regime: every image a sample reads, through the page cache (after a cold regime dropped them). */
    void warmAll() throws IOException {
        for (Path p : images("v", "w", "save")) {
            readThrough(p);
        }
        readThrough(q1);
    }

    // ---- one regime ---------------------------------------------------------------------------------

    void regime(String regime, boolean cold) throws Exception {
        if (!cold) {
            long t0 = System.nanoTime();
            warmAll();
            System.out.printf("%s: images read through the page cache in %.1f s%n", regime, secs(t0));
        }
        for (int rep = 1; rep <= reps; rep++) {
            boolean odd = rep % 2 == 1;
            System.out.printf("%s: repetition %d/%d (load average %s)%n", regime, rep, reps, load());
            Timed t = new Timed(regime, cold);
            // 1. create: v and big in ABBA order (BAAB on even repetitions), each with qemu-img beside it
            List<String> order = odd ? List.of("v", "big", "big", "v") : List.of("big", "v", "v", "big");
            for (String vol : order) {
                for (int i = 0; i < creates; i++) {
                    createSample(vol, t);
                    qemuCreateSample(vol.equals("v") ? q1 : q64, vol.equals("v") ? "1g" : "big", t);
                }
            }
            qemuOpenSample(t);
            // 1c. the first snapshot of a volume since the pool was opened, ABBA
            for (String vol : order) {
                firstCreateSample(vol, t);
            }
            // 2./3. writes, per workload, the order alternating
            List<String> wls = new ArrayList<>(workloads);
            if (!odd) {
                Collections.reverse(wls);
            }
            for (String wl : wls) {
                writeSamples(wl, odd, t);
            }
            // 4./5./6. restores
            if (odd) {
                fullRestoreSample(t);
                restoreSample(t);
                restoreSample(t, true);
                firstReadSample(t);
                qemuRevertSample(t);
            } else {
                qemuRevertSample(t);
                firstReadSample(t);
                restoreSample(t, true);
                restoreSample(t);
                fullRestoreSample(t);
            }
        }
    }

    /** A timed sample's regime (null: untimed, the warm-up). */
    record Timed(String regime, boolean cold) { }

    static String suffix(Timed t) {
        return t == null ? " (warm-up, not counted)" : "";
    }

    // ---- 1. create ----------------------------------------------------------------------------------

    void createSample(String vol, Timed t) throws Exception {
        if (t != null) {
            ready(t.cold());
        }
        long t0 = System.nanoTime();
        SnapshotAdmin.Info info = pool.snapshots().create(vol, "c");
        double s = secs(t0);
        pool.snapshots().delete(vol, "c");
        String key = "create " + (vol.equals("v") ? "1g" : "big");
        if (t != null) {
            record(key + " " + t.regime(), s);
        }
        System.out.printf("  %-40s %8.2f ms (generation %d)%s%n", key + (t == null ? "" : " " + t.regime()), s * 1e3,
                info.gen(), suffix(t));
    }

    /** Closes and opens the pool again (untimed): no volume has its snapshot index until its first snapshot. */
    void reopen() throws Exception {
        pool.close();
        pool = null;
        pool = Pool.open(dir, storage);
    }

    /** 1c: the pool reopened, then the volume's first snapshot in this opening (its index is made). */
    void firstCreateSample(String vol, Timed t) throws Exception {
        if (!pool.snapshots().list(vol).isEmpty()) {
            throw new IllegalStateException(vol + " has snapshots before a first-create sample");
        }
        long t0 = System.nanoTime();
        reopen();
        double open = secs(t0);
        if (t != null) {
            ready(t.cold());
        }
        t0 = System.nanoTime();
        pool.snapshots().create(vol, "c");
        double s = secs(t0);
        pool.snapshots().delete(vol, "c");
        String key = "first create " + (vol.equals("v") ? "1g" : "big");
        if (t != null) {
            record(key + " " + t.regime(), s);
            record("reopen " + t.regime(), open);
        }
        System.out.printf("  %-40s %8.2f ms (pool reopened before it in %.0f ms, untimed)%s%n",
                key + (t == null ? "" : " " + t.regime()), s * 1e3, open * 1e3, suffix(t));
    }

    void qemuCreateSample(Path img, String which, Timed t) throws Exception {
        if (t.cold()) {
            settle();
            dropCaches();
        } else {
            settle();
        }
        long t0 = System.nanoTime();
        exec(List.of("qemu-img", "snapshot", "-c", "c", img.toString()));
        double s = secs(t0);
        exec(List.of("qemu-img", "snapshot", "-d", "c", img.toString()));
        record("qemu create " + which + " " + t.regime(), s);
        System.out.printf("  %-40s %8.2f ms%n", "qemu-img snapshot -c " + which + " " + t.regime(), s * 1e3);
    }

    /** `qemu-img info` of q1: what starting qemu-img and opening the image costs, for reading its figures. */
    void qemuOpenSample(Timed t) throws Exception {
        if (t.cold()) {
            settle();
            dropCaches();
        }
        long t0 = System.nanoTime();
        exec(List.of("qemu-img", "info", q1.toString()));
        double s = secs(t0);
        record("qemu info " + t.regime(), s);
        System.out.printf("  %-40s %8.2f ms%n", "qemu-img info (process + open) " + t.regime(), s * 1e3);
    }

    // ---- 2./3. writes -------------------------------------------------------------------------------

    record Extent(long off, int len) { }

    /** Each thread's writes: sequential (1 MiB, each thread a stretch of its own) or random extents. */
    List<List<Extent>> plan(String workload, long seed) {
        List<List<Extent>> out = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            out.add(new ArrayList<>());
        }
        if (workload.equals("seq")) {
            long per = writeBytes / threads / MIB * MIB;
            for (int i = 0; i < threads; i++) {
                long end = i == threads - 1 ? writeBytes : (i + 1) * per;
                for (long at = i * per; at < end; at += MIB) {
                    out.get(i).add(new Extent(at, (int) Math.min(MIB, end - at)));
                }
            }
            return out;
        }
        // random: the volume cut into extents of 1..16 tracks, shuffled, taken until writeBytes
        Random r = new Random(seed);
        List<Extent> all = new ArrayList<>();
        for (long at = 0; at < size; ) {
            int len = (int) Math.min((1 + r.nextInt(16)) * (long) TRACK, size - at);
            all.add(new Extent(at, len));
            at += len;
        }
        Collections.shuffle(all, r);
        long sum = 0;
        int i = 0;
        for (Extent e : all) {
            if (sum >= writeBytes) {
                break;
            }
            int len = (int) Math.min(e.len(), writeBytes - sum);
            out.get(i++ % threads).add(new Extent(e.off(), len));
            sum += len;
        }
        return out;
    }

    /** Runs the plan from its threads, then flushes; returns the seconds. */
    double write(List<List<Extent>> plan, int sample) throws Exception {
        BlockDevice d = pool.device("v");
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (List<Extent> mine : plan) {
            fs.add(writers.submit(() -> {
                int k = 0;
                for (Extent e : mine) {
                    int slot = (int) (((long) k * 7 + (e.off() / MIB) * 3 + sample * 131L) % 63);
                    d.write(e.off(), random.slice(slot * MIB, e.len()));
                    k++;
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        d.flush();
        return secs(t0);
    }

    static long tracksOf(List<List<Extent>> plan) {
        long n = 0;
        for (List<Extent> l : plan) {
            for (Extent e : l) {
                n += (e.len() + TRACK - 1) / TRACK;
            }
        }
        return n;
    }

    /**
     * One sample of each side for {@code workload}: with no snapshot, and (with a snapshot just
     * taken) the first writes and then the rewrites; the side without a snapshot first when
     * {@code noneFirst}.
     */
    void writeSamples(String workload, boolean noneFirst, Timed t) throws Exception {
        List<List<Extent>> plan = plan(workload, 77L + shift);
        if (noneFirst) {
            noneSample(workload, plan, t);
        }
        snapSample(workload, plan, t);
        if (!noneFirst) {
            noneSample(workload, plan, t);
        }
    }

    void noneSample(String workload, List<List<Extent>> plan, Timed t) throws Exception {
        if (!pool.snapshots().list("v").isEmpty()) {
            throw new IllegalStateException("v has snapshots before a write sample without one");
        }
        ready(t != null && t.cold());
        double s = write(plan, ++shift);
        String key = "write none " + workload + (t == null ? "" : " " + t.regime());
        if (t != null) {
            record(key, s);
        }
        System.out.printf("  %-40s %8.3f s %8.1f MiB/s%s%n", key, s, writeBytes / (double) MIB / s, suffix(t));
    }

    void snapSample(String workload, List<List<Extent>> plan, Timed t) throws Exception {
        boolean cold = t != null && t.cold();
        // two tracks whose old bytes the snapshot must keep (checked, untimed)
        Extent a = plan.get(0).get(0);
        Extent b = plan.get(threads - 1).get(plan.get(threads - 1).size() - 1);
        ByteBuffer oldA = readTrack(pool.device("v"), a.off() / TRACK);
        ByteBuffer oldB = readTrack(pool.device("v"), b.off() / TRACK);
        pool.snapshots().create("v", SNAP);
        long logBefore = pool.snapshots().saveArea().logBytes();
        ready(cold);
        double first = write(plan, ++shift);
        SnapshotAdmin.Info info = pool.snapshots().get("v", SNAP);
        long want = tracksOf(plan);
        if (info.tracksHeld() != want) {
            throw new IllegalStateException("the snapshot holds " + info.tracksHeld() + " tracks after first writes to " + want);
        }
        if (!readTrack(pool.device("v@" + SNAP), a.off() / TRACK).equals(oldA)
                || !readTrack(pool.device("v@" + SNAP), b.off() / TRACK).equals(oldB)) {
            throw new IllegalStateException("v@" + SNAP + " does not read the old bytes of the tracks written");
        }
        long logAfter = pool.snapshots().saveArea().logBytes();
        ready(cold);
        double again = write(plan, ++shift);
        if (pool.snapshots().get("v", SNAP).tracksHeld() != want) {
            throw new IllegalStateException("a rewrite saved tracks again");
        }
        pool.snapshots().delete("v", SNAP);
        String reg = t == null ? "" : " " + t.regime();
        if (t != null) {
            record("write first " + workload + reg, first);
            record("write rewrite " + workload + reg, again);
        }
        System.out.printf("  %-40s %8.3f s %8.1f MiB/s (%d tracks saved, %d log bytes)%s%n", "write first " + workload + reg,
                first, writeBytes / (double) MIB / first, want, logAfter - logBefore, suffix(t));
        System.out.printf("  %-40s %8.3f s %8.1f MiB/s%s%n", "write rewrite " + workload + reg, again,
                writeBytes / (double) MIB / again, suffix(t));
    }

    static ByteBuffer readTrack(BlockDevice d, long track) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(TRACK);
        d.read(track * TRACK, b);
        return b.flip();
    }

    // ---- 4./5./6. restores --------------------------------------------------------------------------

    /** {@code percent}% of v's tracks, distinct, at random (seeded), ascending. */
    long[] pick(long seed) {
        int n = (int) Math.max(1, Math.round(volumeTracks * percent / 100.0));
        Random r = new Random(seed);
        Set<Long> s = new LinkedHashSet<>();
        while (s.size() < n) {
            s.add((long) (r.nextDouble() * volumeTracks));
        }
        return s.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** A snapshot of v, then the tracks written whole (new bytes) and flushed (untimed). */
    void changeTracks(long[] tracks) throws Exception {
        pool.snapshots().create("v", SNAP);
        BlockDevice d = pool.device("v");
        int sample = ++shift;
        for (int i = 0; i < tracks.length; i++) {
            int slot = (int) (((long) i * 7 + sample * 131L) % (random.capacity() / TRACK));
            d.write(tracks[i] * TRACK, random.slice(slot * TRACK, TRACK));
        }
        d.flush();
    }

    void restoreSample(Timed t) throws Exception {
        restoreSample(t, false);
    }

    /** 4 (4b with {@code safety}: a safety snapshot first, as the CLI does by default; the restore's writes save into it). */
    void restoreSample(Timed t, boolean safety) throws Exception {
        long[] tracks = pick(1000L + shift);
        changeTracks(tracks);
        long last = tracks[tracks.length - 1];
        ByteBuffer want = readTrack(pool.device("v@" + SNAP), last);
        SnapshotAdmin.RestorePlan plan = pool.snapshots().plan("v", SNAP);
        ready(t != null && t.cold());
        long t0 = System.nanoTime();
        Job j = pool.snapshots().restore("v", SNAP, safety, 0);
        await(j);
        double s = secs(t0);
        if (!readTrack(pool.device("v"), last).equals(want)) {
            throw new IllegalStateException("track " + last + " is not the snapshot's after the restore");
        }
        String held = "";
        for (SnapshotAdmin.Info i : pool.snapshots().list("v")) {
            if (!i.name().equals(SNAP)) {
                held = String.format("; safety snapshot %s holds %d tracks", i.name(), i.tracksHeld());
                pool.snapshots().delete("v", i.name());
            }
        }
        pool.snapshots().delete("v", SNAP);
        String tag = safety ? " safety" : "";
        String key = "restore " + percent + tag + (t == null ? "" : " " + t.regime());
        String label = "restore " + percent + "%" + tag + (t == null ? "" : " " + t.regime());
        if (t != null) {
            record(key, s);
            record(key + " tracks", plan.tracks());
        }
        System.out.printf("  %-40s %8.3f s (%d of %d tracks copied back%s)%s%n", label, s, plan.tracks(), plan.volumeTracks(),
                held, suffix(t));
    }

    void fullRestoreSample(Timed t) throws Exception {
        if (!pool.snapshots().list("v").isEmpty()) {
            throw new IllegalStateException("v has snapshots before the full restore");
        }
        SnapshotAdmin.RestorePlan plan = pool.snapshots().plan("v", "w@base");
        long probe = volumeTracks / 2 + 3;
        ByteBuffer want = readTrack(pool.device("w"), probe);
        ready(t != null && t.cold());
        long t0 = System.nanoTime();
        Job j = pool.snapshots().restore("v", "w@base", false, 0);
        await(j);
        double s = secs(t0);
        if (!readTrack(pool.device("v"), probe).equals(want)) {
            throw new IllegalStateException("track " + probe + " of v is not w@base's after the full restore");
        }
        String key = "restore full" + (t == null ? "" : " " + t.regime());
        if (t != null) {
            record(key, s);
        }
        System.out.printf("  %-40s %8.3f s %8.1f MiB/s (%d tracks, from w@base)%s%n", key, s,
                plan.bytes() / (double) MIB / s, plan.tracks(), suffix(t));
    }

    void firstReadSample(Timed t) throws Exception {
        long[] tracks = pick(2000L + shift);
        changeTracks(tracks);
        long last = tracks[tracks.length - 1];
        ByteBuffer want = readTrack(pool.device("v@" + SNAP), last);
        ByteBuffer written = readTrack(pool.device("v"), last);
        if (want.equals(written)) {
            throw new IllegalStateException("track " + last + " was not changed");
        }
        ready(t != null && t.cold());
        ByteBuffer got = ByteBuffer.allocateDirect(TRACK);
        long t0 = System.nanoTime();
        Job j = pool.snapshots().restore("v", SNAP, false, 0);
        long t1 = System.nanoTime();
        InstantRestore r = pool.snapshots().restoreOf("v");
        boolean owed = r != null && r.owedTracks().get(last);
        pool.device("v").read(last * TRACK, got);
        long t2 = System.nanoTime();
        await(j);
        got.flip();
        boolean ok = got.equals(want);
        pool.snapshots().delete("v", SNAP);
        if (!ok) {
            throw new IllegalStateException("first read: track " + last + " read back wrong");
        }
        String key = "first read" + (t == null ? "" : " " + t.regime());
        if (!owed) {
            // the bulk copy got there first: this read measured no on-demand fetch
            System.out.printf("  %-40s track %d was restored already when read: sample not counted%n", key, last);
            return;
        }
        if (t != null) {
            record(key, (t2 - t0) / 1e9);
            record(key + " call", (t1 - t0) / 1e9);
        }
        System.out.printf("  %-40s %8.2f ms (restore() returned after %.2f ms; track %d, one of the %d owed)%s%n", key,
                (t2 - t0) / 1e6, (t1 - t0) / 1e6, last, tracks.length, suffix(t));
    }

    /** The same change on q1.qcow2: snapshot, the tracks written by qemu-io (untimed); `qemu-img snapshot -a` timed. */
    void qemuRevertSample(Timed t) throws Exception {
        long[] tracks = pick(1000L + shift + 1);
        String img = q1.toString();
        exec(List.of("qemu-img", "snapshot", "-c", SNAP, img));
        int pattern = qemuPattern = qemuPattern == 0x7f ? 0x20 : qemuPattern + 1;
        List<String> io = new ArrayList<>(List.of("qemu-io"));
        for (long tr : tracks) {
            io.add("-c");
            io.add("write -q -P " + pattern + " " + tr * TRACK + " 64k");
        }
        io.add(img);
        exec(io);
        if (t != null) {
            settle();
            if (t.cold()) {
                dropCaches();
            }
        }
        long t0 = System.nanoTime();
        exec(List.of("qemu-img", "snapshot", "-a", SNAP, img));
        double s = secs(t0);
        // the last track written no longer holds the pattern (qemu-io exits 1 when a pattern check fails)
        Process p = new ProcessBuilder("qemu-io", "-c", "read -q -P " + pattern + " " + tracks[tracks.length - 1] * TRACK + " 64k",
                img).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() == 0) {
            throw new IllegalStateException("qemu-img snapshot -a left the written pattern in place");
        }
        exec(List.of("qemu-img", "snapshot", "-d", SNAP, img));
        String key = "qemu revert " + percent + (t == null ? "" : " " + t.regime());
        if (t != null) {
            record(key, s);
        }
        System.out.printf("  %-40s %8.3f s (%d clusters of 64 KiB written after the snapshot)%s%n",
                "qemu-img snapshot -a " + percent + "%" + (t == null ? "" : " " + t.regime()), s, tracks.length, suffix(t));
    }

    void cleanup() throws IOException {
        deleteTree(dir);
        Files.deleteIfExists(q1);
        Files.deleteIfExists(q64);
        Files.deleteIfExists(work.resolve("raw.img"));
    }

    // ---- report -------------------------------------------------------------------------------------

    String ms(String key) {
        return String.format("%.2f ms", med(key) * 1e3);
    }

    /** The key's median per regime: "6.1 ms warm, 8.2 ms cold". */
    String perRegime(String prefix) {
        List<String> out = new ArrayList<>();
        for (String r : regimes) {
            out.add(ms(prefix + r) + " " + r);
        }
        return String.join(", ", out);
    }

    void report(Path out) throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("| regime | line | ours | reference | ratio (best runs) | target | result | samples: ours; reference |\n");
        md.append("|---|---|---:|---:|---:|---|---|---|\n");
        List<String[]> console = new ArrayList<>();
        String bigName = bigSize / 1024 / MIB + " GiB";
        String smallName = size / MIB + " MiB";
        for (String regime : regimes) {
            String reg = regime.equals("cold") ? "cold (caches dropped)" : "warm";
            // 1. create
            String cb = "create big " + regime;
            String c1 = "create 1g " + regime;
            double r = med(cb) / med(c1);
            String res = r >= 0.67 && r <= 1.5 ? "PASS" : "MISS";
            row(md, console, reg, regime, "1. `snapshots().create` of the " + bigName + " volume vs the " + smallName + " one",
                    "create " + bigName + " / " + smallName, ms(cb), ms(c1), r, best(cb) / best(c1),
                    "equal within noise (0.67–1.5)", "0.67-1.5", res, runs(cb, 1e3, "%.2f"), runs(c1, 1e3, "%.2f"));
            String fb = "first create big " + regime;
            String f1 = "first create 1g " + regime;
            double fr1 = med(fb) / med(f1);
            row(md, console, reg, regime, "1c. the same, each the volume's first snapshot since the pool was opened (the pool closed"
                            + " and opened again before it, untimed: as every `splitpoint snapshot create` of a volume with no"
                            + " snapshot yet does)", "first create " + bigName + " / " + smallName, ms(fb), ms(f1), fr1,
                    best(fb) / best(f1), "equal within noise (0.67–1.5)", "0.67-1.5", fr1 >= 0.67 && fr1 <= 1.5 ? "PASS" : "MISS",
                    runs(fb, 1e3, "%.2f"), runs(f1, 1e3, "%.2f"));
            for (String[] s : new String[][] {{"1g", smallName}, {"big", bigName}}) {
                String o = "create " + s[0] + " " + regime;
                String q = "qemu create " + s[0] + " " + regime;
                row(md, console, reg, regime, "1b. create on " + s[1] + " vs `qemu-img snapshot -c` on a qcow2 of " + s[1]
                                + " (a process, fdatasync at close)", "create " + s[1] + " / qemu -c", ms(o), ms(q),
                        med(o) / med(q), best(o) / best(q), "none (ratio of times, < 1: ours faster)", "-", "—",
                        runs(o, 1e3, "%.2f"), runs(q, 1e3, "%.2f"));
            }
            // 2./3. writes
            for (String wl : workloads) {
                String what = wl.equals("seq") ? "sequential 1 MiB writes" : "random 64 KiB..1 MiB extents";
                String none = "write none " + wl + " " + regime;
                for (String[] k : new String[][] {{"first", "2", "0.5", "first writes (every track saved)"},
                    {"rewrite", "3", "0.9", "rewrites (every track saved already)"}}) {
                    String key = "write " + k[0] + " " + wl + " " + regime;
                    double ours = writeBytes / (double) MIB / med(key);
                    double ref = writeBytes / (double) MIB / med(none);
                    double target = Double.parseDouble(k[2]);
                    row(md, console, reg, regime, String.format("%s. %s with a snapshot: %d MiB of %s from %d threads + flush,"
                                    + " vs the same writes with no snapshot", k[1], k[3], writeBytes / MIB, what, threads),
                            k[0] + " " + wl + " snap / none", String.format("%.1f MiB/s", ours), String.format("%.1f MiB/s", ref),
                            ours / ref, best(none) / best(key), "≥ " + k[2], ">=" + k[2], ours / ref >= target ? "PASS" : "MISS",
                            runs(key, 1, "%.3f"), runs(none, 1, "%.3f"));
                }
            }
            // 4. restore
            String inc = "restore " + percent + " " + regime;
            String full = "restore full " + regime;
            double rr = med(inc) / med(full);
            row(md, console, reg, regime, String.format("4. `restore(v, snap)` after %d%% of the tracks were written (%.0f × 64 KiB),"
                            + " to DONE, vs a full copy: `restore(v, w@base)` (all %d tracks, the same machinery)", percent,
                    med(inc + " tracks"), volumeTracks), "restore " + percent + "% / full", String.format("%.3f s", med(inc)),
                    String.format("%.3f s", med(full)), rr, best(inc) / best(full), "≤ 0.03", "<=0.03", rr <= 0.03 ? "PASS" : "MISS",
                    runs(inc, 1, "%.3f"), runs(full, 1, "%.3f"));
            String sf = "restore " + percent + " safety " + regime;
            double sr = med(sf) / med(full);
            row(md, console, reg, regime, String.format("4b. the same restore with a safety snapshot first (the CLI's default:"
                            + " each track restored is first saved for it)"), "restore " + percent + "% safety / full",
                    String.format("%.3f s", med(sf)), String.format("%.3f s", med(full)), sr, best(sf) / best(full),
                    "none (the target is line 4's)", "-", "—", runs(sf, 1, "%.3f"), runs(full, 1, "%.3f"));
            String qr = "qemu revert " + percent + " " + regime;
            row(md, console, reg, regime, String.format("6. the same restore vs `qemu-img snapshot -a` on q1.qcow2 after the same"
                            + " number of 64 KiB clusters were written (a process, fdatasync at close)"), "restore " + percent
                            + "% / qemu -a", String.format("%.3f s", med(inc)), String.format("%.3f s", med(qr)), med(inc) / med(qr),
                    best(inc) / best(qr), "none (ratio of times, < 1: ours faster)", "-", "—", runs(inc, 1, "%.3f"),
                    runs(qr, 1, "%.3f"));
            // 5. first read
            String fr = "first read " + regime;
            md.append(String.format("| %s | 5. from calling `restore()` to the first correct read of a changed track (64 KiB, the"
                            + " highest changed one, still owed: checked); `restore()` itself returned after %.2f ms | %.2f ms | — |"
                            + " — | none (milliseconds) | — | %s |%n", reg, med(fr + " call") * 1e3, med(fr) * 1e3,
                    runs(fr, 1e3, "%.2f")));
            console.add(new String[] {regime, "first read after restore()", String.format("%.2f ms", med(fr) * 1e3), "-", "-", "-",
                "-"});
        }
        md.append(String.format("%nOne pool, 64 KiB tracks, sparse drive images: %s volumes v and w of %d MiB over %d drives each (w"
                        + " holds the same bytes; its snapshot w@base is the source of the full copy), the save area a raid1 volume"
                        + " of %d MiB (filled once, so slot writes overwrite allocated blocks), and a %s volume of %s with 1 MiB"
                        + " written every GiB. Create: a snapshot taken and deleted (untimed) %d times per volume per repetition,"
                        + " in ABBA order (v, big, big, v; BAAB on even repetitions), each followed by `qemu-img snapshot -c` on"
                        + " the qcow2 of that size (q1: the bytes of v; q64: a 1 MiB pattern every GiB) and `-d` (untimed);"
                        + " `qemu-img info q1.qcow2` (process start and open) took %s. 1c: the pool closed and"
                        + " opened (untimed, median %s) before each create, ABBA, twice per volume per repetition. Writes:"
                        + " through `pool.device(\"v\")`, then one `flush()`, included; the snapshot (taken untimed just before) is"
                        + " deleted after the rewrite; the side without a snapshot first on odd repetitions. Restores: a"
                        + " snapshot of v, then %d%% of v's tracks written whole at random (untimed), `restore(v, snap, safety"
                        + " false, no throttle)` to the job DONE (the restore's last force included; 4b: safety true, the safety"
                        + " snapshot deleted afterwards, untimed); qemu: `qemu-img snapshot -c`, `qemu-io` writing as many 64 KiB"
                        + " clusters at random, then `qemu-img snapshot -a` (timed; it fdatasyncs) and `-d`. Before every timed"
                        + " sample v and the save area are flushed three times with no writes (write-intent bits age out) and"
                        + " `sync` + %d ms settle; cold: `sync; echo 3 > /proc/sys/vm/drop_caches` then. Warm: nothing dropped,"
                        + " the images read through the page cache at the regime's start.%s %d repetitions per regime; medians"
                        + " shown, the ratio of the best runs in brackets (throughput lines: of the fastest runs). Load average"
                        + " (1/5/15 min) per regime: %s.%n",
                layout.word(), size / MIB, members, saveSize / MIB, layout.word(), bigName, 2 * creates,
                perRegime("qemu info "), perRegime("reopen "), percent, settleMs, dropNote(), reps, loadsText()));
        writeTables(out, md, console, "reference");
    }

    static void row(StringBuilder md, List<String[]> console, String reg, String regime, String what, String shortName,
                    String ours, String ref, double ratio, double bestRatio, String target, String shortTarget, String res,
                    String oursRuns, String refRuns) {
        md.append(String.format("| %s | %s | %s | %s | %.3f (%.3f) | %s | %s | %s; %s |%n", reg, what, ours, ref, ratio, bestRatio,
                target, bold(res), oursRuns, refRuns));
        console.add(new String[] {regime, shortName, ours, ref, String.format("%.3f", ratio), shortTarget, res.equals("—") ? "-" : res});
    }

    // ---- profile ------------------------------------------------------------------------------------

    /**
     * One pass of each path through a timing file layer, with a JFR recording per phase: create on
     * both sizes (20 in a row, then twice each the first after the pool was reopened); per workload the writes with no snapshot, the first writes and the rewrites (warm),
     * the random first writes again cold; the 1% restore warm and cold, with a safety snapshot warm,
     * the full restore warm and cold, the first read cold.
     */
    void profile() throws Exception {
        Path jfr = jfrDir(work);
        Set<String> phases = phases("BENCH_SNAP_PHASES", "create,write,restore");
        storage = new FileTiming.TimedStorage(this::kind);
        prepare();
        if (phases.contains("create")) {
            for (String vol : List.of("v", "big")) {
                ready(false);
                double s = profiled("create-" + vol, jfr, () -> {
                    for (int i = 0; i < 20; i++) {
                        pool.snapshots().create(vol, "p" + i);
                    }
                });
                FileTiming.print("20 snapshots of " + vol + " created (" + pool.volume(vol).size() / MIB + " MiB), warm", s, 0);
                for (int i = 0; i < 20; i++) {
                    pool.snapshots().delete(vol, "p" + i);
                }
            }
            List<String> firsts = List.of("v", "big", "v", "big");
            for (int k = 0; k < firsts.size(); k++) {
                String vol = firsts.get(k);
                reopen();
                ready(false);
                double s = profiled("create-first-" + vol + "-" + (k / 2 + 1), jfr, () -> pool.snapshots().create(vol, "p"));
                FileTiming.print("the first snapshot of " + vol + " since the pool was opened (" + pool.volume(vol).size() / MIB
                        + " MiB), warm", s, 0);
                pool.snapshots().delete(vol, "p");
            }
        }
        if (phases.contains("write")) {
            for (String wl : workloads) {
                List<List<Extent>> plan = plan(wl, 5);
                for (boolean cold : wl.equals("rand") ? new boolean[] {false, true} : new boolean[] {false}) {
                    String c = cold ? "cold" : "warm";
                    ready(cold);
                    double s = profiled("write-none-" + wl + "-" + c, jfr, () -> write(plan, ++shift));
                    FileTiming.print(writeBytes / MIB + " MiB " + wl + ", no snapshot, " + c, s, writeBytes);
                    perMib("no snapshot", writeBytes);
                    pool.snapshots().create("v", SNAP);
                    ready(cold);
                    s = profiled("write-first-" + wl + "-" + c, jfr, () -> write(plan, ++shift));
                    FileTiming.print(writeBytes / MIB + " MiB " + wl + ", first writes with a snapshot (" + tracksOf(plan)
                            + " tracks saved), " + c, s, writeBytes);
                    perMib("first writes", writeBytes);
                    ready(cold);
                    s = profiled("write-rewrite-" + wl + "-" + c, jfr, () -> write(plan, ++shift));
                    FileTiming.print(writeBytes / MIB + " MiB " + wl + ", rewrites with the snapshot, " + c, s, writeBytes);
                    perMib("rewrites", writeBytes);
                    pool.snapshots().delete("v", SNAP);
                }
            }
        }
        if (phases.contains("restore")) {
            for (boolean cold : new boolean[] {false, true}) {
                String c = cold ? "cold" : "warm";
                long[] tracks = pick(3000L + (cold ? 1 : 0));
                changeTracks(tracks);
                ready(cold);
                double s = profiled("restore-" + percent + "-" + c, jfr, () -> await(pool.snapshots().restore("v", SNAP, false, 0)));
                FileTiming.print("restore after " + percent + "% of the tracks written (" + tracks.length + " tracks), " + c, s,
                        (long) tracks.length * TRACK);
                pool.snapshots().delete("v", SNAP);
            }
            long[] st = pick(3500L);
            changeTracks(st);
            ready(false);
            double ss = profiled("restore-" + percent + "-safety-warm", jfr, () -> await(pool.snapshots().restore("v", SNAP, true, 0)));
            FileTiming.print("restore with a safety snapshot after " + percent + "% of the tracks written (" + st.length
                    + " tracks), warm", ss, (long) st.length * TRACK);
            perMib("the restore's first writes, saved for the safety snapshot", (long) st.length * TRACK);
            for (SnapshotAdmin.Info i : pool.snapshots().list("v")) {
                pool.snapshots().delete("v", i.name());
            }
            for (boolean cold : new boolean[] {false, true}) {
                String c = cold ? "cold" : "warm";
                ready(cold);
                double s = profiled("restore-full-" + c, jfr, () -> await(pool.snapshots().restore("v", "w@base", false, 0)));
                FileTiming.print("full restore from w@base (" + volumeTracks + " tracks), " + c, s, size);
            }
            long[] tracks = pick(4000L);
            changeTracks(tracks);
            long last = tracks[tracks.length - 1];
            ready(true);
            ByteBuffer got = ByteBuffer.allocateDirect(TRACK);
            Job[] job = new Job[1];
            double s = profiled("first-read-cold", jfr, () -> {
                job[0] = pool.snapshots().restore("v", SNAP, false, 0);
                pool.device("v").read(last * TRACK, got);
            });
            FileTiming.print("restore() + the first read of track " + last + ", cold", s, 0);
            await(job[0]);
            pool.snapshots().delete("v", SNAP);
        }
        System.out.println("\nJFR recordings: " + jfr + " (bench/snapshots/run.sh --profile summarizes them)");
    }

    /**
     * The phase's file time per MiB written, by part of the first-write path (thread time: writers
     * overlap, so the parts can add up to more than the wall time per MiB).
     */
    void perMib(String what, long bytes) {
        Map<String, long[]> s = FileTiming.stats();
        double mib = bytes / (double) MIB;
        String[][] parts = {
            {"read old tracks (v member read)", "v member read"},
            {"slot writes (save-area member write)", "save-area member write"},
            {"save-area flush (save-area member force)", "save-area member force"},
            {"save-area write-intent fsyncs", "save-area write-intent force"},
            {"save log append", "snapshots.log write"},
            {"save log sync", "snapshots.log force"},
            {"origin writes (v member write)", "v member write"},
            {"origin write-intent fsyncs", "v write-intent force"},
            {"origin flush (v member force)", "v member force"},
        };
        System.out.printf("   per MiB written (%s), ms of thread time in file calls:%n", what);
        for (String[] p : parts) {
            long ns = 0;
            long calls = 0;
            for (Map.Entry<String, long[]> e : s.entrySet()) {
                if (e.getKey().startsWith(p[1])) {
                    calls += e.getValue()[0];
                    ns += e.getValue()[2];
                }
            }
            System.out.printf("     %-44s %8.3f ms/MiB  (%d calls)%n", p[0], ns / 1e6 / mib, calls);
        }
    }

    /** Runs {@code body} with the file calls counted afresh and a JFR recording; returns its seconds. */
    double profiled(String name, Path jfr, Step body) throws Exception {
        FileTiming.clear();
        Recording rec = startJfr();
        long t0 = System.nanoTime();
        body.run();
        double s = secs(t0);
        mark(name, t0);
        stopJfr(rec, jfr.resolve(name + ".jfr"));
        return s;
    }

    /** The profile's names for files (bench/instant/FileTiming.java times them). */
    String kind(Path p) {
        String n = p.getFileName().toString();
        for (Map.Entry<String, List<String>> e : drivesOf.entrySet()) {
            for (String d : e.getValue()) {
                if (n.equals(d + ".img")) {
                    return (e.getKey().equals("save") ? "save-area" : e.getKey()) + " member";
                }
            }
        }
        if (n.equals("save.wib")) {
            return "save-area write-intent";
        }
        if (n.endsWith(".wib")) {
            return n.substring(0, n.length() - 4) + " write-intent";
        }
        if (n.startsWith("snapshots.log")) {
            return "snapshots.log";
        }
        if (n.endsWith(".snaprestore.inv")) {
            return "snapshot restore map";
        }
        if (n.endsWith(".journal")) {
            return "stripe journal " + n;
        }
        if (n.startsWith("pool.json")) {
            return "pool.json";
        }
        if (n.endsWith(".img") || n.endsWith(".img.new")) {
            return "drive image (being created)";
        }
        return "other " + n.replaceAll("^[^.]*\\.", "*.");
    }
}
