package org.splitpoint.app.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.Severity;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.JobHistory;

/**
 * What deserves a notification — jobs that ended, critical events — gathered in bursts: the first
 * item of a burst waits {@link #BURST} for others, then the burst is one {@link Notice}, so a
 * rebuild failing with its volume and drive events, or ten restores ending together, is one
 * popup and not a flood. A job that fails again as it failed last time (a journal's base backup
 * into a full store, tried again and again by the pool) is noticed once: the Jobs history and the
 * event log keep every try, and a job of its kind and target that ends well makes the next failure
 * news again. A journal's ship that went well is no notice ({@link #ROUTINE}). No toolkit here: the view
 * shows the notices ({@link NoticeStack}). UI thread only.
 */
public final class NoticeFeed {

    public static final Duration BURST = Duration.ofMillis(1500);

    /**
     * Jobs the pool starts on its own, as routine, whose success is no news: a journal's ships (at
     * its max size or age; a small max size shipped every few seconds, each a "Job ended" popup, four
     * stacked over the event log). Their failures are notices as any job's.
     */
    private static final java.util.Set<String> ROUTINE = java.util.Set.of("journal-ship");

    /** Runs a task later on the UI thread (a PauseTransition in the app, by hand in tests). */
    @FunctionalInterface
    public interface Later {
        void after(Duration delay, Runnable task);
    }

    private final Later later;
    private final List<Notice.Item> burst = new ArrayList<>();
    private final List<Consumer<Notice>> sinks = new CopyOnWriteArrayList<>();
    private Instant historyBefore;
    /** The last failure noticed per job kind and target ("backup prod"), until one of them ends well. */
    private final java.util.Map<String, String> failureNoticed = new java.util.HashMap<>();

    public NoticeFeed(Later later) {
        this.later = later;
    }

    private static final java.util.concurrent.ScheduledExecutorService TIMER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "splitpoint-notices");
                t.setDaemon(true);
                return t;
            });

    /** A feed whose bursts end on a timer thread and are handed to {@code ui} (no toolkit needed). */
    public static NoticeFeed onTimer(java.util.concurrent.Executor ui) {
        return new NoticeFeed((delay, task) -> TIMER.schedule(() -> ui.execute(task), delay.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS));
    }

    /** {@code sink} gets each burst's notice (UI thread). */
    public void onNotice(Consumer<Notice> sink) {
        sinks.add(sink);
    }

    /** Jobs that ended while the window is open. */
    public void jobsEnded(List<JobHistory.Entry> ended) {
        for (JobHistory.Entry e : ended) {
            boolean failed = e.result() == JobState.FAILED;
            String key = e.kind() + " " + e.target();
            if (!failed) {
                failureNoticed.remove(key);
                if (ROUTINE.contains(e.kind()) && e.result() == JobState.DONE) {
                    continue; // the pool's own, every few minutes: the journal card and the Jobs history keep it
                }
            } else if (String.valueOf(e.message()).equals(failureNoticed.put(key, String.valueOf(e.message())))) {
                continue; // the same failure as last time: noticed already
            }
            offer(new Notice.Item(failed ? "Job failed" : "Job ended", org.splitpoint.app.jobs.JobTitle.historyLine(e), failed));
        }
    }

    /**
     * Events before {@code since} are history (the event log's, shown when a pool opens): they are
     * not notified again each time the pool is opened.
     */
    public void historyBefore(Instant since) {
        this.historyBefore = since;
    }

    /** New events: the critical ones are notices. */
    public void events(List<Event> events) {
        for (Event e : events) {
            if (e.severity() == Severity.CRITICAL && (historyBefore == null || !e.time().isBefore(historyBefore))) {
                offer(new Notice.Item("Critical event", org.splitpoint.app.common.AppWords.of(e.message()), true));
            }
        }
    }

    private void offer(Notice.Item item) {
        burst.add(item);
        if (burst.size() == 1) {
            later.after(BURST, this::flush);
        }
    }

    private void flush() {
        if (burst.isEmpty()) {
            return;
        }
        Notice n = Notice.of(List.copyOf(burst));
        burst.clear();
        sinks.forEach(s -> s.accept(n));
    }
}
