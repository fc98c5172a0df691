package org.splitpoint.app.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.app.bridge.Coalescer;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.engine.pool.JobHistory;
import org.splitpoint.engine.pool.Pool;

/**
 * The Jobs panel's History: the jobs that ended (the engine's {@link JobHistory}, kept across
 * openings), newest first, each as one line; and, for the notifications, the jobs that end while
 * the window is open (not those found in the history when it opens). Polled once a second off the
 * UI thread, posted only when the history changed, coalesced.
 */
public final class JobHistoryViewModel {

    public static final Duration POLL = Duration.ofSeconds(1);

    private final ObservableList<JobHistory.Entry> entries = FXCollections.observableArrayList();
    private final ObservableList<JobHistory.Entry> entriesView = FXCollections.unmodifiableObservableList(entries);
    private final List<Consumer<List<JobHistory.Entry>>> endedSinks = new CopyOnWriteArrayList<>();
    private final Coalescer<List<JobHistory.Entry>> updates;
    private long seenVersion = -1; // the poller's thread only
    private boolean loaded;

    public JobHistoryViewModel(PoolBridge bridge) {
        this.updates = new Coalescer<>(bridge.ui(), Coalescer.latestWins(), this::apply);
        this.poolDir = bridge.poolDir();
        if (bridge.attachedTo() != null) { // the holder keeps the history: follow the file it saves
            bridge.everyHere(POLL, this::pollSaved);
            return;
        }
        bridge.every(POLL, pool -> {
            pollNow(pool);
            return null;
        });
    }

    private final java.nio.file.Path poolDir;
    private String seenFile = ""; // the saved file's time and size, the poller's thread only

    /**
     * While attached to the pool's holder: reads the history it saved when the file changed, and
     * posts it (any thread; the timer calls it).
     */
    public void pollSaved() {
        java.nio.file.Path file = new org.splitpoint.engine.pool.PoolPaths(poolDir).meta().resolve("jobs-history.jsonl");
        String stamp;
        try {
            stamp = java.nio.file.Files.getLastModifiedTime(file) + "/" + java.nio.file.Files.size(file);
        } catch (java.io.IOException none) {
            stamp = "none";
        }
        if (!stamp.equals(seenFile)) {
            seenFile = stamp;
            updates.offer(JobHistory.readSaved(poolDir));
        }
    }

    /** Reads the history when it changed and posts it (any thread; the timer calls it). */
    public void pollNow(Pool pool) {
        JobHistory h = pool.jobHistory();
        long v = h.version();
        if (v != seenVersion) {
            seenVersion = v;
            updates.offer(h.list());
        }
    }

    /** Ended jobs, newest first. */
    public ObservableList<JobHistory.Entry> entries() {
        return entriesView;
    }

    /** {@code sink} gets the jobs that ended since the last update, oldest first (UI thread). */
    public void onEnded(Consumer<List<JobHistory.Entry>> sink) {
        endedSinks.add(sink);
    }

    private void apply(List<JobHistory.Entry> oldestFirst) {
        List<JobHistory.Entry> fresh = new ArrayList<>();
        if (loaded) {
            for (JobHistory.Entry e : oldestFirst) {
                if (!entries.contains(e)) {
                    fresh.add(e);
                }
            }
        }
        loaded = true;
        List<JobHistory.Entry> newestFirst = new ArrayList<>(oldestFirst);
        java.util.Collections.reverse(newestFirst);
        entries.setAll(newestFirst);
        if (!fresh.isEmpty()) {
            endedSinks.forEach(s -> s.accept(List.copyOf(fresh)));
        }
    }

    /** "12:04:31 · establish prod-pair DONE in 0:12, 64 MiB, 1024/1024 tracks". */
    public static String line(JobHistory.Entry e) {
        String at;
        try {
            at = java.time.LocalTime.ofInstant(java.time.Instant.parse(e.finishedAt()), java.time.ZoneId.systemDefault())
                    .toString();
        } catch (RuntimeException ex) {
            at = e.finishedAt();
        }
        return at + " · " + JobTitle.historyLine(e);
    }
}
