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
import org.splitpoint.engine.pool.BcvWrites;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;

/**
 * An establish of a Split pair that nobody agreed may overwrite the BCV's writes since the split (a
 * one-click confirmation or the CLI's look that found none) is refused when such a write landed after
 * the question: the check is the engine's, at the instant the establish starts, under the pair's gate.
 */
class UnconfirmedEstablishTest {

    private static final int TRACK = 4096;

    @TempDir
    Path dir;

    /** The answer was given over 0 BCV writes; one landed before the call: refused, the pair still Split, the write intact. */
    @Test
    void aBcvWriteAfterTheAnswerRefusesAnEstablishNotConfirmedToOverwriteIt() throws Exception {
        byte[] image = PairFixture.splitWithRandomImage(dir, Layout.RAID1, TRACK);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.pairs().query("p1").get(0).bcvInvalidTracks()).as("what the question saw").isZero();
            BlockDevice bcv = pool.device("bcv");
            bcv.write(3L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x5A)));
            System.arraycopy(TestPools.filled(TRACK, 0x5A), 0, image, 3 * TRACK, TRACK);

            assertThatThrownBy(() -> pool.pairs().establish("p1", false, -1, BcvWrites.REFUSE_IF_ANY))
                    .isInstanceOf(PoolException.class)
                    .hasMessage("bcv was written since the split (1 track) and the establish of pair p1 was not confirmed"
                            + " to overwrite them: nothing was established; establish again to be asked about those writes");
            var p = pool.pairs().query("p1").get(0);
            assertThat(p.state()).isEqualTo(PairState.Split);
            assertThat(p.bcvInvalidTracks()).isEqualTo(1);
            assertThat(p.job()).isNull();
            assertThat(pool.jobs()).isEmpty();
            assertThat(PairFixture.read(bcv)).as("the BCV's bytes, its write included").isEqualTo(image);
        }
        try (Pool pool = Pool.open(dir)) {
            var p = pool.pairs().query("p1").get(0);
            assertThat(p.state()).as("as recorded").isEqualTo(PairState.Split);
            assertThat(p.bcvInvalidTracks()).isEqualTo(1);
            // agreed to (the BCV's name typed): it goes on and overwrites the write
            assertThat(pool.pairs().establish("p1", false, -1, BcvWrites.MAY_BE_OVERWRITTEN).await(30_000)).isTrue();
            assertThat(PairFixture.read(pool.device("bcv"))).isEqualTo(PairFixture.read(pool.device("std")));
        }
    }

    /** Nothing written to the BCV: the establish the one click confirmed goes on. */
    @Test
    void anEstablishNotConfirmedToOverwriteBcvWritesGoesOnWhenThereAreNone() throws Exception {
        PairFixture.splitWithRandomImage(dir, Layout.RAID1, TRACK);
        try (Pool pool = Pool.open(dir)) {
            pool.device("std").write(0, ByteBuffer.wrap(TestPools.filled(TRACK, 0x33)));
            assertThat(pool.pairs().establish("p1", false, -1, BcvWrites.REFUSE_IF_ANY).await(30_000)).isTrue();
            assertThat(pool.pairs().query("p1").get(0).state()).isEqualTo(PairState.Synchronized);
            assertThat(PairFixture.read(pool.device("bcv"))).isEqualTo(PairFixture.read(pool.device("std")));
        }
    }

    /**
     * A host writes the BCV in a loop, starting at a random moment around each establish not confirmed to
     * overwrite its writes: an establish that started found no acknowledged BCV write (the writer's writes
     * after it are refused, the BCV being established); one refused leaves every acknowledged write on the BCV.
     */
    @Test
    void anEstablishRacingBcvWritesNeverStartsOverOneItWasNotConfirmedFor() throws Exception {
        PairFixture.splitWithRandomImage(dir, Layout.RAID1, TRACK);
        int started = 0;
        int refused = 0;
        try (Pool pool = Pool.open(dir)) {
            BlockDevice bcv = pool.device("bcv");
            int tracks = (int) (bcv.size() / TRACK);
            Random random = new Random(162);
            for (int round = 0; round < 60; round++) {
                byte[] expected = PairFixture.read(bcv); // the split image: nothing written since the split
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
                            try {
                                bcv.write((long) t * TRACK, ByteBuffer.wrap(d));
                            } catch (PairRefusedException establishedMeanwhile) {
                                return; // the BCV is being established: a host's write to it is refused
                            }
                            synchronized (expected) {
                                System.arraycopy(d, 0, expected, t * TRACK, TRACK);
                            }
                            acked.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        writerFailed.set(e);
                    }
                }, "bcv-writer-" + round);
                writer.start();
                go.countDown();
                org.splitpoint.engine.job.Job job = null;
                try {
                    job = pool.pairs().establish("p1", false, -1, BcvWrites.REFUSE_IF_ANY);
                } catch (PoolException e) {
                    assertThat(e.getMessage()).contains("was not confirmed to overwrite them");
                }
                boolean establishStarted = job != null;
                int ackedBeforeEnd;
                if (establishStarted) {
                    writer.join(30_000); // ends at its first refused write
                    ackedBeforeEnd = acked.get();
                } else {
                    stop.set(true);
                    writer.join(30_000);
                    ackedBeforeEnd = acked.get();
                }
                assertThat(writer.isAlive()).isFalse();
                assertThat(writerFailed.get()).as("the writer's failure").isNull();
                if (establishStarted) {
                    started++;
                    assertThat(ackedBeforeEnd).as("round %d: BCV writes acknowledged before an establish nobody agreed"
                            + " to overwrite them with started", round).isZero();
                    assertThat(job.await(30_000)).isTrue();
                } else {
                    refused++;
                    assertThat(ackedBeforeEnd).as("round %d: refused, yet nothing was written", round).isPositive();
                    assertThat(pool.pairs().query("p1").get(0).state()).isEqualTo(PairState.Split);
                    synchronized (expected) {
                        assertThat(PairFixture.read(bcv)).as("round %d: the BCV's writes intact", round).isEqualTo(expected);
                    }
                    assertThat(pool.pairs().establish("p1", false, -1, BcvWrites.MAY_BE_OVERWRITTEN).await(30_000)).isTrue();
                }
                pool.pairs().split(List.of("p1"));
            }
        }
        assertThat(started).as("establishes that won the race").isPositive();
        assertThat(refused).as("establishes that lost it").isPositive();
    }
}
