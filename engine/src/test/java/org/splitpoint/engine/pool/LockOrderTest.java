package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pair.PairState;

/**
 * The one lock order (Pool's design note) holds under fire: administrative verbs (split, restore,
 * establish, fail, replace, query, job settings) race background jobs finishing, with host I/O
 * beside them, and a deadlock detector (ThreadMXBean) watches (issue 8, defect 3). A deadlock
 * fails the test at once, naming the threads and the locks they wait for.
 */
class LockOrderTest {

    @TempDir
    Path dir;

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<String> deadlock = new AtomicReference<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();

    private void spawn(String name, ThrowingLoop body) {
        Thread t = new Thread(() -> {
            Random rnd = new Random(name.hashCode());
            try {
                while (!stop.get()) {
                    body.once(rnd);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, new AssertionError(name + " failed: " + e, e));
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private interface ThrowingLoop {
        void once(Random rnd) throws Exception;
    }

    /** Runs {@code verb}, ignoring a refusal (a rule said no: the state was wrong for it just then). */
    private static void tryVerb(Verb verb) throws Exception {
        try {
            verb.run();
        } catch (PoolException | org.splitpoint.engine.pair.PairRefusedException refused) {
            // expected now and then
        }
    }

    private interface Verb {
        void run() throws Exception;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void adminVerbsRacingJobCompletionNeverDeadlock() throws Exception {
        Pool.create(dir, 7, 1 << 20, 4096, StorageFactory.real());
        try (Pool p = Pool.open(dir)) {
            p.admin().createVolume("std", Layout.RAID1, List.of("d1", "d2"), 256 * 1024);
            p.admin().createVolume("bcv", Layout.RAID1, List.of("d3", "d4"), 256 * 1024);
            p.admin().createVolume("r", Layout.RAID1, List.of("d5", "d6", "d7"), 0);
            p.pairs().create("p1", "std", "bcv");
        }
        Pool pool = Pool.open(dir);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Thread watchdog = new Thread(() -> {
            while (!stop.get()) {
                long[] ids = mx.findDeadlockedThreads();
                if (ids != null) {
                    StringBuilder b = new StringBuilder();
                    for (ThreadInfo ti : mx.getThreadInfo(ids, true, true)) {
                        b.append(ti.getThreadName()).append(" waits for ").append(ti.getLockName())
                                .append(" held by ").append(ti.getLockOwnerName()).append("; ");
                    }
                    deadlock.compareAndSet(null, b.toString());
                    stop.set(true);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "deadlock-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        AtomicLong splits = new AtomicLong();
        AtomicLong rebuilds = new AtomicLong();
        BlockDevice std = pool.device("std");
        BlockDevice bcv = pool.device("bcv");
        // a script: establish, poll until Synchronized, split the moment it is; change a few tracks; again
        spawn("script", rnd -> {
            tryVerb(() -> pool.pairs().establish("p1", false));
            while (!stop.get() && pool.pairs().query("p1").get(0).state() != PairState.Synchronized) {
                Thread.onSpinWait();
            }
            tryVerb(() -> {
                pool.pairs().split(List.of("p1"));
                splits.incrementAndGet();
            });
            tryVerb(() -> pool.pairs().restore("p1", false, rnd.nextBoolean()));
        });
        spawn("spammer", rnd -> {
            switch (rnd.nextInt(4)) {
                case 0 -> tryVerb(() -> pool.pairs().split(List.of("p1")));
                case 1 -> tryVerb(() -> pool.pairs().establish("p1", rnd.nextInt(8) == 0));
                case 2 -> tryVerb(() -> pool.pairs().restore("p1", false, rnd.nextBoolean()));
                default -> pool.pairs().query(null);
            }
        });
        spawn("job-settings", rnd -> {
            for (Job j : pool.jobs()) {
                switch (rnd.nextInt(4)) {
                    case 0 -> j.setThrottle(rnd.nextBoolean() ? 0 : 50L << 20);
                    case 1 -> j.pause();
                    default -> j.resume();
                }
            }
            pool.snapshot();
        });
        spawn("host-io", rnd -> {
            byte[] d = new byte[1 + rnd.nextInt(20_000)];
            int off = rnd.nextInt((int) std.size() - d.length);
            BlockDevice dev = rnd.nextInt(4) == 0 ? bcv : std;
            tryVerb(() -> dev.write(off, ByteBuffer.wrap(d)));
            tryVerb(() -> dev.read(off, ByteBuffer.wrap(d)));
            if (rnd.nextInt(10) == 0) {
                tryVerb(dev::flush);
            }
        });
        // drives of volume r fail and are replaced while their rebuilds run and finish
        spawn("drive-admin", rnd -> {
            String d = "d" + (5 + rnd.nextInt(3));
            tryVerb(() -> pool.admin().failDrive(d));
            tryVerb(() -> {
                if (pool.admin().replaceDrive(d) != null) {
                    rebuilds.incrementAndGet();
                }
            });
            Thread.sleep(rnd.nextInt(3));
        });
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Boolean.getBoolean("splitpoint.longTests") ? 30 : 6);
        while (System.nanoTime() < end && !stop.get() && failure.get() == null) {
            Thread.sleep(50);
        }
        stop.set(true);
        assertThat(deadlock.get()).as("deadlock found").isNull(); // at once: the threads will never end
        for (Thread t : threads) {
            t.join(10_000);
        }
        for (Thread t : threads) {
            assertThat(t.isAlive()).as("%s still running 10 s after the stop (stuck)", t.getName()).isFalse();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertThat(splits.get()).as("splits done as an establish finished").isPositive();
        assertThat(rebuilds.get()).as("rebuilds started").isPositive();
        pool.close();
    }
}
