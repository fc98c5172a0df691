package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * The newest locks of the host path under fire: host writers (whole tracks, parts of tracks,
 * zeroings) and readers on volumes v and w through the pool's host views, while other threads begin
 * and end restores of v (from a backup, with or without a write-through image, and to a snapshot:
 * {@code Pool.holdHostWay} and the restore view's {@code HostIoGate}), make and delete a pair of v
 * and w ({@code Pool.changeHostWay} on two views), take a drive of v out for service and back
 * (its delta resynced), and fail and rebuild a drive of w. A watchdog fails at once on a deadlock (ThreadMXBean sees monitors and
 * ReentrantReadWriteLocks) and on a thread that makes no progress for 20 s (stacks printed).
 *
 * <p>Then every acknowledged write is checked. A write holds its way from start to end and a
 * restore's beginning is one instant inside its call, so a track holds what some order of its own
 * writes and the restores' beginnings makes, where only a write and a beginning whose calls
 * overlapped may come either way; the check walks every such order. (So a write that found the
 * volume just before a beginning and reached the disk after is not told apart here: HostWayChangeTest
 * holds one there. Without the restore view's gate, writes here fail at a restore's end: 'image … is
 * closed'.)
 */
class HostWayStressTest {

    private static final int TRACK = 4096;
    private static final int WRITERS_OF_V = 3;

    @TempDir
    Path tmp;

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Map<String, AtomicLong> progress = new ConcurrentHashMap<>();

    /** A change of a track's bytes [from, from + bytes.length) acknowledged, called between start and end (nanos). */
    private record Write(long start, long end, int from, byte[] bytes) { }

    /** A restore of v began inside [start, end], making each track the image's. */
    private record Begin(long start, long end, byte[] image) { }

    private interface Loop {
        void once(Random rnd) throws Exception;
    }

    private void spawn(String name, Loop body) {
        AtomicLong last = new AtomicLong(System.nanoTime());
        progress.put(name, last);
        Thread t = new Thread(() -> {
            Random rnd = new Random(name.hashCode());
            try {
                while (!stop.get()) {
                    body.once(rnd);
                    last.set(System.nanoTime());
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, new AssertionError(name + " failed: " + e, e));
                stop.set(true);
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void restoresPairsAndServiceWindowsBesideHostWritesLoseNoWriteAndNeverHang() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), TRACK, 1L << 20);
        Path store = tmp.resolve("store");
        byte[] atSnapshot = random((int) (1L << 20), 1);
        byte[] backedUp = random(atSnapshot.length, 2);
        String full;
        try (Pool p = Pool.open(dir)) {
            p.snapshots().setSaveArea("save");
            p.device("v").write(0, ByteBuffer.wrap(atSnapshot));
            p.snapshots().create("v", "s1");
            p.device("v").write(0, ByteBuffer.wrap(backedUp));
            assertThat(p.backups().backup("v", store, true, 0).await(30_000)).isTrue();
            full = p.backups().lastBackup("v").image(); // named: a write-through restore's image is the newest after it
            p.device("w").write(0, ByteBuffer.wrap(new byte[(int) p.volume("w").size()]));
        }
        Pool pool = Pool.open(dir);
        int tracks = (int) (pool.volume("v").size() / TRACK);
        assertThat(backedUp.length).isEqualTo(tracks * TRACK);
        // each track is written by one thread only: its writes are in order
        List<List<Write>> vWrites = new ArrayList<>();
        List<List<Write>> wWrites = new ArrayList<>();
        for (int t = 0; t < tracks; t++) {
            vWrites.add(java.util.Collections.synchronizedList(new ArrayList<>()));
            wWrites.add(java.util.Collections.synchronizedList(new ArrayList<>()));
        }
        List<Begin> begins = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong restoresBegun = new AtomicLong();
        AtomicLong pairsMade = new AtomicLong();
        AtomicLong windows = new AtomicLong();
        AtomicLong rebuilds = new AtomicLong();
        AtomicLong writes = new AtomicLong();

        for (int i = 0; i < WRITERS_OF_V; i++) {
            int me = i;
            spawn("host-v" + i, rnd -> hostIo(pool.device("v"), rnd, tracks, me, WRITERS_OF_V, vWrites, writes));
        }
        spawn("host-w", rnd -> hostIo(pool.device("w"), rnd, tracks, 0, 1, wWrites, writes));
        spawn("restorer", rnd -> {
            boolean toSnapshot = rnd.nextInt(3) == 0;
            long start = System.nanoTime();
            Job job;
            try {
                job = toSnapshot ? pool.snapshots().restore("v", "s1", false, 256 * 1024)
                        : pool.instantRestores().restore("v", store, full, rnd.nextBoolean(), 256 * 1024);
            } catch (PoolException refused) {
                Thread.sleep(5); // a service window (to a snapshot): nothing began
                return;
            }
            begins.add(new Begin(start, System.nanoTime(), toSnapshot ? atSnapshot : backedUp));
            restoresBegun.incrementAndGet();
            Thread.sleep(rnd.nextInt(300)); // hosts write through the restore's view meanwhile
            job.setThrottle(0);
            assertThat(job.await(30_000)).as("the restore ends").isTrue();
            assertThat(job.state()).isEqualTo(JobState.DONE);
        });
        spawn("pairer", rnd -> {
            try {
                pool.pairs().create("p", "v", "w");
                pairsMade.incrementAndGet();
            } catch (PoolException refused) {
                // made already (a delete refused below)
            }
            Thread.sleep(rnd.nextInt(100));
            try {
                pool.pairs().delete("p", false);
            } catch (PoolException refused) {
                // not made
            }
            Thread.sleep(rnd.nextInt(50));
        });
        spawn("service", rnd -> {
            try {
                Job steps = pool.service().offline("d2", OfflineReason.RESET, rnd.nextBoolean() ? LogMode.POINTERS : LogMode.DATA);
                if (steps != null) {
                    assertThat(steps.await(30_000)).as("the reset's steps end").isTrue();
                }
            } catch (PoolException refused) {
                Thread.sleep(5);
                return;
            }
            windows.incrementAndGet();
            Thread.sleep(rnd.nextInt(200));
            Job resync = pool.service().online("d2");
            assertThat(resync.await(30_000)).as("the delta resync ends").isTrue();
        });

        spawn("rebuilder", rnd -> { // w's d4 fails and is rebuilt while hosts write w, through the pair or not
            try {
                pool.admin().failDrive("d4");
            } catch (PoolException refused) {
                Thread.sleep(5);
                return;
            }
            Thread.sleep(rnd.nextInt(100));
            Job rebuild = pool.admin().replaceDrive("d4");
            assertThat(rebuild.await(30_000)).as("the rebuild ends").isTrue();
            assertThat(rebuild.state()).isEqualTo(JobState.DONE);
            rebuilds.incrementAndGet();
        });

        watch(Boolean.getBoolean("splitpoint.longTests") ? 30 : 3);
        assertThat(restoresBegun.get()).as("restores begun").isPositive();
        assertThat(pairsMade.get()).as("pairs made").isPositive();
        assertThat(windows.get()).as("service windows").isPositive();
        assertThat(rebuilds.get()).as("rebuilds").isPositive();
        assertThat(writes.get()).as("host writes").isGreaterThan(100);

        System.out.printf("%d restores begun, %d pairs made, %d service windows, %d rebuilds, %d host writes%n",
                restoresBegun.get(), pairsMade.get(), windows.get(), rebuilds.get(), writes.get());
        List<Begin> vBegins = new ArrayList<>(begins);
        check(pool, "v", tracks, vWrites, vBegins, backedUp);
        check(pool, "w", tracks, wWrites, List.of(), new byte[backedUp.length]);
        pool.close();
        try (Pool again = Pool.open(dir)) { // and durable across a clean close
            check(again, "v", tracks, vWrites, vBegins, backedUp);
            check(again, "w", tracks, wWrites, List.of(), new byte[backedUp.length]);
        }
    }

    /** One host request to the tracks {@code me} of {@code of} owns: a write (whole, partial, zeroes) or a read. */
    private static void hostIo(BlockDevice dev, Random rnd, int tracks, int me, int of, List<List<Write>> log,
                               AtomicLong writes) throws Exception {
        int t = me + of * rnd.nextInt((tracks - me + of - 1) / of);
        int kind = rnd.nextInt(8);
        if (kind == 0) {
            byte[] b = new byte[TRACK * (1 + rnd.nextInt(4))];
            dev.read(Math.min((long) t * TRACK, dev.size() - b.length), ByteBuffer.wrap(b));
            return;
        }
        int from = kind <= 3 ? 0 : rnd.nextInt(TRACK - 1);
        int len = kind <= 3 ? TRACK : 1 + rnd.nextInt(TRACK - from);
        byte[] bytes = new byte[len];
        boolean zeroes = kind == 7;
        if (!zeroes) {
            rnd.nextBytes(bytes);
        }
        long start = System.nanoTime();
        if (zeroes) {
            dev.writeZeroes((long) t * TRACK + from, len, rnd.nextBoolean());
        } else {
            dev.write((long) t * TRACK + from, ByteBuffer.wrap(bytes));
        }
        log.get(t).add(new Write(start, System.nanoTime(), from, bytes));
        writes.incrementAndGet();
        if (rnd.nextInt(16) == 0) {
            dev.flush();
        }
    }

    /** Runs for {@code seconds}, failing on a deadlock or a thread stuck for 20 s; then stops and joins everyone. */
    private void watch(int seconds) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!stop.get()) {
            long[] ids = mx.findDeadlockedThreads();
            if (ids != null) {
                StringBuilder b = new StringBuilder("deadlock: ");
                for (ThreadInfo ti : mx.getThreadInfo(ids, true, true)) {
                    b.append(ti.getThreadName()).append(" waits for ").append(ti.getLockName()).append(" held by ")
                            .append(ti.getLockOwnerName()).append("; ");
                }
                StuckThreads.dump(n -> true);
                stop.set(true);
                throw new AssertionError(b.toString());
            }
            for (Map.Entry<String, AtomicLong> e : progress.entrySet()) {
                if (System.nanoTime() - e.getValue().get() > TimeUnit.SECONDS.toNanos(20)) {
                    StuckThreads.dump(n -> true);
                    stop.set(true);
                    throw new AssertionError(e.getKey() + " made no progress for 20 s (stacks above)");
                }
            }
            if (System.nanoTime() > end) {
                stop.set(true);
            }
            Thread.sleep(20);
        }
        for (Thread t : threads) {
            t.join(40_000);
        }
        for (Thread t : threads) {
            if (t.isAlive()) {
                StuckThreads.dump(n -> true);
            }
            assertThat(t.isAlive()).as("%s still running 40 s after the stop (stuck; stacks above)", t.getName()).isFalse();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    /** Every track of {@code volume}, as hosts read it, is one its writes and the restores' beginnings make. */
    private static void check(Pool pool, String volume, int tracks, List<List<Write>> log, List<Begin> begins,
                              byte[] before) throws Exception {
        BlockDevice dev = pool.device(volume);
        for (int t = 0; t < tracks; t++) {
            byte[] got = new byte[TRACK];
            dev.read((long) t * TRACK, ByteBuffer.wrap(got));
            List<byte[]> possible = outcomes(t, Arrays.copyOfRange(before, t * TRACK, (t + 1) * TRACK), log.get(t), begins);
            boolean ok = possible.stream().anyMatch(b -> Arrays.equals(b, got));
            if (!ok) {
                explain(t, got, possible, log.get(t), begins);
            }
            assertThat(ok).as("track %d of %s holds what its %d acknowledged writes and %d restores make (%d orders)",
                    t, volume, log.get(t).size(), begins.size(), possible.size()).isTrue();
        }
    }

    /**
     * What track {@code t} may hold: its writes in their order, each restore's beginning placed after
     * every write that ended before its call began and before every write that began after its call
     * returned (a write is whole on one side of a beginning: it holds its way to its end).
     */
    private static List<byte[]> outcomes(int t, byte[] initial, List<Write> writes, List<Begin> begins) {
        // states: writes applied so far -> the contents possible then
        Map<Integer, Map<String, byte[]>> states = new HashMap<>();
        states.computeIfAbsent(0, k -> new HashMap<>()).put(key(initial), initial);
        for (Begin b : begins) {
            int lo = 0;
            while (lo < writes.size() && writes.get(lo).end() < b.start()) {
                lo++;
            }
            int hi = lo;
            while (hi < writes.size() && writes.get(hi).start() <= b.end()) {
                hi++;
            }
            byte[] image = Arrays.copyOfRange(b.image(), t * TRACK, (t + 1) * TRACK);
            Map<Integer, Map<String, byte[]>> next = new HashMap<>();
            for (Map.Entry<Integer, Map<String, byte[]>> s : states.entrySet()) {
                for (int q = Math.max(s.getKey(), lo); q <= Math.max(s.getKey(), hi); q++) {
                    next.computeIfAbsent(q, k -> new HashMap<>()).put(key(image), image); // whatever was there
                }
            }
            states = next;
        }
        List<byte[]> out = new ArrayList<>();
        for (Map.Entry<Integer, Map<String, byte[]>> s : states.entrySet()) {
            for (byte[] c : s.getValue().values()) {
                byte[] b = c.clone();
                for (int i = s.getKey(); i < writes.size(); i++) {
                    Write w = writes.get(i);
                    System.arraycopy(w.bytes(), 0, b, w.from(), w.bytes().length);
                }
                out.add(b);
            }
        }
        return out;
    }

    /** Prints the track's writes and the restores' beginnings in time order, for a failed check. */
    private static void explain(int t, byte[] got, List<byte[]> possible, List<Write> writes, List<Begin> begins) {
        long t0 = Long.MAX_VALUE;
        for (Write w : writes) {
            t0 = Math.min(t0, w.start());
        }
        for (Begin b : begins) {
            t0 = Math.min(t0, b.start());
        }
        StringBuilder sb = new StringBuilder("track " + t + ":\n");
        List<Object[]> ev = new ArrayList<>();
        for (Write w : writes) {
            ev.add(new Object[] {w.start(), "write [" + (w.start() - t0) / 1000 + ", " + (w.end() - t0) / 1000 + "] us  bytes "
                    + w.from() + "+" + w.bytes().length + (allZero(w.bytes()) ? " zeros" : "")
                    + "  got has them: " + Arrays.equals(Arrays.copyOfRange(got, w.from(), w.from() + w.bytes().length), w.bytes())});
        }
        for (Begin b : begins) {
            byte[] image = Arrays.copyOfRange(b.image(), t * TRACK, (t + 1) * TRACK);
            ev.add(new Object[] {b.start(), "begin [" + (b.start() - t0) / 1000 + ", " + (b.end() - t0) / 1000 + "] us  image "
                    + (b.image()[0]) + "  got equals image: " + Arrays.equals(image, got)});
        }
        ev.sort((a, b) -> Long.compare((Long) a[0], (Long) b[0]));
        for (Object[] e : ev) {
            sb.append("  ").append(e[1]).append('\n');
        }
        for (byte[] c : possible) {
            int first = -1;
            int n = 0;
            for (int i = 0; i < TRACK; i++) {
                if (c[i] != got[i]) {
                    n++;
                    first = first < 0 ? i : first;
                }
            }
            sb.append("  candidate differs in ").append(n).append(" bytes from ").append(first).append('\n');
        }
        System.err.println(sb);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static String key(byte[] b) {
        return Arrays.hashCode(b) + ":" + b.length;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
