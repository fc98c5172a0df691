package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.splitpoint.engine.TestPools;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolOptions;

/**
 * An establish copies a track from an STD member whose host flush fails for want of space while
 * the copy runs: the copy's read picked the member (it had lost no writes yet), then the failed
 * force dropped its pages (a host write's to the track still owed among them), then the read took
 * the member's old bytes, put them on the BCV and cleared the track's mark. The STD's next flush
 * healed the member from the other, so the STD held the write and a split handed out a BCV without
 * it, the pair saying the sides were the same. A read must compare the members' losses across its
 * pick and read, and read again from a member that lost nothing.
 */
class CopySourceLossTest {

    @TempDir
    Path dir;

    private static final int TRACK = 64 * 1024;
    /** A track in the first read region of the STD's mirror: its reads go to d1. */
    private static final long T = 2;

    @Test
    void anEstablishDoesNotCopyTheOldBytesOfAWriteTheSourcesFailedFlushDropped() throws Exception {
        PairFixture.splitWithTrackOwed(dir, TRACK, T); // std on d1, d2; bcv on d3, d4; T 0x22 on the STD only
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool pool = Pool.open(dir, inj, new PoolOptions(false)); // the copy stepped by hand
        try {
            Pair pair = pool.pairs().get("p1");
            Job establish = pool.pairs().establish("p1", false); // flushes both sides: 0x22 is durable
            assertThat(pair.stdInvalid().isSet(T)).isTrue();
            pair.stdView().write(T * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55))); // still owed: the STD only
            inj.failForcesNoSpace(d1(), 1);
            Runnable forceGoes = inj.holdReleasable(FaultInjector.Op.ANY, d1(), t -> true, 60_000);
            Runnable readGoes = inj.holdReleasable(FaultInjector.Op.READ, d1(),
                    t -> t.getName().equals("establish-step"), 60_000);
            AtomicReference<Throwable> flushFailure = new AtomicReference<>();
            Thread flusher = flushing(pair, flushFailure);
            inj.awaitHeld(1); // the host's flush is about to force d1
            Thread stepper = new Thread(establish::stepOnce, "establish-step");
            stepper.start();
            inj.awaitHeld(2); // the copy of T picked d1 (no loss yet) and is about to read it
            forceGoes.run();
            flusher.join();
            assertThat(flushFailure.get()).as("the host flush whose force of d1 fails").isInstanceOf(IOException.class);
            readGoes.run(); // the copy reads d1 now, which dropped the write of 0x55
            stepper.join();
            while (establish.stepOnce()) {
                // to its end
            }
            assertThat(pair.state()).as("%s", establish.progress()).isEqualTo(PairState.Synchronized);
            pool.pairs().split(List.of("p1")); // flushes the STD: its heal gives d1 the write back from d2
            assertThat(TestPools.only(read(pool, "std", T))).as("track %d of the STD, flushed", T).isEqualTo(0x55);
            assertThat(TestPools.only(read(pool, "bcv", T))).as("track %d of the BCV split from it", T).isEqualTo(0x55);
        } finally {
            inj.releaseHolds();
            pool.close();
        }
    }

    @Test
    void anEstablishDoesNotCopyWhatItReadWhileAFailingForcesErrorWasOnItsWay() throws Exception {
        PairFixture.splitWithTrackOwed(dir, TRACK, T);
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool pool = Pool.open(dir, inj, new PoolOptions(false));
        try {
            Pair pair = pool.pairs().get("p1");
            Job establish = pool.pairs().establish("p1", false);
            pair.stdView().write(T * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55)));
            inj.failForcesNoSpace(d1(), 1);
            Runnable errorGoes = inj.holdReleasable(FaultInjector.Op.FORCE_FAILED, d1(), t -> true, 60_000);
            AtomicReference<Throwable> flushFailure = new AtomicReference<>();
            Thread flusher = flushing(pair, flushFailure);
            inj.awaitHeld(1);
            Thread stepper = new Thread(establish::stepOnce, "establish-step");
            stepper.start();
            while (stepper.isAlive() && stepper.getState() != Thread.State.WAITING && stepper.getState() != Thread.State.BLOCKED) {
                Thread.onSpinWait();
            }
            errorGoes.run();
            flusher.join();
            stepper.join();
            while (establish.stepOnce()) {
                // to its end
            }
            pool.pairs().split(List.of("p1"));
            assertThat(TestPools.only(read(pool, "std", T))).as("track %d of the STD, flushed", T).isEqualTo(0x55);
            assertThat(TestPools.only(read(pool, "bcv", T))).as("track %d of the BCV split from it", T).isEqualTo(0x55);
        } finally {
            inj.releaseHolds();
            pool.close();
        }
    }

    /** A host's flush of the STD, started on a thread of its own ("host-flush"); its failure goes to {@code failure}. */
    private static Thread flushing(Pair pair, AtomicReference<Throwable> failure) {
        Thread t = new Thread(() -> {
            try {
                pair.stdView().flush();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "host-flush");
        t.start();
        return t;
    }

    private static java.util.function.Predicate<Path> d1() {
        return f -> f.getFileName().toString().equals("d1.img");
    }

    private static byte[] read(Pool pool, String volume, long track) throws Exception {
        byte[] b = new byte[TRACK];
        pool.device(volume).read(track * TRACK, ByteBuffer.wrap(b));
        return b;
    }
}
