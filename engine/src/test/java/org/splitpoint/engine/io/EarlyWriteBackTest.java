package org.splitpoint.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file's buffered writes start a background force past the threshold, one at a time, and a
 * failed background force reaches the owner's next force once: Linux reports a failed write-back
 * to one fsync only, so a background force that saw it must hand it on, or the engine's flush would
 * acknowledge writes whose pages were dropped.
 */
class EarlyWriteBackTest {

    @TempDir
    Path dir;

    @Test
    void aForceStartsOnlyPastTheThresholdAndOneAtATime() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger forces = new AtomicInteger();
        EarlyWriteBack w = new EarlyWriteBack(() -> {
            forces.incrementAndGet();
            await(release);
        }, (at, n) -> { }, 100);
        w.wrote(0, 60);
        Thread.sleep(50);
        assertThat(forces.get()).as("below the threshold").isZero();
        w.wrote(0, 60); // 120: one starts
        w.wrote(0, 200); // one runs: no second
        waitFor(() -> forces.get() == 1);
        Thread.sleep(50);
        assertThat(forces.get()).as("while one runs").isEqualTo(1);
        release.countDown();
        w.afterForce(); // waits for it; nothing failed
        w.wrote(0, 99);
        Thread.sleep(50);
        assertThat(forces.get()).as("the owner's force counted the dirty bytes as forced").isEqualTo(1);
        w.wrote(0, 1);
        waitFor(() -> forces.get() == 2);
        w.afterForce();
    }

    @Test
    void aBackgroundForceThatFailedFailsTheOwnersNextForceOnce() throws Exception {
        EarlyWriteBack w = new EarlyWriteBack(() -> {
            throw new IOException("Input/output error");
        }, (at, n) -> { }, 10);
        w.wrote(0, 10);
        assertThatThrownBy(w::afterForce).hasMessageContaining("Input/output error");
        w.afterForce(); // reported once, as the kernel does
    }

    @Test
    void theOwnersForceWaitsForABackgroundForceUnderWayAndTakesItsFailure() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        EarlyWriteBack w = new EarlyWriteBack(() -> {
            started.countDown();
            await(release);
            throw new IOException("No space left on device");
        }, (at, n) -> { }, 10);
        w.wrote(0, 10);
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        // the owner's own fsync returned clean: the background one took the error first
        AtomicInteger outcome = new AtomicInteger(); // 1 returned, 2 threw
        Thread owner = new Thread(() -> {
            try {
                w.afterForce();
                outcome.set(1);
            } catch (IOException e) {
                outcome.set(2);
            }
        });
        owner.start();
        Thread.sleep(100);
        assertThat(outcome.get()).as("returned before the background force ended").isZero();
        release.countDown();
        owner.join(5000);
        assertThat(outcome.get()).as("the background force's failure").isEqualTo(2);
    }

    @Test
    void aFailureTheOwnersForceReportedItselfIsNotReportedAgain() throws Exception {
        EarlyWriteBack w = new EarlyWriteBack(() -> {
            throw new IOException("Input/output error");
        }, (at, n) -> { }, 10);
        w.wrote(0, 10);
        w.afterFailedForce(); // the owner's fsync failed too: one report covers the window
        w.afterForce();
    }

    @Test
    void aStreamWrittenBackIsDroppedFromTheCacheAndScatteredWritesAreNot() throws Exception {
        java.util.List<long[]> dropped = new java.util.concurrent.CopyOnWriteArrayList<>();
        EarlyWriteBack w = new EarlyWriteBack(() -> { }, (at, n) -> dropped.add(new long[] {at, n}), 100);
        w.wrote(1000, 30);
        w.wrote(5000, 30);
        w.wrote(1030, 30);
        w.wrote(1 << 20, 30); // 120: written back, then exactly what was written dropped
        w.afterForce();
        assertThat(dropped).extracting(r -> r[0] + "+" + r[1]).containsExactly("1000+60", "5000+30", (1 << 20) + "+30");
        w.wrote(0, 50);
        w.afterForce(); // the owner forced these: they stay
        w.wrote(64, 99);
        w.afterForce();
        assertThat(dropped).as("below the threshold, forced by the owner").hasSize(3);
    }

    /**
     * After a background force failed, the next one that succeeds drops nothing until the owner's
     * force took the failure: a page written while the failed one ran may have been written back
     * by it, failed, and kept clean in the cache; dropped, it would read as the disk's old bytes
     * with no loss counted anywhere yet.
     */
    @Test
    void nothingIsDroppedAfterAFailedBackgroundForceUntilTheOwnerTookIt() throws Exception {
        java.util.List<long[]> dropped = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger forces = new AtomicInteger();
        EarlyWriteBack w = new EarlyWriteBack(() -> {
            if (forces.incrementAndGet() == 1) {
                throw new IOException("Input/output error");
            }
        }, (at, n) -> dropped.add(new long[] {at, n}), 100);
        w.wrote(0, 100); // the first background force: fails
        waitFor(() -> forces.get() == 1);
        waitFor(() -> !w.busyForTest());
        w.wrote(0, 100); // the second: succeeds, over a range the first may have failed on
        waitFor(() -> forces.get() == 2);
        waitFor(() -> !w.busyForTest());
        assertThat(dropped).as("dropped before the owner knew of the failure").isEmpty();
        assertThatThrownBy(w::afterForce).hasMessageContaining("Input/output error");
        w.wrote(200, 100); // the third, after the owner took it: drops again
        waitFor(() -> forces.get() == 3);
        w.afterForce();
        assertThat(dropped).extracting(r -> r[0] + "+" + r[1]).containsExactly("200+100");
    }

    /**
     * The pages written again while a background force ran are dirty when it drops what it wrote
     * back: they are not dropped (the kernel's DONTNEED would start their write-back, and one that
     * failed at once would leave them clean, dropped, with nothing of ours yet knowing of a loss).
     * Whole pages are kept around such a write; the rest of the force's ranges are dropped.
     */
    @Test
    void thePagesWrittenAgainWhileTheBackgroundForceRanAreNotDropped() throws Exception {
        java.util.List<String> dropped = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger forces = new AtomicInteger();
        EarlyWriteBack w = new EarlyWriteBack(() -> {
            if (forces.incrementAndGet() == 1) {
                started.countDown();
                await(release);
            }
        }, (at, n) -> dropped.add(at + "+" + n), 1 << 20);
        w.wrote(0, 1 << 20); // a background force of [0, 1 MiB) starts
        w.wrote(3 << 20, 4096);
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        w.wrote(200_000, 100); // written again while it runs: pages [196608, 204800)
        w.wrote(200_700, 10);
        w.wrote(900_000, 4096); // pages [897024, 905216)
        release.countDown();
        waitFor(() -> !w.busyForTest());
        assertThat(dropped).containsExactly("0+196608", "204800+692224", "905216+143360");
        w.afterForce();
    }

    @Test
    void writtenRangesMergeWhatOverlapsAndKeepTheirBound() {
        EarlyWriteBack.WrittenRanges r = new EarlyWriteBack.WrittenRanges();
        r.add(100, 50);
        r.add(0, 100); // touches [100, 150)
        r.add(120, 100); // overlaps it
        r.add(400, 10);
        java.util.List<String> runs = new java.util.ArrayList<>();
        r.forEachMerged((at, n) -> runs.add(at + "+" + n));
        assertThat(runs).containsExactly("0+220", "400+10");
        EarlyWriteBack.WrittenRanges full = new EarlyWriteBack.WrittenRanges();
        for (int i = 0; i < EarlyWriteBack.WrittenRanges.MAX; i++) {
            assertThat(full.add(i * 8192L, 4096)).isTrue();
        }
        assertThat(full.add(1L << 40, 4096)).as("one more than kept").isFalse();
        assertThat(full.add((EarlyWriteBack.WrittenRanges.MAX - 1) * 8192L + 4096, 4096)).as("the last one's continuation")
                .isTrue();
    }

    @Test
    void nothingIsDroppedWhenTheForceFailed() throws Exception {
        java.util.List<long[]> dropped = new java.util.concurrent.CopyOnWriteArrayList<>();
        EarlyWriteBack w = new EarlyWriteBack(() -> {
            throw new IOException("Input/output error");
        }, (at, n) -> dropped.add(new long[] {at, n}), 10);
        w.wrote(0, 10);
        assertThatThrownBy(w::afterForce).isInstanceOf(IOException.class);
        assertThat(dropped).isEmpty();
    }

    @Test
    void aLargeBufferedWriteToARealFileStartsABackgroundForce() throws Exception {
        Path p = dir.resolve("img");
        Files.write(p, new byte[0]);
        long before = EarlyWriteBack.STARTED.get();
        try (StorageFile f = StorageFactory.real().open(p)) {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20); // a heap buffer: never a direct write
            for (long at = 0; at < EarlyWriteBack.THRESHOLD + (1 << 20); at += chunk.capacity()) {
                chunk.clear();
                f.writeFully(at, chunk);
            }
            assertThat(EarlyWriteBack.STARTED.get()).as("background forces started").isGreaterThan(before);
            f.force();
        }
    }

    /**
     * A file system that stopped answering keeps its files' background forces; another file's
     * must still run, or its owner's force, which waits for it, hangs on a healthy disk. With the
     * four threads the forces had, the fifth hung file's force and every later one queued.
     */
    @Test
    void filesWhoseForcesHangDoNotHoldUpAnotherFilesForce() throws Exception {
        CountDownLatch hung = new CountDownLatch(1);
        AtomicInteger hanging = new AtomicInteger();
        try {
            for (int i = 0; i < 6; i++) {
                new EarlyWriteBack(() -> {
                    hanging.incrementAndGet();
                    try {
                        hung.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, (at, n) -> { }, 10).wrote(0, 10);
            }
            waitFor(() -> hanging.get() == 6);
            AtomicInteger healthy = new AtomicInteger();
            EarlyWriteBack w = new EarlyWriteBack(healthy::incrementAndGet, (at, n) -> { }, 10);
            w.wrote(0, 10);
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
                    () -> w.force(() -> { }));
            assertThat(healthy.get()).as("the healthy file's background force ran").isEqualTo(1);
        } finally {
            hung.countDown();
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!c.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(c.getAsBoolean()).isTrue();
    }
}
