package org.splitpoint.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A {@link StorageFactory} that injects the faults real disks produce, for tests.
 *
 * <p>Design. Faults are rules checked on every read and write of a matching file: EIO on the
 * Nth operation, EIO on one operation in N (seeded), EIO on every operation from the Nth on
 * (a dead disk), and disk full once a byte budget of writes is spent.
 *
 * <p>A power cut is modelled the way a volatile disk cache behaves: once armed, writes are held
 * in memory per file and reach the real file only when the file is forced. After write number N
 * every further operation fails with {@link PowerCutException}; {@link #crash()} then decides what
 * the platters saw: each unforced write independently landed or not (seeded), and the last one is
 * torn after {@code tearBytes}. Renames and directory syncs are treated as durable when they return,
 * which is what ext4 gives an fsynced file renamed over another.
 */
public final class FaultInjector implements StorageFactory {

    /** What a fault rule does once it triggers. */
    public enum Mode { NTH, ONE_IN_N, FROM_NTH }

    /** Which operations a fault rule counts. */
    public enum Op { READ, WRITE, ANY }

    private record Rule(Predicate<Path> files, Op op, Mode mode, long n, Random random, long[] seen) {
        boolean fires(Path path, Op actual) {
            if (!files.test(path) || (op != Op.ANY && op != actual)) {
                return false;
            }
            long count;
            synchronized (seen) {
                count = ++seen[0];
            }
            return switch (mode) {
                case NTH -> count == n;
                case FROM_NTH -> count >= n;
                case ONE_IN_N -> {
                    synchronized (random) {
                        yield random.nextLong(n) == 0;
                    }
                }
            };
        }
    }

    /** Thrown by every operation after the power was cut. */
    public static final class PowerCutException extends IOException {
        PowerCutException() {
            super("power cut (injected)");
        }
    }

    private final StorageFactory real;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<SimFile> openFiles = new CopyOnWriteArrayList<>();
    private final List<PoolLockHandle> locks = new CopyOnWriteArrayList<>();
    private final Object powerLock = new Object();
    private long writeCount;
    private long cutAfterWrite = -1;
    private int tearBytes;
    private Random crashRandom = new Random(0);
    private boolean cut;
    private SimFile lastWriteFile;
    private long diskFullBudget = -1;
    private Predicate<Path> diskFullFiles = p -> false;
    private Predicate<Path> counted = p -> true;

    public FaultInjector(StorageFactory real) {
        this.real = real;
    }

    /** EIO on operations of matching files, as {@code mode} says. */
    public FaultInjector eio(Predicate<Path> files, Op op, Mode mode, long n, long seed) {
        rules.add(new Rule(files, op, mode, n, new Random(seed), new long[1]));
        return this;
    }

    /**
     * Writes to matching files fail with "No space left on device" once {@code bytes} more bytes
     * were written to them (one file system filling up).
     */
    public FaultInjector diskFullAfter(Predicate<Path> files, long bytes) {
        synchronized (powerLock) {
            diskFullFiles = files;
            diskFullBudget = bytes;
        }
        return this;
    }

    /**
     * Arms the power cut: writes are cached until forced; after write {@code n} (counted from
     * now, 1-based) everything fails. {@code n <= 0} only caches and counts, never cuts.
     */
    public FaultInjector powerCutAfterWrite(long n, int tearBytes, long seed) {
        synchronized (powerLock) {
            this.writeCount = 0;
            this.cutAfterWrite = n;
            this.tearBytes = tearBytes;
            this.crashRandom = new Random(seed);
        }
        return this;
    }

    /**
     * Only writes to matching files count toward the power cut (all are still cached). Tests use it
     * to leave out files written from other threads, such as the advisory event log, so that write
     * N is the same point in every run.
     */
    public FaultInjector countOnly(Predicate<Path> files) {
        synchronized (powerLock) {
            counted = files;
        }
        return this;
    }

    /** Writes seen since the power cut was armed. */
    public long writeCount() {
        synchronized (powerLock) {
            return writeCount;
        }
    }

    public boolean isCut() {
        synchronized (powerLock) {
            return cut;
        }
    }

    /**
     * Ends the run as a power failure would: unforced writes land or not, the last is torn, every
     * file and lock is closed. The pool can then be reopened with a fresh factory.
     */
    public void crash() throws IOException {
        synchronized (powerLock) {
            cut = true;
            for (SimFile f : openFiles) {
                f.settleAfterCrash(f == lastWriteFile);
            }
            openFiles.clear();
            for (PoolLockHandle l : locks) {
                l.close();
            }
            locks.clear();
        }
    }

    private boolean caching() {
        return cutAfterWrite >= 0;
    }

    private void checkPower() throws PowerCutException {
        if (cut) {
            throw new PowerCutException();
        }
    }

    private void check(Path path, Op op) throws IOException {
        synchronized (powerLock) {
            checkPower();
        }
        for (Rule r : rules) {
            if (r.fires(path, op)) {
                throw new IOException("Input/output error (injected) on " + path.getFileName());
            }
        }
    }

    @Override
    public StorageFile open(Path path) throws IOException {
        check(path, Op.ANY);
        return track(new SimFile(path, real.open(path)));
    }

    @Override
    public StorageFile create(Path path) throws IOException {
        check(path, Op.ANY);
        return track(new SimFile(path, real.create(path)));
    }

    private SimFile track(SimFile f) {
        openFiles.add(f);
        return f;
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        synchronized (powerLock) {
            checkPower();
            real.rename(from, to);
        }
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        synchronized (powerLock) {
            checkPower();
        }
        real.syncDirectory(dir);
    }

    @Override
    public void delete(Path path) throws IOException {
        synchronized (powerLock) {
            checkPower();
            real.delete(path);
        }
    }

    @Override
    public PoolLockHandle tryLock(Path lockFile, String holder) throws IOException {
        synchronized (powerLock) {
            checkPower();
        }
        PoolLockHandle h = real.tryLock(lockFile, holder);
        if (h != null) {
            locks.add(h);
        }
        return h;
    }

    /** A file whose unforced writes may sit in a simulated volatile cache. */
    private final class SimFile implements StorageFile {
        private final Path path;
        private final StorageFile file;
        private final List<Pending> pending = new ArrayList<>();

        private record Pending(long position, byte[] data) { }

        SimFile(Path path, StorageFile file) {
            this.path = path;
            this.file = file;
        }

        @Override
        public void readFully(long position, ByteBuffer dst) throws IOException {
            check(path, Op.READ);
            synchronized (powerLock) {
                int start = dst.position();
                int len = dst.remaining();
                file.readFully(position, dst);
                for (Pending p : pending) {
                    long from = Math.max(position, p.position);
                    long to = Math.min(position + len, p.position + p.data.length);
                    for (long i = from; i < to; i++) {
                        dst.put(start + (int) (i - position), p.data[(int) (i - p.position)]);
                    }
                }
            }
        }

        @Override
        public void writeFully(long position, ByteBuffer src) throws IOException {
            check(path, Op.WRITE);
            synchronized (powerLock) {
                checkPower();
                if (diskFullBudget >= 0 && diskFullFiles.test(path)) {
                    if (src.remaining() > diskFullBudget) {
                        throw new IOException("No space left on device (injected) writing " + path.getFileName());
                    }
                    diskFullBudget -= src.remaining();
                }
                if (!caching()) {
                    file.writeFully(position, src);
                    return;
                }
                byte[] data = new byte[src.remaining()];
                src.get(data);
                pending.add(new Pending(position, data));
                if (counted.test(path)) {
                    lastWriteFile = this;
                    writeCount++;
                    if (cutAfterWrite > 0 && writeCount >= cutAfterWrite) {
                        cut = true;
                    }
                }
            }
        }

        @Override
        public void force() throws IOException {
            synchronized (powerLock) {
                checkPower();
                for (Pending p : pending) {
                    file.writeFully(p.position, ByteBuffer.wrap(p.data));
                }
                pending.clear();
                file.force();
            }
        }

        void settleAfterCrash(boolean holdsLastWrite) throws IOException {
            for (int i = 0; i < pending.size(); i++) {
                Pending p = pending.get(i);
                boolean last = holdsLastWrite && i == pending.size() - 1;
                if (last) {
                    int keep = Math.min(tearBytes, p.data.length);
                    file.writeFully(p.position, ByteBuffer.wrap(p.data, 0, keep));
                } else if (crashRandom.nextBoolean()) {
                    file.writeFully(p.position, ByteBuffer.wrap(p.data));
                }
            }
            pending.clear();
            file.close();
        }

        @Override
        public long size() throws IOException {
            synchronized (powerLock) {
                checkPower();
                long size = file.size();
                for (Pending p : pending) {
                    size = Math.max(size, p.position + p.data.length);
                }
                return size;
            }
        }

        @Override
        public void setLength(long length) throws IOException {
            synchronized (powerLock) {
                checkPower();
                file.setLength(length);
            }
        }

        @Override
        public void close() throws IOException {
            synchronized (powerLock) {
                if (cut) {
                    return; // crash() settles and closes it
                }
                if (!pending.isEmpty()) {
                    // Closing does not flush a disk cache; keep the data "in the cache" for crash().
                    return;
                }
                openFiles.remove(this);
                file.close();
            }
        }
    }
}
