package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link ImageVerifyLine}: each image's rate measured from its own first report, on a clock the test moves. */
class ImageVerifyLineTest {

    private static final long MIB = 1 << 20;
    private long now = 5_000_000_000L;

    @Test
    void theFirstReportOfAnImageShowsHowFarButNoRate() {
        ImageVerifyLine line = new ImageVerifyLine(() -> now);
        assertThat(line.text("full-1", MIB, 10 * MIB)).isEqualTo(String.format("verify full-1  %5.1f%%  1 MiB of 10 MiB", 10.0));
    }

    @Test
    void laterReportsShowTheRateSinceTheFirstAndAnEta() {
        ImageVerifyLine line = new ImageVerifyLine(() -> now);
        line.text("full-1", MIB, 10 * MIB);
        now += 1_000_000_000L; // 2 MiB in a second; 7 MiB to go: 3.5 s
        assertThat(line.text("full-1", 3 * MIB, 10 * MIB)).endsWith("3 MiB of 10 MiB  2.1 MB/s  ETA 0:04");
    }

    @Test
    void anotherImageStartsItsOwnClock() {
        ImageVerifyLine line = new ImageVerifyLine(() -> now);
        line.text("inc-2", MIB, 2 * MIB);
        now += 10_000_000_000L;
        line.text("inc-2", 2 * MIB, 2 * MIB); // a slow first image
        assertThat(line.text("full-1", MIB, 4 * MIB)).doesNotContain("MB/s");
        now += 500_000_000L;
        assertThat(line.text("full-1", 2 * MIB, 4 * MIB)).endsWith("2.1 MB/s  ETA 0:01");
    }
}
