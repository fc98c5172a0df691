package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pair.PairState;

/**
 * The settled-loss waits (Member.settledLosses: a repair, a rebuild's and a pair's copy, a return's
 * checkpoint, a flush's heal, a RAID 5 parity write and a snapshot's save wait for the forces under
 * way on an image before they trust its loss count) under power cuts and failing forces at once.
 * Three host writers (writes, zeroings, flushes, reads, each in its own region) and a job on its own
 * thread: a drive's rebuild, a drive's return from a service window (pointers or data log, the data
 * log compacted as the flushes find it due), a pair's establish (then a split), or snapshots taken
 * beside the writers. Meanwhile the force of one of the volume's drives (most often the job's) fails
 * for want of space now and then, and each such force is held after it dropped the pages and before
 * its error is back (FaultInjector's FORCE_FAILED hold), the moment a reader of the image gets old
 * bytes no count shows yet. A flush that fails so acknowledges nothing.
 *
 * <p>A run has two openings, each cut at a random write index (unforced writes land or not, torn at
 * 512 B for odd seeds; directory entries not synced are lost); an opening writes, flushes with room
 * again and closes cleanly, opens again and writes with the failing forces, until the cut. After
 * every reopen the volume reads as its acknowledged writes allow (a flush that succeeded, and a
 * snapshot take: it flushes), the snapshots taken with no host write in flight read exactly as the
 * volume did then; at the end the jobs finish, the members agree, and the pair's BCV is its STD.
 * Every opening is watched for deadlocks and stalls ({@link DeadlockWatch}: no progress for 20 s).
 *
 * <p>For half the seeds the images force themselves in the background beside the engine's forces,
 * as RealStorage's do ({@link CutRuns#writesBackEarly}): the failing force is then sometimes one of
 * those, and its error reaches the flush only through the image's next force.
 *
 * <p>4 runs a scene by default, 30 with {@code -Dsplitpoint.longTests=true}; {@code
 * -Dsettled.only=SCENE:C1,C2:SEED} runs one.
 */
@QuickServiceSteps(compactOften = true)
class SettledLossCrashTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1L << 20;
    private static final int WRITERS = 3;
    private static final int WRITES = 24;
    private static final int OPENINGS = 2;

    @TempDir
    Path tmp;

    /** What a run knows across its openings. */
    private static final class Run {
        final String scene;
        final Layout layout;
        AckOracle v;
        /** Snapshots taken with no host write in flight, by name: their images. */
        final Map<String, AckOracle> snaps = new LinkedHashMap<>();
        final Random rnd;
        int takes;
        final AtomicLong failedFlushes = new AtomicLong();
        final AtomicLong failedForces = new AtomicLong();
        final AtomicLong staleReads = new AtomicLong();
        /** Closes and job starts that failed for want of space. */
        final AtomicLong refusals = new AtomicLong();

        Run(String scene, Layout layout, long seed) {
            this.scene = scene;
            this.layout = layout;
            this.rnd = new Random(seed * 7919 + scene.hashCode());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"rebuild, RAID5", "rebuild, RAID1", "return, RAID5", "return, RAID1", "establish, RAID5", "take, RAID5",
        "take, RAID1"})
    void forcesFailingBesideAJobAndPowerCutsLoseNothingAcknowledged(String scene, Layout layout) throws Exception {
        Path template = tmp.resolve("template");
        template(template, layout, scene);
        AtomicLong failedFlushes = new AtomicLong();
        AtomicLong failedForces = new AtomicLong();
        AtomicLong runs = new AtomicLong();
        AtomicLong staleReads = new AtomicLong();
        AtomicLong refusals = new AtomicLong();
        CutRuns.multiCut("SettledLossCrashTest", "settled.only", scene + "-" + layout, tmp, OPENINGS, 4, 30,
                (runDir, cuts, seed) -> {
                    Run r = new Run(scene, layout, seed);
                    long[] w = run(r, template, runDir, cuts, seed);
                    failedFlushes.addAndGet(r.failedFlushes.get());
                    failedForces.addAndGet(r.failedForces.get());
                    staleReads.addAndGet(r.staleReads.get());
                    refusals.addAndGet(r.refusals.get());
                    runs.incrementAndGet();
                    return w;
                });
        System.out.println("SettledLossCrashTest " + scene + " " + layout + ": " + runs + " runs, " + failedForces
                + " forces failed for want of space, " + failedFlushes + " host flushes failed so, " + staleReads
                + " host reads showed a write not yet flushed gone, " + refusals
                + " closes or job starts failed for want of space");
        if (System.getProperty("settled.only", "").isEmpty()) {
            assertThat(failedForces.get()).as("forces failed in the runs").isPositive();
        }
    }

    /**
     * v (d1..d3; a 3-way mirror for RAID 1) written at random; w its pair's BCV (d4..d6), split after a full
     * establish, v rewritten in part since; "save" the save area (d7..d9, RAID 5). For "return", a
     * drive of v is OFFLINE in a window.
     */
    private static void template(Path dir, Layout layout, String scene) throws Exception {
        Pool.create(dir, 9, DRIVE, TRACK, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", layout, List.of("d1", "d2", "d3"), 0);
            p.admin().createVolume("w", layout, List.of("d4", "d5", "d6"), 0);
            p.admin().createVolume("save", Layout.RAID5, List.of("d7", "d8", "d9"), 0);
            p.snapshots().setSaveArea("save");
            byte[] image = new byte[(int) p.volume("v").size()];
            new Random(3).nextBytes(image);
            p.device("v").write(0, ByteBuffer.wrap(image));
            p.device("v").flush();
            p.pairs().create("p", "v", "w");
            assertThat(p.pairs().establish("p", true).await(60_000)).isTrue();
            p.pairs().split(List.of("p"));
            byte[] half = new byte[image.length / 2];
            new Random(4).nextBytes(half);
            p.device("v").write(image.length / 4, ByteBuffer.wrap(half));
            if (scene.equals("return")) {
                p.service().offline("d2", OfflineReason.RESET, LogMode.POINTERS);
                p.awaitJobs(null);
            }
        }
    }

    private long[] run(Run r, Path template, Path runDir, long[] cuts, long seed) throws Exception {
        Path dir = runDir.resolve("pool");
        TestPools.copyDir(template, dir);
        String name = r.scene + " " + r.layout + " cuts " + Arrays.toString(cuts) + " seed " + seed;
        long[] writes = CutRuns.openings(dir, cuts, seed, name, new CutRuns.Opening() {
            @Override
            public void reopened(Pool pool, String what) throws Exception {
                SettledLossCrashTest.this.reopened(pool, r, what);
            }

            @Override
            public void session(Pool pool, FaultInjector inj, long s, String what) throws Exception {
                SettledLossCrashTest.this.session(pool, r, inj, s, what);
            }

            @Override
            public void closed(Pool pool) throws Exception {
                SettledLossCrashTest.this.closed(pool, r);
            }

            @Override
            public void crashed() {
                r.v.crashed();
                r.snaps.values().forEach(AckOracle::crashed);
            }
        });
        String what = name + ", finished";
        try (Pool p = Pool.open(dir)) {
            reopened(p, r, what);
            CutRuns.finishJobs(p, what);
            if (p.windows.get("v") != null) {
                assertThat(p.service().online(p.windows.get("v").member.drive()).await(60_000)).as(what + ": the return").isTrue();
            }
            reopened(p, r, what + ", its jobs done");
            for (int i = 1; i <= 3; i++) {
                if (p.snapshot().drive("d" + i).state() == DriveState.FAILED) { // a rebuild that failed its drive
                    Job rebuild = p.admin().replaceDrive("d" + i);
                    assertThat(rebuild.await(60_000)).as(what + ": d" + i + " rebuilt").isTrue();
                    assertThat(rebuild.state()).as(what + ": d" + i + "'s rebuild: " + rebuild.progress().message())
                            .isEqualTo(org.splitpoint.engine.job.JobState.DONE);
                }
            }
            reopened(p, r, what + ", rebuilt");
            if (r.scene.equals("establish")) {
                PairState st = pairState(p);
                if (st == PairState.Split) {
                    assertThat(p.pairs().establish("p", false).await(60_000)).isTrue();
                }
                p.pairs().split(List.of("p"));
                TestPools.assertSameBytes(TestPools.readAll(p.volume("w")), TestPools.readAll(p.volume("v")),
                        what + ": w after the establish and a split");
                assertThat(p.admin().verify("w", false, null)).as(what + ": w's members agree").isZero();
            }
            assertThat(p.volume("v").state()).as(what).isEqualTo(VolumeState.OPTIMAL);
            assertThat(p.admin().verify("v", false, null)).as(what + ": v's members agree").isZero();
        }
        TestPools.deleteDir(runDir);
        return writes;
    }

    /**
     * One session of an opening: the scene's job started (or resumed), host writers and the failing
     * forces beside it, watched; then room again, a flush that acknowledges what it covers.
     */
    private static void session(Pool pool, Run r, FaultInjector inj, long seed, String what) throws Exception {
        HostWriters w = new HostWriters(WRITERS, TRACK, TestPools.readAll(pool.volume("v"))).span(40).flushesMayFail();
        r.v = w.model;
        Job job = startJob(pool, r, what);
        String lossy = lossyDrive(pool, r, job);
        Predicate<Path> image = ServicePools.image(pool, lossy);
        inj.hold(FaultInjector.Op.FORCE_FAILED, image, t -> true, 5 + r.rnd.nextInt(25));
        AtomicReference<String> failure = new AtomicReference<>();
        List<Thread> beside = new ArrayList<>();
        Thread trouble = new Thread(() -> {
            Random t = new Random(seed);
            try {
                while (!inj.isCut() && w.threads.stream().anyMatch(Thread::isAlive)) {
                    Thread.sleep(5 + t.nextInt(40));
                    inj.failForcesNoSpace(image, 1);
                    r.failedForces.incrementAndGet(); // armed: the next force of the image fails
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "no-space-" + lossy);
        AtomicLong snapshotOps = new AtomicLong();
        Job watched = job;
        try (DeadlockWatch watch = DeadlockWatch.start(what, () -> w.clock.get() + snapshotOps.get()
                + (watched == null ? 0 : watched.progress().doneTracks()), 20_000)) {
            w.start(pool, seed, WRITES, inj::isCut);
            trouble.start();
            if (r.scene.equals("take")) {
                beside.add(taker(pool, r, w, inj, snapshotOps, failure, seed));
            }
            boolean ended = w.join(90_000);
            for (Thread t : beside) {
                t.join(90_000);
                ended &= !t.isAlive();
            }
            trouble.join(10_000);
            if (!ended) {
                System.err.println(DeadlockWatch.dump());
            }
            assertThat(watch.finding()).as(what + ": the watch").isNull();
            assertThat(ended).as(what + ": the writers and the takes ended").isTrue();
        }
        inj.failForcesNoSpace(p -> false, 0);
        inj.releaseHolds();
        if (w.failure.get() != null) {
            System.out.println(what + ": " + w.failure.get() + "; lossy " + lossy + "; job " + (job == null ? null
                    : job.kind() + " " + job.target() + " " + job.state() + " " + job.progress().message()));
            for (int i = 1; i <= 3; i++) {
                System.out.println("  d" + i + " " + pool.snapshot().drive("d" + i).state() + " "
                        + pool.snapshot().drive("d" + i));
            }
            pool.openNotes().forEach(n -> System.out.println("  note: " + n));
        }
        r.failedFlushes.addAndGet(w.failedFlushes.get());
        r.staleReads.addAndGet(w.staleReads.get());
        assertThat(w.failure.get()).as(what + ": the writers").isNull();
        assertThat(failure.get()).as(what + ": the snapshots taken beside").isNull();
        if (inj.isCut()) {
            throw new IOException("cut"); // ends the opening: said by cutOrFail
        }
        if (r.scene.equals("take")) {
            checkedTake(pool, r, w, what);
        }
        try {
            w.flushed(pool); // room again: the heal gives the drive its writes back, and the flush succeeds
        } catch (IOException e) {
            // unless no other drive holds what it lost (a drive out beside it): flushes fail until the reopen
            if (!HostWriters.noSpace(e)) {
                throw e;
            }
            r.failedFlushes.incrementAndGet();
        }
        if (job != null && r.scene.equals("establish") && job.await(0) && pairState(pool) == PairState.Synchronized) {
            try {
                pool.pairs().split(List.of("p")); // the next session establishes again
            } catch (IOException e) {
                if (!HostWriters.noSpace(e)) { // its flush of the sides, over a drive that could not be healed
                    throw e;
                }
                r.refusals.incrementAndGet();
            }
        }
    }

    /**
     * Closes {@code pool}: its flush fails for want of space when a drive lost writes that no other
     * drive holds (a drive out beside it), and the close says so; the pool is then let go as after a
     * crash, what no flush acknowledged unacknowledged still.
     */
    private static void closed(Pool pool, Run r) throws Exception {
        try {
            pool.close();
        } catch (IOException e) {
            if (!HostWriters.noSpace(e)) {
                throw e;
            }
            r.refusals.incrementAndGet();
            pool.abandon();
        }
    }

    /**
     * The scene's job, started or as the opening resumed it, throttled so it runs beside the writers;
     * null: none, or refused for want of space (a drive that lost writes and could not be healed:
     * taking a drive out forces the others first).
     */
    private static Job startJob(Pool pool, Run r, String what) throws Exception {
        try {
            return startOrResume(pool, r);
        } catch (IOException e) {
            if (!HostWriters.noSpace(e)) {
                throw e;
            }
            r.refusals.incrementAndGet();
            return null;
        }
    }

    private static Job startOrResume(Pool pool, Run r) throws Exception {
        for (Job j : pool.jobs()) {
            if (j.state() == org.splitpoint.engine.job.JobState.RUNNING || j.state() == org.splitpoint.engine.job.JobState.PAUSED) {
                j.setThrottle(throttle(r));
                return j;
            }
        }
        switch (r.scene) {
            case "rebuild": {
                if (pool.volume("v").state() != VolumeState.OPTIMAL) {
                    return null;
                }
                String d = "d" + (1 + r.rnd.nextInt(3));
                pool.admin().failDrive(d);
                return pool.admin().replaceDrive(d, throttle(r));
            }
            case "return": {
                if (pool.windows.get("v") == null) {
                    String d = "d" + (1 + r.rnd.nextInt(3));
                    // a window this session, with its log (compacted as the flushes find it due in data mode)
                    pool.service().offline(d, OfflineReason.RESET, r.rnd.nextBoolean() ? LogMode.DATA : LogMode.POINTERS);
                    pool.awaitJobs(null);
                    return null;
                }
                Job back = pool.service().online(pool.windows.get("v").member.drive());
                back.setThrottle(throttle(r));
                return back;
            }
            case "establish":
                if (pairState(pool) == PairState.Split) {
                    return pool.pairs().establish("p", false, throttle(r));
                }
                return null;
            default:
                return null;
        }
    }

    private static long throttle(Run r) {
        return (1L << 20) + r.rnd.nextInt(3 << 20);
    }

    /** The drive whose forces fail: the job's most often (the one rebuilt or back), else any of v's. */
    private static String lossyDrive(Pool pool, Run r, Job job) {
        int n = 3;
        if (job != null && r.rnd.nextInt(3) > 0) {
            if (r.scene.equals("establish")) {
                return "d" + (4 + r.rnd.nextInt(n)); // the BCV's: the copy's target
            }
            for (int i = 1; i <= n; i++) {
                DriveState s = pool.snapshot().drive("d" + i).state();
                if (s == DriveState.REBUILDING || s == DriveState.OFFLINE) {
                    return "d" + i;
                }
            }
        }
        return "d" + (1 + r.rnd.nextInt(n));
    }

    /**
     * Snapshots taken and deleted beside the writers: each take flushes (most of it while the
     * writers go on, the rest under its exclusive section) and so acknowledges every write that
     * returned before it began, or fails for want of space, acknowledging nothing.
     */
    private static Thread taker(Pool pool, Run r, HostWriters w, FaultInjector inj, AtomicLong ops,
                                AtomicReference<String> failure, long seed) {
        Thread t = new Thread(() -> {
            Random rnd = new Random(seed * 3);
            String last = null;
            try {
                while (!inj.isCut() && w.threads.stream().anyMatch(Thread::isAlive)) {
                    Thread.sleep(rnd.nextInt(30));
                    String name = "b" + (r.takes++);
                    long start = w.clock.incrementAndGet();
                    try {
                        pool.snapshots().create("v", name);
                        w.model.flushed(start);
                    } catch (IOException e) {
                        if (!HostWriters.noSpace(e) && !inj.isCut()) {
                            throw e;
                        }
                        continue;
                    }
                    ops.incrementAndGet();
                    if (last != null) {
                        pool.snapshots().delete("v", last);
                        ops.incrementAndGet();
                    }
                    last = name;
                }
            } catch (Exception e) {
                if (!inj.isCut()) {
                    failure.compareAndSet(null, e.toString());
                }
            }
        }, "snapshot-taker");
        t.start();
        return t;
    }

    /** A snapshot taken with no host write in flight: once taken it must read as the volume did, through cuts. */
    private static void checkedTake(Pool pool, Run r, HostWriters w, String what) throws Exception {
        String name = "s" + (r.takes++);
        AckOracle at = w.model.copy();
        long start = w.clock.incrementAndGet();
        try {
            pool.snapshots().create("v", name); // room again: its flush heals the drive that lost writes
        } catch (IOException e) {
            // unless no other drive holds what it lost (a drive out beside it): refused until the reopen
            if (!HostWriters.noSpace(e)) {
                throw e;
            }
            r.takes--;
            return;
        }
        at.allAcknowledged(); // its flush made every write in it durable
        w.model.flushed(start);
        r.snaps.put(name, at);
        w.alsoFlushed.add(at);
        assertThat(at.check(TestPools.readAll(pool.volume("v")))).as(what + ": v as " + name + " was taken").isNull();
    }

    private static PairState pairState(Pool pool) throws Exception {
        return pool.pairs().query("p").get(0).state();
    }

    /** The checks of a reopen: v as acknowledged, every checked snapshot still there and as taken. */
    private static void reopened(Pool pool, Run r, String what) throws Exception {
        if (r.v != null) {
            assertThat(r.v.check(TestPools.readAll(pool.volume("v")))).as(what + ": v as reopened").isNull();
        }
        for (Map.Entry<String, AckOracle> s : r.snaps.entrySet()) {
            boolean there = pool.snapshots().list("v").stream().anyMatch(i -> i.name().equals(s.getKey()));
            assertThat(there).as(what + ": snapshot " + s.getKey() + ", taken").isTrue();
            byte[] got = new byte[s.getValue().size()];
            pool.device("v@" + s.getKey()).read(0, ByteBuffer.wrap(got));
            assertThat(s.getValue().check(got)).as(what + ": snapshot " + s.getKey() + " as reopened").isNull();
        }
    }
}
