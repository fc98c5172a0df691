package org.splitpoint.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * A {@link StorageFactory} that injects the faults real disks and file systems produce, for tests.
 *
 * <p>Design. Faults are rules checked on every read and write of a matching file: EIO on the Nth
 * operation, on one operation in N (seeded), on every operation from the Nth on (a dead disk); disk
 * full once a byte budget of writes is spent; writes held back for a while (a slow disk).
 *
 * <p>A power cut is modelled as a volatile page cache and a file system that journals names lazily,
 * the way LazyFS does. Once armed, a file's writes are held per file (per inode: shared by every
 * handle, kept across close and reopen, moved by a rename) and reach the real file only when some
 * handle forces it. Creations (of files and directories), renames and deletions are undone at the
 * crash unless their directory was synced since (a random prefix of each directory's unsynced changes
 * survives; a directory undone takes everything in it along). After write
 * number N every operation fails with {@link PowerCutException}; {@link #crash()} then settles what
 * the platters saw: each unforced write independently landed or not (seeded), write N is torn after
 * {@code tearBytes}; a hole punched ({@link #punchesHoles}) is such a write too, one that reads as zeros. {@link #processCrash()} is a kill -9 instead: the page cache survives, so every
 * completed write and name change stays.
 *
 * <p>There is no global lock: operations on different files run concurrently (copiers, hydrators,
 * host writers, flushes), the write index is one atomic counter, and a file's cache has its own
 * read-write lock.
 */
public final class FaultInjector implements StorageFactory {

    /** What a fault rule does once it triggers. */
    public enum Mode { NTH, ONE_IN_N, FROM_NTH }

    /** Which operations a fault rule counts. */
    /**
     * READ, WRITE, ANY (a force, before it starts), and FORCE_FAILED: a force that fails, after it
     * dropped the pages it could not write back and before its error reaches the caller (the
     * moment a reader of the image gets the old bytes while no one knows of the loss yet); SYNC_DIR: a
     * directory's sync, held only by a hold that names it (a store that hangs whole: a removal's
     * sync after its rename).
     */
    public enum Op { READ, WRITE, ANY, FORCE_FAILED, SYNC_DIR }

    private record Rule(Predicate<Path> files, Op op, Mode mode, long n, Random random, AtomicLong seen) {
        boolean fires(Path path, Op actual) {
            if (!files.test(path) || (op != Op.ANY && op != actual)) {
                return false;
            }
            long count = seen.incrementAndGet();
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

    /** A slow disk: matching operations of matching threads wait up to {@code millis} before they start. */
    private record Hold(Op op, Predicate<Path> files, Predicate<Thread> threads, long millis, Object release,
                        java.util.concurrent.atomic.AtomicBoolean released) {
        boolean applies(Op actual, Path path) {
            return op == actual && files.test(path) && threads.test(Thread.currentThread()) && !released.get();
        }
    }

    /** Thrown by every operation after the power was cut. */
    public static final class PowerCutException extends StorageHaltedException {
        PowerCutException() {
            super("power cut (injected)");
        }
    }

    private final StorageFactory real;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Hold> holds = new CopyOnWriteArrayList<>();
    /** The page cache: one entry per file (inode) that has been opened, keyed by its current name. */
    private final Map<Path, Cached> cache = new ConcurrentHashMap<>();
    /** Per directory, the name changes not yet made durable by a sync of that directory. */
    private final Map<Path, List<DirOp>> unsyncedNames = new ConcurrentHashMap<>();
    /** Directories whose creation a crash undoes: removed, with their contents, after the other undos. */
    private final List<Path> lostDirectories = new ArrayList<>();
    private final List<PoolLockHandle> locks = new CopyOnWriteArrayList<>();
    private final AtomicLong writeCount = new AtomicLong();
    private final AtomicLong diskFullBudget = new AtomicLong(-1);
    private final Path backups;
    private volatile long cutAfterWrite = -1;
    private volatile int tearBytes;
    private volatile long crashSeed;
    private volatile boolean cut;
    private volatile Cached tornFile;
    private volatile Pending tornWrite;
    private volatile Predicate<Path> diskFullFiles = p -> false;
    /** The kernel's words when the budget is spent: a full file system, or a file-size limit. */
    private volatile String diskFullError = "No space left on device";
    private volatile Predicate<Path> counted = p -> true;
    private volatile double landProbability = 0.5;
    /** Files whose next forces fail (see {@link #failForces}), and how many more may. */
    private volatile Predicate<Path> failingForces = p -> false;
    private final AtomicLong forcesToFail = new AtomicLong();
    /** Whether the failing forces say the file system is full (ENOSPC) rather than EIO. */
    /** What a failing force throws for its file: EIO, ENOSPC, or a sync cut off by an interrupt. */
    private volatile java.util.function.Function<Path, IOException> forceFailure = FaultInjector::eio;
    /** Directories whose next syncs fail (see {@link #failDirectorySyncs}), and how many more may. */
    private volatile Predicate<Path> failingDirSyncs = p -> false;
    private final AtomicLong dirSyncsToFail = new AtomicLong();
    private final AtomicLong waitingOnHolds = new AtomicLong();

    /**
     * One directory per test JVM for the copies {@link #backup} keeps, removed with its contents at exit:
     * a directory per injector with deleteOnExit stayed behind (it is not empty then), one per test run,
     * hundreds of thousands of them in /tmp after a few days of runs.
     */
    private static final class BackupRoot {
        static final Path PATH = create();

        private static Path create() {
            try {
                Path root = Files.createTempDirectory("fault-injector-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> removeTree(root), "fault-injector-cleanup"));
                return root;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private static void removeTree(Path root) {
            try (var all = Files.walk(root)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | RuntimeException e) {
                // Best effort at exit: a leftover directory in /tmp is all that is at stake.
            }
        }
    }

    /**
     * Over real storage, caching every write until a force, which loses every unforced write at the
     * crash (no power cut before it): the scene of the lost-write tests, whose forces fail or are held.
     */
    public static FaultInjector losingUnforcedWrites() {
        return new FaultInjector(StorageFactory.real()).powerCutAfterWrite(Long.MAX_VALUE, 0, 1).unforcedWritesLost();
    }

    public FaultInjector(StorageFactory real) {
        this.real = real;
        try {
            this.backups = Files.createTempDirectory(BackupRoot.PATH, "injector-");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The next {@code count} forces of matching files fail with EIO, as a writeback error reaches
     * fsync on Linux: the file's unforced writes are lost (the kernel marks their pages clean), so
     * a later force that succeeds makes durable only what was written after the failure. As Linux
     * (4.13 on) does, every other handle of the file open at the failure reports it too, once, at its
     * next force, and a handle opened after it does not.
     */
    public FaultInjector failForces(Predicate<Path> files, long count) {
        failingForces = files;
        forceFailure = FaultInjector::eio;
        forcesToFail.set(count);
        return this;
    }

    /**
     * As {@link #failForces}, with ENOSPC: a file system that ran out of room while writing back
     * (delayed allocation, thin storage, a quota) fails fsync so, and the pages are lost as for EIO.
     */
    public FaultInjector failForcesNoSpace(Predicate<Path> files, long count) {
        failingForces = files;
        forceFailure = f -> new NoSpaceException("no space left on the file system holding " + f + " (injected, on fsync)");
        forcesToFail.set(count);
        return this;
    }

    /**
     * As {@link #failForces}, cut off by an interrupt (RealStorage's {@link SyncCutOffException}): the worst
     * case of a cut, an fsync that took the kernel's report of a failed write-back, whose pages are lost.
     */
    public FaultInjector failForcesCutOff(Predicate<Path> files, long count) {
        failingForces = files;
        forceFailure = f -> new SyncCutOffException(f, new java.nio.channels.AsynchronousCloseException());
        forcesToFail.set(count);
        return this;
    }

    private static IOException eio(Path f) {
        return new IOException("Input/output error (injected) on fsync of " + f.getFileName());
    }

    /**
     * The next {@code count} syncs of matching directories fail with EIO: the names changed in them
     * since their last sync stay unsynced (a crash may undo them), as the file system shows them now.
     */
    public FaultInjector failDirectorySyncs(Predicate<Path> dirs, long count) {
        failingDirSyncs = dirs;
        dirSyncsToFail.set(count);
        return this;
    }

    /** EIO on operations of matching files, as {@code mode} says. */
    public FaultInjector eio(Predicate<Path> files, Op op, Mode mode, long n, long seed) {
        rules.add(new Rule(files, op, mode, n, new Random(seed), new AtomicLong()));
        return this;
    }

    /**
     * Writes to matching files fail with "No space left on device" once {@code bytes} more bytes
     * were written to them (one file system filling up).
     */
    public FaultInjector diskFullAfter(Predicate<Path> files, long bytes) {
        diskFullError = "No space left on device";
        diskFullFiles = files;
        diskFullBudget.set(bytes);
        return this;
    }

    /**
     * Writes to matching files fail with EFBIG ("File too large", as the JDK reports it, mapped as
     * {@link RealStorage} maps the kernel's errors) once {@code bytes} more bytes were written to
     * them: the process's file-size limit (ulimit -f, systemd's LimitFSIZE) reached.
     */
    public FaultInjector fileSizeLimitAfter(Predicate<Path> files, long bytes) {
        diskFullError = "File too large";
        diskFullFiles = files;
        diskFullBudget.set(bytes);
        return this;
    }

    /** Frees the full file system again (an administrator deleted something). */
    public FaultInjector diskFreed() {
        diskFullBudget.set(-1);
        return this;
    }

    /**
     * Writes to matching files wait up to {@code millis} before they start (a slow disk), unless
     * {@link #releaseHolds()} lets them go earlier.
     */
    public FaultInjector holdWrites(Predicate<Path> files, long millis) {
        return hold(Op.WRITE, files, t -> true, millis);
    }

    /**
     * Operations {@code op} (READ, WRITE, or ANY standing for a force) on matching files, by matching
     * threads, wait up to {@code millis} before they start. Tests use it to put one thread's I/O at
     * an exact point of another's (a hydrator's write between a flush's force and its commit).
     */
    public FaultInjector hold(Op op, Predicate<Path> files, Predicate<Thread> threads, long millis) {
        holds.add(new Hold(op, files, threads, millis, new Object(), new java.util.concurrent.atomic.AtomicBoolean()));
        return this;
    }

    /**
     * As {@link #hold}, and returns what lets this hold's operations go on alone (the others stay
     * held): for a scene that holds two threads and must release them one after the other.
     */
    public Runnable holdReleasable(Op op, Predicate<Path> files, Predicate<Thread> threads, long millis) {
        Hold h = new Hold(op, files, threads, millis, new Object(), new java.util.concurrent.atomic.AtomicBoolean());
        holds.add(h);
        return () -> {
            release(h);
            holds.remove(h);
        };
    }

    /** Forces of matching files by matching threads wait up to {@code millis}. */
    public FaultInjector holdForces(Predicate<Path> files, Predicate<Thread> threads, long millis) {
        return hold(Op.ANY, files, threads, millis);
    }

    /** How many operations are waiting on a hold right now. */
    public long waitingOnHolds() {
        return waitingOnHolds.get();
    }

    /** Waits until {@code n} operations wait on holds (a scene's threads at their points), at most 30 s. */
    public void awaitHeld(long n) throws InterruptedException {
        long until = System.nanoTime() + 30_000_000_000L;
        while (waitingOnHolds() < n) {
            if (System.nanoTime() > until) {
                throw new AssertionError("never held: " + n);
            }
            Thread.sleep(5);
        }
    }

    /**
     * At the crash every unforced write is lost (instead of each landing with probability 1/2):
     * the worst case a volatile cache allows, for tests that must fail deterministically.
     */
    public FaultInjector unforcedWritesLost() {
        landProbability = 0;
        return this;
    }

    /**
     * The pages a failed force could not write back stay in the page cache, clean, as Linux leaves
     * them: reads (of this process, or of the next opening before a power cut) still see their
     * bytes, no later force writes them, and a crash loses them. By default they read as lost at once.
     */
    public FaultInjector failedForcesKeepPagesCached() {
        keepDroppedPages = true;
        return this;
    }

    private volatile boolean keepDroppedPages;

    /**
     * Each writable handle starts a force of its file in the background once {@code threshold}
     * bytes were written through it since its last force, and then drops the ranges written from
     * the cache where clean, as {@link RealStorage}'s files do ({@link EarlyWriteBack}, there at 32
     * MiB): the forces run on their own threads beside the engine's, take their share of the
     * failing forces ({@link #failForces}: the pages they could not write lost, their error
     * reported by the handle's next force) and of the holds that match their thread, and a crash
     * cuts them as any force. {@code threshold} small (KiBs) makes a crash test's few megabytes
     * start many.
     */
    public FaultInjector writesBackEarly(long threshold) {
        earlyWriteBack = threshold;
        return this;
    }

    private volatile long earlyWriteBack;
    private final AtomicLong backgroundForces = new AtomicLong();

    /** Background forces that ran so far (see {@link #writesBackEarly}): a test's check that its scene starts them. */
    public long backgroundForces() {
        return backgroundForces.get();
    }

    /** Forces still to fail of those {@link #failForces} / {@link #failForcesNoSpace} asked for: 0 once all failed. */
    public long forcesLeftToFail() {
        return forcesToFail.get();
    }

    private final AtomicLong backgroundFailures = new AtomicLong();

    /** Background forces that failed so far (a failing force that was one of them, see {@link #writesBackEarly}). */
    public long backgroundFailures() {
        return backgroundFailures.get();
    }

    /**
     * Images that say they zero a range without writing zeros (punch holes, zero in place), as
     * those on ext4 or xfs do, so a volume takes the paths it takes there (NBD's FAST_ZERO answered,
     * large zeroings in large pieces); the zeroing itself still goes into the page cache as zeros
     * written, lost at a crash unless forced, as a hole punched and not yet synced may be.
     */
    public FaultInjector zeroesWithoutWriting() {
        zeroesWithoutWriting = true;
        return this;
    }

    private volatile boolean zeroesWithoutWriting;

    /**
     * With {@link #zeroesWithoutWriting}, a zeroing that may deallocate ({@link StorageFile#zeroRange}
     * with {@code deallocate}) punches a real hole, the way Linux does: at once it reads as zeros and
     * {@link StorageFile#hole} says hole (SEEK_HOLE sees it before any fsync), but it is a change of the
     * file's extents held in the cache like a write, one write toward the cut, reaching the real file
     * (fallocate PUNCH_HOLE through the real storage) only when a force covers it; at a crash it lands
     * or not as an unforced write does (the torn one punches its first {@code tearBytes}). Without this
     * option a punch is modelled as zeros written, so the real images never hold the holes the
     * product's hole paths look for (block status, reads that skip holes).
     */
    public FaultInjector punchesHoles() {
        punchesHoles = true;
        return this;
    }

    private volatile boolean punchesHoles;
    private final AtomicLong punched = new AtomicLong();

    /** Holes punched so far (see {@link #punchesHoles}), cached or not: a test's check that its scene makes them. */
    public long holesPunched() {
        return punched.get();
    }

    /** At the crash every unforced write lands but the torn one (write N): a stripe torn at one member. */
    public FaultInjector unforcedWritesLand() {
        landProbability = 1;
        return this;
    }

    /** Lets every held write go on, and holds no more. */
    public void releaseHolds() {
        for (Hold h : holds) {
            release(h);
        }
        holds.clear();
    }

    private static void release(Hold h) {
        synchronized (h.release) {
            h.released.set(true); // a thread that found the hold a moment ago does not wait on it now
            h.release.notifyAll();
        }
    }

    /**
     * Arms the power cut: writes are cached until forced and name changes until their directory is
     * synced; after write {@code n} (counted from now, 1-based) everything fails. {@code n <= 0}
     * only caches and counts, never cuts. {@code seed} decides what lands at the crash.
     */
    public FaultInjector powerCutAfterWrite(long n, int tearBytes, long seed) {
        this.writeCount.set(0);
        this.tearBytes = tearBytes;
        this.crashSeed = seed;
        this.cutAfterWrite = n;
        return this;
    }

    /**
     * Only writes to matching files count toward the power cut (all are still cached). Tests use it
     * to leave out files written from other threads, such as the advisory event log.
     */
    public FaultInjector countOnly(Predicate<Path> files) {
        counted = files;
        return this;
    }

    /** Writes counted since the power cut was armed. */
    public long writeCount() {
        return writeCount.get();
    }

    public boolean isCut() {
        return cut;
    }

    /** Cuts the power now (as if write N had just been reached), whatever the count. */
    public void cutNow() {
        cut = true;
    }

    /**
     * Ends the run as a power failure would: unforced writes land or not, write N is torn, name
     * changes of unsynced directories are partly undone, every file and lock is closed. The pool can
     * then be reopened with a fresh factory.
     */
    public void crash() throws IOException {
        settle(false);
    }

    /**
     * Ends the run as a process crash (kill -9) would: what the process wrote stays, in the page
     * cache, even if it was never forced; names stay as they are. Files and locks are closed.
     */
    public void processCrash() throws IOException {
        settle(true);
    }

    private void settle(boolean keepEverything) throws IOException {
        cut = true;
        Random rnd = new Random(crashSeed);
        List<Cached> files = new ArrayList<>(cache.values());
        files.sort(Comparator.comparing(c -> c.path.toString()));
        for (Cached c : files) {
            c.settle(keepEverything, rnd);
        }
        cache.clear();
        if (!keepEverything) {
            List<Path> dirs = new ArrayList<>(unsyncedNames.keySet());
            dirs.sort(Comparator.naturalOrder());
            for (Path dir : dirs) {
                List<DirOp> ops = unsyncedNames.get(dir);
                if (ops == null) {
                    continue; // synced by a thread still running as the power went: nothing to undo
                }
                int keep = rnd.nextInt(ops.size() + 1);
                for (int i = ops.size() - 1; i >= keep; i--) {
                    ops.get(i).undo();
                }
            }
            for (Path dir : lostDirectories) {
                if (Files.exists(dir)) {
                    deleteTree(dir);
                }
            }
        }
        lostDirectories.clear();
        unsyncedNames.clear();
        for (PoolLockHandle l : locks) {
            l.close();
        }
        locks.clear();
        releaseHolds();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
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
        checkPower();
        for (Rule r : rules) {
            if (r.fires(path, op)) {
                throw new IOException("Input/output error (injected) on " + path.getFileName());
            }
        }
    }

    /** Waits on the holds that apply to {@code op} on {@code path} by this thread (a force is Op.ANY). */
    private void holdIfAsked(Op op, Path path) {
        for (Hold h : holds) {
            if (h.applies(op, path)) {
                waitingOnHolds.incrementAndGet();
                try {
                    synchronized (h.release) {
                        long until = System.nanoTime() + h.millis * 1_000_000L;
                        for (long left = h.millis; !h.released.get() && left > 0;
                                left = (until - System.nanoTime()) / 1_000_000L) {
                            h.release.wait(left);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    waitingOnHolds.decrementAndGet();
                }
            }
        }
    }

    // ---- names --------------------------------------------------------------------------------

    /** One name change in a directory, undoable until the directory is synced. */
    private interface DirOp {
        void undo() throws IOException;
    }

    private void recordName(Path file, DirOp op) {
        if (caching()) {
            unsyncedNames.computeIfAbsent(file.toAbsolutePath().getParent(), d -> new CopyOnWriteArrayList<>()).add(op);
        }
    }

    /** A copy of {@code file} kept aside, so a name change can be undone at the crash. */
    private Path backup(Path file) throws IOException {
        Path b = Files.createTempFile(backups, "b", ".bak");
        Files.copy(file, b, StandardCopyOption.REPLACE_EXISTING);
        return b;
    }

    private Cached cached(Path path) {
        return cache.computeIfAbsent(path.toAbsolutePath(), Cached::new);
    }

    @Override
    public StorageFile open(Path path) throws IOException {
        check(path, Op.ANY);
        return new SimFile(cached(path), real.open(path), false);
    }

    @Override
    public StorageFile openRead(Path path) throws IOException {
        check(path, Op.ANY);
        return new SimFile(cached(path), real.openRead(path), true);
    }

    @Override
    public StorageFile create(Path path) throws IOException {
        check(path, Op.ANY);
        StorageFile f = real.create(path);
        Path abs = path.toAbsolutePath();
        cache.put(abs, new Cached(abs));
        recordName(abs, () -> Files.deleteIfExists(abs));
        return new SimFile(cache.get(abs), f, false);
    }

    /**
     * A directory made is undone at the crash, unless its parent was synced since, by removing it
     * with everything in it: the name is gone, and what was written inside with it. Those removals
     * come after every other undo (which may touch files inside).
     */
    @Override
    public void createDirectory(Path dir) throws IOException {
        checkPower();
        real.createDirectory(dir);
        Path abs = dir.toAbsolutePath();
        recordName(abs, () -> lostDirectories.add(abs));
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        checkPower();
        Path a = from.toAbsolutePath();
        Path b = to.toAbsolutePath();
        Path replaced = caching() && Files.exists(b) ? backup(b) : null;
        real.rename(from, to);
        Cached moved = cache.remove(a);
        if (moved != null) {
            moved.path = b;
            cache.put(b, moved);
        } else {
            cache.remove(b);
        }
        recordName(b, () -> {
            if (Files.exists(b)) {
                Files.move(b, a, StandardCopyOption.REPLACE_EXISTING);
            }
            if (replaced != null) {
                Files.copy(replaced, b, StandardCopyOption.REPLACE_EXISTING);
            }
        });
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        holdIfAsked(Op.SYNC_DIR, dir.toAbsolutePath());
        checkPower();
        if (failingDirSyncs.test(dir.toAbsolutePath()) && dirSyncsToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IOException("Input/output error (injected) on fsync of directory " + dir.getFileName());
        }
        real.syncDirectory(dir);
        unsyncedNames.remove(dir.toAbsolutePath());
    }

    @Override
    public void delete(Path path) throws IOException {
        checkPower();
        Path abs = path.toAbsolutePath();
        if (!Files.exists(abs)) {
            return;
        }
        Path kept = caching() ? backup(abs) : null;
        real.delete(path);
        cache.remove(abs);
        if (kept != null) {
            recordName(abs, () -> {
                if (Files.isDirectory(abs.getParent())) { // else its directory's own rename was undone first (a trashed image)
                    Files.copy(kept, abs, StandardCopyOption.REPLACE_EXISTING);
                }
            });
        }
    }

    @Override
    public PoolLockHandle tryLock(Path lockFile, String holder) throws IOException {
        checkPower();
        PoolLockHandle h = real.tryLock(lockFile, holder);
        if (h == null) {
            return null;
        }
        locks.add(h);
        return () -> {
            if (locks.remove(h)) {
                h.close();
            }
        };
    }

    @Override
    public String lockHolder(Path lockFile) throws IOException {
        checkPower();
        return real.lockHolder(lockFile);
    }

    // ---- data ---------------------------------------------------------------------------------

    /** A cached write; {@code punch}: a hole punched there (its data zeros, as it reads). */
    private record Pending(long position, byte[] data, boolean punch) {
        Pending(long position, byte[] data) {
            this(position, data, false);
        }

        /** Bytes [from, to) of this write (file offsets), a punch still a punch. */
        Pending part(long from, long to) {
            return new Pending(from, java.util.Arrays.copyOfRange(data, (int) (from - position), (int) (to - position)), punch);
        }

        /** Puts it on the real file: its bytes, or its hole. */
        void apply(StorageFile f, int length) throws IOException {
            if (punch) {
                f.zeroRange(position, length, true);
            } else {
                f.writeFully(position, ByteBuffer.wrap(data, 0, length));
            }
        }
    }

    /** One file's page cache: the writes not yet forced, shared by every handle of the file. */
    private final class Cached {
        volatile Path path;
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        final List<Pending> pending = new ArrayList<>();
        /** Writes a failed force dropped, still in the cache (see {@link #failedForcesKeepPagesCached}); older than any pending. */
        final List<Pending> dropped = new ArrayList<>();
        /**
         * The file's write-back errors, as Linux keeps them per inode (errseq_t): how many forces of
         * it failed, and the last one's error. Every handle open at a failure reports it at its next
         * force, once (the one that failed by failing); a handle opened later does not.
         */
        long failures;
        IOException lastFailure;

        Cached(Path path) {
            this.path = path;
        }

        void overlay(long position, ByteBuffer dst, int start, int len) {
            overlay(dropped, position, dst, start, len);
            overlay(pending, position, dst, start, len);
        }

        private static void overlay(List<Pending> writes, long position, ByteBuffer dst, int start, int len) {
            for (Pending p : writes) {
                long from = Math.max(position, p.position);
                long to = Math.min(position + len, p.position + p.data.length);
                for (long i = from; i < to; i++) {
                    dst.put(start + (int) (i - position), p.data[(int) (i - p.position)]);
                }
            }
        }

        long extent() {
            long end = 0;
            for (Pending p : dropped) {
                end = Math.max(end, p.position + p.data.length);
            }
            for (Pending p : pending) {
                end = Math.max(end, p.position + p.data.length);
            }
            return end;
        }

        /** Drops the cached bytes at and past {@code length}. */
        void truncate(long length) {
            for (List<Pending> writes : List.of(pending, dropped)) {
                for (java.util.ListIterator<Pending> it = writes.listIterator(); it.hasNext(); ) {
                    Pending p = it.next();
                    if (p.position >= length) {
                        it.remove();
                    } else if (p.position + p.data.length > length) {
                        it.set(p.part(p.position, length));
                    }
                }
            }
        }

        void flushTo(StorageFile file) throws IOException {
            for (Pending p : pending) {
                p.apply(file, p.data.length);
                supersede(p);
            }
            pending.clear();
        }

        /**
         * POSIX_FADV_DONTNEED over [position, position+length): clean pages leave the cache, so the
         * pages a failed force left there (written nowhere) read as the disk's bytes from now on;
         * dirty ones (pending) stay.
         */
        void dropClean(long position, long length) {
            lock.writeLock().lock();
            try {
                forgetDropped(position, position + length);
            } finally {
                lock.writeLock().unlock();
            }
        }

        /**
         * The bytes of dropped pages that {@code p}, written after them, replaced: once {@code p} is on
         * the disk they must not be read over it (they are older than any pending write, not than the disk).
         */
        private void supersede(Pending p) {
            forgetDropped(p.position, p.position + p.data.length);
        }

        /** Forgets the bytes of dropped pages in [from, to). */
        private void forgetDropped(long from, long to) {
            for (java.util.ListIterator<Pending> it = dropped.listIterator(); it.hasNext(); ) {
                Pending d = it.next();
                long end = d.position + d.data.length;
                if (end <= from || d.position >= to) {
                    continue;
                }
                it.remove();
                if (d.position < from) {
                    it.add(d.part(d.position, from));
                }
                if (end > to) {
                    it.add(d.part(to, end));
                }
            }
        }

        /**
         * The holes punched that a failed force leaves in place: a punch is a change of the file's
         * extents, not a dirty page, so a writeback that fails does not undo it (it still reads as
         * zeros, and a later force or the file system's own journal commit may yet make it durable;
         * a crash before that loses it). Where a write cached after a punch covers it, that write
         * is what reads there (kept with the dropped pages, or lost to the old bytes: the punch is
         * left out there, a hole under a lost write reads as the bytes before it, the harsher case).
         */
        List<Pending> punchesKeptAtAFailedForce() {
            List<Pending> kept = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                if (!pending.get(i).punch) {
                    continue;
                }
                List<Pending> parts = new ArrayList<>(List.of(pending.get(i)));
                for (int j = i + 1; j < pending.size(); j++) {
                    Pending later = pending.get(j);
                    long from = later.position;
                    long to = later.position + later.data.length;
                    List<Pending> left = new ArrayList<>();
                    for (Pending part : parts) {
                        long end = part.position + part.data.length;
                        if (end <= from || part.position >= to) {
                            left.add(part);
                            continue;
                        }
                        if (part.position < from) {
                            left.add(part.part(part.position, from));
                        }
                        if (end > to) {
                            left.add(part.part(to, end));
                        }
                    }
                    parts = left;
                }
                kept.addAll(parts);
            }
            return kept;
        }

        /** What the platters keep of the cached writes; the torn write keeps its first bytes only. */
        void settle(boolean keepEverything, Random rnd) throws IOException {
            lock.writeLock().lock();
            try {
                dropped.clear(); // the cache goes with the process or the power: nothing kept them on disk
                if (pending.isEmpty() || !Files.exists(path)) {
                    pending.clear();
                    return;
                }
                StorageFile opened;
                try {
                    opened = real.open(path);
                } catch (java.nio.file.NoSuchFileException gone) {
                    pending.clear(); // removed meanwhile (a clean-up thread of the run still going): nothing to settle
                    return;
                }
                try (StorageFile f = opened) {
                    for (Pending p : pending) {
                        if (Boolean.getBoolean("crash.debug")) {
                            System.err.println("settle " + path.getFileName() + " @" + p.position + "+" + p.data.length
                                    + (p == tornWrite ? " TORN" : ""));
                        }
                        if (keepEverything) {
                            p.apply(f, p.data.length);
                        } else if (p == tornWrite) {
                            int keep = Math.min(tearBytes, p.data.length);
                            if (keep > 0) {
                                p.apply(f, keep);
                            }
                        } else if (rnd.nextDouble() < landProbability) {
                            p.apply(f, p.data.length);
                        }
                    }
                }
                pending.clear();
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    /** A handle: its own real channel, the file's shared cache. */
    private final class SimFile implements StorageFile {
        private final Cached c;
        private final StorageFile file;
        private final boolean readOnly;

        /** Background forces of this handle (see {@link #writesBackEarly}); null when not asked or read-only. */
        private final EarlyWriteBack behind;

        /** The file's failures this handle has reported (see {@link Cached#failures}); guarded by the file's lock. */
        private long failuresSeen;

        SimFile(Cached c, StorageFile file, boolean readOnly) {
            this.c = c;
            this.file = file;
            this.readOnly = readOnly;
            c.lock.readLock().lock();
            try {
                this.failuresSeen = c.failures;
            } finally {
                c.lock.readLock().unlock();
            }
            long threshold = earlyWriteBack;
            this.behind = readOnly || threshold <= 0 ? null : new EarlyWriteBack(() -> {
                backgroundForces.incrementAndGet();
                forceHere(true);
            }, c::dropClean, threshold);
        }

        @Override
        public void readFully(long position, ByteBuffer dst) throws IOException {
            check(c.path, Op.READ);
            holdIfAsked(Op.READ, c.path);
            int start = dst.position();
            int len = dst.remaining();
            c.lock.readLock().lock();
            try {
                checkPower();
                file.readFully(position, dst);
                c.overlay(position, dst, start, len);
            } finally {
                c.lock.readLock().unlock();
            }
        }

        @Override
        public boolean zeroesWithoutWriting(boolean deallocate) {
            return zeroesWithoutWriting;
        }

        /** A hole of the real file that no cached write covers any byte of; false once the power is cut. */
        @Override
        public boolean hole(long position, long length) {
            c.lock.readLock().lock();
            try {
                if (cut) {
                    return false;
                }
                // a punch cached covers the range whole, no write cached after it touches it: a hole now
                for (int i = c.pending.size() - 1; i >= 0; i--) {
                    Pending p = c.pending.get(i);
                    if (p.position < position + length && position < p.position + p.data.length) {
                        if (p.punch && p.position <= position && position + length <= p.position + p.data.length) {
                            return true;
                        }
                        break;
                    }
                }
                for (List<Pending> writes : List.of(c.pending, c.dropped)) {
                    for (Pending p : writes) {
                        if (p.position < position + length && position < p.position + p.data.length) {
                            return false;
                        }
                    }
                }
                return file.hole(position, length);
            } finally {
                c.lock.readLock().unlock();
            }
        }

        @Override
        public void writeFully(long position, ByteBuffer src) throws IOException {
            if (readOnly) {
                throw new java.nio.file.AccessDeniedException(c.path + " (opened read-only)");
            }
            holdIfAsked(Op.WRITE, c.path);
            check(c.path, Op.WRITE);
            if (diskFullFiles.test(c.path)) {
                long want = src.remaining();
                while (true) {
                    long budget = diskFullBudget.get();
                    if (budget < 0) {
                        break;
                    }
                    if (want > budget) {
                        String words = diskFullError + " (injected) writing " + c.path.getFileName();
                        throw diskFullError.startsWith("No space") ? new NoSpaceException(words)
                                : RealStorage.noSpace(new IOException(words), c.path); // as the kernel's EFBIG comes up
                    }
                    if (diskFullBudget.compareAndSet(budget, budget - want)) {
                        break;
                    }
                }
            }
            int n = src.remaining();
            if (!caching()) {
                checkPower();
                file.writeFully(position, src);
            } else {
                byte[] data = new byte[n];
                src.get(data);
                cache(new Pending(position, data));
            }
            if (behind != null) {
                behind.wrote(position, n);
            }
        }

        /** A punch (see {@link #punchesHoles}): cached as one write that reads as zeros; else zeros written. */
        @Override
        public void zeroRange(long position, long length, boolean deallocate) throws IOException {
            if (!(punchesHoles && zeroesWithoutWriting && deallocate) || length > Integer.MAX_VALUE) {
                StorageFile.super.zeroRange(position, length, deallocate);
                return;
            }
            if (readOnly) {
                throw new java.nio.file.AccessDeniedException(c.path + " (opened read-only)");
            }
            holdIfAsked(Op.WRITE, c.path);
            check(c.path, Op.WRITE); // a punch takes no space: the disk-full budget is not asked
            punched.incrementAndGet();
            if (!caching()) {
                checkPower();
                file.zeroRange(position, length, true);
                return;
            }
            cache(new Pending(position, new byte[(int) length], true));
        }

        private void cache(Pending p) throws IOException {
            long position = p.position;
            byte[] data = p.data;
            c.lock.writeLock().lock();
            try {
                checkPower();
                c.pending.add(p);
                if (counted.test(c.path)) {
                    long n = writeCount.incrementAndGet();
                    if (Boolean.getBoolean("crash.debug")) {
                        System.err.println("write " + n + " " + c.path + " @" + position + "+" + data.length);
                    }
                    if (cutAfterWrite > 0 && n == cutAfterWrite) {
                        tornFile = c;
                        tornWrite = p;
                        cut = true;
                    }
                }
            } finally {
                c.lock.writeLock().unlock();
            }
        }

        @Override
        public void force() throws IOException {
            if (behind != null) {
                behind.force(() -> forceHere(false)); // as RealStorage's files: a background force's failure is this one's
            } else {
                forceHere(false);
            }
        }

        @Override
        public boolean writeBackFailed() {
            return behind != null && behind.failedUnreported();
        }

        /**
         * The force itself: the cached writes to the real file and its fsync, or their loss when the
         * force fails. {@code background}: a force the file started itself ({@link #writesBackEarly}),
         * whose failing pages stay cached, clean, until a crash, as Linux leaves them (its failure
         * reaches the engine only at the file's next force, and until then nothing of the engine's
         * knows to distrust the image: pages evicted in that time are the kernel flusher's own window,
         * see EarlyWriteBack); the engine's own forces lose them at once unless {@link
         * #failedForcesKeepPagesCached}, the harsher case its waits are for.
         */
        private void forceHere(boolean background) throws IOException {
            holdIfAsked(Op.ANY, c.path);
            IOException failed;
            c.lock.writeLock().lock();
            try {
                checkPower();
                if (failingForces.test(c.path) && forcesToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    List<Pending> punches = c.punchesKeptAtAFailedForce();
                    if (keepDroppedPages || background) {
                        c.dropped.addAll(c.pending); // clean now, still read until a crash
                    }
                    c.pending.clear(); // the pages that could not be written back are clean now, and lost
                    c.pending.addAll(punches);
                    failed = forceFailure.apply(c.path);
                    c.failures++;
                    c.lastFailure = failed;
                    if (background) {
                        backgroundFailures.incrementAndGet();
                    }
                    failuresSeen = c.failures;
                } else {
                    if (!readOnly) {
                        c.flushTo(file);
                    }
                    file.force();
                    if (failuresSeen == c.failures) {
                        return;
                    }
                    // another handle's force failed since this one's last: Linux reports it here too, once
                    failuresSeen = c.failures;
                    IOException last = c.lastFailure;
                    throw last instanceof NoSpaceException ? new NoSpaceException(last.getMessage())
                            : new IOException(last.getMessage());
                }
            } finally {
                c.lock.writeLock().unlock();
            }
            holdIfAsked(Op.FORCE_FAILED, c.path); // the pages are gone, the error not back yet: reads see old bytes
            throw failed;
        }

        @Override
        public long size() throws IOException {
            c.lock.readLock().lock();
            try {
                checkPower();
                return Math.max(file.size(), c.extent());
            } finally {
                c.lock.readLock().unlock();
            }
        }

        @Override
        public void setLength(long length) throws IOException {
            c.lock.writeLock().lock();
            try {
                checkPower();
                file.setLength(length);
                c.truncate(length); // a cut drops the cached pages past it, as truncate(2) does
            } finally {
                c.lock.writeLock().unlock();
            }
        }

        @Override
        public void close() throws IOException {
            // Closing does not flush a disk cache: the cached writes stay with the file for crash().
            file.close();
        }
    }
}
