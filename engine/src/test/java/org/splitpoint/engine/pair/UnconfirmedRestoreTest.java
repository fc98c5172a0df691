package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;
import org.splitpoint.engine.pool.StdWrites;

/**
 * A restore of a Split pair that nobody agreed may overwrite the STD's writes since the split (the CLI's
 * look or the app's count found no track changed on either side, so nothing was asked) is refused when
 * such a write landed after that look: the check is the engine's, at the instant the restore starts,
 * under the pair's gate. Writes to the BCV are no loss (the restore copies them) and refuse nothing.
 */
class UnconfirmedRestoreTest {

    private static final int TRACK = 4096;

    @TempDir
    Path dir;

    /** Nothing changed when asked; an STD write landed before the call: refused, the pair still Split, the write intact. */
    @Test
    void anStdWriteAfterTheLookRefusesARestoreNotConfirmedToOverwriteIt() throws Exception {
        byte[] image = PairFixture.splitWithRandomImage(dir, Layout.RAID1, TRACK);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.pairs().get("p1").changes().either()).as("what the look saw").isZero();
            BlockDevice std = pool.device("std");
            std.write(5L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x6B)));
            byte[] written = image.clone();
            System.arraycopy(TestPools.filled(TRACK, 0x6B), 0, written, 5 * TRACK, TRACK);

            assertThatThrownBy(() -> pool.pairs().restore("p1", false, false, -1, StdWrites.REFUSE_IF_ANY))
                    .isInstanceOf(PoolException.class)
                    .hasMessage("std was written since the split (1 track) and the restore of pair p1 was not confirmed"
                            + " to overwrite them: nothing was restored; restore again to be asked about those writes");
            var p = pool.pairs().query("p1").get(0);
            assertThat(p.state()).isEqualTo(PairState.Split);
            assertThat(p.stdInvalidTracks()).isEqualTo(1);
            assertThat(p.bcvInvalidTracks()).isZero();
            assertThat(p.job()).isNull();
            assertThat(pool.jobs()).isEmpty();
            assertThat(PairFixture.read(std)).as("the STD's bytes, its write included").isEqualTo(written);
        }
        try (Pool pool = Pool.open(dir)) {
            var p = pool.pairs().query("p1").get(0);
            assertThat(p.state()).as("as recorded").isEqualTo(PairState.Split);
            assertThat(p.stdInvalidTracks()).isEqualTo(1);
            // agreed to (the STD's name typed): it goes on and overwrites the write with the split image
            assertThat(pool.pairs().restore("p1", false, false, -1, StdWrites.MAY_BE_OVERWRITTEN).await(30_000)).isTrue();
            assertThat(PairFixture.read(pool.device("std"))).isEqualTo(image);
        }
    }

    /** A protected restore overwrites the STD's writes as an unprotected one does: refused alike, the BCV untouched. */
    @Test
    void aProtectedRestoreNotConfirmedIsRefusedOverAnStdWriteAsWell() throws Exception {
        byte[] image = PairFixture.splitWithRandomImage(dir, Layout.RAID1, TRACK);
        try (Pool pool = Pool.open(dir)) {
            pool.device("std").write(0, ByteBuffer.wrap(TestPools.filled(2 * TRACK, 0x21)));
            assertThatThrownBy(() -> pool.pairs().restore("p1", false, true, -1, StdWrites.REFUSE_IF_ANY))
                    .isInstanceOf(PoolException.class)
                    .hasMessageStartingWith("std was written since the split (2 tracks) and the restore of pair p1");
            var p = pool.pairs().query("p1").get(0);
            assertThat(p.state()).isEqualTo(PairState.Split);
            assertThat(p.isProtected()).isFalse();
            assertThat(PairFixture.read(pool.device("bcv"))).isEqualTo(image);
        }
    }

    /** What hosts wrote to the BCV is what the restore copies, not a loss: a restore that agreed to no STD writes goes on over it. */
    @Test
    void aBcvWriteDoesNotRefuseARestoreNotConfirmedToOverwriteStdWrites() throws Exception {
        PairFixture.splitWithRandomImage(dir, Layout.RAID1, TRACK);
        try (Pool pool = Pool.open(dir)) {
            pool.device("bcv").write(2L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x44)));
            assertThat(pool.pairs().restore("p1", false, false, -1, StdWrites.REFUSE_IF_ANY).await(30_000)).isTrue();
            assertThat(pool.pairs().query("p1").get(0).state()).isEqualTo(PairState.Restored);
            assertThat(PairFixture.read(pool.device("std"))).isEqualTo(PairFixture.read(pool.device("bcv")));
        }
    }

    /**
     * A host writes the STD in a loop, starting at a random moment around each restore not confirmed to
     * overwrite its writes. STD writes go on during a restore (claim 2) and are kept, so an acknowledged write
     * is lost only if it landed before a restore that started: at the end of every round the STD must hold the
     * split image with every acknowledged write on it, and a refused restore must have found writes.
     */
    @Test
    void aRestoreRacingStdWritesNeverStartsOverOneItWasNotConfirmedFor() throws Exception {
        PairFixture.splitWithRandomImage(dir, Layout.RAID1, TRACK);
        int started = 0;
        int refused = 0;
        try (Pool pool = Pool.open(dir)) {
            BlockDevice std = pool.device("std");
            int tracks = (int) (std.size() / TRACK);
            Random random = new Random(164);
            for (int round = 0; round < 60; round++) {
                byte[] expected = PairFixture.read(std); // the split image: nothing written since the split
                CountDownLatch go = new CountDownLatch(1);
                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger acked = new AtomicInteger();
                AtomicReference<Throwable> writerFailed = new AtomicReference<>();
                long delayNanos = random.nextInt(3_000_000);
                int seed = random.nextInt();
                Thread writer = new Thread(() -> {
                    Random r = new Random(seed);
                    try {
                        go.await();
                        long until = System.nanoTime() + delayNanos;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        while (!stop.get()) {
                            int t = r.nextInt(tracks);
                            byte[] d = TestPools.filled(TRACK, 1 + r.nextInt(255));
                            std.write((long) t * TRACK, ByteBuffer.wrap(d));
                            synchronized (expected) {
                                System.arraycopy(d, 0, expected, t * TRACK, TRACK);
                            }
                            acked.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        writerFailed.set(e);
                    }
                }, "std-writer-" + round);
                writer.start();
                go.countDown();
                Job job = null;
                try {
                    job = pool.pairs().restore("p1", false, round % 2 == 1, -1, StdWrites.REFUSE_IF_ANY);
                } catch (PoolException e) {
                    assertThat(e.getMessage()).contains("was not confirmed to overwrite them");
                }
                if (job != null) {
                    Thread.sleep(2); // the writer goes on during the restore: those writes are kept
                }
                stop.set(true);
                writer.join(30_000);
                assertThat(writer.isAlive()).isFalse();
                assertThat(writerFailed.get()).as("the writer's failure").isNull();
                if (job != null) {
                    started++;
                    assertThat(job.await(30_000)).isTrue();
                    synchronized (expected) {
                        assertThat(firstTrackDiffering(PairFixture.read(std), expected)).as("round %d: a track whose"
                                + " acknowledged STD write a restore nobody agreed to overwrite it overwrote", round).isEqualTo(-1);
                    }
                    if (pool.pairs().query("p1").get(0).state() == PairState.Split) { // protected: establish again
                        assertThat(pool.pairs().establish("p1", false).await(30_000)).isTrue();
                    }
                } else {
                    refused++;
                    assertThat(acked.get()).as("round %d: refused, yet nothing was written", round).isPositive();
                    assertThat(pool.pairs().query("p1").get(0).state()).isEqualTo(PairState.Split);
                    synchronized (expected) {
                        assertThat(firstTrackDiffering(PairFixture.read(std), expected)).as("round %d: a track whose"
                                + " STD write a refused restore did not leave intact", round).isEqualTo(-1);
                    }
                    assertThat(pool.pairs().establish("p1", false).await(30_000)).isTrue();
                }
                pool.pairs().split(List.of("p1"));
            }
        }
        assertThat(started).as("restores that won the race").isPositive();
        assertThat(refused).as("restores that lost it").isPositive();
    }

    /** The first track where {@code a} and {@code b} differ, else -1 (a whole image in a failure says nothing). */
    private static int firstTrackDiffering(byte[] a, byte[] b) {
        for (int t = 0; t * TRACK < a.length; t++) {
            if (!java.util.Arrays.equals(a, t * TRACK, (t + 1) * TRACK, b, t * TRACK, (t + 1) * TRACK)) {
                return t;
            }
        }
        return -1;
    }
}
