package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A firmware update's simulated steps take the length the forms announce, whatever the job does
 * between its ticks: helper 55 saw the "about 4 s" update take about 6 s, each 20 ms tick's sleep
 * coming on top of the job's own work and the machine's late wake-ups. Driven on a clock that moves
 * only when the steps sleep or the test says time passed (no real waiting).
 */
class ServiceStepsPaceTest {

    private static final String SCALE = "splitpoint.serviceStepScale";

    @TempDir
    Path tmp;

    private String scaleBefore;

    @BeforeEach
    void realLengths() {
        scaleBefore = System.getProperty(SCALE);
        System.setProperty(SCALE, "1"); // other tests of this JVM set 0
    }

    @AfterEach
    void restoreScale() {
        if (scaleBefore == null) {
            System.clearProperty(SCALE);
        } else {
            System.setProperty(SCALE, scaleBefore);
        }
    }

    /** A clock that moves by what the steps sleep and by what the test adds. */
    private static final class TestClock implements ServiceSteps.Clock {
        long now = 1_000_000_000L;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleepNanos(long nanos) {
            now += nanos;
        }
    }

    /** Runs the steps to their end, {@code between} ms passing outside them before each tick (the job's own work). */
    private static long run(ServiceSteps w, TestClock clock, long between, long pauseAtTick, long pauseMillis) throws Exception {
        long start = clock.now;
        for (long done = 0; done < w.totalTicks(); done++) {
            clock.now += between * 1_000_000L;
            if (done == pauseAtTick) {
                clock.now += pauseMillis * 1_000_000L;
            }
            w.copyNext(done);
        }
        return (clock.now - start) / 1_000_000L;
    }

    @Test
    void aFirmwareUpdateTakesTheLengthItsFormAnnouncesThoughTheJobWorksBetweenTicks() throws Exception {
        Path dir = ServicePools.pool(tmp, "p", Layout.RAID1, 2);
        try (Pool pool = Pool.open(dir)) {
            assertThat(OfflineReason.FIRMWARE.simulatedMillis()).as("what the forms announce").isEqualTo(4000);
            TestClock clock = new TestClock();
            long took = run(new ServiceSteps(pool, "d2", OfflineReason.FIRMWARE, clock), clock, 10, -1, 0);
            // 200 ticks of 20 ms with 10 ms of the job's work before each took 6 s; the work fits in the ticks
            assertThat(took).isBetween(4000L, 4020L);
        }
    }

    @Test
    void afterAPauseTheRestOfTheStepsStillTakeTheirTime() throws Exception {
        Path dir = ServicePools.pool(tmp, "p", Layout.RAID1, 2);
        try (Pool pool = Pool.open(dir)) {
            TestClock clock = new TestClock();
            // a reset: 40 ticks; paused 5 s after 20 of them, the other 20 still wait their 400 ms
            long took = run(new ServiceSteps(pool, "d2", OfflineReason.RESET, clock), clock, 0, 20, 5000);
            assertThat(took).isBetween(5800L, 5820L);
            assertThat(OfflineReason.RESET.simulatedMillis()).isEqualTo(800);
            assertThat(OfflineReason.DIAGNOSTICS.simulatedMillis()).as("a real scan").isZero();
        }
    }
}
