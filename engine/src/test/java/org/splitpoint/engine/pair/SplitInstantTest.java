package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * A split holds hosts only for a flag flip: the flushes of both sides and the metadata write run
 * while hosts go on, and the BCV takes host writes only once the split is on record.
 */
class SplitInstantTest {

    @TempDir
    Path dir;

    /** Real files; while {@code slowImages}, a force of a drive image takes 400 ms; pool.json's write can be held. */
    static final class SlowStorage extends ForwardingStorage {
        volatile boolean slowImages;
        volatile CountDownLatch holdConfig;
        final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> forces = new java.util.concurrent.ConcurrentHashMap<>();
        final CountDownLatch configHeld = new CountDownLatch(1);

        @Override
        protected StorageFile wrap(Path path, StorageFile f) {
            String name = path.getFileName().toString();
            return new ForwardingStorage.ForwardingFile(f) {
                @Override
                public void force() throws IOException {
                    forces.computeIfAbsent(name, k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
                    try {
                        if (slowImages && name.endsWith(".img")) {
                            Thread.sleep(400);
                        }
                        CountDownLatch hold = holdConfig;
                        if (hold != null && name.startsWith("pool.json")) {
                            configHeld.countDown();
                            hold.await(60, TimeUnit.SECONDS);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    file.force();
                }
            };
        }
    }

    @Test
    void hostsAreNotHeldWhileTheSplitFlushesBothSides() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 16L << 20, 64 * 1024, 1);
        SlowStorage storage = new SlowStorage();
        try (Pool pool = Pool.open(dir, storage)) {
            assertThat(pool.pairs().establish("p1", false).await(60_000)).isTrue();
            storage.slowImages = true; // every flush of a side now takes 400 ms
            long split;
            try (AdminPauseTest.Hosts hosts = new AdminPauseTest.Hosts(pool.device("std"))) {
                hosts.run(500);
                long t0 = System.nanoTime();
                pool.pairs().split(List.of("p1"));
                assertThat(System.nanoTime() - t0).as("the split flushed both sides").isGreaterThan(400_000_000L);
                split = hosts.longestAfter();
            }
            storage.slowImages = false;
            // a flush under the gate would hold every host write for its 400 ms
            assertThat(split / 1_000_000L).as("longest host write across the split, ms").isLessThan(300);
            assertThat(pool.pairs().get("p1").state()).isEqualTo(PairState.Split);
        }
    }

    @Test
    void theBcvTakesHostWritesOnlyOnceTheSplitIsOnRecord() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 4L << 20, 64 * 1024, 1);
        SlowStorage storage = new SlowStorage();
        try (Pool pool = Pool.open(dir, storage)) {
            assertThat(pool.pairs().establish("p1", false).await(60_000)).isTrue();
            Pair p = pool.pairs().get("p1");
            BlockDevice std = pool.device("std");
            BlockDevice bcv = pool.device("bcv");
            CountDownLatch release = new CountDownLatch(1);
            storage.holdConfig = release;
            CompletableFuture<Void> split = CompletableFuture.runAsync(() -> {
                try {
                    pool.pairs().split(List.of("p1"));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try {
                assertThat(storage.configHeld.await(30, TimeUnit.SECONDS)).as("the split writes its record").isTrue();
                // the record is being written: hosts write the STD alone, marked; the BCV refuses
                assertThat(p.state()).isEqualTo(PairState.SplitInProg);
                // (a split that wrote its record under the gate would hold this write until it returned)
                CompletableFuture.runAsync(() -> {
                    try {
                        std.write(3 * 64 * 1024, ByteBuffer.wrap(new byte[4096]));
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }).get(10, TimeUnit.SECONDS);
                assertThat(p.stdInvalid().isSet(3)).isTrue();
                assertThatThrownBy(() -> bcv.write(0, ByteBuffer.wrap(new byte[4096])))
                        .isInstanceOf(PairRefusedException.class);
            } finally {
                storage.holdConfig = null;
                release.countDown();
            }
            split.get(30, TimeUnit.SECONDS);
            assertThat(p.state()).isEqualTo(PairState.Split);
            bcv.write(0, ByteBuffer.wrap(new byte[4096])); // on record now: writable
            assertThat(p.bcvInvalid().isSet(0)).isTrue();
        }
        try (Pool reopened = Pool.open(dir)) {
            Pair p = reopened.pairs().get("p1");
            assertThat(p.state()).isEqualTo(PairState.Split);
            assertThat(p.stdInvalid().isSet(3)).as("the STD's write during the split is a change since it").isTrue();
        }
    }

    /**
     * A split forces the BCV's members (the image it keeps) and not the STD's: hosts' FLUSHes of
     * the STD arriving meanwhile would wait for that flush and then run their own. What the STD
     * loses in a power cut is on tracks its write-intent bits hold dirty (PairPowerCutTest).
     */
    @Test
    void aSplitFlushesTheBcvAndNotTheStd() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 4L << 20, 64 * 1024, 1); // std on d1, d2; bcv on d3, d4
        SlowStorage storage = new SlowStorage();
        try (Pool pool = Pool.open(dir, storage)) {
            assertThat(pool.pairs().establish("p1", false).await(60_000)).isTrue();
            pool.device("std").write(0, ByteBuffer.wrap(new byte[4096])); // mirrored: dirty on both sides
            storage.forces.clear();
            pool.pairs().split(List.of("p1"));
            assertThat(storage.forces.keySet()).contains("d3.img", "d4.img").doesNotContain("d1.img", "d2.img");
        }
    }

    /**
     * The other side of not flushing the STD: a power cut after a split loses the STD's writes that
     * no host flushed (as a cut does on any disk), while the BCV keeps them (the split made its
     * image durable). Recovery marks every such track, so nothing is silently different: an
     * incremental restore brings the write back to the STD, an incremental establish makes the BCV
     * equal the STD. (ConcurrentCrashTest's oracle had counted the split as a flush of the STD.)
     */
    @Test
    void aWriteTheStdLosesInACutAfterASplitIsMarkedAndTheBcvStillHoldsIt() throws Exception {
        PairFixture.create(dir, Layout.RAID1, 4L << 20, 64 * 1024, 1);
        byte[] x = new byte[4096];
        java.util.Arrays.fill(x, (byte) 0x5A);
        long at = 5 * 65536L + 1000;
        org.splitpoint.engine.io.FaultInjector inj = new org.splitpoint.engine.io.FaultInjector(
                org.splitpoint.engine.io.StorageFactory.real()).powerCutAfterWrite(0, 0, 1).unforcedWritesLost(); // caching, no cut: crash() is the cut
        Pool pool = Pool.open(dir, inj);
        assertThat(pool.pairs().establish("p1", false).await(60_000)).isTrue();
        pool.device("std").flush();
        byte[] before = new byte[4096];
        pool.device("std").read(at, ByteBuffer.wrap(before));
        pool.device("std").write(at, ByteBuffer.wrap(x)); // mirrored to the BCV; no host flush after it
        pool.pairs().split(List.of("p1"));
        inj.crash();
        pool.abandon();
        try (Pool reopened = Pool.open(dir)) {
            Pair p = reopened.pairs().get("p1");
            assertThat(p.state()).isEqualTo(PairState.Split);
            byte[] bcvGot = new byte[4096];
            reopened.device("bcv").read(at, ByteBuffer.wrap(bcvGot));
            assertThat(bcvGot).as("the split BCV's image holds the write").isEqualTo(x);
            byte[] stdGot = new byte[4096];
            reopened.device("std").read(at, ByteBuffer.wrap(stdGot));
            assertThat(stdGot).as("the STD lost the unflushed write (nothing forced it)").isEqualTo(before);
            assertThat(p.stdInvalid().isSet(5) || p.bcvInvalid().isSet(5)).as("the track that differs is marked").isTrue();
            assertThat(reopened.pairs().restore("p1", false, false).await(60_000)).isTrue();
            reopened.device("std").read(at, ByteBuffer.wrap(stdGot));
            assertThat(stdGot).as("an incremental restore brings it back").isEqualTo(x);
        }
    }
}
