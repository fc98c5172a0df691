package org.splitpoint.app.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.VolumeState;

/** The first-run demo pool: layout and recognizable data. */
class DemoPoolTest {

    @TempDir
    Path tmp;

    @Test
    void theDemoHasSixDrivesTwoRaid5VolumesAndASynchronizedPairHoldingRecognizableRecords() throws Exception {
        Path dir = TestPools.demo(tmp);
        try (Pool pool = Pool.open(dir)) {
            PoolSnapshot s = pool.snapshot();
            assertThat(s.drives()).hasSize(6).allMatch(d -> d.state() == DriveState.ONLINE);
            assertThat(s.volume("prod").layout()).isEqualTo(Layout.RAID5);
            assertThat(s.volume("prod").drives()).containsExactly("d1", "d2", "d3");
            assertThat(s.volume("prod-bcv").layout()).isEqualTo(Layout.RAID5);
            assertThat(s.volume("prod-bcv").drives()).containsExactly("d4", "d5", "d6");
            assertThat(s.volumes()).allMatch(v -> v.state() == VolumeState.OPTIMAL);
            PairView pair = pool.pairs().query("prod-pair").get(0);
            assertThat(pair.state()).isEqualTo(PairState.Synchronized);
            assertThat(pair.std()).isEqualTo("prod");
            assertThat(pair.bcv()).isEqualTo("prod-bcv");
            assertThat(pair.stdInvalidTracks() + pair.bcvInvalidTracks()).isZero();
            long at = 5 * DemoPool.RECORD * 1000L;
            assertThat(new String(pool.read("prod", at, DemoPool.RECORD), StandardCharsets.US_ASCII))
                    .isEqualTo(DemoPool.record("prod", at)).startsWith("prod 00027100 splitpoint demo");
            assertThat(new String(pool.read("prod-bcv", at, DemoPool.RECORD), StandardCharsets.US_ASCII))
                    .isEqualTo(DemoPool.record("prod", at)); // established: the BCV holds the STD's data
        }
    }

    @Test
    void ensureCreatesThePoolOnceAndLeavesNoWorkDirectory() throws Exception {
        Path dir = tmp.resolve("share/splitpoint/demo-pool");
        assertThat(DemoPool.ensure(dir)).isTrue();
        assertThat(DemoPool.ensure(dir)).isFalse();
        assertThat(Files.isRegularFile(dir.resolve("pool.json"))).isTrue();
        assertThat(dir.resolveSibling("demo-pool.creating")).doesNotExist();
    }
}
