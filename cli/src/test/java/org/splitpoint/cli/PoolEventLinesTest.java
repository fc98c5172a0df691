package org.splitpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.Severity;

/** serve's lines for the pool's events, on a clock of the test's own: which are shown, how, and how many. */
class PoolEventLinesTest {

    private static final Instant AT = Instant.parse("2026-12-07T06:12:40Z");

    private static Event event(Severity s, String type, String message) {
        return new Event(AT, s, type, "x", message);
    }

    @Test
    void aWindowShowsItsFirst20LinesAndCountsTheRestOnceItIsOver() {
        List<String> printed = new ArrayList<>();
        AtomicLong now = new AtomicLong(1_000);
        PoolEventLines lines = new PoolEventLines(printed::add, ZoneId.of("UTC"), now::get);
        for (int i = 0; i < 25; i++) {
            lines.onEvent(event(Severity.INFO, "SNAPSHOT", "snapshot v@s" + i + " taken"));
        }
        assertThat(printed).hasSize(20);
        assertThat(printed.get(0)).isEqualTo("splitpoint: 06:12:40 snapshot v@s0 taken");
        lines.calm();
        assertThat(printed).as("said once the window is over").hasSize(20);
        now.addAndGet(PoolEventLines.WINDOW_NANOS);
        lines.calm();
        assertThat(printed).hasSize(21);
        assertThat(printed.get(20)).matches("splitpoint: \\d\\d:\\d\\d:\\d\\d 5 more lines about the pool were not shown"
                + " here in 10 s \\(the first, at 06:12:40: snapshot v@s20 taken\\); meta/events.jsonl has them all");
        lines.onEvent(event(Severity.CRITICAL, "DRIVE_STATE", "drive d2 FAILED (by command)"));
        assertThat(printed).as("a new window").hasSize(22);
        assertThat(printed.get(21)).isEqualTo("splitpoint: 06:12:40 critical: drive d2 FAILED (by command)");
    }

    /** serve stopping within a window says what it left out then: the count used to go unsaid. */
    @Test
    void theEndSaysWhatTheWindowLeftOutAtOnce() {
        List<String> printed = new ArrayList<>();
        AtomicLong now = new AtomicLong(1_000);
        PoolEventLines lines = new PoolEventLines(printed::add, ZoneId.of("UTC"), now::get);
        lines.end();
        assertThat(printed).as("nothing left out, nothing said").isEmpty();
        for (int i = 0; i < 22; i++) {
            lines.onEvent(event(Severity.INFO, "SNAPSHOT", "snapshot v@s" + i + " taken"));
        }
        now.addAndGet(PoolEventLines.WINDOW_NANOS / 2);
        lines.end();
        assertThat(printed).hasSize(21);
        assertThat(printed.get(20)).matches("splitpoint: \\d\\d:\\d\\d:\\d\\d 2 more lines about the pool were not shown"
                + " here in 5 s \\(the first, at 06:12:40: snapshot v@s20 taken\\); meta/events.jsonl has them all");
        lines.end();
        assertThat(printed).as("said once").hasSize(21);
    }

    @Test
    void whatTheTerminalSaysAlreadyAndProgressAreLeftOut() {
        List<String> printed = new ArrayList<>();
        PoolEventLines lines = new PoolEventLines(printed::add, ZoneId.of("UTC"), System::nanoTime);
        lines.onEvent(event(Severity.INFO, "NBD", "client 127.0.0.1:4000 connected to v"));
        lines.onEvent(event(Severity.INFO, "NBD", "NBD server started on 127.0.0.1:10809 (exports: v)"));
        lines.onEvent(event(Severity.INFO, "JOB_PROGRESS", "rebuild of d2: 40%"));
        lines.onEvent(event(Severity.INFO, "COMMAND", "command received: splitpoint drive fail /p d2"));
        lines.onEvent(event(Severity.INFO, "COMMAND", "check answered no: splitpoint volume delete /p v --check"));
        lines.onEvent(event(Severity.INFO, "COMMAND", "command done: splitpoint drive fail /p d2"));
        lines.onEvent(event(Severity.WARNING, "COMMAND", "command failed (exit 1): splitpoint drive fail /p d9: no drive d9"));
        lines.onEvent(event(Severity.WARNING, "SAVE_AREA", "the save area save is past 80% full"));
        assertThat(printed).containsExactly(
                "splitpoint: 06:12:40 command done: splitpoint drive fail /p d2",
                "splitpoint: 06:12:40 warning: command failed (exit 1): splitpoint drive fail /p d9: no drive d9",
                "splitpoint: 06:12:40 warning: the save area save is past 80% full");
    }
}
