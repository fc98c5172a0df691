import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import jdk.jfr.Recording;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * Instant restore benchmark (issue 11, "Benchmark"), started by bench/instant/run.sh
 * ({@code bench/run.sh instant}); see bench/README.md.
 *
 * <p>Volumes are raid1 over 2 sparse drive images, 64 KiB tracks. Backups go to a store directory
 * beside the pools (same file system). Untimed preparation: a 1 GiB volume filled with random bytes
 * (a 64 MiB random buffer cycled) and a full backup of it (image A, every track held); a 16 GiB
 * volume with the same random bytes in every 4th MiB (4 GiB of data spread evenly over the volume,
 * the rest never written) and a full backup of it (image B, a quarter of the tracks held); a plain
 * 1 GiB file with the same bytes as image A's volume, for qemu-img. Every restore goes into a new
 * pool of blank sparse drives ("drives lost and replaced"), image named explicitly.
 *
 * <ol>
 * <li>first read: from calling {@code restore(volume, store, image, false, 0)} to the end of the first
 *     correct 4 KiB read (through {@code pool.device}) of a track the restore still owes (checked),
 *     in the second half of the volume and holding data; 1 GiB vs 16 GiB in ABBA order; page cache
 *     dropped before each sample (cold) and, separately, warm (the image's files read just before).
 *     The bulk copy runs unthrottled meanwhile (as {@code backup restore} starts it).</li>
 * <li>read latency: a 1 GiB restore throttled to BENCH_INSTANT_THROTTLE_MIB (64) MiB/s; once a
 *     quarter of the tracks is current, random 4 KiB reads for BENCH_INSTANT_WINDOW_S (5) seconds,
 *     classified by the owed bit just before the read: not yet current vs current (current when the
 *     window began; tracks that became current during the window are counted apart). Warm: the
 *     image's files read into the page cache before the restore; cold: {@code sync; drop_caches}
 *     right before the window, so both kinds of read go to the disk.</li>
 * <li>bulk copy: a 1 GiB restore with no host I/O, unthrottled, from calling restore() to the job
 *     DONE, volume bytes per second, vs {@code qemu-img convert -W -m 8 -f raw -O raw plain.img
 *     copy.img; sync copy.img}; caches dropped before each sample; ABBA.</li>
 * <li>backup: full backup of the 1 GiB volume vs an incremental one after 4 KiB writes into 1% of
 *     its tracks (distinct random tracks), wall time from backup() to DONE, caches dropped before
 *     each; ABBA (full, incr, incr, full).</li>
 * </ol>
 *
 * <p>{@code InstantBench WORK OUT.md} runs the benchmark; {@code InstantBench WORK - profile} runs one
 * pass of each path through a timing file layer with a JFR recording per phase (WORK/jfr/*.jfr).
 */
public final class InstantBench extends Harness {

    static final long GIB = 1L << 30;
    static final int TRACK = 64 * 1024;
    static final int READ = 4096;

    final Path work;
    final int reps;
    final long bigSize;
    final int fillEvery;
    final long throttle;
    final long windowNanos;
    final ByteBuffer random;
    final Path store;
    final Path plain;
    final Path copy;
    final Path target;
    String image1;
    String image16;
    final StringBuilder notes = new StringBuilder();

    InstantBench(Path work, int reps) {
        this.work = work;
        this.reps = reps;
        this.bigSize = Long.parseLong(env("BENCH_INSTANT_BIG_GIB", "16")) * GIB;
        this.fillEvery = Integer.parseInt(env("BENCH_INSTANT_FILL_EVERY", "4"));
        this.throttle = Long.parseLong(env("BENCH_INSTANT_THROTTLE_MIB", "64")) * MIB;
        this.windowNanos = (long) (Double.parseDouble(env("BENCH_INSTANT_WINDOW_S", "5")) * 1e9);
        this.store = work.resolve("store");
        this.plain = work.resolve("plain.img");
        this.copy = work.resolve("copy.img");
        this.target = work.resolve("target-pool");
        random = randomBuffer(64);
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        Path work = Path.of(args[0]).toAbsolutePath();
        int reps = Integer.parseInt(env("BENCH_REPS", "3"));
        InstantBench b = new InstantBench(work, reps);
        Files.createDirectories(work);
        b.canDrop = b.dropCaches();
        System.out.println("page cache: " + (b.canDrop ? "dropped where the suite says so"
                : "could not drop caches (not permitted): every 'cold' figure is HOT"));
        try {
            if (args.length > 2 && args[2].equals("profile")) {
                b.profile();
                return;
            }
            b.prepare();
            b.firstRead();
            b.latency();
            b.throughput();
            b.backups();
            b.report(Path.of(args[1]).toAbsolutePath());
        } finally {
            b.cleanup();
        }
    }

    // ---- preparation ----------------------------------------------------------------------------

    /** The volumes filled, their full backups taken, the plain file written (all untimed). */
    void prepare() throws Exception {
        cleanup();
        Files.createDirectories(work);
        long t0 = System.nanoTime();
        Path src1 = work.resolve("src-1g");
        try (Pool p = newPool(src1, GIB, StorageFactory.real())) {
            fill(p.device("v"), GIB, 1);
            await(p.backups().backup("v", store, true, 0));
            image1 = p.backups().lastBackup("v").image();
        }
        System.out.printf("prepared 1 GiB volume and its full backup %s in %.1f s%n", image1, secs(t0));
        t0 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(plain, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long at = 0; at < GIB; at += MIB) {
                ByteBuffer b = random.slice((int) (at % random.capacity()), MIB);
                while (b.hasRemaining()) {
                    ch.write(b, at + b.position());
                }
            }
            ch.force(true);
        }
        Path src16 = work.resolve("src-big");
        try (Pool p = newPool(src16, bigSize, StorageFactory.real())) {
            fill(p.device("v"), bigSize, fillEvery);
            await(p.backups().backup("v", store, true, 0));
            image16 = p.backups().lastBackup("v").image();
        }
        deleteTree(src16); // the image is all the benchmark needs of it
        for (ImageInfo i : DirectoryStore.open(store, StorageFactory.real(), false).list()) {
            System.out.printf("  image %s: volume %d MiB, %d tracks held, %d MiB of data%n", i.id(), i.size() / MIB,
                    i.tracks(), i.dataBytes() / MIB);
        }
        System.out.printf("prepared %d GiB volume (random data in every %s MiB: %.2f GiB) and its full backup %s,"
                + " plain.img, in %.1f s%n", bigSize / GIB, ordinal(fillEvery), bigSize / (double) fillEvery / GIB, image16,
                secs(t0));
    }

    static String ordinal(int n) {
        return n == 1 ? "" : n == 2 ? "2nd" : n == 3 ? "3rd" : n + "th";
    }

    /** A new pool at {@code dir}: 2 sparse drives of {@code size}, raid1 volume "v" over them. */
    Pool newPool(Path dir, long size, StorageFactory storage) throws Exception {
        deleteTree(dir);
        Pool.create(dir, 2, size, TRACK, StorageFactory.real());
        Pool p = Pool.open(dir, storage);
        p.admin().createVolume("v", Layout.RAID1, List.of("d1", "d2"), 0);
        return p;
    }

    /** Writes random data into every {@code every}th MiB of the device (1: all of it). */
    void fill(BlockDevice d, long size, int every) throws IOException {
        for (long at = 0; at < size; at += MIB) {
            if ((at / MIB) % every == 0) {
                d.write(at, random.slice((int) (at % random.capacity()), MIB));
            }
        }
        d.flush();
    }

    /** True when bytes [off, off+len) read into {@code got} (flipped) are what the fill wrote. */
    boolean correct(ByteBuffer got, long off, int every) {
        int len = got.remaining();
        if ((off / MIB) % every != 0) {
            for (int i = 0; i < len; i++) {
                if (got.get(got.position() + i) != 0) {
                    return false;
                }
            }
            return true;
        }
        return got.equals(random.slice((int) (off % random.capacity()), len));
    }

    // ---- 1. first read --------------------------------------------------------------------------

    void firstRead() throws Exception {
        Random pick = new Random(31);
        // untimed: one restore of each size first, so class loading and the first JIT compilations
        // (a long-running pool process has them behind it) fall in no sample
        System.out.println("first read: warm-up (untimed)");
        firstReadSample(true, true, pick, false);
        firstReadSample(false, true, pick, false);
        for (String mode : List.of("cold", "warm")) {
            if (mode.equals("warm")) {
                warmImage(image1, true);
                warmImage(image16, true);
            }
            for (int rep = 1; rep <= reps; rep++) {
                boolean[] smallAt = rep % 2 == 1 ? new boolean[] {true, false, false, true}
                        : new boolean[] {false, true, true, false};
                System.out.printf("first read (%s): repetition %d/%d%n", mode, rep, reps);
                for (boolean small : smallAt) {
                    firstReadSample(small, mode.equals("cold"), pick, true);
                }
            }
        }
    }

    void firstReadSample(boolean small, boolean cold, Random rnd, boolean timed) throws Exception {
        long size = small ? GIB : bigSize;
        int every = small ? 1 : fillEvery;
        String image = small ? image1 : image16;
        String key = "first read " + (cold ? "cold " : "warm ") + (small ? "1g" : "big");
        // a track of the second half that holds data (in a filled MiB when the volume is sparse)
        long chunks = size / MIB;
        long chunk = chunks / 2 + rnd.nextInt((int) (chunks / 2));
        chunk -= chunk % every;
        long off = chunk * MIB + (long) rnd.nextInt(MIB / READ) * READ;
        long track = off / TRACK;
        try (Pool p = newPool(target, size, StorageFactory.real())) {
            if (cold) {
                settle();
                dropCaches();
            } else {
                warmImage(image, false);
            }
            ByteBuffer b = ByteBuffer.allocateDirect(READ);
            long t0 = System.nanoTime();
            Job job = p.instantRestores().restore("v", store, image, false, 0);
            long t1 = System.nanoTime();
            InstantRestore r = p.instantRestores().restoreOf("v");
            boolean owed = r.owedTracks().get(track);
            p.device("v").read(off, b);
            long t2 = System.nanoTime();
            b.flip();
            boolean ok = correct(b, off, every);
            job.cancel();
            job.await(600_000);
            if (!owed || !ok) {
                throw new IllegalStateException(key + ": track " + track + (owed ? "" : " was restored already")
                        + (ok ? "" : " read back wrong"));
            }
            if (timed) {
                record(key, (t2 - t0) / 1e9);
                record(key + " call", (t1 - t0) / 1e9);
            }
            System.out.printf("  %-26s %8.2f ms (restore() returned after %.2f ms; track %d)%s%n", key,
                    (t2 - t0) / 1e6, (t1 - t0) / 1e6, track, timed ? "" : " warm-up, not counted");
        }
        deleteTree(target);
    }

    /** Reads the image's files (index, manifest; with {@code data}, its data too) through the page cache. */
    void warmImage(String id, boolean data) throws IOException {
        Path dir = store.resolve("images").resolve(id);
        for (String f : data ? List.of("manifest.json", "index", "data") : List.of("manifest.json", "index")) {
            readThrough(dir.resolve(f));
        }
        readThrough(store.resolve("store.json"));
    }

    // ---- 2. read latency during the bulk copy ------------------------------------------------------

    void latency() throws Exception {
        for (int rep = 1; rep <= reps; rep++) {
            List<String> modes = rep % 2 == 1 ? List.of("warm", "cold") : List.of("cold", "warm");
            for (String mode : modes) {
                System.out.printf("read latency (%s): repetition %d/%d%n", mode, rep, reps);
                latencySample(mode.equals("cold"), new Random(1000 + rep));
            }
        }
    }

    void latencySample(boolean cold, Random rnd) throws Exception {
        String k = "latency " + (cold ? "cold" : "warm");
        try (Pool p = newPool(target, GIB, StorageFactory.real())) {
            if (!cold) {
                warmImage(image1, true);
            }
            Job job = p.instantRestores().restore("v", store, image1, false, throttle);
            InstantRestore r = p.instantRestores().restoreOf("v");
            long total = r.totalTracks();
            while (r.currentTracks() < total / 4 && !job.state().isFinished()) {
                Thread.sleep(20);
            }
            if (cold) {
                dropCaches();
            }
            TrackBitmap owedAtStart = new TrackBitmap(total);
            owedAtStart.loadWords(r.owedTracks().toWords());
            long currentAtStart = r.currentTracks();
            BlockDevice dev = p.device("v");
            List<Long> owed = new ArrayList<>();
            List<Long> current = new ArrayList<>();
            List<Long> fresh = new ArrayList<>();
            ByteBuffer b = ByteBuffer.allocateDirect(READ);
            int wrong = 0;
            long end = System.nanoTime() + windowNanos;
            while (System.nanoTime() < end) {
                long off = (long) (rnd.nextDouble() * (GIB / READ)) * READ;
                long t = off / TRACK;
                boolean isOwed = r.owedTracks().get(t);
                b.clear();
                long t0 = System.nanoTime();
                dev.read(off, b);
                long dt = System.nanoTime() - t0;
                (isOwed ? owed : owedAtStart.get(t) ? fresh : current).add(dt);
                b.flip();
                if (!correct(b, off, 1)) {
                    wrong++;
                }
            }
            JobState during = job.state();
            long currentAtEnd = r.currentTracks();
            job.cancel();
            job.await(600_000);
            if (during != JobState.RUNNING) {
                throw new IllegalStateException(k + ": the bulk copy was " + during + " at the end of the window; lower"
                        + " BENCH_INSTANT_THROTTLE_MIB");
            }
            if (wrong > 0) {
                throw new IllegalStateException(k + ": " + wrong + " reads returned wrong bytes");
            }
            record(k + " owed p50", pct(owed, 50) / 1e9);
            record(k + " owed p99", pct(owed, 99) / 1e9);
            record(k + " current p50", pct(current, 50) / 1e9);
            record(k + " current p99", pct(current, 99) / 1e9);
            record(k + " owed n", owed.size());
            record(k + " current n", current.size());
            record(k + " fresh n", fresh.size());
            record(k + " fresh p99", pct(fresh, 99) / 1e9);
            System.out.printf("  not yet current: n=%d p50 %.1f µs p99 %.1f µs | current: n=%d p50 %.1f µs p99 %.1f µs"
                            + " | became current in the window: n=%d p99 %.1f µs | tracks current %.0f%% -> %.0f%%%n",
                    owed.size(), pct(owed, 50) / 1e3, pct(owed, 99) / 1e3, current.size(), pct(current, 50) / 1e3,
                    pct(current, 99) / 1e3, fresh.size(), pct(fresh, 99) / 1e3, 100.0 * currentAtStart / total,
                    100.0 * currentAtEnd / total);
        }
        deleteTree(target);
    }

    static double pct(List<Long> xs, int p) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(Math.max(0, Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1)));
    }

    // ---- 3. bulk copy throughput vs qemu-img convert ----------------------------------------------

    void throughput() throws Exception {
        for (int rep = 1; rep <= reps; rep++) {
            System.out.printf("bulk copy: repetition %d/%d%n", rep, reps);
            boolean[] oursAt = rep % 2 == 1 ? new boolean[] {true, false, false, true}
                    : new boolean[] {false, true, true, false};
            for (boolean ours : oursAt) {
                if (ours) {
                    bulkSample();
                } else {
                    qemuSample();
                }
            }
        }
    }

    void bulkSample() throws Exception {
        try (Pool p = newPool(target, GIB, StorageFactory.real())) {
            settle();
            dropCaches();
            long t0 = System.nanoTime();
            Job job = p.instantRestores().restore("v", store, image1, false, 0);
            await(job);
            double s = secs(t0);
            record("bulk ours", s);
            System.out.printf("  %-12s %8.3f s %9.1f MiB/s%n", "bulk ours", s, 1024 / s);
            checkVolume(p.device("v"));
        }
        deleteTree(target);
    }

    void qemuSample() throws Exception {
        Files.deleteIfExists(copy);
        settle();
        dropCaches();
        long t0 = System.nanoTime();
        exec(List.of("qemu-img", "convert", "-W", "-m", "8", "-f", "raw", "-O", "raw", plain.toString(), copy.toString()));
        exec(List.of("sync", copy.toString()));
        double s = secs(t0);
        record("bulk peer", s);
        System.out.printf("  %-12s %8.3f s %9.1f MiB/s%n", "bulk peer", s, 1024 / s);
        Files.deleteIfExists(copy);
    }

    /** Untimed: a few 1 MiB blocks of the restored volume equal the source. */
    void checkVolume(BlockDevice d) throws IOException {
        ByteBuffer got = ByteBuffer.allocateDirect(MIB);
        for (long mib : new long[] {0, 333, 512, 1023}) {
            got.clear();
            d.read(mib * MIB, got);
            got.flip();
            if (!correct(got, mib * MIB, 1)) {
                throw new IllegalStateException("the restored volume's MiB " + mib + " reads back wrong");
            }
        }
    }

    // ---- 4. incremental (1%) vs full backup ---------------------------------------------------------

    void backups() throws Exception {
        Path src1 = work.resolve("src-1g");
        try (Pool p = Pool.open(src1)) {
            // the restores are done: only the source's last image is needed from here on
            prune(image1);
            BlockDevice dev = p.device("v");
            long tracks = GIB / TRACK;
            Random rnd = new Random(99);
            ByteBuffer w = ByteBuffer.allocateDirect(READ);
            for (int rep = 1; rep <= reps; rep++) {
                System.out.printf("backups: repetition %d/%d%n", rep, reps);
                boolean[] fullAt = rep % 2 == 1 ? new boolean[] {true, false, false, true}
                        : new boolean[] {false, true, true, false};
                for (boolean full : fullAt) {
                    if (!full) {
                        // 1% of the tracks, distinct, each gets a 4 KiB write somewhere in it
                        List<Long> all = new ArrayList<>();
                        for (long t = 0; t < tracks; t++) {
                            all.add(t);
                        }
                        Collections.shuffle(all, rnd);
                        for (long t : all.subList(0, (int) (tracks / 100))) {
                            byte[] x = new byte[READ];
                            rnd.nextBytes(x);
                            w.clear();
                            w.put(x).flip();
                            dev.write(t * TRACK + (long) rnd.nextInt(TRACK / READ) * READ, w);
                        }
                        dev.flush();
                    }
                    settle();
                    dropCaches();
                    long t0 = System.nanoTime();
                    await(p.backups().backup("v", store, full, 0));
                    double s = secs(t0);
                    String id = p.backups().lastBackup("v").image();
                    ImageInfo info = DirectoryStore.open(store, StorageFactory.real(), false).list().stream()
                            .filter(i -> i.id().equals(id)).findFirst().orElseThrow();
                    String key = full ? "backup full" : "backup incr";
                    record(key, s);
                    record(key + " tracks", info.tracks());
                    System.out.printf("  %-12s %8.3f s  (%d tracks, %.1f MiB)%n", key, s, info.tracks(),
                            info.dataBytes() / (double) MIB);
                    prune(id);
                }
            }
        }
    }

    /** Deletes every image of the store but {@code keep} (disk space; nothing restores them any more). */
    void prune(String keep) throws IOException {
        DirectoryStore s = DirectoryStore.open(store, StorageFactory.real(), false);
        for (ImageInfo i : s.list()) {
            if (!i.id().equals(keep)) {
                s.delete(i.id());
            }
        }
    }

    // ---- report -------------------------------------------------------------------------------------

    void report(Path out) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("| line | ours | reference | ratio | target | result | samples |\n");
        md.append("|---|---:|---:|---:|---|---|---|\n");
        List<String[]> console = new ArrayList<>();
        String big = bigSize / GIB + " GiB";
        for (String mode : List.of("cold", "warm")) {
            String a = "first read " + mode + " 1g";
            String b = "first read " + mode + " big";
            double r = med(b) / med(a);
            String res = r >= 1 / 1.5 && r <= 1.5 ? "PASS" : "MISS";
            md.append(String.format("| 1. first read after restore(), %s: %s vs 1 GiB | %.1f ms (%s; restore() returned after %.1f ms)"
                            + " | %.1f ms (1 GiB; restore() returned after %.1f ms) | %.2f | equal within noise (0.67–1.5) | %s | %s: %s; 1 GiB: %s ms |%n",
                    mode.equals("cold") ? "caches dropped" : "page cache warm", big, med(b) * 1e3, big, med(b + " call") * 1e3,
                    med(a) * 1e3, med(a + " call") * 1e3, r, bold(res), big, runs(b, 1e3, "%.1f"), runs(a, 1e3, "%.1f")));
            console.add(new String[] {"first read " + mode + " " + big + "/1G", String.format("%.1f ms", med(b) * 1e3),
                    String.format("%.1f ms", med(a) * 1e3), String.format("%.2f", r), "0.67..1.5", res});
        }
        for (String mode : List.of("warm", "cold")) {
            String k = "latency " + mode;
            double r = med(k + " owed p99") / med(k + " current p99");
            String res = r <= 3 ? "PASS" : "MISS";
            md.append(String.format("| 2. read p99 during the bulk copy, %s: not yet current vs current | %.0f µs (p50 %.0f; n %.0f)"
                            + " | %.0f µs (p50 %.1f; n %.0f) | %.1f | ≤ 3 | %s | p99 µs: %s vs %s |%n",
                    mode.equals("warm") ? "page cache warm" : "caches dropped before the window",
                    med(k + " owed p99") * 1e6, med(k + " owed p50") * 1e6, med(k + " owed n"),
                    med(k + " current p99") * 1e6, med(k + " current p50") * 1e6, med(k + " current n"), r, bold(res),
                    runs(k + " owed p99", 1e6, "%.0f"), runs(k + " current p99", 1e6, "%.0f")));
            console.add(new String[] {"read p99 " + mode + " owed/current", String.format("%.0f µs", med(k + " owed p99") * 1e6),
                    String.format("%.0f µs", med(k + " current p99") * 1e6), String.format("%.1f", r), "<=3", res});
        }
        double ours = 1024 / med("bulk ours");
        double peer = 1024 / med("bulk peer");
        double r3 = ours / peer;
        String res3 = r3 >= 1.0 ? "PASS" : "MISS";
        md.append(String.format("| 3. bulk copy, 1 GiB, restore() to DONE vs qemu-img convert -W -m 8 + sync | %.0f MiB/s | %.0f MiB/s"
                        + " | %.2f (best runs %.2f) | ≥ 1.0 | %s | s: %s vs %s |%n", ours, peer, r3,
                best("bulk peer") / best("bulk ours"), bold(res3), runs("bulk ours", 1, "%.2f"), runs("bulk peer", 1, "%.2f")));
        console.add(new String[] {"bulk copy MiB/s", String.format("%.0f", ours), String.format("%.0f", peer),
                String.format("%.2f", r3), ">=1.0", res3});
        double r4 = med("backup incr") / med("backup full");
        String res4 = r4 <= 0.03 ? "PASS" : "MISS";
        md.append(String.format("| 4. incremental backup, 1%% of tracks changed (%.0f tracks) vs full backup, 1 GiB | %.3f s | %.3f s (%.0f tracks)"
                        + " | %.3f | ≤ 0.03 | %s | s: %s vs %s |%n", med("backup incr tracks"), med("backup incr"),
                med("backup full"), med("backup full tracks"), r4, bold(res4), runs("backup incr", 1, "%.3f"),
                runs("backup full", 1, "%.3f")));
        console.add(new String[] {"incr/full backup", String.format("%.3f s", med("backup incr")),
                String.format("%.3f s", med("backup full")), String.format("%.3f", r4), "<=0.03", res4});
        md.append(String.format("%nRaid1 volumes over 2 sparse drive images, 64 KiB tracks; backups in a store directory on the same"
                + " file system. The 1 GiB volume holds random bytes throughout (its full image: 16384 tracks, 1 GiB);"
                + " the %s volume holds the same random bytes in every %s MiB (%.2f GiB spread evenly, the rest never written;"
                + " its full image holds %d tracks). Each restore goes into a new pool of blank sparse drives."
                + " %d repetitions; lines 1 and 3 in ABBA order (1 GiB/%s, ours/qemu-img; BAAB on even repetitions),"
                + " line 4 as full, incr, incr, full (BAAB on even), so 2×%d samples per side; line 2 is the median of"
                + " %d windows per mode (each window's p50/p99; n = reads per window). Line 1: the bulk copy runs"
                + " unthrottled meanwhile; the track read is owed (checked) and holds data. Line 2: bulk copy throttled"
                + " to %d MiB/s, window of %.0f s starting when a quarter of the tracks is current; \"current\" counts"
                + " reads of tracks current when the window began (tracks that became current during it are cached and"
                + " counted apart); cold = `sync; echo 3 > drop_caches` right before the window. Lines 3 and 4: caches"
                + " dropped before each sample. Ours writes 2 GiB for 1 GiB restored (raid1); qemu-img writes 1 GiB.%s%n",
                big, ordinal(fillEvery), bigSize / (double) fillEvery / GIB, bigSize / fillEvery / TRACK, reps, big, reps, reps,
                throttle / MIB, windowNanos / 1e9, dropNote()));
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.println();
        String fmt = "%-32s %12s %12s %8s %10s  %s%n";
        System.out.printf(fmt, "line", "ours", "reference", "ratio", "target", "result");
        for (String[] c : console) {
            System.out.printf(fmt, (Object[]) c);
        }
    }

    // ---- profile ------------------------------------------------------------------------------------

    /**
     * One pass of each path through a timing file layer, with a JFR recording per phase: the
     * restore() call and first read (cold) on 1 GiB and the big volume, the bulk copy of 1 GiB (cold,
     * unthrottled), on-demand reads with the bulk copy paused (image warm, then cold), a full and a
     * 1% incremental backup. Prints per phase where the wall time went in file calls.
     */
    void profile() throws Exception {
        Path jfr = jfrDir(work);
        String phases = env("BENCH_INSTANT_PHASES", "sha,chain,first,bulk,ondemand,during,backup");
        if (phases.contains("sha")) {
            shaSpeed();
        }
        prepare();
        FileTiming.TimedStorage timed = new FileTiming.TimedStorage(InstantBench::kind);
        // what restore() does twice (an on-demand and a bulk reader): open the image's chain, warm
        if (phases.contains("chain")) {
            DirectoryStore st = DirectoryStore.open(store, StorageFactory.real(), false);
            int rounds = Integer.parseInt(env("BENCH_INSTANT_CHAIN_ROUNDS", "4"));
            for (int round = 1; round <= rounds; round++) {
                for (String id : List.of(image1, image16)) {
                    warmImage(id, false);
                    long t0 = System.nanoTime();
                    try (org.splitpoint.engine.backup.ChainReader c = org.splitpoint.engine.backup.ChainReader.open(st, id)) {
                        System.out.printf("ChainReader.open of %s (%d MiB volume, %d tracks held), page cache warm,"
                                + " round %d: %.1f ms%n", id, c.size() / MIB, c.images().get(0).tracks(), round, secs(t0) * 1e3);
                    }
                }
            }
        }
        // restore() call + first read, cold, 1 GiB and big (after an untimed restore of each, for class loading)
        for (int pass = phases.contains("first") ? 0 : 4; pass < 4; pass++) {
            boolean small = pass % 2 == 0;
            String which = pass < 2 ? "warm-up (first restore of this size in the process), " : "";
            long size = small ? GIB : bigSize;
            String image = small ? image1 : image16;
            try (Pool p = newPool(target, size, timed)) {
                settle();
                dropCaches();
                FileTiming.clear();
                Recording rec = startJfr();
                long off = (size / MIB * 3 / 4) / fillEvery * fillEvery * MIB;
                ByteBuffer b = ByteBuffer.allocateDirect(READ);
                long t0 = System.nanoTime();
                Job job = p.instantRestores().restore("v", store, image, false, 0);
                long t1 = System.nanoTime();
                p.device("v").read(off, b);
                long t2 = System.nanoTime();
                job.pause();
                stopJfr(rec, jfr.resolve("first-read-" + (pass < 2 ? "warmup-" : "") + (small ? "1g" : "big") + ".jfr"));
                FileTiming.print(which + "restore() call + first read, cold, " + (small ? "1 GiB" : bigSize / GIB + " GiB")
                        + String.format(" (restore() %.1f ms, read %.1f ms; the bulk copy ran meanwhile)",
                        (t1 - t0) / 1e6, (t2 - t1) / 1e6), (t2 - t0) / 1e9, 0);
                job.cancel();
                job.await(600_000);
            }
            deleteTree(target);
        }
        // the bulk copy, cold, unthrottled
        for (int once = phases.contains("bulk") ? 1 : 0; once > 0; once--) try (Pool p = newPool(target, GIB, timed)) {
            settle();
            dropCaches();
            FileTiming.clear();
            Recording rec = startJfr();
            long t0 = System.nanoTime();
            await(p.instantRestores().restore("v", store, image1, false, 0));
            double s = secs(t0);
            stopJfr(rec, jfr.resolve("bulk.jfr"));
            FileTiming.print("bulk copy of 1 GiB, cold, restore() to DONE", s, GIB);
            checkVolume(p.device("v"));
        }
        deleteTree(target);
        // on-demand reads, bulk copy paused: image warm, then cold
        for (boolean cold : phases.contains("ondemand") ? new boolean[] {false, true} : new boolean[0]) {
            try (Pool p = newPool(target, GIB, timed)) {
                if (!cold) {
                    warmImage(image1, true);
                }
                Job job = p.instantRestores().restore("v", store, image1, false, 0);
                job.pause();
                Thread.sleep(300);
                InstantRestore r = p.instantRestores().restoreOf("v");
                BlockDevice dev = p.device("v");
                if (cold) {
                    dropCaches();
                }
                Random rnd = new Random(5);
                ByteBuffer b = ByteBuffer.allocateDirect(READ);
                List<Long> lat = new ArrayList<>();
                List<Long> offs = new ArrayList<>();
                FileTiming.clear();
                Recording rec = startJfr();
                long t0 = System.nanoTime();
                while (lat.size() < 2000) {
                    long off = (long) (rnd.nextDouble() * (GIB / READ)) * READ;
                    if (!r.owedTracks().get(off / TRACK)) {
                        continue;
                    }
                    b.clear();
                    long a = System.nanoTime();
                    dev.read(off, b);
                    lat.add(System.nanoTime() - a);
                    offs.add(off);
                }
                double s = secs(t0);
                stopJfr(rec, jfr.resolve("ondemand-" + (cold ? "cold" : "warm") + ".jfr"));
                FileTiming.print("2000 on-demand 4 KiB reads of owed tracks, bulk copy paused, image "
                        + (cold ? "cold" : "warm") + String.format(" (p50 %.0f µs, p99 %.0f µs)", pct(lat, 50) / 1e3,
                        pct(lat, 99) / 1e3), s, 2000L * TRACK);
                // the same offsets again: now current
                List<Long> lat2 = new ArrayList<>();
                FileTiming.clear();
                t0 = System.nanoTime();
                for (long off : offs) {
                    b.clear();
                    long a = System.nanoTime();
                    dev.read(off, b);
                    lat2.add(System.nanoTime() - a);
                }
                FileTiming.print("the same 2000 reads again (current now, page cache)" + String.format(" (p50 %.1f µs, p99 %.1f µs)",
                        pct(lat2, 50) / 1e3, pct(lat2, 99) / 1e3), secs(t0), 0);
                job.cancel();
                job.await(600_000);
            }
            deleteTree(target);
        }
        // random reads while the bulk copy runs throttled (the latency line's window, image warm):
        // lock waits and the bulk copy's checkpoints show here
        for (int once = phases.contains("during") ? 1 : 0; once > 0; once--) {
            try (Pool p = newPool(target, GIB, timed)) {
                warmImage(image1, true);
                Job job = p.instantRestores().restore("v", store, image1, false, throttle);
                InstantRestore r = p.instantRestores().restoreOf("v");
                while (r.currentTracks() < r.totalTracks() / 4 && !job.state().isFinished()) {
                    Thread.sleep(20);
                }
                BlockDevice dev = p.device("v");
                Random rnd = new Random(8);
                ByteBuffer b = ByteBuffer.allocateDirect(READ);
                List<Long> owed = new ArrayList<>();
                List<Long> current = new ArrayList<>();
                FileTiming.clear();
                Recording rec = startJfr();
                long t0 = System.nanoTime();
                long end = t0 + windowNanos;
                while (System.nanoTime() < end) {
                    long off = (long) (rnd.nextDouble() * (GIB / READ)) * READ;
                    boolean isOwed = r.owedTracks().get(off / TRACK);
                    b.clear();
                    long a = System.nanoTime();
                    dev.read(off, b);
                    (isOwed ? owed : current).add(System.nanoTime() - a);
                }
                double s = secs(t0);
                stopJfr(rec, jfr.resolve("during.jfr"));
                FileTiming.print(String.format("random 4 KiB reads during the bulk copy (%d MiB/s), image warm: %d not yet current"
                        + " (p50 %.0f µs, p99 %.0f µs), %d current (p50 %.1f µs, p99 %.1f µs)", throttle / MIB, owed.size(),
                        pct(owed, 50) / 1e3, pct(owed, 99) / 1e3, current.size(), pct(current, 50) / 1e3,
                        pct(current, 99) / 1e3), s, 0);
                job.cancel();
                job.await(600_000);
            }
            deleteTree(target);
        }
        // backups: full, then 1% incremental
        for (int once = phases.contains("backup") ? 1 : 0; once > 0; once--) try (Pool p = Pool.open(work.resolve("src-1g"), timed)) {
            settle();
            dropCaches();
            FileTiming.clear();
            Recording rec = startJfr();
            long t0 = System.nanoTime();
            await(p.backups().backup("v", store, true, 0));
            double s = secs(t0);
            stopJfr(rec, jfr.resolve("backup-full.jfr"));
            FileTiming.print("full backup of 1 GiB, cold", s, GIB);
            Random rnd = new Random(3);
            ByteBuffer w = ByteBuffer.allocateDirect(READ);
            List<Long> all = new ArrayList<>();
            for (long t = 0; t < GIB / TRACK; t++) {
                all.add(t);
            }
            Collections.shuffle(all, rnd);
            for (long t : all.subList(0, (int) (GIB / TRACK / 100))) {
                w.clear();
                p.device("v").write(t * TRACK, w);
            }
            p.device("v").flush();
            settle();
            dropCaches();
            FileTiming.clear();
            rec = startJfr();
            t0 = System.nanoTime();
            await(p.backups().backup("v", store, false, 0));
            s = secs(t0);
            stopJfr(rec, jfr.resolve("backup-incr.jfr"));
            FileTiming.print("incremental backup, 1% of tracks, cold", s, GIB / 100);
        }
        System.out.println("\nJFR recordings: " + jfr + " (bench/instant/run.sh --profile summarizes them)");
    }

    /** SHA-256 (MessageDigest, as IndexRecord uses it) of 1 GiB in 64 KiB tracks on this machine, 3 rounds. */
    static void shaSpeed() throws Exception {
        byte[] buf = new byte[TRACK];
        new Random(1).nextBytes(buf);
        for (int round = 1; round <= 3; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < GIB / TRACK; i++) {
                java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
                md.update(buf, 0, TRACK);
                md.digest();
            }
            double s = secs(t0);
            System.out.printf("SHA-256 of 1 GiB in 64 KiB tracks, one thread, round %d: %.3f s (%.0f MiB/s, %.1f µs per track)%n",
                    round, s, 1024 / s, s * 1e6 / (GIB / TRACK));
        }
    }

    // ---- the profile's names for files (bench/instant/FileTiming.java times them) -------------------

    static String kind(Path p) {
        String n = p.getFileName().toString();
        String parent = p.getParent() == null ? "" : p.getParent().getFileName().toString();
        if (n.endsWith(".img")) {
            return "drive";
        }
        if (n.endsWith(".wib")) {
            return "write-intent";
        }
        if (n.startsWith("pool.json")) {
            return "pool.json";
        }
        if (n.equals("data") || n.equals("index")) {
            return "image " + n;
        }
        if (parent.equals("meta")) {
            return "meta " + n.replaceAll("^[^.]*\\.", "*.");
        }
        return "other " + n;
    }

    // ---- helpers ------------------------------------------------------------------------------------

    void cleanup() throws IOException {
        for (String d : List.of("src-1g", "src-big", "target-pool", "store")) {
            deleteTree(work.resolve(d));
        }
        Files.deleteIfExists(plain);
        Files.deleteIfExists(copy);
    }
}
