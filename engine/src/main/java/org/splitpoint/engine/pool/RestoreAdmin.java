package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.backup.BackupException;
import org.splitpoint.engine.backup.ChainReader;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.backup.ImageWriter;
import org.splitpoint.engine.bitmap.ChangeTracker;
import org.splitpoint.engine.bitmap.DurableBitmap;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pair.InvalidTracks;
import org.splitpoint.engine.raid.RaidVolume;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * Instant restores from a backup store in the pool's life: the rules a restore must pass, its start
 * (records in pool.json, the overwrite map, a write-through image), its bulk copy's job, its end
 * (completed, cancelled, stopped on damaged tracks or waiting for its store), resuming it at open
 * and a holder's retries while its store cannot be read. The mechanism is {@link InstantRestore};
 * backups and the changed-block maps a restore resets are {@link BackupAdmin}'s.
 *
 * <p>Crash safety. A restore is on record (pool.json) before anything of it is written: its images
 * are registered as in use first, a FAILED volume's blank drives come in the same record, and the
 * overwrite map is durable before the record; at open the record and the map say which tracks are
 * still owed, and host writes made during the restore were marked in the changed-block map before
 * they reached the volume. A restore whose record cannot be written leaves memory as pool.json has
 * it (no record, the journal's base as before): the next pool.json written by anything else must not
 * record a restore its caller was told did not start. One whose start fails after its record was
 * written is undone as a cancel is, its map before its record ({@link RestoreStartUndo}), unless a
 * FAILED volume's blank drives came in with it. One whose copy's thread cannot start once it is in
 * place stays, and resumes at the next opening ({@link #copyNotStarted}); so does one resumed (at an
 * opening, which goes on with a note) whose copy cannot start ({@link #startResumed}). One whose
 * overwrite map is lost at open ends there, every track marked changed and its journal (based on the
 * image) stopped protecting before its record goes.
 */
public final class RestoreAdmin {

    private final Pool pool;

    RestoreAdmin(Pool pool) {
        this.pool = pool;
    }

    /**
     * A restore in place whose copy's thread could not start. It is not taken back: the journal's
     * entries before its new base are gone, a FAILED volume's blank drives need it, and hosts may
     * have written through it already; it serves reads (tracks not yet restored from the backup) and
     * its copy resumes at the next opening, as after a crash. Before, the Error reached the caller
     * as it was, and the job stayed listed as running, never to run (RestoreThreadStartTest).
     */
    private PoolException copyNotStarted(Job job, Throwable e) {
        return new PoolException(notStarted(pool, job, e), e);
    }

    /** Takes the job that never runs off the list and says why, critically; returns the sentence. */
    static String notStarted(Pool pool, Job job, Throwable e) {
        pool.jobs.remove(job);
        InstantRestore r = pool.restores.get(job.target());
        if (r != null) {
            r.copyStopped("its copy could not start: " + e.getMessage() + "; it resumes when the pool is next opened");
        }
        String why = "the restore of " + job.target() + " is in place (reads of tracks not restored yet come"
                + " from the backup), but its background copy could not start (" + e.getMessage() + "): it resumes when"
                + " the pool is next opened";
        pool.events.publish(Event.critical("RESTORE", job.target(), why)); // as a copy that fails says it (restoreJob)
        return why;
    }

    /**
     * Starts a restore's copy that resumes (at open, once its store reads again, or to end one that owes
     * nothing); returns null, or the sentence of {@link #copyNotStarted} when its thread cannot start: the
     * restore stays in place, the pool stays open (an opening used to fail with the Error), and the copy
     * resumes at the next opening.
     */
    private static String startResumed(Pool pool, InstantRestore r, PoolConfig.RestoreRecord rec) {
        Job job = restoreJob(pool, r, rec);
        try {
            r.copyStopped(null); // it runs again
            pool.startJob(job);
            return null;
        } catch (RuntimeException | Error e) {
            return notStarted(pool, job, e);
        }
    }

    /** The instant restore of {@code volume} under way, or null. */
    public InstantRestore restoreOf(String volume) {
        return pool.restores.get(volume);
    }

    /** Every instant restore under way. */
    public List<InstantRestore> all() {
        return new ArrayList<>(pool.restores.values());
    }

    /**
     * Restores {@code volume} from image {@code imageId} (null: the newest image of a volume of that
     * name) of the store at {@code storeDir}: the volume is usable at once (see {@link InstantRestore}),
     * a bulk copy fills it in the background. A FAILED volume gets blank images for its lost drives
     * first. Returns the bulk copy's job.
     */
    public Job restore(String volume, Path storeDir, String imageId, boolean writeThrough, long throttle)
            throws IOException, PoolException {
        return restore(volume, storeDir, imageId, writeThrough, throttle, VolumeData.MAY_BE_REPLACED);
    }

    /**
     * As {@link #restore(String, Path, String, boolean, long)}, with what the caller's administrator
     * agreed to: {@link VolumeData#ONLY_IF_FAILED} (asked nothing, the volume being FAILED) refuses,
     * nothing changed, a volume that is not FAILED when the restore takes it.
     */
    public Job restore(String volume, Path storeDir, String imageId, boolean writeThrough, long throttle,
                       VolumeData consent) throws IOException, PoolException {
        synchronized (pool) {
            pool.refuseIfClosed(); // its lock let go: another opening may hold the pool
            refuseRestoreNow(pool.volume(volume));
            refuseUnconsented(pool.volume(volume), consent); // early: before the store is read
        }
        // The store's reads (its images, the chain's manifests and indexes) and the pool's record as its
        // user, without the pool's monitor: a store that hangs (an NFS server gone) makes this command
        // wait, the administrator's own on that store, but held the monitor, and every other verb on the
        // pool waited with it. Refused again under the monitor: the pool may have changed meanwhile.
        DirectoryStore store = DirectoryStore.open(storeDir, pool.storage, false);
        String id = imageId != null ? imageId : newestImageOf(store, volume);
        ChainReader chain = ChainReader.open(store, id);
        ImageWriter wt = null;
        try {
            ImagesInUse.register(pool, store); // before the restore is on record: its images are in use from then on
            if (writeThrough) {
                synchronized (pool) { // (a restore refused leaves nothing in the store)
                    RaidVolume v = pool.volume(volume);
                    refuseRestoreNow(v);
                    refuseUnfit(v, id, chain);
                }
                // the write-through image is made in the store here too, not under the monitor: its header,
                // files and writer's lock are writes that a store that hangs never answers, and every verb
                // of the pool waited with them. Unfinished, it is never valid; one that no restore took is
                // given up below, without the monitor
                wt = store.create(writeThroughHeader(store, volume, chain.size(), id));
            }
            synchronized (pool) {
                pool.refuseIfClosed();
                RaidVolume v = pool.volume(volume);
                refuseRestoreNow(v);
                ChainReader given = chain;
                chain = null; // the restore's from here (closed by it if it does not start)
                Job job = placeRestore(v, store, id, given, wt, throttle, null, 0, 0, List.of(), consent);
                wt = null; // the restore's from here: in place, it gives it up itself
                return startCopy(job);
            }
        } finally {
            if (chain != null) {
                chain.close();
            }
            if (wt != null) { // no restore took it: nothing names it (given up without the monitor)
                try {
                    wt.abandon();
                } catch (IOException | RuntimeException e) {
                    // it stays unfinished, never valid: the next backup of the volume into the store removes it
                }
            }
        }
    }

    /** The header of a write-through image of {@code volume} ({@code size} bytes) on image {@code parent}. */
    private ImageInfo writeThroughHeader(DirectoryStore store, String volume, long size, String parent) {
        return new ImageInfo(BackupAdmin.newIdIn(store, volume, "inc"), store.uuid(), volume, size, pool.trackSize,
                java.time.Instant.now().toString(), parent, ImageInfo.Kind.INCREMENTAL, 0, 0, null, null);
    }

    /**
     * What {@link #restore} would refuse, checked now without starting anything (the volume's rules,
     * the store, the image and its chain, its size): the CLI asks for confirmation only of a restore
     * that can start. The store is read without the pool's monitor (see {@link #restore}).
     */
    public void checkRestore(String volume, Path storeDir, String imageId) throws IOException, PoolException {
        synchronized (pool) {
            refuseRestoreNow(pool.volume(volume));
        }
        DirectoryStore store = DirectoryStore.open(storeDir, pool.storage, false);
        String id = imageId != null ? imageId : newestImageOf(store, volume);
        try (ChainReader chain = ChainReader.open(store, id)) {
            synchronized (pool) {
                RaidVolume v = pool.volume(volume);
                refuseRestoreNow(v);
                refuseUnfit(v, id, chain);
            }
        }
    }

    /** An image restores only onto a volume of its size, in a pool of its track size ({@link RestoreRules#imageFits}). */
    private void refuseUnfit(RaidVolume v, String id, ChainReader image) throws BackupException {
        Refusal fits = RestoreRules.imageFits("image " + id, image.size(), image.trackSize(), PoolSnapshots.of(pool),
                v.name());
        if (fits != null) {
            throw new BackupException(fits.sentence());
        }
    }

    /**
     * The rules a restore (or a rebuild from backup) of {@code v} must pass now: the engine's
     * {@link RestoreRules#fromBackup} on the pool as it is (the app's dialogs ask the same of the
     * snapshot they show), and no journal ship of it under way. Pool monitor held.
     */
    void refuseRestoreNow(RaidVolume v) throws PoolException {
        Refusal.check(RestoreRules.fromBackup(PoolSnapshots.of(pool), pool.pairs().query(null), v.name()));
        BackupAdmin.refuseWhileShipping(pool, v.name(), "restoring it");
    }

    /**
     * Starts the instant restore of {@code v} from image {@code id} of {@code store}; with an
     * overlay (a rebuild from backup), the journal's entries [journalFrom, journalTo) go on top of
     * every track read from the image. A FAILED volume's lost drives get blank images, on the
     * {@code replacements} (spares) when named. Called holding the pool's monitor, after
     * {@link #refuseRestoreNow}.
     */
    Job startRestore(RaidVolume v, DirectoryStore store, String id, long throttle,
                     JournalOverlay overlay, long journalFrom, long journalTo, List<String> replacements)
            throws IOException, PoolException {
        // a rebuild is of a FAILED volume only (JournalRebuild checks it under the same monitor)
        return startCopy(placeRestore(v, store, id, null, null, throttle, overlay, journalFrom, journalTo, replacements,
                VolumeData.ONLY_IF_FAILED));
    }

    /**
     * Refuses a restore asked nothing ({@link VolumeData#ONLY_IF_FAILED}) of a volume that is not
     * FAILED now: what it holds is readable, and replacing it was never agreed to.
     */
    private static void refuseUnconsented(RaidVolume v, VolumeData consent) throws PoolException {
        if (consent == VolumeData.ONLY_IF_FAILED && v.state() != VolumeState.FAILED) {
            throw new PoolException(RestoreRules.notFailedAnyMore(v.name(), v.state().toString(), v.stateReason()));
        }
    }

    /** Starts the copy of a restore in place ({@link #placeRestore}); pool monitor held. */
    private Job startCopy(Job job) throws PoolException {
        try {
            pool.startJob(job); // its thread may fail to start (OutOfMemoryError: unable to create native thread)
        } catch (RuntimeException | Error e) {
            throw copyNotStarted(job, e); // (not in placeRestore's catch: that one closes the readers the restore serves from)
        }
        return job;
    }

    /**
     * {@link #startRestore} but the copy's start: the restore in place, on record, and its job (not
     * started). {@code opened}: the image's chain opened (and the pool recorded as the store's user) by
     * the caller without the pool's monitor, or null: opened here; the restore's from the call (closed
     * by it when it does not start). {@code writeThrough}: the write-through image the caller made
     * without the monitor, or null: none; the restore's once this returns, the caller's to give up
     * (without the monitor) when this throws.
     */
    private Job placeRestore(RaidVolume v, DirectoryStore store, String id, ChainReader opened, ImageWriter writeThrough,
                             long throttle, JournalOverlay overlay, long journalFrom, long journalTo,
                             List<String> replacements, VolumeData consent) throws IOException, PoolException {
        String volume = v.name();
        ChainReader onDemand = opened != null ? opened : ChainReader.open(store, id);
        ChainReader bulk = null;
        ImageWriter wt = writeThrough;
        boolean recorded = false;
        boolean onRecord = false; // pool.json written with the restore (and a FAILED volume's blank drives)
        InvalidTracks owed = null; // closed here unless the restore on record holds it, or its undo closed it
        PoolConfig.JournalRecord journalBefore = pool.journalRecords.get(volume);
        try {
            refuseUnfit(v, id, onDemand);
            if (v.state() == VolumeState.FAILED) {
                // its snapshots' tracks not saved were on the lost drives: valid, they would read the
                // blank drives and then the image as their own, and the refills saved blank bytes for
                // them (SnapshotOfALostVolumeTest); invalid on record before any drive is blank
                pool.snapshotCatalog.volumeLost(volume, "volume " + volume + " was lost beyond its redundancy ("
                        + v.stateReason() + ") with the tracks the snapshot had not saved, and is restored from image " + id);
            }
            bulk = onDemand.duplicate(); // one index load for both paths
            Path map = pool.paths.restoreMap(volume);
            pool.storage.delete(map);
            owed = new InvalidTracks(DurableBitmap.create(pool.storage, map, BackupAdmin.tracksOf(pool, v), true));
            pool.storage.syncDirectory(map.getParent());
            if (opened == null) { // (else the caller recorded it, without the pool's monitor)
                ImagesInUse.register(pool, store); // before the restore is on record: its images are in use from then on
            }
            PoolConfig.RestoreRecord record = new PoolConfig.RestoreRecord(volume, store.dir().toString(), id,
                    wt == null ? null : wt.header().id(), Math.max(0, throttle), false, BackupAdmin.tracksOf(pool, v), journalFrom,
                    journalTo);
            pool.restoreRecords.put(volume, record);
            recorded = true;
            InstantRestore r;
            // one instant for hosts, after the writes under way: a write between the journal's new
            // base and the restore in place was journaled after the base and then restored over (base
            // + journal no longer made the volume); one between the restore in place and the map's
            // take lost its mark (the next incremental missed it)
            try (Pool.HostWayHeld held = pool.holdHostWay(List.of(volume))) {
                // the volume's last look, host requests held off: it replaces what hosts can read only if agreed to
                refuseUnconsented(v, consent);
                long journalBase = overlay == null ? JournalBase.restoreStarting(pool, volume, store.uuid(), id) : -1;
                // made before anything is recorded: once a FAILED volume's blank drives are, nothing may
                // keep the restore that fills them from going on
                r = new InstantRestore(volume, pool.deviceBelowRestore(volume), pool.trackSize, onDemand, bulk,
                        null, owed, wt, listener(pool), BackupAdmin.hostWrites(pool, volume), overlay);
                if (v.state() == VolumeState.FAILED) {
                    // blank drives only with the restore on record in the same pool.json: a crash must
                    // never leave a volume that looks whole with blank drives and nothing to fill them;
                    // when that pool.json cannot be written, the drives are taken back (and the record here)
                    new PoolAdmin(pool).replaceLostDrives(v, replacements); // writes pool.json, the record in it
                    onRecord = true;
                }
                boolean blankDrives = onRecord;
                if (!blankDrives) {
                    pool.persist();
                }
                onRecord = true;
                TrackBitmap taken = null;
                try {
                    pool.restores.put(volume, r);
                    // the volume is the image restored from now on: what changed before does not count, but
                    // the journal's entries put on top of it do (recorded after the restore is, so a crash
                    // between only leaves extra marks)
                    if (!pool.changeTrackers.containsKey(volume)) {
                        startChangeMap(pool, v);
                    } else {
                        taken = BackupAdmin.takeChanges(pool, volume);
                    }
                    if (overlay != null) {
                        pool.changeTrackers.get(volume).giveBack(overlay.tracks());
                    }
                } catch (IOException | RuntimeException e) {
                    if (!blankDrives) {
                        RestoreStartUndo.undo(pool, volume, owed, taken, journalBefore, e);
                        owed = null; // closed by the undo
                        onRecord = false;
                        recorded = false;
                        throw e;
                    }
                    // a FAILED volume's blank drives need the restore: it goes on, as the next opening
                    // resumes it (a crash right after its record leaves the same). Before, it stayed in
                    // memory with its readers closed and no copy: every read of v failed until a reopen
                    changeMapNotReset(pool, volume, taken, overlay, e);
                }
                // last, nothing after it can fail: the journal's entries before its new base go for good
                if (overlay == null) { // a rebuild keeps the journal's base: its entries are the overlay
                    JournalBase.restoreStarted(pool, volume, id, journalBase);
                }
            }
            pool.events.publish(Event.info("RESTORE", volume, (overlay == null ? "instant restore of " + volume + " from image "
                    + id + " started" : "rebuild of " + volume + " started from image " + id + " plus "
                    + Sizes.count(journalTo - journalFrom, "journal entry")) + ": the volume is usable now; "
                    + Sizes.count(BackupAdmin.tracksOf(pool, v), "track") + " to copy in the background"
                    + (wt == null ? "" : "; writes go to image " + wt.header().id() + " too")));
            return restoreJob(pool, r, record);
        } catch (IOException | PoolException | RuntimeException e) {
            onDemand.close();
            if (bulk != null) {
                bulk.close();
            }
            if (recorded && !onRecord) {
                // pool.json could not be written: memory must not keep a restore the caller is told did not
                // start (the next pool.json written recorded it, and the next opening restored every track
                // over what hosts wrote meanwhile), nor the journal's base on its image
                pool.restoreRecords.remove(volume);
                JournalBase.restoreNotStarted(pool, volume, journalBefore);
                recorded = false;
            }
            if (!recorded) { // a refused restore leaves nothing behind (its overwrite map was made first)
                if (owed != null) {
                    try {
                        owed.close(); // before, its handle stayed open for the pool's life, one per attempt
                    } catch (IOException | RuntimeException closing) {
                        e.addSuppressed(closing);
                    }
                }
                try {
                    pool.storage.delete(pool.paths.restoreMap(volume));
                } catch (IOException ignored) {
                    // an unused map is replaced by the next restore's
                }
            }
            throw e;
        }
    }

    /**
     * A FAILED volume's restore went on though its changed-block map could not be reset ({@code why}):
     * the marks it gave up ({@code taken}) and the overlay's tracks go back, so the next incremental
     * backup holds more than changed, never less; said, critically when even that cannot be done.
     */
    private static void changeMapNotReset(Pool pool, String volume, TrackBitmap taken, JournalOverlay overlay,
                                          Exception why) {
        ChangeTracker cbt = pool.changeTrackers.get(volume);
        try {
            if (cbt != null && taken != null) {
                cbt.giveBack(taken);
            }
            if (cbt != null && overlay != null) {
                cbt.giveBack(overlay.tracks());
            }
        } catch (IOException | RuntimeException e) {
            pool.events.publish(Event.critical("BACKUP", volume, "the changed-block map of " + volume + " could not be"
                    + " reset for its restore (" + why.getMessage() + ") nor its marks given back (" + e.getMessage()
                    + "): take a --full backup next"));
            return;
        }
        pool.events.publish(Event.warning("BACKUP", volume, "the changed-block map of " + volume + " could not be reset"
                + " for its restore (" + why.getMessage() + "); the restore goes on, and the next incremental backup of "
                + volume + " holds more tracks than changed"));
    }

    private static void startChangeMap(Pool pool, RaidVolume v) throws IOException {
        Path map = pool.paths.changeMap(v.name());
        pool.storage.delete(map);
        ChangeTracker cbt = new ChangeTracker(DurableBitmap.create(pool.storage, map, BackupAdmin.tracksOf(pool, v), false));
        pool.storage.syncDirectory(map.getParent());
        BackupAdmin.watch(pool, v, cbt);
    }

    private static String newestImageOf(DirectoryStore store, String volume) throws IOException {
        ImageInfo newest = null;
        DirectoryStore.Contents contents = store.contents();
        for (ImageInfo i : contents.images()) {
            if (i.volume().equals(volume)) {
                newest = i;
            }
        }
        for (var d : contents.damaged().entrySet()) {
            if (BackupAdmin.isIdOf(d.getKey(), volume)) { // perhaps the newest: never restore an older one unasked
                throw new BackupException(d.getValue() + "; it may be the newest image of " + volume + ": name the image"
                        + " to restore with --at ID ('backup list " + store.describe() + "')");
            }
        }
        if (newest == null) {
            throw new BackupException("the backup store " + store.describe() + " holds no image of a volume named "
                    + volume + "; name one with --at ID ('backup list " + store.describe() + "')");
        }
        return newest.id();
    }

    /**
     * What a restore's write-behind thread killed by {@code error} costs, said for {@code what} ("instant
     * restore of v", "restore of v to snapshot s"): nothing lost, reads slower (each writes its track).
     */
    static Event writeBehindStoppedEvent(String what, String volume, Error error) {
        return Event.warning("RESTORE", volume, "the write-behind thread of the " + what + " stopped (" + error
                + "): reads of tracks not yet restored now write them to the volume themselves, and the restore goes on");
    }

    /** The id of the job of the instant restore of {@code volume} (its bulk copy). */
    public static String restoreJobId(String volume) {
        return "instant-restore-" + volume;
    }

    private static Job restoreJob(Pool pool, InstantRestore r, PoolConfig.RestoreRecord record) {
        String id = restoreJobId(r.volume());
        Job job = new Job(id, "instant-restore", r.volume(), r.currentTracks(), r.totalTracks(), pool.trackSize,
                record.paused(), record.throttle(), new SavedSettings(pool, r.volume(), r.bulkWork(), (paused, throttle) -> {
                    PoolConfig.RestoreRecord rec = pool.restoreRecords.get(r.volume());
                    if (rec != null) {
                        pool.restoreRecords.put(r.volume(), rec.with(throttle, paused));
                    }
                    return rec != null;
                }),
                p -> pool.events.publish(Event.info("JOB_PROGRESS", id, p.line())));
        // a rebuild runs as an instant restore's job: its history and notice say what it is
        return record.withJournal() ? job.titled("rebuild of " + r.volume() + " from image " + record.image()
                + " plus the journal") : job;
    }

    /** Why a copy stopped whose every track left is damaged in the backup, as status says it. */
    public static final String TRACKS_DAMAGED = "tracks damaged in the backup";

    private static InstantRestore.Listener listener(Pool pool) {
        return new InstantRestore.Listener() {
            @Override
            public void completed(InstantRestore r) throws IOException {
                restoreCompleted(pool, r);
            }

            @Override
            public void stopped(InstantRestore r, JobState state, Exception error) {
                if (state == JobState.CANCELLED) {
                    restoreCancelled(pool, r);
                } else if (error instanceof InstantRestore.TracksDamagedException) {
                    r.copyStopped(TRACKS_DAMAGED);
                    pool.events.publish(Event.critical("RESTORE", r.volume(), "the bulk copy of the restore of " + r.volume()
                            + " stopped: " + error.getMessage()));
                } else {
                    r.copyStopped("its copy failed: " + (error == null ? "no reason given" : error.getMessage())
                            + "; it resumes when the pool is next opened");
                    pool.events.publish(Event.critical("RESTORE", r.volume(), "the bulk copy of the restore of " + r.volume()
                            + " failed: " + (error == null ? "" : error.getMessage()) + "; the volume keeps serving (tracks"
                            + " not yet restored come from the backup) and the copy resumes when the pool is next opened"));
                }
            }

            @Override
            public void writeBehindStopped(InstantRestore r, Error error) {
                pool.events.publish(writeBehindStoppedEvent("instant restore of " + r.volume(), r.volume(), error));
            }

            /**
             * On a host's thread, its tracks locked: no pool monitor here (a restore's end holds it while
             * it waits for host requests). pool.json keeps naming the image until the restore ends; an
             * opening before that resumes it if it is still there and puts every track written into it.
             */
            @Override
            public void writeThroughDropped(InstantRestore r, ImageWriter image, Exception error) {
                try {
                    image.abandon(); // its lock released, what there is of it removed if the store lets it
                } catch (IOException | RuntimeException ignored) {
                    // an unfinished image left behind is listed as such
                }
                pool.events.publish(Event.warning("RESTORE", r.volume(), "the write-through image " + image.header().id()
                        + " of the restore of " + r.volume() + " is dropped: it could not be written (" + error.getMessage()
                        + "); the next incremental backup copies the writes made during the restore"));
            }
        };
    }

    /**
     * Every track is current: the restore ends. The write-through image is sealed; the volume's last
     * backup is it, or the image restored (the map holds what hosts wrote since).
     *
     * <p>Once host I/O goes straight to the volume and the image is sealed the restore has ended,
     * whatever pool.json says: when its write fails, memory is ahead of disk (the record and its
     * overwrite map, every track current, stay there), which is said, and the next opening before
     * another pool.json write resumes the restore, finds nothing owed and ends it. The job is not
     * failed for it (that said the copy resumes and left the restore's files open).
     */
    private static void restoreCompleted(Pool pool, InstantRestore r) throws IOException {
        synchronized (pool) {
            if (pool.restores.get(r.volume()) != r) {
                return; // ended already (a cancel)
            }
            RaidVolume v;
            try {
                v = pool.volume(r.volume());
            } catch (PoolException e) {
                throw new IOException(e.getMessage(), e);
            }
            String last = r.chain().target().id();
            PoolConfig.RestoreRecord rec = pool.restoreRecords.get(r.volume());
            endHostIo(pool, r); // before the seal: a request inside the restore's view puts its tracks in the image
            // and the sealed image holds no write the volume could still lose to a power cut (a flush
            // that may wait for another's, which waits for the writes under way: the journal is told)
            RaidVolume.awaitingWrites(List.of(v), () -> r.view().flush());
            v.exclusive(() -> pool.restores.remove(r.volume())); // from here writes count as changes again
            ImageWriter wt = r.writeThrough();
            ImageInfo sealed = wt == null ? null : wt.seal();
            pool.restoreRecords.remove(r.volume());
            if (rec != null) {
                pool.backupRecords.put(r.volume(), BackupAdmin.newRecord(pool, r.volume(), r.chain().target().store(),
                        rec.store(), sealed != null ? sealed.id() : last));
            } else { // where the store is is not known: the changed-block map counts from the image restored
                pool.backupRecords.remove(r.volume());
            }
            String unrecorded = null;
            try {
                pool.persist();
            } catch (IOException e) {
                unrecorded = e.getMessage();
            }
            if (unrecorded == null) { // else the map stays with the record, every track current
                try {
                    pool.storage.delete(pool.paths.restoreMap(r.volume()));
                    pool.storage.syncDirectory(pool.paths.meta());
                } catch (IOException e) {
                    // a map without a record names no restore; the next restore of the volume replaces it
                }
            }
            r.close();
            boolean rebuild = rec != null && rec.withJournal();
            pool.events.publish(Event.info("RESTORE", r.volume(), (rebuild ? "rebuild of " : "instant restore of ") + r.volume()
                    + " from image " + last + (rebuild ? " plus the journal" : "") + " finished: " + Sizes.count(r.onDemandFetches(), "track") + " fetched on demand, " + r.bulkCopied().cardinality()
                    + " copied in bulk" + (sealed == null ? "" : "; the writes made meanwhile are image " + sealed.id())
                    + "; the volume is " + v.state()));
            if (unrecorded != null) {
                pool.events.publish(Event.warning("RESTORE", r.volume(), "the end of the instant restore of " + r.volume()
                        + " could not be written to pool.json (" + unrecorded + "): it has ended, hosts write the volume"
                        + " directly, but pool.json still records it until the pool next writes it; an opening before"
                        + " that resumes it, finds no track left to restore and ends it"));
            }
            if (rec == null) {
                pool.events.publish(Event.warning("RESTORE", r.volume(), "the restore of " + r.volume() + " had no record"
                        + " in pool.json, so where its store is is unknown: take a --full backup of " + r.volume() + " next"));
            }
        }
    }

    /**
     * Ends host I/O inside the restore's view ({@link InstantRestore#endHostIo}), which waits for the
     * requests inside, under the pool's monitor: the volume's journal is told, as for any wait for
     * writes under way there ({@link RaidVolume#awaitingWrites}), for a write among them that found
     * the journal full would wait for a ship this monitor holds up (20 s, FullJournalWriteTest).
     */
    static void endHostIo(Pool pool, InstantRestore r) {
        RaidVolume v = pool.volumes.get(r.volume());
        if (v == null) {
            r.endHostIo();
        } else {
            v.awaitingWrites(r::endHostIo);
        }
    }

    /**
     * A cancelled restore: the volume keeps what it has (partly restored); said loudly. The restore's
     * start made the volume's changed-block map count from the image restored, and the journal build
     * on it; neither holds now: the tracks not restored are marked changed again (every track, when
     * the image was not the volume's last backup, on which the next incremental builds), and the
     * journal stops protecting until a backup gives it a base (a rebuild from backup keeps it).
     */
    private static void restoreCancelled(Pool pool, InstantRestore r) {
        synchronized (pool) {
            if (pool.restores.get(r.volume()) != r) {
                return; // ended already (a cancelStopped between its job's CANCELLED and this)
            }
            long owed = r.totalTracks() - r.currentTracks();
            markNotRestored(pool, r);
            PoolConfig.RestoreRecord rec = pool.restoreRecords.get(r.volume());
            if (rec == null || !rec.withJournal()) {
                // a rebuild from backup keeps its journal: base and entries still make the volume, to rebuild again
                try {
                    JournalWrites.stopProtecting(pool, r.volume(), "the restore it was based on was cancelled");
                } catch (IOException e) {
                    // not on record: the cancel goes on (its own persist below says it fails), and a
                    // write the journal leaves out meanwhile is refused until it is on record
                }
            }
            endHostIo(pool, r); // no host I/O inside the restore's view from here: its files close below
            RaidVolume v = pool.volumes.get(r.volume());
            try {
                if (v != null) {
                    v.exclusive(() -> pool.restores.remove(r.volume()));
                } else {
                    pool.restores.remove(r.volume());
                }
            } catch (IOException e) {
                pool.restores.remove(r.volume());
            }
            pool.restoreRecords.remove(r.volume());
            try {
                // the map before the record: hosts write the volume directly from here, unmarked in it, so
                // an opening that finds the record (pool.json could not be written, or a crash) must not
                // find the map and resume over those writes; without it the opening ends the restore
                pool.storage.delete(pool.paths.restoreMap(r.volume()));
                pool.storage.syncDirectory(pool.paths.meta());
            } catch (IOException e) {
                pool.events.publish(Event.warning("ERROR", r.volume(), "deleting the overwrite map of the cancelled restore"
                        + " of " + r.volume() + ": " + e.getMessage()));
            }
            try {
                pool.persist();
                if (r.writeThrough() != null) {
                    r.writeThrough().abandon();
                }
            } catch (IOException e) {
                pool.events.publish(Event.warning("ERROR", r.volume(), "cleaning up after the cancelled restore of "
                        + r.volume() + ": " + e.getMessage()));
            } finally {
                // whatever failed above, the restore lets go of its files and its write-through image's
                // lock (when the record could not be saved, the next opening ends it, its map gone)
                closeQuietly(r);
            }
            pool.events.publish(Event.critical("RESTORE", r.volume(), "the instant restore of " + r.volume()
                    + " was cancelled with " + Sizes.count(owed, "track") + " not restored: those tracks hold what the"
                    + " volume held before, some of them perhaps partly restored; restore it again to finish"));
        }
    }

    /**
     * Ends the instant restore of {@code volume} whose bulk copy is not running — it failed (tracks
     * damaged in the backup, the store gone mid-way) or never started (waiting for a store that
     * cannot be read) — as a cancel of its job ends one. Before, such a restore had no job to cancel
     * (or one already FAILED): nothing could end it, restore the volume again or delete it while a
     * holder ran. Returns the tracks left not restored. A restore whose copy is running is cancelled
     * through its job.
     */
    public long cancelStopped(String volume) throws PoolException {
        synchronized (pool) {
            InstantRestore r = pool.restores.get(volume);
            if (r == null) {
                throw new PoolException("volume " + volume + " is not being restored from a backup");
            }
            Job running = BackupAdmin.runningJob(pool, "instant-restore", volume);
            if (running != null) {
                throw new PoolException("the restore of " + volume + " is running (job " + running.id() + "); cancel that job");
            }
            long owed = r.totalTracks() - r.currentTracks();
            restoreCancelled(pool, r);
            return owed;
        }
    }

    /**
     * A restore that ends at open for its lost overwrite map: which tracks it restored is unknown, and
     * the others hold what the volume held before, while its start made the changed-block map count
     * from the image. Every track is marked changed, so the next incremental backup holds the volume
     * as it is (before, it held the image's bytes for the tracks not restored: LostRestoreMapTest).
     */
    private static void markAllChanged(Pool pool, RaidVolume v) {
        ChangeTracker cbt = pool.changeTrackers.get(v.name());
        if (cbt == null) {
            return;
        }
        TrackBitmap all = new TrackBitmap(BackupAdmin.tracksOf(pool, v));
        all.setAll();
        try {
            cbt.giveBack(all);
        } catch (IOException e) {
            String msg = "the changed tracks of " + v.name() + " could not be recorded after its restore ended ("
                    + e.getMessage() + "): take a --full backup of " + v.name() + " next";
            pool.openNotes.add(msg);
            pool.events.publish(Event.critical("BACKUP", v.name(), msg));
        }
    }

    /**
     * The journal its start based on the image stops protecting a volume whose restore ended at open for
     * its lost overwrite map: with the tracks not restored, base plus entries no longer make it (before,
     * it went on saying it protected the volume, and a rebuild from backup made the image there).
     */
    private static void stopJournalAfterLostMap(Pool pool, String volume) {
        try {
            JournalWrites.stopProtecting(pool, volume, "the restore it was based on could not go on (its overwrite map"
                    + " is lost)");
        } catch (IOException e) {
            String msg = "the journal of " + volume + " could not be taken off its base after its restore ended ("
                    + e.getMessage() + "): it does not protect " + volume + "; disable it and enable it again";
            pool.openNotes.add(msg);
            pool.events.publish(Event.critical("JOURNAL", volume, msg));
        }
    }

    /** The tracks a cancelled restore leaves unlike what the next incremental backup builds on, marked changed. */
    private static void markNotRestored(Pool pool, InstantRestore r) {
        ChangeTracker cbt = pool.changeTrackers.get(r.volume());
        if (cbt == null) {
            return;
        }
        PoolConfig.BackupRecord last = pool.backupRecords.get(r.volume());
        ChainReader chain = r.chain();
        boolean fromLast = last != null && chain != null && chain.target().id().equals(last.image());
        TrackBitmap changed = new TrackBitmap(r.totalTracks());
        if (fromLast) {
            changed.loadWords(r.owedTracks().toWords()); // restored tracks are the last backup's again
        } else {
            changed.setAll();
        }
        try {
            cbt.giveBack(changed);
        } catch (IOException e) {
            pool.events.publish(Event.critical("BACKUP", r.volume(), "the changed tracks of " + r.volume() + " could not"
                    + " be recorded after its restore was cancelled (" + e.getMessage() + "): take a --full backup next"));
        }
    }

    /**
     * At open: every restore under way resumes (its view in front of the volume, its bulk copy as a
     * job). A store that cannot be read leaves the restore waiting (reads of what is not restored fail
     * with a sentence); a lost overwrite map ends it, said critically.
     */
    static void resumeRestores(Pool pool) throws IOException {
        for (PoolConfig.RestoreRecord rec : Pool.copy(pool.restoreRecords)) {
            RaidVolume v = pool.volumes.get(rec.volume());
            if (v == null) {
                continue;
            }
            Path map = pool.paths.restoreMap(rec.volume());
            InvalidTracks owed;
            try {
                owed = new InvalidTracks(DurableBitmap.open(pool.storage, map, BackupAdmin.tracksOf(pool, v), pool.isReadOnly()));
            } catch (IOException e) {
                String msg = "the overwrite map of the instant restore of " + rec.volume() + " (meta/" + map.getFileName()
                        + ") is lost (" + e.getMessage() + "): which tracks hosts wrote since the restore began is"
                        + " unknown, so it cannot go on; the volume holds what it was restored to so far plus those"
                        + " writes: restore it again";
                pool.openNotes.add(msg);
                if (!pool.isReadOnly()) {
                    markAllChanged(pool, v); // before the record goes: a crash between finds the map lost again
                    if (!rec.withJournal()) { // (a rebuild from backup keeps its journal: base and entries still make the volume)
                        stopJournalAfterLostMap(pool, rec.volume());
                    }
                    pool.restoreRecords.remove(rec.volume());
                    Pool.persistAtOpen(pool, "the end of that restore");
                    pool.events.publish(Event.critical("RESTORE", rec.volume(), msg));
                }
                continue;
            }
            ChainReader onDemand = null;
            ChainReader bulk = null;
            ImageWriter wt = null;
            String unavailable = null;
            try {
                DirectoryStore store = DirectoryStore.open(Path.of(rec.store()), pool.storage, false);
                if (!pool.isReadOnly()) {
                    ImagesInUse.register(pool, store); // again: a pool moved, or restoring since before stores knew their users
                }
                onDemand = ChainReader.open(store, rec.image());
                bulk = onDemand.duplicate();
                if (rec.writeThrough() != null && !pool.isReadOnly()) {
                    wt = resumeWriteThrough(pool, store, rec);
                }
            } catch (IOException e) {
                unavailable = e.getMessage();
                if (onDemand != null) {
                    onDemand.close();
                    onDemand = null;
                }
                if (bulk != null) {
                    bulk.close();
                    bulk = null;
                }
            }
            org.splitpoint.engine.io.BlockDevice target;
            try {
                target = pool.deviceBelowRestore(rec.volume());
            } catch (PoolException e) {
                throw new IOException(e.getMessage(), e);
            }
            InstantRestore r = new InstantRestore(rec.volume(), target, pool.trackSize,
                    onDemand, bulk, unavailable, owed, wt, listener(pool), BackupAdmin.hostWrites(pool, rec.volume()),
                    JournalRebuild.overlayFor(pool, rec));
            r.setReadOnly(pool.isReadOnly());
            JournalAfterCrash.restoreResumed(pool, rec, owed.live(), v.size()); // before the copy starts
            pool.restores.put(rec.volume(), r);
            if (wt != null) {
                rewriteThrough(pool, v, r, wt);
            }
            String state = Sizes.count(r.totalTracks() - r.currentTracks(), "track") + " still to restore";
            if (unavailable != null) {
                String msg = "the instant restore of " + rec.volume() + " from image " + rec.image() + " waits: the backup"
                        + " store cannot be read (" + unavailable + "); " + state + " cannot be read until it can";
                pool.openNotes.add(msg);
                pool.events.publish(Event.critical("RESTORE", rec.volume(), msg));
                continue;
            }
            String notStarted = startResumed(pool, r, rec);
            if (notStarted != null) {
                pool.openNotes.add(notStarted);
                continue;
            }
            // after a crash a holder's start only said it resynced dirty tracks, not that a restore went
            // on, nor how much of it was left
            pool.noteResumed("RESTORE", rec.volume(), "instant restore of " + rec.volume() + " from image " + rec.image()
                    + " resumed: " + state, "instant restore of " + rec.volume() + " resumed: " + state);
        }
    }

    /**
     * The restore's write-through image, resumed; null when it is not unfinished in the store (sealed
     * by a completion whose record a crash lost, or gone). One that cannot be resumed (a crash
     * damaged what it had) is dropped, as one that cannot be brought up to date is: the store reads,
     * so the restore goes on (it waited, all its tracks restored, for a store it took for unreadable).
     */
    private static ImageWriter resumeWriteThrough(Pool pool, DirectoryStore store, PoolConfig.RestoreRecord rec)
            throws IOException {
        String id = rec.writeThrough();
        if (!store.unfinished().contains(id)) {
            return null;
        }
        try {
            return store.resume(id);
        } catch (IOException e) {
            dropWriteThrough(pool, rec.volume(), id, "it could not be resumed after a restart (" + e.getMessage() + ")");
            return null;
        }
    }

    /**
     * A write reaches the volume before its tracks are appended to the write-through image, so a
     * crash between the two left the image without it (the volume had it after the restart, the
     * sealed image did not: restoring that image gave a state the volume never had). At a resume,
     * every track hosts wrote since the restore began (the volume's changed-block map, marked
     * durably before each write) is put into the image again as the volume has it now, and synced.
     * If that fails the image is dropped, as when the store was away (said in an event).
     */
    private static void rewriteThrough(Pool pool, RaidVolume v, InstantRestore r, ImageWriter wt) {
        ChangeTracker cbt = pool.changeTrackers.get(v.name());
        TrackBitmap written = cbt == null ? null : cbt.changed();
        try {
            if (written == null) {
                throw new IOException("the volume has no changed-block map to tell what hosts wrote");
            }
            org.splitpoint.engine.io.BlockDevice view = r.view();
            for (long t = written.nextSetBit(0); t >= 0; t = written.nextSetBit(t + 1)) {
                long start = t * pool.trackSize;
                int len = (int) Math.min(pool.trackSize, v.size() - start);
                wt.putTrack(t, len, (within, piece, n) -> view.read(start + within, ByteBuffer.wrap(piece, 0, n)), false);
            }
            wt.sync();
        } catch (IOException e) {
            r.dropWriteThrough();
            try {
                wt.abandon(); // its handles closed; what there is of it goes below
            } catch (IOException | RuntimeException ignored) {
                // deleted below, or listed as unfinished
            }
            dropWriteThrough(pool, r.volume(), wt.header().id(), "it could not be brought up to date after a restart ("
                    + e.getMessage() + ")");
        }
    }

    /** Records that the restore of {@code volume} has no write-through image any more, and deletes what there is of it. */
    private static void dropWriteThrough(Pool pool, String volume, String id, String why) {
        PoolConfig.RestoreRecord rec = pool.restoreRecords.get(volume);
        if (rec != null) {
            pool.restoreRecords.put(volume, rec.withoutWriteThrough());
        }
        try {
            pool.persist();
            DirectoryStore store = DirectoryStore.open(Path.of(rec.store()), pool.storage, false);
            if (store.unfinished().contains(id)) {
                store.delete(id);
            }
        } catch (IOException | RuntimeException e) {
            // the record says no image now; an unfinished one left behind is listed as such
        }
        pool.events.publish(Event.warning("RESTORE", volume, "the write-through image " + id + " of the restore of "
                + volume + " is dropped: " + why + "; the next incremental backup copies the writes made during the restore"));
    }

    /** How often a restore waiting for its store tries it again (a holder's timer calls {@link #retryWaiting} more often). */
    static final long RETRY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    /**
     * Restores waiting for their store (it could not be read when the pool opened: a backup disk
     * not yet mounted) try it again, at most every {@link #RETRY_NANOS}: once it reads, reads of
     * owed tracks fetch again and the bulk copy starts. Before, the restore waited until the pool was
     * next opened, its owed tracks unreadable all that time. A write-through image is not resumed
     * then: the writes made while waiting are not in it, so it is dropped (the volume's changed-block
     * map still has them for the next incremental backup). Returns what happened, for the holder.
     */
    public static List<String> retryWaiting(Pool pool) {
        return retryWaiting(pool, RETRY_NANOS);
    }

    /** {@link #retryWaiting(Pool)}, trying a store again once {@code minNanos} passed since the last try. */
    static List<String> retryWaiting(Pool pool, long minNanos) {
        List<String> said = new ArrayList<>();
        if (pool.isReadOnly()) {
            return said;
        }
        long now = System.nanoTime();
        for (InstantRestore r : new ArrayList<>(pool.restores.values())) {
            finishIfNothingOwed(pool, r, said);
            PoolConfig.RestoreRecord rec = pool.restoreRecords.get(r.volume());
            Long last = pool.restoreRetries.get(r.volume());
            if (r.unavailable() == null || rec == null || (last != null && now - last < minNanos)) {
                continue;
            }
            pool.restoreRetries.put(r.volume(), now);
            ChainReader onDemand = null;
            ChainReader bulk = null;
            DirectoryStore store;
            try { // outside the pool's monitor: a store on a slow mount must not stop the pool
                store = DirectoryStore.open(Path.of(rec.store()), pool.storage, false);
                onDemand = ChainReader.open(store, rec.image());
                bulk = onDemand.duplicate();
            } catch (IOException e) {
                closeQuietly(onDemand);
                continue; // still waiting; the event at open said why
            }
            synchronized (pool) {
                if (pool.restores.get(r.volume()) != r || r.unavailable() == null || pool.isClosed()) {
                    closeQuietly(onDemand);
                    closeQuietly(bulk);
                    continue;
                }
                r.sourceAvailable(onDemand, bulk);
                pool.restoreRetries.remove(r.volume());
                pool.openNotes.removeIf(n -> n.startsWith("the instant restore of " + r.volume() + " from image "));
                ImagesInUse.register(pool, store);
                String dropped = "";
                if (rec.writeThrough() != null) {
                    String wt = rec.writeThrough();
                    dropWriteThrough(pool, r.volume(), wt, "the writes made while the store could not be read are not in it");
                    rec = pool.restoreRecords.get(r.volume());
                    dropped = "; its write-through image " + wt + " is dropped (the writes made while the store could"
                            + " not be read are not in it; the next incremental backup copies them)";
                }
                String notStarted = startResumed(pool, r, rec);
                if (notStarted != null) {
                    said.add(notStarted);
                    continue;
                }
                String msg = "the backup store of the instant restore of " + r.volume() + " can be read again: "
                        + (rec.paused() ? "reads of tracks not yet restored are fetched again; its bulk copy stays paused"
                        + " (resume job " + restoreJobId(r.volume()) + " to go on), " : "the restore goes on, ")
                        + Sizes.count(r.totalTracks() - r.currentTracks(), "track") + " still to restore" + dropped;
                pool.events.publish(Event.info("RESTORE", r.volume(), msg));
                said.add(msg);
            }
        }
        return said;
    }

    /**
     * A restore whose bulk copy failed (tracks damaged in the backup) while hosts then wrote every
     * track it still owed has nothing left to copy: its copy runs again, finds nothing and ends the
     * restore. Before, it stayed recorded (its backups and deletes refused) until the pool reopened.
     */
    private static void finishIfNothingOwed(Pool pool, InstantRestore r, List<String> said) {
        synchronized (pool) {
            PoolConfig.RestoreRecord rec = pool.restoreRecords.get(r.volume());
            if (pool.isClosed() || rec == null || pool.restores.get(r.volume()) != r || r.unavailable() != null
                    || r.currentTracks() < r.totalTracks() || BackupAdmin.runningJob(pool, "instant-restore", r.volume()) != null
                    || pool.jobs.stream().anyMatch(j -> j.id().equals(restoreJobId(r.volume()))
                            && j.state() == JobState.CANCELLED)) { // its cancel is ending it (the listener waits for the monitor)
                return;
            }
            String notStarted = startResumed(pool, r, rec);
            said.add(notStarted != null ? notStarted : "the restore of " + r.volume() + " has no track left to copy: it ends");
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception e) {
            // nothing more to do with it
        }
    }
}
