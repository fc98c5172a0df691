package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.StoreTimeLimit;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pool.JournalAdmin.Open;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * The journals' watch: a thread of the pool that every second ships the journals that reached
 * their size or age limit, and starts the backup that gives a journal without a base its base
 * (tries that back off from a minute to an hour, {@link BaseRetry}).
 *
 * <p>Design. It starts once the pool's opening has ended (restores resumed), skips a volume while a
 * backup or a ship of it runs, or while it is FAILED, ships no journal while its volume's instant
 * restore runs, and starts no base backup while any restore of the volume is on record: the tries
 * before it are forgotten, and the base backup starts in the watch's first second after it ended.
 * It stops once the pool closes (checked again after each sleep: a ship started then would write
 * behind the pool's back). An exception it does not expect (a RuntimeException or an Error
 * from below) ends only that volume's turn: it is said, a critical JOURNAL event, at most once a
 * minute per volume and message, and the watch goes on; a watch that died of it left every journal
 * unshipped and unbased with nobody told. A due ship its store refuses (moved away, unreadable) is
 * said the same way, a JOURNAL warning: the watch swallowed it, and the journal filled past its
 * limit with nobody told.
 */
final class JournalWatch {

    private JournalWatch() { }

    /**
     * Ships {@code volume}'s journal, due by its limit. The turn checked before that no ship or backup
     * runs, that it has entries and a base, so a refusal here is the store's (gone, unreadable, full):
     * it is said, once a minute at most; the journal keeps its entries and the next turn tries again.
     * It was swallowed: a store moved away left the journal past its limit, filling, with nobody told.
     */
    private static void shipOrSay(Pool pool, String volume, String store, Said said) {
        try {
            new JournalAdmin(pool).ship(volume);
        } catch (IOException | PoolException e) {
            // and it stands (the health, the journal's status) until a ship opens the store again
            JournalStoreCheck.shipRefused(pool, volume, store, e.getMessage());
            said.once(pool, volume, Event.warning("JOURNAL", volume, "the journal of " + volume + " is due to ship but"
                    + " cannot ship: " + e.getMessage() + "; its entries stay in the journal, which tries again each"
                    + " second until it is full"));
        }
    }

    /** What the watch said last of each volume, and when: the same sentence is said again only after a minute. */
    private static final class Said {
        private final Map<String, String> what = new HashMap<>();
        private final Map<String, Long> at = new HashMap<>();

        void once(Pool pool, String volume, Event e) {
            long now = System.nanoTime();
            Long when = at.get(volume);
            if (e.message().equals(what.get(volume)) && when != null && now - when < Duration.ofMinutes(1).toNanos()) {
                return;
            }
            what.put(volume, e.message());
            at.put(volume, now);
            try {
                pool.events.publish(e);
            } catch (RuntimeException | Error ignored) {
                // the event bus itself failing: the watch still goes on
            }
        }
    }

    /**
     * Starts the backup that gives {@code volume}'s journal a new base, when it may start now, and
     * counts it as a try ({@link BaseRetry}); a failure to start is said, critically. One that may
     * not start now is no try and is said nowhere: the journal has its base, no journal or no drive
     * left (no base makes that one protect anything), the volume is FAILED, a backup or a ship of it
     * runs, the pool is still opening or closing, or a restore of the volume is on record or under
     * way ({@link #baseWaitsFor}); the watch starts it as soon as that has ended. Such a refusal was
     * counted: at an opening that resumed a restore the try was refused, and the next waited a
     * minute, the journal protecting nothing that long after the restore had ended. Checked and
     * counted under the pool's monitor, which a restore's start holds; a restore the opening resumes
     * is on record from the start, and the opening has ended before anything here runs.
     *
     * <p>The store is looked at without the pool's monitor and under the store's time limit (whether
     * an incremental can build on the last backup), and the backup started without it, the checks
     * asked again where its start takes the monitor: the monitor held around them held every verb of
     * the pool as long as a store that hangs (an NFS server gone), for good in the look at the store.
     * Its caller holds no lock of the pool.
     */
    static void rebaseQuietly(Pool pool, String volume) {
        try {
            PoolConfig.JournalRecord rec;
            PoolConfig.BackupRecord last;
            synchronized (pool) {
                rec = pool.journalRecords.get(volume);
                if (!baseWanted(pool, volume)) {
                    return;
                }
                pool.baseRetry.tried(volume, System.nanoTime()); // one that cannot start is a try too: said once a try
                last = pool.backupRecords.get(volume);
            }
            Path storeDir = Path.of(rec.store());
            boolean full = !StoreTimeLimit.fromSystemProperty().call("opening the store " + storeDir, () -> {
                DirectoryStore store = DirectoryStore.open(storeDir, pool.storage, false);
                JournalStoreCheck.opened(pool, volume, rec.store());
                return BackupAdmin.canBuildOnLast(last, store);
            });
            // the look was of this store and this last backup: another since is a decision of its own
            new BackupAdmin(pool).backup(volume, storeDir, full, 0, null, () -> baseWanted(pool, volume)
                    && pool.journalRecords.get(volume).store().equals(rec.store())
                    && java.util.Objects.equals(pool.backupRecords.get(volume), last));
        } catch (IOException | PoolException e) {
            pool.events.publish(Event.critical("JOURNAL", volume, "could not start the backup that gives the journal of "
                    + volume + " a new base: " + e.getMessage()));
        }
    }

    /** Whether {@code volume}'s journal wants its base backup started now (see {@link #rebaseQuietly}); pool monitor held. */
    private static boolean baseWanted(Pool pool, String volume) {
        PoolConfig.JournalRecord rec = pool.journalRecords.get(volume);
        Open o = pool.journals.get(volume);
        RaidVolume v = pool.volumes.get(volume);
        return pool.opened && !pool.isClosed() && rec != null && rec.base() == null && o != null
                && !o.journal.unprotected() && v != null && v.state() != VolumeState.FAILED
                && baseWaitsFor(pool, volume) == null && !busy(pool, volume);
    }

    /**
     * The restore of {@code volume} a base backup waits for, as a status says it ("the restore of v
     * from a backup"), or null when none is on record or under way: an instant restore or a rebuild
     * from backup, a restore to a snapshot, a restore from the BCV of a pair. The records count, not
     * only the restores in memory: an opening has them before it resumes the restores.
     */
    static String baseWaitsFor(Pool pool, String volume) {
        if (pool.restoreRecords.containsKey(volume) || pool.restores.containsKey(volume)) {
            return "restore of " + volume + " from a backup";
        }
        if (pool.snapshotCatalog.restoreRecords.containsKey(volume) || pool.snapshotCatalog.restores.containsKey(volume)) {
            return "restore of " + volume + " to a snapshot";
        }
        RaidVolume v = pool.volumes.get(volume);
        if (v != null && PairAdmin.restoringFromBcv(pool, v) != null) {
            return "restore of " + volume + " from its BCV";
        }
        return null;
    }

    /**
     * Ends the watch (a pool closing or abandoned, so {@link Pool#isClosed} holds): woken, and waited
     * for while it starts a ship. Not interrupted: an interrupt reaching its I/O (a pool.json write,
     * a backup's start) made the JDK close the channel under it.
     */
    static void stop(Pool pool) {
        Thread t = pool.journalWatch;
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        java.util.concurrent.locks.LockSupport.unpark(t);
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
        Said said = new Said();
        Thread t = new Thread(() -> {
            while (!pool.isClosed()) {
                long until = System.nanoTime() + 1_000_000_000L;
                for (long left = until - System.nanoTime(); left > 0 && !pool.isClosed(); left = until - System.nanoTime()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(left); // unparked by stop
                }
                if (pool.isClosed()) {
                    return; // closed while it slept: a ship now would write behind the pool's back
                }
                for (PoolConfig.JournalRecord rec : Pool.copy(pool.journalRecords)) {
                    String volume = rec.volume();
                    try {
                        watchOne(pool, rec, said);
                    } catch (RuntimeException | Error e) {
                        sayUnexpected(pool, volume, e, said);
                    }
                }
            }
        }, "splitpoint-journal-watch");
        t.setDaemon(true);
        pool.journalWatch = t;
        t.start();
    }

    /** One volume's turn of the watch: a ship when its limit is reached, a base when it has none. */
    private static void watchOne(Pool pool, PoolConfig.JournalRecord rec, Said said) {
        String volume = rec.volume();
        Open o = pool.journals.get(volume);
        RaidVolume v = pool.volumes.get(volume);
        if (o == null || v == null || v.state() == VolumeState.FAILED || busy(pool, volume)) {
            return;
        }
        if (rec.base() == null) {
            if (baseWaitsFor(pool, volume) != null) {
                // the tries before it are forgotten: once it ends, the base backup starts at once
                pool.baseRetry.restoring(volume);
            } else if (pool.baseRetry.due(volume, System.nanoTime())) {
                rebaseQuietly(pool, volume);
            }
            return;
        }
        if (pool.restores.containsKey(volume)) {
            return; // no ship while an instant restore runs (JournalRules.ship)
        }
        pool.baseRetry.based(volume);
        if (o.journal.entries() == 0) {
            return;
        }
        // the age on the monotonic clock: a clock set back no longer puts the ship off (WriteJournal's note)
        boolean old = rec.maxAgeSeconds() > 0 && (!o.journal.oldestAgeKnown()
                || o.journal.oldestAgeMillis() / 1000 >= rec.maxAgeSeconds()); // (in ms, 10^16 s overflowed)
        if (o.journal.liveBytes() >= rec.maxSize() || old) {
            shipOrSay(pool, volume, rec.store(), said);
        }
    }

    /** Says an exception the watch did not expect, unless the same was said of the volume less than a minute ago. */
    private static void sayUnexpected(Pool pool, String volume, Throwable e, Said said) {
        String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        said.once(pool, volume, Event.critical("JOURNAL", volume, "the journal watch met an unexpected error checking the"
                + " journal of " + volume + ": " + what + "; it goes on and checks again in a second"));
    }

    /**
     * True while a backup or a ship of {@code volume} runs, or a backup of it is being started (its
     * store has not answered yet: a base backup tried meanwhile was refused, said as a failure).
     */
    static boolean busy(Pool pool, String volume) {
        if (pool.backupsStarting.contains(volume)) {
            return true;
        }
        for (Job j : pool.jobs) {
            if ((j.kind().equals("journal-ship") || j.kind().equals("backup")) && j.target().equals(volume)
                    && !j.state().isFinished()) {
                return true;
            }
        }
        return false;
    }
}
