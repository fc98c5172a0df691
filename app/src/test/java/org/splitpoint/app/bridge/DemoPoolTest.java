package org.splitpoint.app.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.app.testing.TestPools;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.VolumeState;

/** The first-run demo pool: layout and recognizable data. */
class DemoPoolTest {

    @TempDir
    Path tmp;

    @Test
    void theDemoHasSixDrivesARaid5AndARaid1HoldingRecognizableRecords() throws Exception {
        Path dir = TestPools.demo(tmp);
        try (Pool pool = Pool.open(dir)) {
            PoolSnapshot s = pool.snapshot();
            assertThat(s.drives()).hasSize(6).allMatch(d -> d.state() == DriveState.ONLINE);
            assertThat(s.volume("db").layout()).isEqualTo(Layout.RAID5);
            assertThat(s.volume("db").drives()).containsExactly("d1", "d2", "d3", "d4");
            assertThat(s.volume("logs").layout()).isEqualTo(Layout.RAID1);
            assertThat(s.volume("logs").drives()).containsExactly("d5", "d6");
            assertThat(s.volumes()).allMatch(v -> v.state() == VolumeState.OPTIMAL);
            long at = 5 * DemoPool.RECORD * 1000L;
            assertThat(new String(pool.read("db", at, DemoPool.RECORD), StandardCharsets.US_ASCII))
                    .isEqualTo(DemoPool.record("db", at)).startsWith("db 00027100 splitpoint demo");
            assertThat(new String(pool.read("logs", 0, DemoPool.RECORD), StandardCharsets.US_ASCII))
                    .isEqualTo(DemoPool.record("logs", 0));
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
