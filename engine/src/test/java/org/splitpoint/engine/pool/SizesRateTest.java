package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Rates as every line prints them. A limit the CLI takes ({@code --throttle 0.01}, 10 kB/s) read
 * "(limit 0.0 MB/s)": a limit that looked like none, or like a stuck job.
 */
class SizesRateTest {

    @Test
    void aRateOfATenthOfAMegabyteOrMoreIsInMegabytesWithOneDecimal() {
        assertThat(Sizes.rate(2_000_000)).isEqualTo("2.0 MB/s");
        assertThat(Sizes.rate(180_300_000)).isEqualTo("180.3 MB/s");
        assertThat(Sizes.rate(100_000)).isEqualTo("0.1 MB/s");
    }

    @Test
    void aSmallerRateIsInKilobytesOrBytesNeverZeroMegabytes() {
        assertThat(Sizes.rate(10_000)).isEqualTo("10 kB/s");
        assertThat(Sizes.rate(99_400)).isEqualTo("99 kB/s");
        assertThat(Sizes.rate(1_000)).isEqualTo("1 kB/s");
        assertThat(Sizes.rate(250)).isEqualTo("250 B/s");
        assertThat(Sizes.rate(1)).isEqualTo("1 B/s");
    }

    @Test
    void nothingMovingIsZeroAndANegativeRateIsNone() {
        assertThat(Sizes.rate(0)).isEqualTo("0.0 MB/s");
        assertThat(Sizes.rate(-5)).isEqualTo("0.0 MB/s");
    }
}
