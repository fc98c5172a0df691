package org.splitpoint.app.drives;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.splitpoint.app.testing.ServiceStepScale;
import org.splitpoint.engine.pool.OfflineReason;

/**
 * The Take offline dialog and the Drills form announce how long a firmware update or a reset takes:
 * the text said "about 4 s" of its own while the engine's steps had their own numbers (and took
 * about 6 s). It is now the engine's length of the steps, the one their job waits.
 */
class ServiceWordsTest {

    @Test
    void theAnnouncedLengthIsTheEnginesLengthOfTheSteps() {
        try (ServiceStepScale s = ServiceStepScale.set("1")) {
            assertThat(ServiceWords.explain(OfflineReason.FIRMWARE)).contains("(simulated, about 4 s)");
            assertThat(ServiceWords.explain(OfflineReason.RESET)).contains("(simulated, under a second)");
        }
        try (ServiceStepScale s = ServiceStepScale.set("2")) { // the steps take twice as long: so does the text
            assertThat(OfflineReason.FIRMWARE.simulatedMillis()).isEqualTo(8000);
            assertThat(ServiceWords.explain(OfflineReason.FIRMWARE)).contains("(simulated, about 8 s)");
        }
    }
}
