package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitpoint.engine.pool.ServicePools.pool;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drill asked to write, or to fail a second drive, later than it can count is refused before
 * anything changes. Before, 'drill run ... --second-failure-after 999999999999d' (or PT99999999999999H)
 * took the drive OFFLINE and then ended in an internal error (long overflow), the drive left OFFLINE.
 */
class DrillDurationTest {

    @TempDir
    Path tmp;

    @Test
    void aDurationTooLongToCountIsRefusedBeforeTheDriveGoesOffline() throws Exception {
        Path a = pool(tmp, "drill", Layout.RAID1, 2);
        try (Pool p = Pool.open(a)) {
            Drill.Plan late = new Drill.Plan("v", "d2", OfflineReason.FIRMWARE, LogMode.DATA, Duration.ZERO,
                    Duration.ofDays(999_999_999_999L), false);
            Drill.Plan longWrites = new Drill.Plan("v", "d2", OfflineReason.FIRMWARE, LogMode.DATA,
                    Duration.ofDays(999_999_999_999L), null, false);
            assertThatThrownBy(() -> Drill.check(p, late)).isInstanceOf(PoolException.class)
                    .hasMessage("a drill's second failure comes 0 to 365 days after its start, not 999999999999 days");
            assertThatThrownBy(() -> Drill.run(p, late, (step, detail) -> { })).isInstanceOf(PoolException.class)
                    .hasMessageContaining("second failure comes 0 to 365 days");
            assertThatThrownBy(() -> Drill.run(p, longWrites, (step, detail) -> { })).isInstanceOf(PoolException.class)
                    .hasMessage("a drill writes for 0 to 365 days, not 999999999999 days");
            assertThat(p.volume("v").state()).isEqualTo(VolumeState.OPTIMAL);
            assertThat(p.snapshot().drive("d2").state()).as("the drive the drill would take offline").isEqualTo(DriveState.ONLINE);
        }
    }
}
