package org.splitpoint.engine.nbd;

import java.util.function.Consumer;

/**
 * A trouble that repeats, logged per episode rather than per occurrence.
 *
 * <p>Design. A server out of file descriptors fails every accept at once; logging each failure
 * wrote "accept failed" into meta/events.jsonl at megabytes per second. An episode is logged when
 * it starts, at most once every {@code reminderNanos} while it lasts (with the count so far), and
 * when it ends, with how many times it happened and for how long: enough to see what happened,
 * bounded whatever the rate.
 */
final class EpisodeLog {

    private final Consumer<String> log;
    private final long reminderNanos;
    private long count;
    private long started;
    private long lastLogged;

    EpisodeLog(Consumer<String> log, long reminderNanos) {
        this.log = log;
        this.reminderNanos = reminderNanos;
    }

    /** One more occurrence, described by {@code what} (logged only when an episode starts or is reminded). */
    synchronized void occurred(String what) {
        long now = System.nanoTime();
        if (count++ == 0) {
            started = now;
            lastLogged = now;
            log.accept(what);
        } else if (now - lastLogged >= reminderNanos) {
            lastLogged = now;
            log.accept(what + " (still, " + count + " times in " + seconds(now - started) + ")");
        }
    }

    /**
     * The trouble is over: if there was an episode, logs {@code what} with how many it counted,
     * {@code one} or {@code many} as the count says ("failed accept", "failed accepts": serve's
     * terminal said "after 1 brief connections"), and how long it lasted.
     */
    synchronized void ended(String what, String one, String many) {
        if (count == 0) {
            return;
        }
        log.accept(what + " after " + count + " " + (count == 1 ? one : many) + " in " + seconds(System.nanoTime() - started));
        count = 0;
    }

    /** True while an episode lasts. */
    synchronized boolean inEpisode() {
        return count > 0;
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
