package org.splitpoint.engine.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A crash while a pair mirrors leaves STD and BCV tracks that may differ (a mirrored write reached
 * one side's members and not the other's); the open after it marks them invalid from the
 * write-intent tracks found dirty. The power goes again at every write index of that open: the
 * next open must still find those tracks, so the established BCV ends equal to its STD.
 */
class PairRecoveryCrashTest {

    private static final int TRACK = 64 * 1024;

    @TempDir
    Path tmp;

    @Test
    void aPowerCutDuringTheRecoveryFromACrashStillResyncsTheUncertainTracks() throws Exception {
        Path template = tmp.resolve("template");
        PairFixture.splitWithRandomImage(template, Layout.RAID1, TRACK);
        try (Pool pool = Pool.open(template)) {
            assertThat(pool.pairs().establish("p1", false).await(60_000)).isTrue();
        }
        for (int seed = 1; seed <= 4; seed++) {
            Path crashed = tmp.resolve("crashed-" + seed);
            TestPools.copyDir(template, crashed);
            FaultInjector first = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, seed);
            Pool pool = Pool.open(crashed, first);
            Random rnd = new Random(seed);
            for (int k = 0; k < 3; k++) { // mirrored, unflushed: each side's members keep them or not
                byte[] d = new byte[(1 + rnd.nextInt(3)) * TRACK / 2];
                rnd.nextBytes(d);
                long at = (long) rnd.nextInt((int) ((pool.device("std").size() - d.length) / 512)) * 512;
                pool.device("std").write(at, ByteBuffer.wrap(d));
            }
            first.crash();
            pool.abandon();
            long writes = recoveringOpen(crashed, tmp.resolve("count-" + seed), 0, seed);
            assertThat(writes).as("seed %d: the recovering open writes", seed).isPositive();
            for (long cut = 1; cut <= writes; cut++) {
                Path run = tmp.resolve("recover-" + seed + "-" + cut);
                recoveringOpen(crashed, run, cut, seed * 1000 + cut);
                try (Pool reopened = Pool.open(run)) {
                    reopened.awaitJobs(null);
                    Pair pair = reopened.pairs().get("p1");
                    assertThat(pair.state()).as("seed %d cut %d", seed, cut).isEqualTo(PairState.Synchronized);
                    int differs = java.util.Arrays.mismatch(PairFixture.read(reopened.device("bcv")),
                            PairFixture.read(reopened.device("std")));
                    assertThat(differs).as("seed %d cut %d: the established BCV differs from its STD at byte %d",
                            seed, cut, differs).isEqualTo(-1);
                }
                TestPools.deleteDir(run);
            }
            TestPools.deleteDir(crashed);
        }
    }

    /** Opens a copy of {@code crashed} at {@code run}, the power cut after write {@code cut} (0: none); returns the writes made. */
    private static long recoveringOpen(Path crashed, Path run, long cut, long seed) throws Exception {
        TestPools.copyDir(crashed, run);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(cut, (int) (seed % 2) * 512, seed)
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"));
        Pool pool = null;
        try {
            pool = Pool.open(run, inj);
            pool.awaitJobs(null); // the resync of the uncertain tracks runs in it too
        } catch (Exception e) {
            if (!inj.isCut()) {
                throw new AssertionError("cut " + cut + ": failed without a cut: " + e, e);
            }
        }
        long writes = inj.writeCount();
        inj.crash();
        if (pool != null) {
            pool.abandon();
        }
        return writes;
    }
}
