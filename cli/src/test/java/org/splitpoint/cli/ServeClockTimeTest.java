package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalTime;
import org.junit.jupiter.api.Test;

/** serve's terminal lines said "22:01" at a whole minute (LocalTime's text drops zero seconds): one line a minute. */
class ServeClockTimeTest {

    @Test
    void aWholeMinuteKeepsItsSeconds() {
        assertThat(ServeCommand.clockTime(LocalTime.of(22, 1, 0, 5))).isEqualTo("22:01:00");
        assertThat(ServeCommand.clockTime(LocalTime.of(9, 5, 7))).isEqualTo("09:05:07");
        assertThat(LocalTime.of(22, 1, 0).toString()).as("what the line used").isEqualTo("22:01");
    }
}
