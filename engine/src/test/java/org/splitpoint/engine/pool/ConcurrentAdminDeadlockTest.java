package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pair.PairState;

/**
 * The engine's newest waits side by side, watched for deadlocks: snapshots of two volumes taken at
 * one instant (a flush before, and under the exclusive section) and deleted, a service window's log
 * compacted, a pair established and split, 'volume verify --repair' of both volumes, and host
 * writers (writes, flushes, reads) on the pair's STD and on the volume in its window; all the while
 * a drive of each volume fails a force for want of space now and then, each failing force held
 * after it dropped the pages (the moment the settled-loss waits, Member.settledLosses, wait for),
 * and at the end the drive's return from its window beside the writers. {@link DeadlockWatch}
 * checks twice a second for a cycle of locks and for 20 s without progress; on either the test
 * fails with every thread's stack printed. No power cut: at the end, with room again, every write
 * the writers saw returned reads back once a flush succeeded, and the members agree.
 *
 * <p>v: RAID 5 over d1..d3, d2 OFFLINE in a data-log window; x (STD) and y (BCV): RAID 1 over d4, d5
 * and d6, d7; "save": the save area, RAID 5 over d8..d10. 8 s of it; 60 s with {@code
 * -Dsplitpoint.longTests=true}.
 */
@QuickServiceSteps(compactOften = true)
class ConcurrentAdminDeadlockTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1L << 20;

    @TempDir
    Path tmp;

    @Test
    void snapshotsCompactionPairChangesRepairsAndHostWritesTogetherNeverDeadlock() throws Exception {
        Path dir = tmp.resolve("pool");
        Pool.create(dir, 10, DRIVE, TRACK, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("v", Layout.RAID5, List.of("d1", "d2", "d3"), 0);
            p.admin().createVolume("x", Layout.RAID1, List.of("d4", "d5"), 0);
            p.admin().createVolume("y", Layout.RAID1, List.of("d6", "d7"), 0);
            p.admin().createVolume("save", Layout.RAID5, List.of("d8", "d9", "d10"), 0);
            p.snapshots().setSaveArea("save");
            for (String vol : List.of("v", "x")) {
                byte[] b = new byte[(int) p.volume(vol).size()];
                new Random(vol.hashCode()).nextBytes(b);
                p.device(vol).write(0, ByteBuffer.wrap(b));
            }
            p.pairs().create("p", "x", "y");
            assertThat(p.pairs().establish("p", true).await(60_000)).isTrue();
            p.pairs().split(List.of("p"));
            p.service().offline("d2", OfflineReason.RESET, LogMode.DATA);
            p.awaitJobs(null);
        }
        long millis = Boolean.getBoolean("splitpoint.longTests") ? 60_000 : 8_000;
        FaultInjector inj = FaultInjector.losingUnforcedWrites(); // unforced pages cached: a failing force drops them
        Pool pool = Pool.open(dir, inj);
        AtomicReference<String> failure = new AtomicReference<>();
        Map<String, AtomicLong> done = new ConcurrentHashMap<>();
        HostWriters wv = new HostWriters(2, TRACK, TestPools.readAll(pool.volume("v"))).span(40).flushesMayFail();
        HostWriters wx = new HostWriters(2, TRACK, TestPools.readAll(pool.volume("x"))).on("x").span(40).flushesMayFail();
        long end = System.currentTimeMillis() + millis;
        List<Thread> admin = new ArrayList<>();
        try (DeadlockWatch watch = DeadlockWatch.start("the concurrent scene", () -> wv.clock.get() + wx.clock.get()
                + done.values().stream().mapToLong(AtomicLong::get).sum(), 20_000)) {
            // host writers in rounds until the end, so a round's threads are never all gone at once
            admin.add(loop("writers-v", end, failure, done, () -> {
                wv.start(pool, done.computeIfAbsent("writers-v", k -> new AtomicLong()).get() + 1, 40, () -> false);
                wv.join();
                assertThat(wv.failure.get()).as("the writers of v").isNull();
            }));
            admin.add(loop("writers-x", end, failure, done, () -> {
                wx.start(pool, done.computeIfAbsent("writers-x", k -> new AtomicLong()).get() + 101, 40, () -> false);
                wx.join();
                assertThat(wx.failure.get()).as("the writers of x").isNull();
            }));
            AtomicLong taken = new AtomicLong();
            admin.add(loop("snapshots", end, failure, done, () -> {
                long n = taken.incrementAndGet();
                tolerated(() -> pool.snapshots().create(List.of("v", "x"), "t" + n));
                if (n > 1) {
                    for (String vol : List.of("v", "x")) {
                        if (pool.snapshots().list(vol).stream().anyMatch(i -> i.name().equals("t" + (n - 1)))) {
                            pool.snapshots().delete(vol, "t" + (n - 1));
                        }
                    }
                }
            }));
            admin.add(loop("compaction", end, failure, done, () -> {
                ServiceWindow w = pool.windows.get("v");
                if (w != null) {
                    tolerated(w.log::compact);
                }
                Thread.sleep(20);
            }));
            admin.add(loop("pair", end, failure, done, () -> {
                PairState st = pool.pairs().query("p").get(0).state();
                if (st == PairState.Split) {
                    tolerated(() -> pool.pairs().establish("p", false, 4L << 20).await(30_000));
                } else if (st == PairState.Synchronized) {
                    tolerated(() -> pool.pairs().split(List.of("p")));
                }
                Thread.sleep(10);
            }));
            admin.add(loop("repair", end, failure, done, () -> {
                tolerated(() -> pool.admin().verify("x", true, null));
                tolerated(() -> pool.admin().verify("v", true, null));
            }));
            admin.add(loop("no-space", end, failure, done, new NoSpace(pool, inj)));
            for (Thread t : admin) {
                t.join(millis + 120_000);
            }
            boolean allEnded = admin.stream().noneMatch(Thread::isAlive);
            if (!allEnded) {
                System.err.println(DeadlockWatch.dump());
            }
            assertThat(watch.finding()).as("the watch").isNull();
            assertThat(allEnded).as("every thread of the scene ended").isTrue();
            assertThat(failure.get()).as("the scene's threads").isNull();
            // the drive's return beside the writers, still watched
            inj.failForcesNoSpace(ServicePools.image(pool, "d1"), 1);
            Job back = pool.service().online("d2");
            wv.start(pool, 999, 30, () -> false);
            assertThat(wv.join(120_000)).as("the writers beside the return").isTrue();
            assertThat(back.await(120_000)).as("the return: " + back.progress().message()).isTrue();
            assertThat(watch.stop()).as("the watch").isNull();
        } finally {
            inj.failForcesNoSpace(f -> false, 0);
            inj.releaseHolds();
        }
        System.out.println("ConcurrentAdminDeadlockTest: " + done + "; failed flushes v " + wv.failedFlushes + ", x "
                + wx.failedFlushes);
        assertThat(wv.failure.get()).as("the writers of v").isNull();
        PairState st = pool.pairs().query("p").get(0).state();
        if (st.copying()) {
            pool.jobs().forEach(j -> j.setThrottle(0));
            pool.awaitJobs(null);
        }
        wv.flushed(pool); // room again: every write returned is acknowledged
        wx.flushed(pool);
        assertThat(wv.model.check(TestPools.readAll(pool.volume("v")))).as("v at the end").isNull();
        assertThat(wx.model.check(TestPools.readAll(pool.volume("x")))).as("x at the end").isNull();
        assertThat(pool.admin().verify("v", false, null)).as("v's members agree").isZero();
        assertThat(pool.admin().verify("x", false, null)).as("x's members agree").isZero();
        assertThat(done.get("snapshots").get()).as("snapshot rounds").isPositive();
        assertThat(done.get("pair").get()).as("pair rounds").isPositive();
        assertThat(done.get("repair").get()).as("repair rounds").isPositive();
        pool.close();
    }

    interface Step {
        void run() throws Exception;
    }

    /** Runs {@code step} again and again until {@code end}, counting rounds; the first failure stops every loop. */
    private static Thread loop(String name, long end, AtomicReference<String> failure, Map<String, AtomicLong> done,
                               Step step) {
        AtomicLong rounds = done.computeIfAbsent(name, k -> new AtomicLong());
        Thread t = new Thread(() -> {
            try {
                while (System.currentTimeMillis() < end && failure.get() == null) {
                    step.run();
                    rounds.incrementAndGet();
                }
            } catch (Throwable e) {
                if (failure.compareAndSet(null, name + ": " + e)) {
                    e.printStackTrace();
                }
            }
        }, "scene-" + name);
        t.start();
        return t;
    }

    /**
     * Runs {@code action}: a refusal (a rule: a pair not in the state for it, a volume with nothing to
     * check) or a want of space (a drive's force failed) is the scene's weather, anything else fails it.
     */
    private static void tolerated(Step action) throws Exception {
        try {
            action.run();
        } catch (PoolException e) {
            // refused by a rule now: fine in this scene
        } catch (IOException e) {
            if (!HostWriters.noSpace(e)) {
                throw e;
            }
        }
    }

    /** Arms one failing force of d1 (v's) or d4 (x's, the STD's) every few milliseconds, each held 10 ms after its drop. */
    private static final class NoSpace implements Step {
        private final FaultInjector inj;
        private final List<Predicate<Path>> images;
        private final Random rnd = new Random(11);

        NoSpace(Pool pool, FaultInjector inj) {
            this.inj = inj;
            this.images = List.of(ServicePools.image(pool, "d1"), ServicePools.image(pool, "d4"));
            for (Predicate<Path> i : images) {
                inj.hold(FaultInjector.Op.FORCE_FAILED, i, t -> true, 10);
            }
        }

        @Override
        public void run() throws Exception {
            Thread.sleep(10 + rnd.nextInt(60));
            inj.failForcesNoSpace(images.get(rnd.nextInt(images.size())), 1);
        }
    }
}
