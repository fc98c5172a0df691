package org.splitpoint.engine.pool;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * When the journal watch next tries the backup that gives a journal without a base its base: the
 * first try at once, and after each try that left the journal without one a wait that doubles, from
 * a minute up to an hour.
 *
 * <p>Design. A base backup that cannot succeed (its store's file system full, say) was tried again
 * every minute, the first time a second after the enable's own backup failed, each failure a failed
 * job an administrator was told of; the wait grows so a lasting problem costs a few tries an hour,
 * and {@link #nextTryIn} lets the journal's status say when the next one is. The enable's backup
 * counts as a try ({@link #tried}); a journal that has its base again forgets its tries
 * ({@link #based}), so one that later stops protecting is tried at once, and so does one whose
 * volume is being restored ({@link #restoring}): a try refused for the restore is none. Times are the caller's
 * {@code System.nanoTime()}, so a test gives its own; tries are kept in memory only: a pool opened
 * again tries at once.
 */
final class BaseRetry {

    static final Duration FIRST_WAIT = Duration.ofMinutes(1);
    static final Duration LONGEST_WAIT = Duration.ofHours(1);

    private record Tries(int count, long nextAt) { }

    private final Map<String, Tries> tries = new HashMap<>();

    /** True when the watch may start {@code volume}'s base backup at {@code now}. */
    synchronized boolean due(String volume, long now) {
        Tries t = tries.get(volume);
        return t == null || now - t.nextAt >= 0;
    }

    /** The enable of {@code volume}'s journal started its first base backup at {@code now}: earlier tries are forgotten. */
    synchronized void enabled(String volume, long now) {
        tries.put(volume, new Tries(1, now + waitAfter(1).toNanos()));
    }

    /** A base backup of {@code volume} was started (or failed to start) at {@code now}: the next waits twice as long as the last wait. */
    synchronized void tried(String volume, long now) {
        Tries t = tries.get(volume);
        int count = t == null ? 1 : t.count + 1;
        tries.put(volume, new Tries(count, now + waitAfter(count).toNanos()));
    }

    /** {@code volume}'s journal has its base: its tries are forgotten. */
    synchronized void based(String volume) {
        tries.remove(volume);
    }

    /**
     * A restore of {@code volume} is on record or under way, which no base backup may start during:
     * its tries are forgotten, so the first after it ends is at once (a restore from elsewhere is
     * the usual reason the journal has no base then).
     */
    synchronized void restoring(String volume) {
        tries.remove(volume);
    }

    /** How long until the next try of {@code volume}'s base backup (zero when due), or null when none was tried. */
    synchronized Duration nextTryIn(String volume, long now) {
        Tries t = tries.get(volume);
        return t == null ? null : Duration.ofNanos(Math.max(0, t.nextAt - now));
    }

    /** "45 s", "4 min", "1 h": a wait as a status says it (rounded up to the minute past a minute). */
    static String words(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + " s";
        }
        long min = (s + 59) / 60;
        return min >= 60 && min % 60 == 0 ? min / 60 + " h" : min + " min";
    }

    /** The wait after the {@code count}th try: one minute, two, four, ... at most an hour. */
    static Duration waitAfter(int count) {
        int doublings = Math.min(Math.max(0, count - 1), 6); // 2^6 minutes is past the hour already
        Duration d = FIRST_WAIT.multipliedBy(1L << doublings);
        return d.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : d;
    }
}
