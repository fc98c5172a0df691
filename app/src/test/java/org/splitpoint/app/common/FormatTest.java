package org.splitpoint.app.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Progress, rates and ETAs read the same everywhere. */
class FormatTest {

    @Test
    void etaIsMinutesAndSecondsOrHoursWhenLong() {
        assertThat(Format.eta(0)).isEqualTo("0:00");
        assertThat(Format.eta(72)).isEqualTo("1:12");
        assertThat(Format.eta(3725)).isEqualTo("1:02:05");
        assertThat(Format.eta(-1)).isEqualTo("--:--");
    }

    @Test
    void ratesAreDecimalMegabytesPerSecond() {
        assertThat(Format.rate(12_345_678)).isEqualTo("12.3 MB/s");
        assertThat(Format.rate(180_300_000)).isEqualTo("180 MB/s");
        assertThat(Format.rate(-5)).isEqualTo("0.0 MB/s");
        assertThat(Format.rate(10_000)).isEqualTo("10 kB/s"); // a 0.01 MB/s limit, not "0.0 MB/s"
    }

    @Test
    void progressLineHasPercentRateAndEta() {
        assertThat(Format.progress(0.4213, 180_300_000, 12, false)).isEqualTo("42.1% · 180 MB/s · ETA 0:12");
        assertThat(Format.progress(0.5, 0, -1, true)).isEqualTo("50.0% · PAUSED");
        assertThat(Format.percent(1.7)).isEqualTo("100.0%");
    }

    @Test
    void countsAndTracksAreGrouped() {
        assertThat(Format.tracks(1)).isEqualTo("1 track");
        assertThat(Format.tracks(16_777_216)).isEqualTo("16,777,216 tracks");
        assertThat(Format.size(7L << 20 | 1L << 19)).isEqualTo("7.5 MiB");
    }

    /** A verify at a whole minute said "(verified 12:34)": LocalTime's toString drops ":00" (seen in CI). */
    @Test
    void aClockTimeAlwaysHasItsSeconds() {
        java.time.Instant wholeMinute = java.time.LocalDate.of(2026, 12, 5).atTime(12, 34)
                .atZone(java.time.ZoneId.systemDefault()).toInstant();
        assertThat(Format.clock(wholeMinute)).isEqualTo("12:34:00");
        assertThat(Format.clock(wholeMinute.plusSeconds(7).plusMillis(900))).isEqualTo("12:34:07");
    }
}
