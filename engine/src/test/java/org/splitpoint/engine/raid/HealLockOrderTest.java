package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * A flush's heal of a drive's lost writes locks its row ranges together, in the order every other
 * locker takes row locks. The row locks are 1024 locks hashed by track; a range takes its locks in
 * ascending lock order, so a range that crosses a multiple of 1024 tracks (1000..1030) takes lock 6
 * before lock 1000. The heal took its ranges one after the other in row order (track 1000's lock,
 * then track 1030's, lock 6): with a zeroing of tracks 1000..1030 beside it holding lock 6 and
 * waiting for lock 1000, the two waited for each other for good, and with them every request and
 * FLUSH of the volume (seen as an NBD server that stopped answering in NbdCutAgainTest, raid1, a
 * force failed for want of space: jstack found the two workers deadlocked).
 *
 * <p>The scene, made deterministic with the injector's holds: a write (w0) held in its member
 * write keeps the flush in its drain; a write to track 1000 (x) that began after the drain's start
 * holds lock 1000 in its member write; w0 released, the heal queues for lock 1000 first; the
 * zeroing takes locks 0..6 and queues second; x released: the heal gets lock 1000.
 */
@Timeout(120)
class HealLockOrderTest {

    private static final int TRACK = 4096;

    @TempDir
    Path dir;

    @Test
    void aHealBesideAZeroingAcrossTheLocksWrapDoesNotDeadlock() throws Exception {
        TestPools.create(dir, Layout.RAID1, 2, 8 << 20, TRACK);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool pool = Pool.open(dir, inj);
        boolean done = false;
        try {
            BlockDevice v = pool.device("v");
            assertThat(v.size()).isGreaterThan(1031L * TRACK);
            v.write(1000L * TRACK, filled(TRACK, 1));
            v.write(1030L * TRACK, filled(TRACK, 2));
            inj.failForcesNoSpace(p -> p.getFileName().toString().equals("d1.img"), 1);
            assertThatThrownBy(v::flush).as("d1's force fails: its writes are lost until healed").isNotNull();

            Predicate<Path> images = p -> p.getFileName().toString().matches("d\\d\\.img");
            Runnable releaseW0 = inj.holdReleasable(FaultInjector.Op.WRITE, images, t -> t.getName().equals("w0"), 60_000);
            Runnable releaseX = inj.holdReleasable(FaultInjector.Op.WRITE, images, t -> t.getName().equals("x"), 60_000);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread w0 = start("w0", () -> v.write(600L * TRACK, filled(TRACK, 3)), failed);
            inj.awaitHeld(1);
            Thread f = start("f", v::flush, failed);
            awaitIn(f, "drain");
            Thread x = start("x", () -> v.write(1000L * TRACK, filled(TRACK, 4)), failed);
            inj.awaitHeld(2);
            releaseW0.run();
            awaitIn(f, "reconstructRowRanges", "RangeLocks.lock"); // queued for track 1000's lock, behind x
            Thread z = start("z", () -> v.writeZeroes(1000L * TRACK, 31L * TRACK, true), failed);
            awaitIn(z, "doZero", "RangeLocks.lock"); // locks 0..6 held, queued for lock 1000 behind the heal
            releaseX.run();
            for (Thread t : new Thread[] {w0, x, f, z}) {
                t.join(10_000);
            }
            assertThat(Arrays.stream(new Thread[] {w0, x, f, z}).filter(Thread::isAlive).map(Thread::getName))
                    .as("threads still waiting 10 s on (the heal and the zeroing deadlocked)").isEmpty();
            assertThat(failed.get()).isNull();
            byte[] got = new byte[32 * TRACK];
            v.read(1000L * TRACK, ByteBuffer.wrap(got));
            assertThat(got).as("the zeroing, after x's write").isEqualTo(new byte[32 * TRACK]);
            v.flush();
            done = true;
        } finally {
            if (done) {
                pool.close();
            } else {
                inj.releaseHolds(); // the deadlocked threads stay; the pool is left to them
            }
        }
    }

    private interface Io {
        void run() throws Exception;
    }

    private static Thread start(String name, Io io, AtomicReference<Throwable> failed) {
        Thread t = new Thread(() -> {
            try {
                io.run();
            } catch (Throwable e) {
                failed.compareAndSet(null, e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits until {@code t} waits with every one of {@code frames} in its stack. */
    private static void awaitIn(Thread t, String... frames) throws InterruptedException {
        long until = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < until) {
            Thread.State s = t.getState();
            if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED) {
                String stack = Arrays.toString(t.getStackTrace());
                if (Arrays.stream(frames).allMatch(stack::contains)) {
                    return;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError(t.getName() + " never waited in " + Arrays.toString(frames) + ": "
                + Arrays.toString(t.getStackTrace()));
    }

    private static ByteBuffer filled(int n, int b) {
        byte[] a = new byte[n];
        Arrays.fill(a, (byte) b);
        return ByteBuffer.wrap(a);
    }
}
