package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitpoint.engine.pool.ServicePools.pool;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.job.Job;

/**
 * A drill whose drive another administrator brings back online (the app or the CLI attached to the
 * same pool) while the drill's writes run ends with one sentence saying so. Without test data it used
 * to end with a NullPointerException (the service window it read at the writes' end was gone), with
 * test data with "drive d2 is ONLINE; only an OFFLINE drive is brought online", as if the drill's
 * own step were wrong.
 */
class DrillWindowGoneTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "test data: {0}")
    @ValueSource(booleans = {true, false})
    void aDrillWhoseDriveCameBackMeanwhileSaysSo(boolean testData) throws Exception {
        Path a = pool(tmp, "drill", Layout.RAID1, 2, 32L << 20);
        try (Pool p = Pool.open(a)) {
            // the other administrator's online and its whole resync, at the moment the drill's writes begin
            assertThatThrownBy(() -> Drill.run(p, new Drill.Plan("v", "d2", OfflineReason.FIRMWARE, LogMode.DATA,
                    Duration.ofMillis(500), null, testData), (step, detail) -> {
                        if (step.equals("writes")) {
                            try {
                                Job resync = p.service().online("d2");
                                assertThat(resync.await(30_000)).isTrue();
                            } catch (Exception e) {
                                throw new AssertionError(e);
                            }
                        }
                    }))
                    .isInstanceOf(PoolException.class)
                    .hasMessage("drive d2 left its service window during the drill (it is ONLINE now); the drill stopped there");
            assertThat(p.volume("v").state()).isEqualTo(VolumeState.OPTIMAL);
            assertThat(p.admin().verify("v", false, null)).isZero();
        }
    }
}
