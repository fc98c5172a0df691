package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * The crash harness of issue 8: power cuts anywhere in runs where everything happens at once.
 *
 * <p>A run opens the pool twice. First: host writers change both sides of a split pair, an
 * incremental establish copies on its own thread while they keep writing the STD, the pair is
 * split the moment it is Synchronized, a drive is added, the pool is closed. Then it is reopened:
 * both sides change again, a restore (protected or not) runs on its thread, writers write and read
 * back their regions of the STD (reads of unrestored tracks are served from the BCV and hydrated
 * behind), a flusher flushes both sides. The fault injector caches writes and name changes per
 * file, with no global lock, and cuts the power after write N. N is spread over the whole run and
 * each N runs with several crash seeds (what lands, what is torn).
 *
 * <p>The oracle is per byte: each writer owns its regions, so the writes to a byte are ordered; a
 * write is acknowledged when a flush of its side that began after it returned has returned. After
 * the cut, reopening and finishing the copies: every byte of the STD holds its last acknowledged
 * value or that of a later write; a split BCV the same (strict, after its flushed writes); an
 * established BCV equals its STD; parity and mirrors verify; an incremental establish after a
 * split makes the BCV equal the STD (the invalid tracks named every difference).
 *
 * <p>Scale: 36 cut points x 3 seeds per layout (24 with CI=true; 120 x 5 with
 * -Dsplitpoint.longTests=true). To replay one failing run: -Dcrash.only=RAID3:1962:4962 (layout,
 * cut, seed) and -Dcrash.debug=true to print what the crash let land, per file; to run only some
 * layouts, -Dcrash.layouts=RAID5,RAID3.
 */
class ConcurrentCrashTest {

    private static final int TRACK = 4096;
    private static final int WRITERS = 3;

    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final ReentrantReadWriteLock quiesce = new ReentrantReadWriteLock();
    private AckOracle std;
    private AckOracle bcv;
    private FaultInjector inj;
    /** Set while a state change whose instant the cut may straddle is under way. */
    private volatile String straddled;
    private byte[] stdBeforeRestore;
    private byte[] stdAfterRestore;
    private byte[] splitImage;
    /** Where the cut fell (the opening, the pair's state then, the restore's kind): for a failure's message. */
    private String cutIn;
    private String restoring; // set and read on the run's own thread, as cutIn

    /**
     * The copies here last milliseconds: a periodic checkpoint at every step (not once a second)
     * makes the checkpoints that run beside the copy happen over a thousand times per run of this
     * class, cuts and reopens among them.
     */
    @BeforeAll
    static void checkpointOften() {
        System.setProperty("splitpoint.checkpointMillis", "0");
    }

    @AfterAll
    static void checkpointAsUsual() {
        System.clearProperty("splitpoint.checkpointMillis");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Layout.class)
    void everyAcknowledgedWriteSurvivesACutAnywhereInAConcurrentRun(Layout layout) throws Exception {
        Path template = tmp.resolve("template");
        byte[] initial = PairFixture.splitWithRandomImage(template, layout, TRACK);
        try (Pool pool = Pool.open(template)) {
            pool.admin().addDrive(0);
        }
        String layouts = System.getProperty("crash.layouts"); // to loop over one layout while chasing a failure
        if (layouts != null && !java.util.Arrays.asList(layouts.split(",")).contains(layout.name())) {
            return;
        }
        String only = System.getProperty("crash.only");
        if (only != null) {
            String[] o = only.split(":");
            if (o[0].equals(layout.name())) {
                run(template, tmp.resolve("only"), Long.parseLong(o[1]), Long.parseLong(o[2]), initial);
            }
            return;
        }
        long total = run(template, tmp.resolve("count"), 0, 1, initial);
        assertThat(total).isGreaterThan(200);
        boolean ci = "true".equals(System.getenv("CI"));
        int points = Boolean.getBoolean("splitpoint.longTests") ? 120 : ci ? 24 : 36;
        int seeds = Boolean.getBoolean("splitpoint.longTests") ? 5 : 3;
        Random pick = new Random(layout.ordinal());
        for (int i = 0; i < points; i++) {
            long cut = 1 + (total * i) / points + pick.nextInt((int) Math.max(1, total / points));
            for (int seed = 1; seed <= seeds; seed++) {
                run(template, tmp.resolve("cut-" + cut + "-" + seed), cut, seed * 1000L + cut, initial);
            }
        }
    }

    /** One run with a cut after write {@code cut} (0: none); checks recovery; returns the writes counted. */
    private long run(Path template, Path dir, long cut, long seed, byte[] initial) throws Exception {
        TestPools.copyDir(template, dir);
        std = new AckOracle(initial);
        bcv = new AckOracle(initial);
        clock.set(0);
        failure.set(null);
        straddled = null;
        stdBeforeRestore = null;
        stdAfterRestore = null;
        splitImage = null;
        restoring = null;
        inj = new FaultInjector(StorageFactory.real())
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"))
                .powerCutAfterWrite(cut, (int) (seed % 3) * 512, seed);
        Pool pool = null;
        String where = "?";
        try {
            where = "first open";
            pool = Pool.open(dir, inj);
            firstOpening(pool, new Random(seed));
            where = "close";
            pool.close();
            std.flushed(clock.incrementAndGet());
            bcv.flushed(clock.get());
            where = "second open";
            pool = Pool.open(dir, inj);
            secondOpening(pool, new Random(seed + 1));
            where = "end";
        } catch (Exception e) {
            if (!inj.isCut()) {
                throw new AssertionError("run with cut " + cut + " failed at " + where + " without a cut: " + e, e);
            }
        }
        if (failure.get() != null) {
            throw new AssertionError("cut " + cut + ", seed " + seed + ": " + failure.get());
        }
        long writes = inj.writeCount();
        cutIn = where + (pool == null ? "" : ", pair " + pool.pairs().get("p1").state()) + (restoring == null ? "" : ", " + restoring);
        inj.crash();
        if (pool != null) {
            pool.abandon();
        }
        if (cut > 0) {
            if (Boolean.getBoolean("crash.debug")) {
                for (int d = 1; d <= 8; d++) {
                    Path a = template.resolve("drives/d" + d + ".img");
                    Path b = dir.resolve("drives/d" + d + ".img");
                    if (java.nio.file.Files.exists(a) && java.nio.file.Files.exists(b)) {
                        byte[] x = java.nio.file.Files.readAllBytes(a);
                        byte[] y = java.nio.file.Files.readAllBytes(b);
                        int m = java.util.Arrays.mismatch(x, y);
                        int count = 0;
                        for (int i = 0; i < Math.min(x.length, y.length); i++) {
                            if (x[i] != y[i]) {
                                count++;
                            }
                        }
                        System.err.println("d" + d + ": first difference at " + m + ", " + count + " bytes differ");
                    }
                }
            }
            check(dir, cut, seed);
        }
        TestPools.deleteDir(dir);
        return writes;
    }

    private void firstOpening(Pool pool, Random rnd) throws Exception {
        Pair pair = pool.pairs().get("p1");
        Workers w = new Workers(pair, true, rnd.nextLong());
        w.run(40);
        quiet(() -> {
            Job est = pool.pairs().establish("p1", false);
            est.setThrottle(2L << 20); // slow enough that the writers run beside it
        });
        w.mirroring = true;
        w.bcvToo = false;
        w.startBackground();
        while (!inj.isCut() && pair.state() != PairState.Synchronized) {
            Thread.sleep(2);
        }
        w.stopBackground();
        quiet(() -> {
            straddled = "split";
            splitImage = std.currentCopy();
            pool.pairs().split(List.of("p1"));
            byte[] img = std.currentCopy();
            bcv.wrote(0, img, clock.incrementAndGet()); // the split image: flushed by the split itself
            bcv.flushed(clock.incrementAndGet());
            // not the STD: a split flushes the BCVs only (Pair.split), so the STD's writes since its
            // last flush may still be lost in a cut (the BCV then holds writes the STD lost, and
            // the recovery marks those tracks); its own flushes acknowledge them, as a host's do
            straddled = null;
        });
        pool.admin().addDrive(0); // a new image: its directory entry is synced, or lost with it
    }

    private void secondOpening(Pool pool, Random rnd) throws Exception {
        Pair pair = pool.pairs().get("p1");
        Workers w = new Workers(pair, true, rnd.nextLong());
        w.run(30);
        boolean protect = rnd.nextBoolean();
        restoring = (protect ? "protected" : "unprotected") + " restore";
        quiet(() -> {
            pair.stdView().flush();
            pair.bcvView().flush();
            std.flushed(clock.incrementAndGet());
            bcv.flushed(clock.get());
            straddled = "restore";
            stdBeforeRestore = std.currentCopy();
            stdAfterRestore = bcv.currentCopy();
            Job r = pool.pairs().restore("p1", false, protect);
            r.setThrottle(1L << 20);
            std.wrote(0, bcv.currentCopy(), clock.incrementAndGet()); // the restore's image, durable at once
            std.flushed(clock.incrementAndGet());
            straddled = null;
        });
        w.bcvToo = false;
        w.mirroring = false;
        w.startBackground();
        long end = System.nanoTime() + 400_000_000L;
        while (!inj.isCut() && System.nanoTime() < end && pair.state().copying()) {
            Thread.sleep(2);
        }
        w.stopBackground();
    }

    /** Runs {@code action} with the writers held off (a state change at one instant for them). */
    private void quiet(Action action) throws Exception {
        quiesce.writeLock().lock();
        try {
            action.run();
        } finally {
            quiesce.writeLock().unlock();
        }
    }

    private interface Action {
        void run() throws Exception;
    }

    /** Host writers (each its own region of each side), read-back checks, and a flusher. */
    private final class Workers {
        final Pair pair;
        final long seed;
        volatile boolean bcvToo;
        volatile boolean mirroring;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();

        Workers(Pair pair, boolean bcvToo, long seed) {
            this.pair = pair;
            this.bcvToo = bcvToo;
            this.seed = seed;
        }

        /** Each writer does {@code ops} operations; returns when all are done. */
        void run(int ops) throws Exception {
            List<Thread> ts = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                int id = i;
                ts.add(start("writer-" + i, () -> {
                    Random r = new Random(seed + id);
                    for (int k = 0; k < ops && !inj.isCut(); k++) {
                        op(id, r);
                    }
                }));
            }
            for (Thread t : ts) {
                t.join();
            }
        }

        void startBackground() {
            stop.set(false);
            for (int i = 0; i < WRITERS; i++) {
                int id = i;
                threads.add(start("writer-" + i, () -> {
                    Random r = new Random(seed + 31 * id);
                    while (!stop.get() && !inj.isCut()) {
                        op(id, r);
                    }
                }));
            }
            threads.add(start("flusher", () -> {
                Random r = new Random(seed);
                while (!stop.get() && !inj.isCut()) {
                    boolean toBcv = r.nextInt(4) == 0;
                    flush(toBcv ? pair.bcvView() : pair.stdView(), toBcv ? bcv : std);
                    Thread.sleep(1 + r.nextInt(4));
                }
            }));
        }

        void stopBackground() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            threads.clear();
        }

        private Thread start(String name, Action body) {
            Thread t = new Thread(() -> {
                try {
                    body.run();
                } catch (Exception e) {
                    if (!inj.isCut()) {
                        failure.compareAndSet(null, Thread.currentThread().getName() + ": " + e);
                    }
                }
            }, name);
            t.start();
            return t;
        }

        private void op(int id, Random r) throws Exception {
            int size = std.size();
            int region = size / WRITERS;
            int base = id * region;
            quiesce.readLock().lock();
            try {
                int choice = r.nextInt(10);
                boolean toBcv = bcvToo && r.nextInt(3) == 0;
                if (choice < 6) {
                    int len = 1 + r.nextInt(r.nextInt(6) == 0 ? 3 * TRACK : 2 * TRACK);
                    int off = base + r.nextInt(region - len);
                    byte[] d = new byte[len];
                    r.nextBytes(d);
                    BlockDevice dev = toBcv ? pair.bcvView() : pair.stdView();
                    AckOracle side = toBcv ? bcv : std;
                    int index = side.wrote(off, d, Long.MAX_VALUE);
                    int mirrorIndex = !toBcv && mirroring ? bcv.wrote(off, d, Long.MAX_VALUE) : -1;
                    dev.write(off, ByteBuffer.wrap(d));
                    long tick = clock.incrementAndGet();
                    side.returned(index, tick);
                    if (mirrorIndex >= 0) {
                        bcv.returned(mirrorIndex, tick);
                    }
                } else if (choice < 9) {
                    int len = 1 + r.nextInt(3 * TRACK);
                    int off = base + r.nextInt(region - len);
                    byte[] got = new byte[len];
                    BlockDevice dev = toBcv ? pair.bcvView() : pair.stdView();
                    AckOracle side = toBcv ? bcv : std;
                    dev.read(off, ByteBuffer.wrap(got));
                    byte[] want = side.currentRange(off, len);
                    if (!java.util.Arrays.equals(got, want) && !inj.isCut()) {
                        int i = java.util.Arrays.mismatch(got, want);
                        failure.compareAndSet(null, "a read of the " + (toBcv ? "BCV" : "STD") + " at " + (off + i)
                                + " (track " + (off + i) / TRACK + ", pair " + pair.state() + ") returned " + got[i]
                                + " instead of " + want[i]);
                    }
                } else {
                    flush(toBcv ? pair.bcvView() : pair.stdView(), toBcv ? bcv : std);
                }
            } finally {
                quiesce.readLock().unlock();
            }
        }

        private void flush(BlockDevice dev, AckOracle side) throws Exception {
            quiesce.readLock().lock();
            try {
                long start = clock.incrementAndGet();
                dev.flush();
                side.flushed(start);
                if (side == std && pair.state().mirrors()) {
                    bcv.flushed(start); // the STD's flush flushes the mirrored BCV too
                }
            } finally {
                quiesce.readLock().unlock();
            }
        }
    }

    private static boolean exactly(byte[] expected, byte[] got) {
        return expected != null && java.util.Arrays.equals(expected, got);
    }

    private void check(Path dir, long cut, long seed) throws Exception {
        String at = "cut after write " + cut + " (seed " + seed + "; in the " + cutIn + ")";
        try (Pool pool = Pool.open(dir)) {
            pool.jobs().forEach(j -> j.setThrottle(0));
            pool.awaitJobs(null);
            for (Job j : pool.jobs()) {
                // a copy resumed after the cut that failed leaves the pair copying, its BCV short of
                // its STD: say why (a copier out of direct memory read as a BCV that differed)
                assertThat(j.state()).as("%s: the %s resumed after the cut failed: %s", at, j.kind(), j.progress().message())
                        .isNotEqualTo(org.splitpoint.engine.job.JobState.FAILED);
            }
            Pair p = pool.pairs().get("p1");
            byte[] gotStd = PairFixture.read(p.stdView());
            String bad = std.check(gotStd);
            if (bad != null && "restore".equals(straddled)) {
                // the cut fell inside restore(): it may or may not have taken
                bad = exactly(stdBeforeRestore, gotStd) || exactly(stdAfterRestore, gotStd) ? null : bad;
            }
            assertThat(bad).as("%s: the STD (pair %s)", at, p.state()).isNull();
            byte[] gotBcv = PairFixture.read(p.bcvView());
            if (p.state().mirrors()) {
                assertThat(java.util.Arrays.equals(gotBcv, gotStd)).as("%s: an established BCV equals its STD", at).isTrue();
            } else if ("split".equals(straddled)) {
                // the cut fell inside split(): it took (the BCV holds the split image)
                assertThat(exactly(splitImage, gotBcv)).as("%s: the BCV split by a split() that the cut interrupted", at).isTrue();
            } else {
                assertThat(bcv.check(gotBcv)).as("%s: the split BCV (pair %s)", at, p.state()).isNull();
            }
            assertThat(pool.admin().verify("std", false, null)).as("%s: STD mismatches", at).isZero();
            assertThat(pool.admin().verify("bcv", false, null)).as("%s: BCV mismatches", at).isZero();
            if (p.state() == PairState.Split) {
                assertThat(pool.pairs().establish("p1", false).await(60_000)).isTrue();
                assertThat(java.util.Arrays.equals(PairFixture.read(p.bcvView()), PairFixture.read(p.stdView())))
                        .as("%s: an incremental establish after recovery makes the BCV equal the STD", at).isTrue();
            }
        }
    }
}
