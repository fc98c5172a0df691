package org.splitpoint.engine.bitmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.StorageFactory;

class WriteIntentTest {

    @TempDir
    Path dir;

    @Test
    void dirtyBitsAreDurableBeforeTheWriteAndClearAfterTwoIdleFlushes() throws Exception {
        Path f = dir.resolve("v.wib");
        WriteIntent wi = new WriteIntent(DurableBitmap.create(StorageFactory.real(), f, 10_000, false), 0, System::nanoTime);
        wi.beginWrite(100, 102);
        try (DurableBitmap reread = DurableBitmap.open(StorageFactory.real(), f, 10_000, true)) {
            assertThat(reread.bits().get(100)).isTrue();
            assertThat(reread.bits().get(101)).isTrue();
        }
        wi.afterFlush(); // written in this interval: stays
        assertThat(wi.dirty().get(100)).isTrue();
        wi.afterFlush(); // idle one interval, but written in the last: stays
        assertThat(wi.dirty().get(100)).isTrue();
        wi.afterFlush(); // idle two intervals: cleared
        assertThat(wi.dirty().cardinality()).isZero();
        wi.close();
    }

    /**
     * Hosts that flush often (every few milliseconds) do not make a track's bit clear, and the next
     * write near it pay an fsync of the bitmap: a track stays dirty until it was idle for the idle
     * time, however many flushes came meanwhile, then clears after two more interval ends as before.
     */
    @Test
    void frequentFlushesDoNotClearBitsBeforeTheIdleTime() throws Exception {
        long[] now = {0};
        WriteIntent wi = new WriteIntent(DurableBitmap.create(StorageFactory.real(), dir.resolve("t.wib"), 10_000, false),
                5_000, () -> now[0]);
        wi.beginWrite(100, 101);
        for (int i = 0; i < 100; i++) {
            now[0] += 10_000_000L; // a flush every 10 ms for a second
            wi.afterFlush();
        }
        assertThat(wi.dirty().get(100)).as("dirty 1 s after its write, after 100 flushes").isTrue();
        now[0] += 4_000_000_000L;
        wi.afterFlush(); // 5 s after the start: the first interval ends (the track was written in it)
        assertThat(wi.dirty().get(100)).isTrue();
        now[0] += 5_000_000_000L;
        wi.afterFlush(); // idle one whole interval, but written in the last
        assertThat(wi.dirty().get(100)).isTrue();
        now[0] += 5_000_000_000L;
        wi.afterFlush(); // idle two intervals: cleared
        assertThat(wi.dirty().get(100)).isFalse();
        wi.close();
    }

    /**
     * Real files whose content as of each force is kept: what a power cut would leave. A force
     * takes 2 ms, so writers pile up behind it.
     */
    static final class ForcedImages extends org.splitpoint.engine.io.ForwardingStorage {
        final java.util.concurrent.ConcurrentHashMap<Path, byte[]> forced = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.concurrent.atomic.AtomicLong forces = new java.util.concurrent.atomic.AtomicLong();

        @Override
        protected org.splitpoint.engine.io.StorageFile wrap(Path path, org.splitpoint.engine.io.StorageFile f) {
            return new org.splitpoint.engine.io.ForwardingStorage.ForwardingFile(f) {
                @Override
                public void force() throws java.io.IOException {
                    // what the disk holds is what the file held when the force began
                    byte[] image = java.nio.file.Files.readAllBytes(path);
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    file.force();
                    forced.merge(path, image, (old, now) -> now);
                    forces.incrementAndGet();
                }
            };
        }

        boolean durablySet(Path path, long bit) {
            byte[] image = forced.get(path);
            int at = 4096 + (int) (bit >>> 3);
            return image != null && at < image.length && (image[at] & (1 << (bit & 7))) != 0;
        }
    }

    @Test
    void concurrentWritersShareFsyncsAndEachBitIsDurableWhenBeginWriteReturns() throws Exception {
        ForcedImages storage = new ForcedImages();
        Path wib = dir.resolve("g.wib");
        Path cbt = dir.resolve("g.cbt");
        WriteIntent wi = new WriteIntent(DurableBitmap.create(storage, wib, 100_000, false));
        ChangeTracker ct = new ChangeTracker(DurableBitmap.create(storage, cbt, 100_000, false));
        long before = storage.forces.get();
        int threads = 16;
        int each = 40;
        java.util.List<String> misses = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread[] ts = new Thread[threads];
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        for (int k = 0; k < threads; k++) {
            int me = k;
            ts[k] = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        long t = me * 5_000L + i * 10L; // apart: no writer continues another's run
                        wi.beginWrite(t, t + 1);
                        ct.beginWrite(t, t + 1);
                        if (!storage.durablySet(wib, t)) {
                            misses.add("write intent " + t);
                        }
                        if (!storage.durablySet(cbt, t)) {
                            misses.add("changed " + t);
                        }
                        // a bit another writer set is relied on only once durable, too
                        long other = ((me + 1) % threads) * 5_000L + i * 10L;
                        if (wi.dirty().get(other)) {
                            wi.beginWrite(other, other + 1);
                            if (!storage.durablySet(wib, other)) {
                                misses.add("write intent (set by another) " + other);
                            }
                        }
                    }
                } catch (Exception e) {
                    misses.add(e.toString());
                }
            });
            ts[k].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        long forces = storage.forces.get() - before;
        assertThat(misses).as("bits not durable when beginWrite returned").isEmpty();
        assertThat(forces).as("fsyncs for %d first writes to clean tracks on two bitmaps", threads * each * 2)
                .isLessThan(threads * each);
        wi.close();
        ct.close();
    }

    @Test
    void pinnedTracksStayDirtyThroughFlushesAndAClearAll() throws Exception {
        WriteIntent wi = new WriteIntent(DurableBitmap.create(StorageFactory.real(), dir.resolve("p.wib"), 1000, false),
                0, System::nanoTime);
        wi.beginWrite(7, 8);
        wi.pin(7, 8);
        for (int i = 0; i < 4; i++) {
            wi.afterFlush();
        }
        assertThat(wi.dirty().get(7)).isTrue();
        wi.clearAll();
        assertThat(wi.dirty().get(7)).isTrue();
        wi.unpin(7);
        wi.afterFlush(); // its resync counts as a write of this interval
        assertThat(wi.dirty().get(7)).isTrue();
        wi.afterFlush();
        wi.afterFlush();
        assertThat(wi.dirty().get(7)).isFalse();
        wi.close();
    }

    @Test
    void aMissingOrTruncatedBitmapIsRefusedNotReadAsClean() throws Exception {
        Path f = dir.resolve("t.wib");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DurableBitmap.open(StorageFactory.real(), f, 10_000, true))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
        DurableBitmap.create(StorageFactory.real(), f, 100_000, true).close();
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(4096 + 100);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DurableBitmap.open(StorageFactory.real(), f, 100_000, true))
                .isInstanceOf(org.splitpoint.engine.meta.CorruptMetadataException.class).hasMessageContaining("truncated");
    }

    @Test
    void sequentialWritesDirtyAGrowingWindowAhead() throws Exception {
        ForcedImages storage = new ForcedImages();
        WriteIntent wi = new WriteIntent(DurableBitmap.create(storage, dir.resolve("s.wib"), 1 << 16, false));
        long before = storage.forces.get();
        for (long t = 0; t < 4 * WriteIntent.GROUP; t++) {
            wi.beginWrite(t, t + 1);
        }
        // the first write dirtied its group; each write past a dirty run dirtied as much again ahead
        assertThat(storage.forces.get() - before).as("fsyncs for %d sequential tracks", 4 * WriteIntent.GROUP)
                .isLessThanOrEqualTo(3);
        assertThat(wi.dirty().cardinality()).isLessThanOrEqualTo(8 * WriteIntent.GROUP);
        wi.close();
    }

    @Test
    void aRandomWriteDirtiesItsAlignedGroupSoItsNeighboursPayNoFsync() throws Exception {
        ForcedImages storage = new ForcedImages();
        Path f = dir.resolve("r.wib");
        WriteIntent wi = new WriteIntent(DurableBitmap.create(storage, f, 1 << 16, false));
        long g = WriteIntent.GROUP;
        long before = storage.forces.get();
        wi.beginWrite(5 * g + 3, 5 * g + 4);
        for (long t = 5 * g; t < 6 * g; t++) {
            assertThat(storage.durablySet(f, t)).as("track " + t + " of the group, durably").isTrue();
        }
        assertThat(wi.dirty().get(5 * g - 1)).isFalse();
        assertThat(wi.dirty().get(6 * g)).isFalse();
        wi.beginWrite(5 * g + 9, 5 * g + 10);
        wi.beginWrite(5 * g, 5 * g + 1);
        assertThat(storage.forces.get() - before).as("one fsync for three writes in one group").isEqualTo(1);
        wi.close();
    }

    @Test
    void bitmapCountsAndFindsBits() {
        TrackBitmap b = new TrackBitmap(200);
        assertThat(b.setRange(10, 70)).isEqualTo(60);
        assertThat(b.set(150)).isTrue();
        assertThat(b.set(150)).isFalse();
        assertThat(b.cardinality()).isEqualTo(61);
        assertThat(b.nextSetBit(0)).isEqualTo(10);
        assertThat(b.nextSetBit(70)).isEqualTo(150);
        assertThat(b.nextSetBit(151)).isEqualTo(-1);
        b.setAll();
        assertThat(b.cardinality()).isEqualTo(200);
    }

    /**
     * A force of the bitmap that fails (a writeback error: the kernel drops the pages it could not
     * write and marks them clean) fails the write that waited for it; the next write to the track
     * finds its bit set in memory and must not take it for durable until the bit was written again
     * and forced: a force that succeeds then covers nothing of it, and a crash found the track clean
     * though its members may disagree (no resync, a torn stripe read back as data).
     */
    @Test
    void aBitWhoseForceFailedIsWrittenAgainBeforeTheNextWriteRelies() throws Exception {
        Path f = dir.resolve("e.wib");
        org.splitpoint.engine.io.FaultInjector inj = new org.splitpoint.engine.io.FaultInjector(StorageFactory.real())
                .powerCutAfterWrite(Long.MAX_VALUE, 0, 1).unforcedWritesLost();
        WriteIntent wi = new WriteIntent(DurableBitmap.create(inj, f, 10_000, false));
        inj.failForces(p -> p.equals(f), 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> wi.beginWrite(5, 6))
                .isInstanceOf(java.io.IOException.class);
        wi.beginWrite(5, 6); // the host writes again: its bit must be durable before the members are touched
        inj.cutNow();
        inj.crash();
        try (DurableBitmap reread = DurableBitmap.open(StorageFactory.real(), f, 10_000, true)) {
            assertThat(reread.bits().get(5)).as("track 5's bit after the crash").isTrue();
        }
    }
}
