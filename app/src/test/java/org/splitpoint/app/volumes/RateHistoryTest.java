package org.splitpoint.app.volumes;

import org.splitpoint.app.common.RateFrame;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A volume's rates from its counters: one point a second, a minute kept, standing counters read as zero. */
class RateHistoryTest {

    private static final long S = 1_000_000_000L;

    @Test
    void pointsAreRatesBetweenCountersAboutASecondApart() {
        RateHistory h = new RateHistory();
        h.record(0, 0, 0);
        h.record(S / 2, 1_000_000, 0); // too soon for a point
        h.record(S, 2_000_000, 500_000);

        assertThat(h.points()).containsExactly(new RateHistory.Point(S, 2_000_000, 500_000));
        assertThat(h.latest(S).read()).isEqualTo(2_000_000);
        assertThat(h.latest(10 * S).read()).as("counters standing still").isZero();
    }

    @Test
    void onlyTheLastMinuteIsKept() {
        RateHistory h = new RateHistory();
        for (int i = 0; i <= 120; i++) {
            h.record(i * S, i * 1_000_000L, 0);
        }
        assertThat(h.points()).hasSizeLessThanOrEqualTo(61);
        assertThat(h.points().get(0).nanos()).isGreaterThanOrEqualTo(59 * S);
    }

    @Test
    void theChartScaleRoundsUpToOneTwoOrFive() {
        assertThat(RateFrame.niceCeiling(1.3e6)).isEqualTo(2e6);
        assertThat(RateFrame.niceCeiling(3e6)).isEqualTo(5e6);
        assertThat(RateFrame.niceCeiling(7e7)).isEqualTo(1e8);
    }
}
