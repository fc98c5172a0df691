package org.splitpoint.engine.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The rate of a counter: a job's steps, and things counted one by one that may stop coming. */
class RateMeterTest {

    private static final long S = 1_000_000_000L;

    /** 20 a second from t=0 to t=3 s, as reads served on demand during a restore. */
    private static RateMeter twentyASecondForThreeSeconds() {
        RateMeter m = new RateMeter(3000);
        for (int i = 1; i <= 60; i++) {
            m.add(i * S / 20, 1);
        }
        return m;
    }

    @Test
    void recentReadsAreCountedOverTheWindow() {
        assertThat(twentyASecondForThreeSeconds().recentPerSecond(3 * S)).isCloseTo(20, within(0.5));
    }

    /**
     * The pair console read "66 reads served from the BCV · 1/s" a minute after its restore had ended
     * (seen by hand): the reads of the last window were spread over the time since. None came for a
     * window: none a second.
     */
    @Test
    void readsThatStoppedComingAreZeroASecondAfterAWindow() {
        RateMeter m = twentyASecondForThreeSeconds();
        assertThat(m.recentPerSecond(3 * S + S)).as("one second after the last").isCloseTo(13.3, within(0.5));
        assertThat(m.recentPerSecond(60 * S)).as("a minute after the last").isZero();
        assertThat(m.bytesPerSecond(60 * S)).as("a job's reading decays gradually instead").isGreaterThan(0.9);
    }

    @Test
    void aJobsSlowStepsStillHaveARate() {
        RateMeter m = new RateMeter(3000);
        m.add(0, 0);
        m.add(4 * S, 4 << 20); // one 4 MiB step every 4 s: 1 MiB/s
        m.add(8 * S, 4 << 20);
        assertThat(m.bytesPerSecond(8 * S)).isCloseTo(1 << 20, within(1.0));
    }
}
