package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.backup.BackupException;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.backup.StoreTimeLimit;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.log.WriteJournal;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * The staged backup journal of volumes (seed 003), as policy: enabling it on two spare drives,
 * shipping it into the backup store, rebuilding a volume beyond its redundancy from the backup
 * chain plus the journal; the journal's life in the pool and its write path are its parts below.
 *
 * <p>Design. The journal ({@link WriteJournal}) is put on the volume as its write log, so every
 * write goes to both schemes in one order; the volume's flush forces the journal's legs too, so a
 * write is acknowledged only when both hold it. The journal builds on a base image: the volume's
 * backup into the journal's store taken at an instant when the journal was already recording; the
 * entries after that instant, applied to the base's chain in order, are the volume at its last
 * acknowledged write. Any backup into that store re-bases it (the entries before its instant
 * retire); shipping makes an incremental image from the base's chain and the entries themselves,
 * verifies it, records it as the base (pool.json), and only then retires the entries. A crash at
 * any point loses no entry, and one shipped is never applied again: the record says through which
 * entry the base holds the writes.
 *
 * <p>Its parts, package-private: {@link JournalLife} (open at pool open, attach, the legs and their
 * drives), {@link JournalWrites} (the host write path: append, a write left out, the full-journal
 * policy with {@link ShipForRoom}), {@link JournalBase} (a backup's instant, a backup completed or a
 * restore starting giving the base), {@link JournalAfterCrash} (the tracks journaled again at open),
 * {@link JournalWatch} (the auto-ship and re-base thread) and {@link JournalRebuild} (rebuild from
 * backup and its preview). This class keeps the verbs (enable, disable, status, ship, rebuild) and
 * {@link Open}, what the pool keeps with an open journal.
 */
public final class JournalAdmin {

    /**
     * The journal's state as {@code volume journal status} shows it. {@code nextBaseTrySeconds}: for a
     * journal without a base whose base backup was tried and did not give it one, how long until the
     * watch tries again ({@link BaseRetry}); null otherwise (a holder older than it sends none either).
     * {@code storeProblem}: why the journal cannot ship into its store now (the directory gone, or what
     * its last due ship was refused with), null while nothing says so ({@link JournalStoreCheck#problem}).
     */
    public record Status(String volume, List<String> drives, List<Boolean> legsHealthy, String store, String base,
                         int entries, long bytes, long capacity, long oldestAgeSeconds, long maxSize, long maxAgeSeconds,
                         String lastShipAt, String lastShipResult, List<PoolConfig.ShipRecord> recentShips,
                         boolean protecting, boolean unprotected, String nextShip, Long nextBaseTrySeconds,
                         String storeProblem) { }

    /**
     * What gives a journal without a base its base. It has none before its first backup completes,
     * and again after it stopped protecting the volume (a crash's uncertain tracks or a write it
     * could not take); "its first backup has not completed" was said then too, of a journal whose
     * first backup had long completed. The watch starts that backup, and tries again after waits
     * from a minute to an hour while it fails ({@link BaseRetry}).
     */
    static final String NO_BASE_YET = "a backup into %s gives it one (its first, or a new one after the journal stopped"
            + " protecting the volume; a pool held open starts it, and tries again after waits from a minute to an hour)";

    private final Pool pool;

    JournalAdmin(Pool pool) {
        this.pool = pool;
    }

    // ---- life in the pool ---------------------------------------------------------------------

    /** An open journal and what the pool keeps with it. */
    static final class Open {
        final String volume;
        final WriteJournal journal;
        final RaidVolume.IoAction flushHook;
        /** Volume byte ranges a resumed restore still owes that entries written during it touch (see {@link JournalAfterCrash#restoreResumed}). */
        volatile List<long[]> owedButJournaled = List.of();
        /** Volume tracks a resumed restore still owes that no entry written during it touches (see {@link JournalAfterCrash#restoreResumed}), or null. */
        volatile TrackBitmap owedAsBase;
        /**
         * Operations holding the pool's monitor, which a ship needs to start, that wait for the
         * volume's writes under way (a restore's beginning or end, a backup's start, a pair made, a pair's
         * establish, split or restore, a flush of the volume's sides under the monitor): a write
         * waiting for a ship to make room in the full journal would wait for them in vain.
         */
        final java.util.concurrent.atomic.AtomicInteger shipHolders = new java.util.concurrent.atomic.AtomicInteger();
        /**
         * A write was left out of the journal (it was full, or protecting nothing) since the last
         * backup's instant ({@link JournalBase#backupInstant}): that backup cannot be its base.
         */
        volatile boolean leftOutSinceInstant;
        /**
         * The journal stopped protecting the volume (its base dropped in memory) but pool.json could
         * not record it: a write the journal leaves out is refused until a persist succeeds, for
         * after a power cut pool.json would still name the base, and base + journal miss the write.
         */
        volatile boolean stopUnrecorded;
        /** A write refused for {@link #stopUnrecorded} was said in an event (once until it is on record). */
        volatile boolean refusalSaid;

        Open(String volume, WriteJournal journal, RaidVolume.IoAction flushHook) {
            this.volume = volume;
            this.journal = journal;
            this.flushHook = flushHook;
        }
    }

    // ---- enable, disable ----------------------------------------------------------------------

    /**
     * Enables the journal of {@code volume} on two SPARE drives, shipping into the store at
     * {@code storeDir}; a backup into that store starts at once and is the journal's base.
     * Returns that backup's job.
     */
    public Job enable(String volume, List<String> driveNames, Path storeDir, long maxSize, long maxAgeSeconds)
            throws IOException, PoolException {
        // The store's part (is it one this journal may use, open or make it, record the pool as its user)
        // runs without the pool's monitor and under the store's time limit, and so does the start of
        // the base backup: under the monitor, a store that hangs (an NFS server gone) held every verb
        // of the pool for good. The pool's checks are made before and again after it, under the monitor.
        synchronized (pool) {
            refuseEnable(volume, driveNames, storeDir, maxSize, maxAgeSeconds);
        }
        StoreTimeLimit limit = StoreTimeLimit.fromSystemProperty();
        PoolConfig.BackupRecord last = pool.backupRecords.get(volume);
        StoreLook look;
        try {
            look = limit.call("opening the store " + storeDir, () -> lookAtStore(volume, storeDir, last));
        } catch (StoreTimeLimit.NotAnsweredException e) {
            throw new BackupException("the backup store " + storeDir + " did not answer within " + limit.said() + " while"
                    + " the journal of " + volume + " was being enabled (" + e.what() + "): nothing was changed; enable"
                    + " it again once the store answers");
        }
        if (look.refusal() != null) {
            throw new PoolException(look.refusal());
        }
        DirectoryStore st = look.store();
        RaidVolume v;
        PoolConfig.JournalRecord rec;
        synchronized (pool) {
            v = pool.volume(volume);
            long max = refuseEnable(volume, driveNames, storeDir, maxSize, maxAgeSeconds);
            refuseStoreOfAnotherJournal(st, storeDir);
            rec = attachOnRecord(v, driveNames, st, max, maxAgeSeconds);
            pool.baseRetry.enabled(volume, System.nanoTime()); // the watch tries again a minute after this one, not at once
        }
        Job base;
        try {
            PoolConfig.JournalRecord enabled = rec;
            base = new BackupAdmin(pool).backup(volume, storeDir, !look.canBuildOnLast(), 0, null,
                    () -> refuseUnlessStill(enabled, last));
        } catch (IOException | PoolException | RuntimeException e) {
            // the enable is the journal and the backup that gives it its base: one that cannot start
            // (the store's file system full) takes the journal back, rather than leave it on record
            // with its drives under an enable said to have failed (UnrecordedJournalVerbsTest)
            synchronized (pool) {
                if (pool.journalRecords.get(volume) == rec && pool.volumes.get(volume) == v) {
                    try {
                        detach(v, rec);
                    } catch (IOException undo) {
                        e.addSuppressed(undo);
                    }
                }
            }
            throw e;
        }
        pool.events.publish(Event.info("JOURNAL", volume, "journal of " + volume + " enabled on " + String.join(" and ",
                driveNames) + ", shipping to " + st.describe() + " at " + Sizes.format(rec.maxSize())
                + (maxAgeSeconds > 0 ? " or after " + maxAgeSeconds + " s" : "") + "; a backup gives it its base now"));
        return base;
    }

    /**
     * The pool's refusals of an enable (no call into the store), before the store is looked at and
     * again after; returns the journal's size limit. Pool monitor held.
     */
    private long refuseEnable(String volume, List<String> driveNames, Path storeDir, long maxSize, long maxAgeSeconds)
            throws IOException, PoolException {
        pool.refuseIfClosed(); // its lock let go: another opening may hold the pool
        RaidVolume v = pool.volume(volume);
        Refusal.check(JournalRules.enableVolume(PoolSnapshots.of(pool), volume, statusOrNull(volume)));
        // the backup that gives the journal its base refuses this too (its image would be torn):
        // asked after the record was written, the enable failed with the journal on record
        String fromBcv = PairAdmin.restoringFromBcv(pool, v); // JournalEnableDuringPairRestoreTest
        if (fromBcv != null) {
            throw new PoolException(fromBcv + "; enable its journal once the restore finished");
        }
        if (driveNames.size() != 2 || driveNames.get(0).equals(driveNames.get(1))) {
            throw new IllegalArgumentException("--drives names the journal's two drives, two different ones, not "
                    + String.join(",", driveNames));
        }
        if (maxSize < 0 || maxAgeSeconds < 0 || (maxSize == 0 && driveNames.isEmpty())) {
            throw new IllegalArgumentException("--max-size and --max-age must be positive");
        }
        for (String dn : driveNames) {
            Drive d = pool.driveNamed(dn);
            if (v.members().stream().anyMatch(m -> m.drive().equals(dn))) {
                throw new PoolException("drive " + dn + " is a member of volume " + volume + "; its journal must be on"
                        + " drives outside it (the second redundancy scheme)");
            }
            if (d.state() != DriveState.SPARE) {
                throw new PoolException("drive " + dn + " is " + d.state() + (d.volume != null ? " in volume " + d.volume : "")
                        + (d.journal != null ? ", holding the journal of " + d.journal : "")
                        + "; a journal needs SPARE drives");
            }
            ServiceAdmin.refuseIfLent(d, "a journal needs free SPARE drives");
        }
        long capacity = Math.min(pool.drives.get(driveNames.get(0)).size, pool.drives.get(driveNames.get(1)).size);
        long max = maxSize == 0 ? capacity / 2 : maxSize;
        if (max > capacity * 9 / 10) {
            throw new IllegalArgumentException("--max-size " + Sizes.format(max) + " leaves no room in journal drives of "
                    + Sizes.format(capacity) + "; give at most " + Sizes.format(capacity * 9 / 10));
        }
        if (pool.paths.holds(storeDir)) {
            throw new PoolException("the backup store " + storeDir + " is inside the pool; keep backups outside it");
        }
        return max;
    }

    /** The base backup's start asks again, under the monitor: the journal enabled is still there, the last backup looked at too. */
    private boolean refuseUnlessStill(PoolConfig.JournalRecord enabled, PoolConfig.BackupRecord last) throws PoolException {
        String volume = enabled.volume();
        if (pool.journalRecords.get(volume) != enabled) {
            throw new PoolException("the journal of " + volume + " was disabled while its base backup was being started");
        }
        if (!java.util.Objects.equals(pool.backupRecords.get(volume), last)) {
            throw new PoolException("the last backup of " + volume + " changed while its journal was being enabled (a"
                    + " restore or another backup recorded one); enable the journal again");
        }
        return true;
    }

    /** What the enable found in the store: the store (opened, or made), a refusal or null, whether an incremental can build on the last backup. */
    private record StoreLook(DirectoryStore store, String refusal, boolean canBuildOnLast) { }

    /**
     * The enable's calls into the store (see {@link #refuseStore}), then the store opened (an empty
     * directory made one) with the pool recorded as its user; on the store's time limit's helper.
     */
    private StoreLook lookAtStore(String volume, Path storeDir, PoolConfig.BackupRecord last) throws IOException {
        String refusal = refuseStore(volume, storeDir);
        if (refusal != null) {
            return new StoreLook(null, refusal, false);
        }
        DirectoryStore st = DirectoryStore.open(storeDir, pool.storage, true);
        ImagesInUse.register(pool, st);
        return new StoreLook(st, null, BackupAdmin.canBuildOnLast(last, st));
    }

    /** The enable's journal in memory and on record on its blank legs, attached to the volume; pool monitor held. */
    private PoolConfig.JournalRecord attachOnRecord(RaidVolume v, List<String> driveNames, DirectoryStore st, long max,
                                                    long maxAgeSeconds) throws IOException {
        String volume = v.name();
        for (String dn : driveNames) { // blank legs: an earlier use of the drive leaves nothing to read back
            Drive d = pool.drives.get(dn); // a SPARE's bytes belong to nothing: not kept
            // renamed over the old image, never deleted first: a cut between a deletion and the
            // rename left the SPARE without an image, MISSING (JournalEnableCutLegsTest)
            PoolFiles.createImage(pool.storage, pool.paths, dn, d.size);
        }
        pool.storage.syncDirectory(pool.paths.drives());
        PoolConfig.JournalRecord rec = new PoolConfig.JournalRecord(volume, driveNames, st.dir().toString(), st.uuid(),
                max, maxAgeSeconds, null, 0, List.of());
        StorageFile[] files = new StorageFile[2];
        try {
            for (int i = 0; i < 2; i++) {
                files[i] = pool.storage.open(pool.paths.image(driveNames.get(i)));
            }
            // the legs' entries and the journal's record in one write: another thread's write between
            // them put on disk legs holding a journal no record named, a pool.json the open refused
            synchronized (pool.recordLock()) {
                for (int i = 0; i < 2; i++) {
                    Drive d = pool.drives.get(driveNames.get(i));
                    d.state = DriveState.ONLINE;
                    d.journal = volume;
                }
                pool.journalRecords.put(volume, rec);
                try {
                    pool.persist();
                } catch (IOException e) {
                    // a refusal changes nothing: the drives SPARE again (blank), no journal in memory
                    // that pool.json does not name (UnrecordedJournalVerbsTest)
                    pool.journalRecords.remove(volume);
                    for (int i = 0; i < 2; i++) {
                        Drive d = pool.drives.get(driveNames.get(i));
                        d.state = DriveState.SPARE;
                        d.journal = null;
                    }
                    throw e;
                }
            }
        } catch (IOException e) {
            for (StorageFile f : files) {
                try {
                    if (f != null) {
                        f.close();
                    }
                } catch (IOException ignored) {
                    // the image is a blank SPARE's either way
                }
            }
            throw e;
        }
        v.exclusive(() -> JournalLife.attach(pool, v, rec, files)); // recording from an instant with no write in flight
        JournalWatch.start(pool);
        return rec;
    }

    /**
     * A journal's store must exist (an empty directory becomes one), be writable (the journal ships
     * into it) and be the volume's own: not one holding only other volumes' images. Calls into the
     * store (on the time limit's helper); returns the refusal, or null. Another journal's store is
     * refused under the monitor ({@link #refuseStoreOfAnotherJournal}).
     */
    private String refuseStore(String volume, Path storeDir) throws IOException {
        if (!java.nio.file.Files.isDirectory(storeDir)) {
            return "no backup store at " + storeDir + ": the directory does not exist; create it (an empty"
                    + " directory becomes a store) or name the store the volume is backed up to";
        }
        String readOnly = DirectoryStore.whyNotWritable(storeDir); // the journal ships into it
        if (readOnly != null) {
            return readOnly;
        }
        if (DirectoryStore.wouldMake(storeDir)) {
            return null; // a new store, as a backup into it would make it
        }
        DirectoryStore st = DirectoryStore.open(storeDir, pool.storage, false);
        java.util.Set<String> others = new java.util.TreeSet<>();
        for (ImageInfo i : st.list()) {
            if (i.volume().equals(volume)) {
                return null;
            }
            others.add(i.volume());
        }
        if (!others.isEmpty()) {
            return "store " + storeDir + " holds backups of " + String.join(", ", others) + ", none of " + volume
                    + ": a journal ships into its own volume's store";
        }
        return null;
    }

    /** Each journaled volume has a store of its own; pool monitor held (no call into the store). */
    private void refuseStoreOfAnotherJournal(DirectoryStore st, Path storeDir) throws PoolException {
        for (PoolConfig.JournalRecord r : Pool.copy(pool.journalRecords)) {
            if (r.storeUuid().equals(st.uuid())) {
                throw new PoolException("store " + storeDir + " is the journal store of volume " + r.volume() + "; give each"
                        + " journaled volume a store of its own");
            }
        }
    }

    /** Disables the journal of {@code volume}: its drives become SPARE again (their contents are dropped). */
    public void disable(String volume) throws IOException, PoolException {
        synchronized (pool) {
            pool.refuseIfClosed(); // its lock let go: another opening may hold the pool
            RaidVolume v = pool.volume(volume);
            Refusal.check(JournalRules.disable(PoolSnapshots.of(pool), volume, statusOrNull(volume)));
            PoolConfig.JournalRecord rec = record(volume);
            detach(v, rec);
            pool.events.publish(Event.warning("JOURNAL", volume, "journal of " + volume + " disabled; "
                    + String.join(" and ", rec.drives()) + " are SPARE again"));
        }
    }

    /**
     * Takes the journal {@code rec} of {@code v} off record and off the volume: its drives SPARE
     * again. pool.json is written first, with no write in flight, and a failure changes nothing.
     */
    private void detach(RaidVolume v, PoolConfig.JournalRecord rec) throws IOException {
        String volume = v.name();
        // on record first, with no write in flight, and only then unhooked: a disable that
        // pool.json refused (file system full) had unhooked the journal already, so the writes
        // after it went unjournaled while pool.json still named the journal and its base, which
        // a crash then rebuilt from without them (UnrecordedJournalVerbsTest)
        v.exclusive(() -> {
            synchronized (pool.recordLock()) { // the legs' entries and the record in one write (Pool.recordLock)
                List<Drive> legs = new ArrayList<>();
                List<DriveState> states = new ArrayList<>();
                for (String dn : rec.drives()) {
                    Drive d = pool.drives.get(dn);
                    if (d != null) {
                        legs.add(d);
                        states.add(d.state);
                        d.journal = null;
                        if (d.state != DriveState.FAILED) {
                            d.state = DriveState.SPARE;
                        }
                    }
                }
                pool.journalRecords.remove(volume);
                try {
                    pool.persist();
                } catch (IOException e) {
                    pool.journalRecords.put(volume, rec);
                    for (int i = 0; i < legs.size(); i++) {
                        legs.get(i).journal = volume;
                        legs.get(i).state = states.get(i);
                    }
                    throw e;
                }
            }
            v.setWriteLog(null);
        });
        Open o = pool.journals.remove(volume);
        if (o != null) {
            v.removeFlushHook(o.flushHook);
            o.journal.close();
        }
    }

    private PoolConfig.JournalRecord record(String volume) throws PoolException {
        PoolConfig.JournalRecord rec = pool.journalRecords.get(volume);
        if (rec == null) {
            throw new PoolException("volume " + volume + " has no journal; enable one with 'volume journal enable'");
        }
        return rec;
    }

    /** The journal's status for its rules, or null when the volume has none. */
    private Status statusOrNull(String volume) throws PoolException {
        return pool.journalRecords.containsKey(volume) ? status(volume) : null;
    }

    // ---- status -------------------------------------------------------------------------------

    /** The journal of {@code volume} as {@code journal status} shows it. */
    public Status status(String volume) throws PoolException {
        pool.volume(volume);
        PoolConfig.JournalRecord rec = record(volume);
        Open o = pool.journals.get(volume);
        WriteJournal j = o == null ? null : o.journal;
        long age = j == null ? 0 : Math.max(0, j.oldestAgeMillis() / 1000);
        long bytes = j == null ? 0 : j.liveBytes();
        // while a restore of the volume is on record no base backup starts, and no try is due: the
        // first starts within a second of its end (before, "the next is in 59 s" while it ran)
        String waits = rec.base() == null ? JournalWatch.baseWaitsFor(pool, volume) : null;
        java.time.Duration retry = rec.base() == null && waits == null ? pool.baseRetry.nextTryIn(volume, System.nanoTime())
                : null;
        boolean baseRunning = rec.base() == null && JournalWatch.busy(pool, volume);
        String next = j != null && j.unprotected() ? "never: both its drives failed; enable the journal on other drives"
                + " (disable it first)"
                : baseRunning ? "once " + NO_BASE_YET.formatted(rec.store()) + "; one is running now"
                : waits != null ? "once " + NO_BASE_YET.formatted(rec.store()) + "; it starts as soon as the " + waits
                + " has ended"
                : rec.base() == null && retry != null ? "once " + NO_BASE_YET.formatted(rec.store()) + "; the last try did"
                + " not give it one, the next is in " + BaseRetry.words(retry) + " (or run 'backup create' into the store)"
                : rec.base() == null ? "once " + NO_BASE_YET.formatted(rec.store())
                : "at " + Sizes.format(rec.maxSize()) + " (now " + Sizes.format(bytes) + ")"
                + (rec.maxAgeSeconds() > 0 ? " or when the oldest entry is " + rec.maxAgeSeconds() + " s old (now " + age + " s)" : "")
                + ", or on 'volume journal ship'";
        return new Status(volume, rec.drives(), List.of(j != null && j.legHealthy(0), j != null && j.legHealthy(1)),
                rec.store(), rec.base(), j == null ? 0 : j.entries(), bytes, j == null ? 0 : j.capacity(), age,
                rec.maxSize(), rec.maxAgeSeconds(), rec.lastShipAt(), rec.lastShipResult(), rec.ships(), rec.base() != null,
                j == null || j.unprotected(), next, retry == null || baseRunning ? null : retry.toSeconds(),
                JournalStoreCheck.problem(pool, volume, rec.store()));
    }

    /** Volumes with a journal. */
    public List<String> volumes() {
        return new ArrayList<>(pool.journalRecords.keySet());
    }

    // ---- ship ---------------------------------------------------------------------------------

    /** Ships the journal of {@code volume} into its store now; returns the job. */
    public Job ship(String volume) throws IOException, PoolException {
        synchronized (pool) {
            pool.refuseIfClosed();
            pool.volume(volume);
            Refusal.check(JournalRules.ship(PoolSnapshots.of(pool), volume, statusOrNull(volume)));
            if (pool.backupsStarting.contains(volume)) {
                // its store work runs without the pool's monitor (StoreStart): a ship recorded meanwhile would
                // change the last backup under it and have it refused; the backup becomes the journal's base
                throw new PoolException("a backup of " + volume + " is being started; the journal ships when it ends");
            }
            PoolConfig.JournalRecord rec = record(volume);
            Open o = pool.journals.get(volume);
            long from = Math.max(rec.shippedThrough(), o.journal.oldestSeq());
            long to = o.journal.nextSeq();
            DirectoryStore store = DirectoryStore.open(Path.of(rec.store()), pool.storage, false);
            JournalStoreCheck.opened(pool, volume, rec.store());
            JournalShipWork work = new JournalShipWork(pool, volume, store, rec.base(),
                    new JournalOverlay(pool.trackSize, o.journal, from, to), to);
            Job job = new Job("journal-ship-" + volume, "journal-ship", volume, 0, work.tracks(), pool.trackSize, false, 0,
                    work, p -> pool.events.publish(Event.info("JOB_PROGRESS", "journal-ship-" + volume, p.line())));
            pool.events.publish(Event.info("JOURNAL", volume, "shipping the journal of " + volume + ": " + (to - from)
                    + (to - from == 1 ? " entry" : " entries") + " over " + Sizes.count(work.tracks(), "track") + " into "
                    + store.describe()));
            pool.startJob(job);
            return job;
        }
    }

    // ---- rebuild ------------------------------------------------------------------------------

    /**
     * What a rebuild from backup would do: the chain it reads (the full image first), the entries
     * it applies, what it copies.
     */
    public record RebuildPreview(String volume, String reason, List<String> lostDrives, String store, List<String> chain,
                                 int entries, long entryBytes, long oldestEntryMillis, long tracks, long bytes) { }


    /**
     * The rebuild of {@code volume} as {@link #rebuildFromBackup} would do it now (the same checks:
     * a volume it refuses has no preview, only the reason).
     */
    public RebuildPreview previewRebuild(String volume) throws IOException, PoolException {
        return JournalRebuild.preview(pool, volume);
    }

    /**
     * Rebuilds {@code volume}, FAILED beyond its redundancy, from the journal's base image and the
     * entries not yet shipped, applied in order: it is usable at once (an instant restore) and ends
     * as of its last acknowledged write. Its lost drives get blank images. Returns the copy's job.
     */
    public Job rebuildFromBackup(String volume, List<String> replacements, long throttle) throws IOException, PoolException {
        return JournalRebuild.rebuildFromBackup(pool, volume, replacements, throttle);
    }
}
