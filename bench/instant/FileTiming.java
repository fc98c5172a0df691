import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.splitpoint.engine.io.PoolLockHandle;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;

/**
 * The timing file layer the instant and journal suites' --profile runs put under the pool and the
 * backup store: every file call's time, bytes and count, by kind of file and operation, printed
 * per phase against the wall time (the core suite's bench/src/Profile.java has its own, which
 * stays loadable against older engines for A/B runs).
 */
final class FileTiming {

    private static final int MIB = 1 << 20;
    private static final Map<String, long[]> STATS = new ConcurrentHashMap<>();

    private FileTiming() {
    }

    /** Forgets what was counted: a phase starts. */
    static void clear() {
        STATS.clear();
    }

    /** What was counted since {@link #clear}: by "kind op", {calls, bytes, nanoseconds} (a copy). */
    static Map<String, long[]> stats() {
        Map<String, long[]> out = new TreeMap<>();
        STATS.forEach((k, v) -> {
            synchronized (v) {
                out.put(k, v.clone());
            }
        });
        return out;
    }

    static void add(String key, long nanos, long bytes) {
        long[] s = STATS.computeIfAbsent(key, k -> new long[3]);
        synchronized (s) {
            s[0]++;
            s[1] += bytes;
            s[2] += nanos;
        }
    }

    static void print(String phase, double wall, long bytes) {
        System.out.printf("%n== %s: %.3f s wall%s%n", phase, wall,
                bytes > 0 ? String.format(", %.1f MiB/s", bytes / (double) MIB / wall) : "");
        System.out.printf("   %-36s %8s %10s %9s %7s %10s%n", "file op (all threads)", "calls", "MiB", "seconds", "% wall",
                "µs/call");
        double inside = 0;
        for (Map.Entry<String, long[]> e : new TreeMap<>(STATS).entrySet()) {
            long[] s = e.getValue();
            double sec = s[2] / 1e9;
            inside += sec;
            System.out.printf("   %-36s %8d %10.1f %9.3f %6.1f%% %10.1f%n", e.getKey(), s[0], s[1] / (double) MIB, sec,
                    100 * sec / wall, s[0] == 0 ? 0 : s[2] / 1e3 / s[0]);
        }
        System.out.printf("   %-36s %8s %10s %9.3f %6.1f%%  (can exceed the wall time: threads overlap)%n",
                "wall minus file calls", "", "", wall - inside, 100 * (wall - inside) / wall);
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
            add(kind + " read" + (dst.isDirect() ? "" : " (heap)"), System.nanoTime() - t, n);
        }

        @Override
        public void writeFully(long position, ByteBuffer src) throws IOException {
            long t = System.nanoTime();
            int n = src.remaining();
            f.writeFully(position, src);
            add(kind + " write" + (src.isDirect() ? "" : " (heap)"), System.nanoTime() - t, n);
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
        final Function<Path, String> kind;

        /** {@code kind} names a file's row in the table ("member", "image data", "pool.json"...). */
        TimedStorage(Function<Path, String> kind) {
            this.kind = kind;
        }

        @Override
        public StorageFile open(Path path) throws IOException {
            return new TimedFile(real.open(path), kind.apply(path));
        }

        @Override
        public StorageFile openRead(Path path) throws IOException {
            long t = System.nanoTime();
            StorageFile f = real.openRead(path);
            add("open " + kind.apply(path), System.nanoTime() - t, 0);
            return new TimedFile(f, kind.apply(path));
        }

        @Override
        public StorageFile create(Path path) throws IOException {
            long t = System.nanoTime();
            StorageFile f = real.create(path);
            add("create file", System.nanoTime() - t, 0);
            return new TimedFile(f, kind.apply(path));
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
            long t = System.nanoTime();
            real.delete(path);
            add("delete", System.nanoTime() - t, 0);
        }

        @Override
        public PoolLockHandle tryLock(Path lockFile, String holder) throws IOException {
            return real.tryLock(lockFile, holder);
        }

        @Override
        public String lockHolder(Path lockFile) throws IOException {
            return real.lockHolder(lockFile);
        }
    }
}
