package org.splitpoint.engine.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A verify's rate and ETA: a clock per image, from its first report. */
class VerifyPaceTest {

    private final AtomicLong now = new AtomicLong();
    private final VerifyPace pace = new VerifyPace(now::get);

    @Test
    void theFirstReportOfAnImageMeasuresNothing() {
        now.set(5_000_000_000L);
        VerifyPace.Reading r = pace.at("a", 1 << 20, 8 << 20);
        assertThat(r.measured()).isFalse();
        assertThat(r.etaSeconds()).isEqualTo(-1);
    }

    @Test
    void theRateIsTheBytesSinceTheImagesFirstReportAndTheEtaWhatIsLeftAtThatRate() {
        pace.at("a", 1_000_000, 9_000_000);
        now.addAndGet(1_000_000_000L);
        VerifyPace.Reading r = pace.at("a", 3_000_000, 9_000_000);
        assertThat(r.bytesPerSecond()).isEqualTo(2_000_000.0);
        assertThat(r.etaSeconds()).isEqualTo(3);
        assertThat(r.fraction()).isEqualTo(1.0 / 3);
    }

    @Test
    void eachImageOfAChainHasItsOwnClock() {
        pace.at("full", 1_000_000, 4_000_000);
        now.addAndGet(10_000_000_000L); // the full image took 10 s
        pace.at("full", 4_000_000, 4_000_000);
        VerifyPace.Reading first = pace.at("inc", 1_000_000, 2_000_000);
        assertThat(first.measured()).as("a new image starts its clock").isFalse();
        now.addAndGet(500_000_000L);
        VerifyPace.Reading r = pace.at("inc", 2_000_000, 2_000_000);
        assertThat(r.bytesPerSecond()).isEqualTo(2_000_000.0);
        assertThat(r.etaSeconds()).isZero();
    }
}
