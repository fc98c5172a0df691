import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.splitpoint.engine.io.PoolLockHandle;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * Diagnostics (not part of the benchmark table): where the engine's time goes in the benchmark's
 * phases. Runs the same write (overwrite) / read / rebuild as {@link Bench} once per layout, and
 * also the first write of the new volume (which the table does not time), through a
 * {@link StorageFactory} that times every file operation (by file kind and operation: calls,
 * bytes, seconds), and prints, per phase, the wall time against the time spent inside file calls.
 * The rest of the wall time is the engine's own CPU work (copies, XOR, allocation, locks) or idle.
 *
 * <pre>bench/run.sh --profile</pre>
 */
public final class Profile {

    static final int MIB = 1 << 20;

    /** Times per (file kind, op). */
    static final Map<String, long[]> STATS = new ConcurrentHashMap<>();

    static void add(String key, long nanos, long bytes) {
        long[] s = STATS.computeIfAbsent(key, k -> new long[3]);
        synchronized (s) {
            s[0]++;
            s[1] += bytes;
            s[2] += nanos;
        }
    }

    static String kind(Path p) {
        String n = p.getFileName().toString();
        if (n.endsWith(".img") || n.endsWith(".img.new")) {
            return "drive " + n.replace(".new", "");
        }
        if (n.endsWith(".wib")) {
            return "write-intent";
        }
        if (n.endsWith(".journal")) {
            return "journal";
        }
        if (n.startsWith("pool.json")) {
            return "pool.json";
        }
        return "other " + n;
    }

    static final class TimedFile implements StorageFile {
        final StorageFile f;
        final String kind;

        TimedFile(StorageFile f, String kind) {
            this.f = f;
            this.kind = kind;
        }

        @Override
        public void readFully(long position, ByteBuffer dst) throws IOException {
            long t = System.nanoTime();
            int n = dst.remaining();
            f.readFully(position, dst);
            add(kind + " read" + (dst.isDirect() ? "" : " (heap buf)"), System.nanoTime() - t, n);
        }

        @Override
        public void writeFully(long position, ByteBuffer src) throws IOException {
            long t = System.nanoTime();
            int n = src.remaining();
            f.writeFully(position, src);
            add(kind + " write" + (src.isDirect() ? "" : " (heap buf)"), System.nanoTime() - t, n);
        }

        @Override
        public void force() throws IOException {
            long t = System.nanoTime();
            f.force();
            add(kind + " force", System.nanoTime() - t, 0);
        }

        @Override
        public long size() throws IOException {
            return f.size();
        }

        @Override
        public void setLength(long length) throws IOException {
            f.setLength(length);
        }

        @Override
        public void close() throws IOException {
            f.close();
        }
    }

    static final class TimedStorage implements StorageFactory {
        final StorageFactory real = StorageFactory.real();

        @Override
        public StorageFile open(Path path) throws IOException {
            return new TimedFile(real.open(path), kind(path));
        }

        // no @Override on openRead and lockHolder: older engines (BENCH_ENGINE_CLASSES A/B runs) lack them
        public StorageFile openRead(Path path) throws IOException {
            return new TimedFile(real.openRead(path), kind(path));
        }

        @Override
        public StorageFile create(Path path) throws IOException {
            return new TimedFile(real.create(path), kind(path));
        }

        @Override
        public void rename(Path from, Path to) throws IOException {
            long t = System.nanoTime();
            real.rename(from, to);
            add("rename", System.nanoTime() - t, 0);
        }

        @Override
        public void syncDirectory(Path dir) throws IOException {
            long t = System.nanoTime();
            real.syncDirectory(dir);
            add("fsync directory", System.nanoTime() - t, 0);
        }

        @Override
        public void delete(Path path) throws IOException {
            real.delete(path);
        }

        @Override
        public PoolLockHandle tryLock(Path lockFile, String holder) throws IOException {
            return real.tryLock(lockFile, holder);
        }

        public String lockHolder(Path lockFile) throws IOException {
            return real.lockHolder(lockFile);
        }
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        Path work = Path.of(args[0]).toAbsolutePath();
        long size = Long.parseLong(Bench.env("BENCH_SIZE_MIB", "1024")) * MIB;
        String only = Bench.env("BENCH_ONLY", "raid1,raid5");
        Bench b = new Bench(work, 1, size, work.resolve("unused.md"));
        Files.createDirectories(work);
        boolean cold = b.dropCaches();
        System.out.println("page cache: " + (cold ? "dropped before read and rebuild" : "hot (drop not permitted)"));
        List<Bench.Setup> setups = new ArrayList<>();
        if (only.contains("raid1")) {
            setups.add(new Bench.Setup("raid1", Layout.RAID1, 2));
        }
        if (only.contains("raid5")) {
            setups.add(new Bench.Setup("raid5", Layout.RAID5, 4));
        }
        TimedStorage storage = new TimedStorage();
        for (Bench.Setup s : setups) {
            Path dir = work.resolve("pool-" + s.name());
            Harness.deleteTree(dir);
            Pool.create(dir, s.drives(), b.driveSize(s), Bench.TRACK, StorageFactory.real());
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= s.drives(); i++) {
                names.add("d" + i);
            }
            try (Pool pool = Pool.open(dir, storage)) {
                pool.admin().createVolume("v", s.layout(), names, size);
                RaidVolume v = pool.volume("v");
                b.sync();
                STATS.clear();
                double tf = b.timeWrite(v);
                print(s.label() + " first write of a new volume + flush (not in the table)", tf, size);
                b.settle();
                STATS.clear();
                double tw = b.timeWrite(v);
                print(s.label() + " sequential write (overwrite) + flush", tw, size);
                b.dropCaches();
                STATS.clear();
                double tr = b.timeRead(v);
                print(s.label() + " sequential read", tr, size);
                long rows = v.memberRows();
                pool.admin().failDrive("d2");
                b.dropCaches();
                STATS.clear();
                long t0 = System.nanoTime();
                Job job = pool.admin().replaceDrive("d2");
                while (!job.await(60_000)) {
                    // wait
                }
                double tb = (System.nanoTime() - t0) / 1e9;
                if (job.state() != JobState.DONE) {
                    throw new IllegalStateException("rebuild ended " + job.state());
                }
                print(s.label() + " rebuild of d2 (member bytes)", tb, rows);
            }
            Harness.deleteTree(dir);
        }
    }

    static void print(String phase, double wall, long bytes) {
        System.out.printf("%n== %s: %.3f s wall, %.1f MiB/s%n", phase, wall, bytes / (double) MIB / wall);
        System.out.printf("   %-34s %8s %10s %9s %7s %10s%n", "file op", "calls", "MiB", "seconds", "% wall", "KiB/call");
        double inside = 0;
        for (Map.Entry<String, long[]> e : new TreeMap<>(STATS).entrySet()) {
            long[] s = e.getValue();
            double sec = s[2] / 1e9;
            inside += sec;
            System.out.printf("   %-34s %8d %10.1f %9.3f %6.1f%% %10.1f%n", e.getKey(), s[0], s[1] / (double) MIB, sec,
                    100 * sec / wall, s[0] == 0 ? 0 : s[1] / 1024.0 / s[0]);
        }
        System.out.printf("   %-34s %8s %10s %9.3f %6.1f%%%n", "outside file calls (CPU, locks, idle)", "", "",
                wall - inside, 100 * (wall - inside) / wall);
    }
}
