package org.splitpoint.app.drill;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.pool.Drill;
import org.splitpoint.engine.pool.OfflineReason;

/**
 * A drill's timeline as the Drills view lists it: the steps the plan will take, shown before they
 * run (PENDING), each marked RUNNING with its start when the engine says it began, DONE with its
 * length when the next one begins, and at the end replaced by the engine's own timeline (exact times,
 * and what each step did). A planned step the drill did not need (a whole rebuild that was not) is
 * SKIPPED; a step the plan did not foresee is inserted where it happened. Not thread-safe: the view
 * model's thread (the UI thread) only.
 */
public final class DrillTimeline {

    public enum StepState { PENDING, RUNNING, DONE, SKIPPED, FAILED }

    /**
     * One step: {@code startSeconds} from the drill's start (-1 until it starts), {@code seconds} its
     * length so far (running) or in all (done), {@code live} what it is doing now (a job's step and percent).
     */
    public record Row(String name, String detail, StepState state, double startSeconds, double seconds, String live) {
        Row with(StepState s, double start, double secs, String d, String l) {
            return new Row(name, d, s, start, secs, l);
        }
    }

    private final List<Row> rows = new ArrayList<>();
    private long startNanos = -1;
    private long runningSince = -1;
    private int current = -1;

    /** The steps {@code plan} will take, all PENDING. */
    public DrillTimeline(Drill.Plan plan) {
        String d = plan.drive();
        rows.add(pending("offline", d + " goes OFFLINE (" + plan.reason().word() + "); the volume goes SERVICE"));
        switch (plan.reason()) {
            case FIRMWARE -> rows.add(pending("firmware", "download, verify, activate, reset"));
            case DIAGNOSTICS -> rows.add(pending("diagnostics", "a read scan of " + d + "'s image"));
            case RESET -> rows.add(pending("reset", "the drive resets"));
            case REPLACEMENT -> rows.add(pending("replacement", "a blank drive takes " + d + "'s place"));
        }
        // without test data the hosts' own writes fill the window and nothing is read back (the engine's
        // step says so too); the plan said random 16 KiB writes whichever way was chosen
        rows.add(pending("writes", plan.workload()
                ? "random 16 KiB writes from the window's start, " + seconds(plan.writesFor())
                        + " in all; each block is read back at the end"
                : "the hosts' own writes for " + seconds(plan.writesFor()) + " from the window's start; the drill writes"
                        + " nothing"));
        if (plan.secondFailureAfter() != null) {
            rows.add(pending("second failure", "another member FAILS " + seconds(plan.secondFailureAfter())
                    + " into the window"));
            rows.add(pending("writes", "writes go on after the second failure"));
        }
        rows.add(pending("online", d + " comes back with its delta (" + plan.mode().word() + ")"));
        rows.add(pending("resync", "only the delta is written to " + d));
        if (plan.reason() == OfflineReason.REPLACEMENT) {
            rows.add(pending("rebuild", "the blank drive is rebuilt whole"));
        }
        if (plan.secondFailureAfter() != null) {
            rows.add(pending("replace", "the failed member is replaced and rebuilt"));
        }
        rows.add(pending("verify", plan.workload() ? "the blocks written are read back; parity or mirrors are checked"
                : "parity or mirrors are checked"));
    }

    private static Row pending(String name, String detail) {
        return new Row(name, detail, StepState.PENDING, -1, 0, "");
    }

    private static String seconds(Duration d) {
        return d == null ? "0 s" : d.toSeconds() + " s";
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** The step running now, or null. */
    public Row running() {
        return current >= 0 && rows.get(current).state() == StepState.RUNNING ? rows.get(current) : null;
    }

    /** Step {@code name} began at {@code nanos} (System.nanoTime) doing {@code detail}. */
    public void began(String name, String detail, long nanos) {
        if (startNanos < 0) {
            startNanos = nanos;
        }
        endCurrent(nanos, StepState.DONE);
        int at = -1;
        for (int i = current + 1; i < rows.size(); i++) {
            if (rows.get(i).state() == StepState.PENDING && rows.get(i).name().equals(name)) {
                at = i;
                break;
            }
        }
        if (at < 0) { // not foreseen: it happened here
            at = current + 1;
            rows.add(at, pending(name, detail));
        }
        for (int i = current + 1; i < at; i++) {
            Row r = rows.get(i);
            // the writes run from the window's start beside the reason's steps: a second failure due
            // during those steps comes before the engine's "writes" step, and the row read "writes —
            // did not happen" while the header counted 1,005 writes (a GUI pass)
            rows.set(i, r.name().equals("writes")
                    ? r.with(StepState.DONE, -1, 0, "writes began with the window and went on beside the steps", "")
                    : r.with(StepState.SKIPPED, -1, 0, skipped(r.name()), ""));
        }
        Row r = rows.get(at);
        // the engine's words for what the step does, but a resync's is only its job's name: the plan's say more
        boolean keep = detail == null || detail.isBlank() || name.equals("resync");
        // the engine's "ended early" marks a moment, not a step: done as it is told (it read RUNNING, with the
        // busy colour and spinner, beside the writes it had just ended)
        StepState state = name.equals(Drill.ENDED_EARLY) ? StepState.DONE : StepState.RUNNING;
        rows.set(at, r.with(state, (nanos - startNanos) / 1e9, 0, keep ? r.detail() : detail, ""));
        current = at;
        runningSince = nanos;
    }

    /** Why a planned step was passed over. */
    private static String skipped(String name) {
        return switch (name) {
            case "rebuild" -> "not needed: the drive came back with its own image";
            case "second failure", "replace" -> "did not happen: the window closed before it was due";
            default -> "did not happen";
        };
    }

    /** The clock moved on to {@code nanos}: the running step's length; {@code live} what it does now ("" for nothing). */
    public void tick(long nanos, String live) {
        if (current >= 0 && rows.get(current).state() == StepState.RUNNING) {
            Row r = rows.get(current);
            rows.set(current, r.with(StepState.RUNNING, r.startSeconds(), Math.max(0, (nanos - runningSince) / 1e9),
                    r.detail(), live == null ? r.live() : live));
        }
    }

    private void endCurrent(long nanos, StepState how) {
        if (current >= 0 && rows.get(current).state() == StepState.RUNNING) {
            Row r = rows.get(current);
            rows.set(current, r.with(how, r.startSeconds(), Math.max(0, (nanos - runningSince) / 1e9), r.detail(),
                    how == StepState.FAILED ? r.live() : ""));
        }
    }

    /** The drill ended with {@code result}: its own timeline, exact, replaces the live one. */
    public void finished(Drill.Result result) {
        rows.clear();
        for (Drill.Step s : result.timeline()) {
            double start = Duration.between(result.started(), s.start()).toNanos() / 1e9;
            rows.add(new Row(s.name(), s.detail(), StepState.DONE, start, s.seconds(), ""));
        }
        current = -1;
    }

    /** The drill stopped at {@code nanos} because of {@code why}: the running step FAILED, the rest stay PENDING. */
    public void failed(long nanos, String why) {
        if (running() == null) {
            // refused before its first step: the first step failed
            int first = 0;
            Row r = rows.get(first);
            rows.set(first, r.with(StepState.FAILED, 0, 0, r.detail(), why));
            current = first;
            return;
        }
        tick(nanos, why);
        endCurrent(nanos, StepState.FAILED);
    }
}
