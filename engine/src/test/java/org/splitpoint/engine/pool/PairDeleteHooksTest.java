package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deleted pair leaves nothing in its volumes' flushes. Each pair hooks both sides' flushes (the
 * BCV's flush and the invalid-track marks); a delete left both hooks there, dead, one more per
 * pair ever made, and every later flush of those volumes ran on the side-by-side path that hooks
 * take instead of forcing the members alone.
 */
class PairDeleteHooksTest {

    @TempDir
    Path tmp;

    @Test
    void aDeletedPairsFlushHooksGoWithIt() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("pool"), 4096, 1L << 20);
        try (Pool pool = Pool.open(dir)) {
            for (int round = 0; round < 3; round++) {
                pool.pairs().create("p", "v", "w");
                assertThat(pool.volume("v").flushHookCount()).as("the STD's, paired").isEqualTo(1);
                assertThat(pool.volume("w").flushHookCount()).as("the BCV's, paired").isEqualTo(1);
                assertThat(pool.pairs().establish("p", true).await(30_000)).isTrue();
                pool.pairs().delete("p", false);
                assertThat(pool.volume("v").flushHookCount()).as("the STD's after delete " + round).isZero();
                assertThat(pool.volume("w").flushHookCount()).as("the BCV's after delete " + round).isZero();
                pool.device("v").flush();
                pool.device("w").flush();
            }
        }
    }
}
