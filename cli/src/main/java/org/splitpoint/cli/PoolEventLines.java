package org.splitpoint.cli;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.EventListener;
import org.splitpoint.engine.event.Severity;
import org.splitpoint.engine.nbd.LineBudget;

/**
 * What happens to the pool while serve holds it, on serve's terminal: a drive FAILED, a volume
 * DEGRADED, a rebuild started and ended, a snapshot made invalid, a save area past 80%, a backup
 * that failed, a command run from another shell.
 *
 * <p>Design. Before, serve's terminal (and systemd's journal, which reads it) showed only what the
 * server said of its clients; everything else went to meta/events.jsonl alone, so an administrator
 * watching serve saw nothing while a drive failed under a host's write. This listener prints the
 * pool's events as the client lines are printed ("splitpoint: HH:mm:ss ..."), the event's own time,
 * "warning: " or "critical: " before a sentence that is one. Left out: what the terminal already
 * says (the server's NBD lines, printed as they are said; its start and stop, said by serve itself),
 * job progress ticks, and the "command received" half of a command from another shell (its
 * "done" or "failed" follows, one line a command; queries are no events at all). At most
 * {@link #PER_WINDOW} lines per 10 s, a budget of their own beside the clients' (a flood of either
 * must not hide the other), the rest counted and the count said, as the client lines are.
 */
final class PoolEventLines implements EventListener {

    /** As many as the client lines' budget ({@code NbdServer.CLIENT_LINES}). */
    static final int PER_WINDOW = 20;
    static final long WINDOW_NANOS = 10_000_000_000L;

    private static final DateTimeFormatter CLOCK_TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final ZoneId zone;
    private final LineBudget budget;

    /**
     * Lines for {@code print} (which adds nothing: each comes whole, "splitpoint: " included), stamped in
     * {@code zone}, windows timed by {@code clock} (nanoseconds; System::nanoTime but in tests).
     */
    PoolEventLines(Consumer<String> print, ZoneId zone, LongSupplier clock) {
        this.zone = zone;
        this.budget = new LineBudget(print, PER_WINDOW, WINDOW_NANOS, (dropped, seconds, first) -> String.format(
                Locale.ROOT, "splitpoint: %s %d more %s about the pool %s not shown here in %.0f s (the first, at %s);"
                        + " meta/events.jsonl has them all", CLOCK_TIME.format(java.time.LocalTime.now(zone)), dropped,
                dropped == 1 ? "line" : "lines", dropped == 1 ? "was" : "were", seconds,
                first.replaceFirst("^splitpoint: (\\S+) ", "$1: ")), clock);
    }

    /** Whether serve's terminal shows {@code e} (see the class comment for what it leaves out). */
    static boolean shown(Event e) {
        if ("JOB_PROGRESS".equals(e.type()) || "NBD".equals(e.type())) {
            return false;
        }
        if ("COMMAND".equals(e.type()) && e.severity() == Severity.INFO) {
            return !e.message().startsWith("command received: ") && !e.message().startsWith("check answered no: ");
        }
        return true;
    }

    /** The terminal's line for {@code e}. */
    String line(Event e) {
        String stamp = CLOCK_TIME.format(e.time() == null ? java.time.LocalTime.now(zone) : e.time().atZone(zone));
        String level = switch (e.severity()) {
            case CRITICAL -> "critical: ";
            case WARNING -> "warning: ";
            default -> "";
        };
        return "splitpoint: " + stamp + " " + level + e.message();
    }

    @Override
    public void onEvent(Event e) {
        if (e.severity() != null && e.message() != null && shown(e)) {
            budget.line(line(e));
        }
    }

    /** Says what the budget left out once its window is over (serve calls it every second). */
    void calm() {
        budget.calm();
    }

    /** serve stops: what the current window left out is said now, not never. */
    void end() {
        budget.end();
    }
}
