package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.JournalAdmin.Open;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * The journals' watch: a thread of the pool that every second ships the journals that reached
 * their size or age limit, and starts the backup that gives a journal without a base its base
 * (tries that back off from a minute to an hour, {@link BaseRetry}).
 *
 * <p>Design. It skips a volume while a restore, a backup or a ship of it runs, or while it is
 * FAILED, and stops once the pool closes (checked again after each sleep: a ship started then would
 * write behind the pool's back). An exception it does not expect (a RuntimeException or an Error
 * from below) ends only that volume's turn: it is said, a critical JOURNAL event, at most once a
 * minute per volume and message, and the watch goes on; a watch that died of it left every journal
 * unshipped and unbased with nobody told.
 */
final class JournalWatch {

    private JournalWatch() { }

    private static void shipQuietly(Pool pool, String volume, String why) {
        try {
            new JournalAdmin(pool).ship(volume);
        } catch (IOException | PoolException e) {
            // running already, or nothing to ship, or no base: the caller goes on as it can
        }
    }

    static void rebaseQuietly(Pool pool, String volume) {
        try {
            PoolConfig.JournalRecord rec = pool.journalRecords.get(volume);
            Open o = pool.journals.get(volume);
            // not while a restore or a backup of the volume runs: a restore's start may have given
            // the base already, and the watch starts the backup once either ended; nor for a
            // journal with no drive left, which no base makes protect anything
            if (rec != null && rec.base() == null && o != null && !o.journal.unprotected() && !pool.restores.containsKey(volume)
                    && !pool.snapshotCatalog.restores.containsKey(volume) && !busy(pool, volume)) {
                pool.baseRetry.tried(volume, System.nanoTime()); // one that cannot start is a try too: said once a try
                DirectoryStore store = DirectoryStore.open(Path.of(rec.store()), pool.storage, false);
                JournalStoreCheck.opened(pool, volume, rec.store());
                new BackupAdmin(pool).backup(volume, Path.of(rec.store()), !BackupAdmin.canBuildOnLast(pool, volume, store), 0);
            }
        } catch (IOException | PoolException e) {
            pool.events.publish(Event.critical("JOURNAL", volume, "could not start the backup that gives the journal of "
                    + volume + " a new base: " + e.getMessage()));
        }
    }

    /** Ends the watch (a pool closing or abandoned): interrupted, and waited for while it starts a ship. */
    static void stop(Pool pool) {
        Thread t = pool.journalWatch;
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        t.interrupt();
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Every second: ships the journals that reached their size or age limit, and starts a backup
     * for a journal without a base (its first backup failed, or a restore from elsewhere or a full
     * journal left it protecting nothing), when {@link BaseRetry} says the next try is due.
     */
    static void start(Pool pool) {
        if (pool.journalWatch != null) {
            return;
        }
        Map<String, String> lastSaid = new HashMap<>();
        Map<String, Long> lastSaidAt = new HashMap<>();
        Thread t = new Thread(() -> {
            while (!pool.isClosed()) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                if (pool.isClosed()) {
                    return; // closed while it slept: a ship now would write behind the pool's back
                }
                for (PoolConfig.JournalRecord rec : Pool.copy(pool.journalRecords)) {
                    String volume = rec.volume();
                    try {
                        watchOne(pool, rec);
                    } catch (RuntimeException | Error e) {
                        sayUnexpected(pool, volume, e, lastSaid, lastSaidAt);
                    }
                }
            }
        }, "splitpoint-journal-watch");
        t.setDaemon(true);
        pool.journalWatch = t;
        t.start();
    }

    /** One volume's turn of the watch: a ship when its limit is reached, a base when it has none. */
    private static void watchOne(Pool pool, PoolConfig.JournalRecord rec) {
        String volume = rec.volume();
        Open o = pool.journals.get(volume);
        RaidVolume v = pool.volumes.get(volume);
        if (o == null || v == null || pool.restores.containsKey(volume) || v.state() == VolumeState.FAILED
                || busy(pool, volume)) {
            return;
        }
        if (rec.base() == null) {
            if (pool.baseRetry.due(volume, System.nanoTime())) {
                rebaseQuietly(pool, volume);
            }
            return;
        }
        pool.baseRetry.based(volume);
        if (o.journal.entries() == 0) {
            return;
        }
        long age = o.journal.oldestTime() < 0 ? 0 : (System.currentTimeMillis() - o.journal.oldestTime()) / 1000;
        if (o.journal.liveBytes() >= rec.maxSize() || (rec.maxAgeSeconds() > 0 && age >= rec.maxAgeSeconds())) {
            shipQuietly(pool, volume, "limit reached");
        }
    }

    /** Says an exception the watch did not expect, unless the same was said of the volume less than a minute ago. */
    private static void sayUnexpected(Pool pool, String volume, Throwable e, Map<String, String> lastSaid,
                                      Map<String, Long> lastSaidAt) {
        String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        long now = System.nanoTime();
        Long at = lastSaidAt.get(volume);
        if (what.equals(lastSaid.get(volume)) && at != null && now - at < Duration.ofMinutes(1).toNanos()) {
            return;
        }
        lastSaid.put(volume, what);
        lastSaidAt.put(volume, now);
        try {
            pool.events.publish(Event.critical("JOURNAL", volume, "the journal watch met an unexpected error checking the journal of "
                    + volume + ": " + what + "; it goes on and checks again in a second"));
        } catch (RuntimeException | Error ignored) {
            // the event bus itself failing: the watch still goes on
        }
    }

    /** True while a backup or a ship of {@code volume} runs. */
    static boolean busy(Pool pool, String volume) {
        for (Job j : pool.jobs) {
            if ((j.kind().equals("journal-ship") || j.kind().equals("backup")) && j.target().equals(volume)
                    && !j.state().isFinished()) {
                return true;
            }
        }
        return false;
    }
}
