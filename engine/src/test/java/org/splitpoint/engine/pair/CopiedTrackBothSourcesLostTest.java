package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolOptions;

/**
 * An establish copies a track the STD owed (a host write made after the establish began) to the BCV
 * and clears its mark; then a flush of the STD fails for want of space on both its drives, which
 * drop their pages of that write. No drive of the STD holds the write any more and no flush of it
 * succeeds until the reopen; the split (which flushes the BCVs only, by design) hands out a BCV with
 * the write. After the reopen the pair must not say the sides agree on that track: the STD's
 * write-intent bits, never cleared since the failed flushes, make it compared and marked, and the
 * next establish copies it. Passes as it is (a guard: no fix needed).
 */
class CopiedTrackBothSourcesLostTest {

    @TempDir
    Path dir;

    private static final int TRACK = 64 * 1024;
    private static final long T = 2;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"process crash", "power cut"})
    void aTrackCopiedBeforeBothStdDrivesDroppedItIsCopiedAgainAfterTheReopen(String end) throws Exception {
        PairFixture.splitWithTrackOwed(dir, TRACK, T); // std on d1, d2; bcv on d3, d4; T 0x22 on the STD only
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool pool = Pool.open(dir, inj, new PoolOptions(false)); // the copy stepped by hand
        try {
            Pair pair = pool.pairs().get("p1");
            Job establish = pool.pairs().establish("p1", false); // flushes both sides: 0x22 is durable
            pair.stdView().write(T * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55))); // still owed: the STD only
            while (establish.stepOnce()) {
                // to its end: T copied, 0x55 on the BCV
            }
            assertThat(pair.stdInvalid().isSet(T)).as("T, copied").isFalse();
            inj.failForcesNoSpace(f -> f.getFileName().toString().matches("d[12]\\.img"), 2);
            try {
                pair.stdView().flush(); // both STD drives drop 0x55
            } catch (java.io.IOException expected) {
                // the flush fails: nothing of 0x55 was acknowledged by the STD
            }
            pool.pairs().split(List.of("p1")); // flushes the BCV only: it hands out 0x55
        } finally {
            inj.releaseHolds();
            if (end.equals("power cut")) {
                inj.cutNow();
                inj.crash();
            } else {
                inj.processCrash();
            }
            pool.abandon();
        }
        try (Pool q = Pool.open(dir)) {
            q.awaitJobs(j -> { });
            Pair pair = q.pairs().get("p1");
            // the split (it flushes the BCVs only) handed out the STD as hosts had written it, 0x55
            // among it; the STD lost that unflushed write. The pair must know the sides differ there,
            // so that the next establish copies the track
            assertThat(pair.state()).isEqualTo(PairState.Split);
            assertThat(TestPools.only(read(q, "std", T))).as("track %d of the STD after the reopen", T).isEqualTo(0x22);
            assertThat(TestPools.only(read(q, "bcv", T))).as("track %d of the split BCV", T).isEqualTo(0x55);
            assertThat(pair.stdInvalid().isSet(T)).as("track %d, differing on the split sides", T).isTrue();
            assertThat(q.pairs().establish("p1", true).await(60_000)).isTrue();
            q.pairs().split(List.of("p1"));
            assertThat(TestPools.only(read(q, "bcv", T))).as("track %d of the BCV split again", T)
                    .isEqualTo(TestPools.only(read(q, "std", T)));
        }
    }

    private static byte[] read(Pool pool, String volume, long track) throws Exception {
        byte[] b = new byte[TRACK];
        pool.device(volume).read(track * TRACK, ByteBuffer.wrap(b));
        return b;
    }
}
