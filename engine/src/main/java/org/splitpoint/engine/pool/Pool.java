package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.EventBus;
import org.splitpoint.engine.event.EventListener;
import org.splitpoint.engine.io.PoolLockHandle;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.meta.CheckedJson;
import org.splitpoint.engine.meta.CorruptMetadataException;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * An open storage pool: the drives, the volumes over them, the background jobs, the events.
 *
 * <p>Design. {@code pool.json} is the one durable statement of configuration and policy state
 * (drive states, volumes, persisted jobs); it is rewritten atomically by {@link #persist()} after
 * every decision. The data path lives in {@link RaidVolume}s; this class decides (policy) and the
 * volumes carry out (mechanism). Opening takes the pool's lock, then recovers: stripe journals are
 * replayed, dirty write-intent tracks resynced, persisted jobs resumed. A read-only open
 * ({@link PoolOptions#READ_ONLY}) takes no lock, recovers nothing and changes no file: it says what
 * a writable open would do instead. Once a close (or an abandon) let the lock go, another opening
 * may hold the pool: this object then writes pool.json no more ({@link #persist()} refuses), and
 * the verbs refuse as the pool is closed. When pool.json was replaced but its directory could not
 * be synced, the opening halts as a crash there would have ({@link #halt}).
 *
 * <p>Lock order, outermost first. (1) the pool's monitor: administrative verbs and the rules they
 * check; (2) a pair's gate, then its track locks; (3) a volume's flush lock, its gate, its row
 * locks; (4) {@code journalLock} (a journal's record), then the monitors of journals and bitmaps
 * (a journal's leg failing under its monitor does not take journalLock); (5) {@code persistLock}, innermost: it guards
 * the writing of pool.json and is taken with nothing acquired after it, so any thread may record a
 * decision (a job finishing, a member failing on an I/O thread) whatever it holds; a decision that
 * changes several records that must agree (a volume's record and its drives' entries, a journal's
 * and its legs') changes them, writes pool.json and takes them back on failure under it
 * ({@link #recordLock()}), so that no other thread's write puts half of it on disk. A job's own
 * monitor guards only its fields; nothing is called out while it is held. A member's monitor is
 * taken last on the data path: a repair, a rebuild's or a pair's copy, a return's checkpoint, a
 * flush's heal, a parity write and a host's read of a volume not whole (RaidVolume.readsDerivedRows)
 * wait on it, holding their (2) and (3), for the forces of its image under way
 * (Member.settledLosses); such a force is an fsync that holds and takes no lock.
 *
 * <p>Administrative operations (fail, replace, add, create volume) are in {@link PoolAdmin}.
 */
public final class Pool implements AutoCloseable {

    final PoolPaths paths;
    /** The pool's files: a {@link HaltingStorage}, stopped by {@link #halt}. */
    final StorageFactory storage;
    private final HaltingStorage halting;
    final EventBus events;
    // Synchronized maps: snapshot() copies them under their own short lock, never the pool's
    // monitor, which persist() holds across an fsync.
    final Map<String, Drive> drives = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, RaidVolume> volumes = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, PoolConfig.VolumeRecord> volumeRecords = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    final List<Job> jobs = new CopyOnWriteArrayList<>();
    final Map<String, PoolConfig.JobRecord> jobRecords = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, PoolConfig.PairRecord> pairRecords = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    /** Innermost: writing pool.json, and a decision's records changed together (see the lock order above). */
    private final Object persistLock = new Object();
    /**
     * The pool's lock was let go (the end of a close or an abandon): another opening may hold the
     * pool now, so this object writes pool.json no more. Guarded by persistLock, so no write is
     * under way as the lock goes.
     */
    private boolean lockReleased;
    /** Run around every split, establish and restore (see {@link PairAdmin#guard}). */
    volatile org.splitpoint.engine.pair.PairChangeGuard pairGuard = org.splitpoint.engine.pair.PairChangeGuard.NONE;
    volatile org.splitpoint.engine.snapshot.SnapshotChangeGuard snapshotGuard =
            org.splitpoint.engine.snapshot.SnapshotChangeGuard.NONE;
    final Map<String, org.splitpoint.engine.pair.Pair> pairs =
            java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, PoolConfig.BackupRecord> backupRecords = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, PoolConfig.RestoreRecord> restoreRecords = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    /** Instant restores under way, by volume (their views are what hosts see). */
    final Map<String, org.splitpoint.engine.restore.InstantRestore> restores = new java.util.concurrent.ConcurrentHashMap<>();
    /** When a restore waiting for its store last tried it (System.nanoTime), by volume: {@link BackupAdmin#retryWaiting}. */
    final Map<String, Long> restoreRetries = new java.util.concurrent.ConcurrentHashMap<>();
    final Map<String, PoolConfig.JournalRecord> journalRecords = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    /** Journals whose backup store was found damaged at open, by volume ({@link JournalStoreCheck}). */
    final Map<String, JournalStoreCheck.Warning> journalStoreWarnings = new java.util.concurrent.ConcurrentHashMap<>();
    /** Open staged backup journals, by volume. */
    final Map<String, JournalAdmin.Open> journals = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * Guards a journal's record against a ship and a backup completing at once: taken before a
     * journal's monitor (a backup's completion retires entries under it), never under one, and
     * before persistLock.
     */
    final Object journalLock = new Object();
    volatile Thread journalWatch;
    /** The journal's threads of the moment (a rebase, a ship for room): the close waits for them (JournalWrites.inBackground). */
    final java.util.Set<Thread> journalThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The opening has ended (restores resumed, the crash's tracks journaled again): base backups may start. */
    volatile boolean opened;
    /** When the journal watch next tries a journal's base backup ({@link JournalWatch}). */
    final BaseRetry baseRetry = new BaseRetry();
    /** Service windows (a drive OFFLINE on purpose), by volume: the durable records and the open windows. */
    final Map<String, PoolConfig.ServiceRecord> serviceRecords = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, ServiceWindow> windows = new java.util.concurrent.ConcurrentHashMap<>();
    /** The drills running in this process, by volume: {@link Drill#endNow} finds one here. */
    final Map<String, Drill> drills = new java.util.concurrent.ConcurrentHashMap<>();
    /** The last return of each drive from a service window in this opening. */
    final Map<String, ServiceAdmin.Return> serviceReturns = new java.util.concurrent.ConcurrentHashMap<>();
    /** Tracks a second failure in a service window lost, by volume. */
    final Map<String, PoolConfig.LostRecord> lostRecords = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    /**
     * The volumes whose backup is being started: its store work (open, clean-up, the image's
     * creation) runs without the pool's monitor, under which a start adds its volume
     * ({@link BackupAdmin#backup}); read anywhere (the journal watch counts a start as a backup).
     */
    final java.util.Set<String> backupsStarting = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Changed-block maps of the volumes that have been backed up, by volume. */
    final Map<String, org.splitpoint.engine.bitmap.ChangeTracker> changeTrackers = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * The volumes whose changed-block map missed a host's write since a backup last took it (why), on
     * record in their backup record before any write goes on unmarked: {@link BackupAdmin#markHostWrite}.
     */
    final Map<String, String> changeMapsLost = new java.util.concurrent.ConcurrentHashMap<>();
    /** Snapshots: records, save area, copy on write, restores to a snapshot. */
    final SnapshotCatalog snapshotCatalog;
    private final Map<String, HostView> hostViews = new java.util.concurrent.ConcurrentHashMap<>();
    final PoolOptions options;
    private final PoolLockHandle lock;
    private final String uuid;
    final int trackSize;
    final long driveSize;
    int nextDrive;
    final List<String> openNotes = new CopyOnWriteArrayList<>();
    /** A read-only open found an unclean shutdown's recovery to do (journaled stripe updates, dirty tracks). */
    volatile boolean recoveryPending;
    /**
     * A read-only open of a pool another process holds: its dirty tracks and journaled stripe updates
     * are that process's writes in flight, not an unclean shutdown's (it did any recovery at its own open).
     */
    boolean heldElsewhere;
    private volatile boolean closed;
    /** Jobs run on their own threads: from open (the default), or once {@link #startJobs()} was called. */
    private volatile boolean jobsRunning;
    private final VolumeProblems volumeProblems;
    private final JobHistory jobHistory;

    private Pool(PoolPaths paths, StorageFactory storage, PoolLockHandle lock, PoolConfig config, EventBus events,
                 PoolOptions options) {
        this.paths = paths;
        this.options = options;
        this.jobsRunning = options.runJobs();
        this.halting = new HaltingStorage(storage);
        this.storage = halting;
        this.lock = lock;
        this.events = events;
        this.volumeProblems = new VolumeProblems(this);
        this.jobHistory = new JobHistory(this);
        this.uuid = config.uuid();
        this.trackSize = config.trackSize();
        this.driveSize = config.driveSize();
        this.nextDrive = config.nextDrive();
        for (PoolConfig.DriveRecord d : config.drives()) {
            drives.put(d.name(), new Drive(d));
        }
        for (PoolConfig.VolumeRecord v : config.volumes()) {
            volumeRecords.put(v.name(), v);
        }
        for (PoolConfig.JobRecord j : config.jobs()) {
            jobRecords.put(j.id(), j);
        }
        for (PoolConfig.PairRecord p : config.pairs()) {
            pairRecords.put(p.name(), p);
        }
        for (PoolConfig.BackupRecord b : config.backups()) {
            backupRecords.put(b.volume(), b);
        }
        for (PoolConfig.RestoreRecord r : config.restores()) {
            restoreRecords.put(r.volume(), r);
        }
        for (PoolConfig.JournalRecord j : config.journals()) {
            journalRecords.put(j.volume(), j);
        }
        for (PoolConfig.ServiceRecord s : config.services()) {
            serviceRecords.put(s.volume(), s);
        }
        for (PoolConfig.LostRecord l : config.lost()) {
            lostRecords.put(l.volume(), l);
        }
        this.snapshotCatalog = new SnapshotCatalog(this, config.snapshots());
    }

    // ---- create and open ------------------------------------------------------------------

    /** Creates a pool of {@code count} blank drives in {@code dir} (absent or empty). */
    public static void create(Path dir, int count, long driveSize, int trackSize, StorageFactory storage)
            throws IOException, PoolException {
        PoolFiles.create(dir, count, driveSize, trackSize, storage);
    }

    /**
     * Why no pool can be created in {@code dir}, in the sentence {@link #create} refuses with, or
     * null when it can: the app's New pool dialog says it before the click.
     */
    public static String whyNotCreateIn(Path dir) throws IOException {
        return PoolFiles.whyNotIn(dir);
    }

    /** Opens the pool in {@code dir} with real files. */
    public static Pool open(Path dir) throws IOException, PoolException {
        return open(dir, StorageFactory.real());
    }

    /** Opens the pool in {@code dir}: lock, read, check images, recover, resume jobs. */
    public static Pool open(Path dir, StorageFactory storage) throws IOException, PoolException {
        return open(dir, storage, PoolOptions.DEFAULT);
    }

    /**
     * The pool's lock, its holder named in the lock file; on a file system with no byte free, the
     * lock without the name (an empty text needs no block): the lock is the kernel's, the name only
     * a hint, and refusing the open made a full pool impossible to open for the very commands that
     * free space in it (deleting a snapshot or a volume).
     */
    private static PoolLockHandle lockForWriting(StorageFactory storage, Path lockFile) throws IOException {
        try {
            return storage.tryLock(lockFile, PoolLockHandle.thisProcess());
        } catch (org.splitpoint.engine.io.NoSpaceException full) {
            return storage.tryLock(lockFile, "");
        }
    }

    /** As {@link #open(Path, StorageFactory)}, with options (e.g. jobs not started, for stepping). */
    public static Pool open(Path dir, StorageFactory storage, PoolOptions options) throws IOException, PoolException {
        PoolPaths paths = new PoolPaths(dir);
        if (Files.isRegularFile(dir)) {
            // before: "is not a Splitpoint pool (no pool.json); create one with 'pool create'", which
            // 'pool create' then refused ("exists and is not a directory"); pool.json itself given
            // is the likeliest slip, and its directory the pool meant
            boolean config = dir.getFileName() != null && dir.getFileName().toString().equals("pool.json")
                    && dir.toAbsolutePath().getParent() != null;
            throw new PoolException(dir + " is a file, not a pool's directory"
                    + (config ? "; give the directory that holds it, " + dir.toAbsolutePath().getParent() : ""));
        }
        if (!Files.isRegularFile(paths.config())) {
            if (Files.isDirectory(paths.drives())) { // not 'create one': create refuses a directory that is not empty
                throw new PoolException(dir + " is not a Splitpoint pool: it" + PoolFiles.cutShort() + "; "
                        + PoolFiles.cutShortAdvice(dir));
            }
            throw new PoolException(dir + " is not a Splitpoint pool (no pool.json); create one with 'pool create'");
        }
        PoolLockHandle lock;
        String heldBy = null;
        if (options.readOnly()) {
            lock = () -> { };
            heldBy = storage.lockHolder(paths.lock());
        } else {
            lock = lockForWriting(storage, paths.lock());
            if (lock == null) {
                String who = storage.lockHolder(paths.lock());
                throw new PoolException("pool " + dir + " is already open in another process"
                        + (who == null || who.isEmpty() ? "" : " (" + who + ")") + "; close it there first");
            }
        }
        Pool pool = null;
        try {
            PoolConfig config = CheckedJson.read(storage, paths.config(), PoolConfig.MAGIC, PoolConfig.VERSION,
                    PoolConfig.class);
            Validation.config(config);
            boolean haveMeta = Files.isDirectory(paths.meta());
            EventBus events = new EventBus(storage, haveMeta && !options.readOnly() ? paths.events() : null);
            pool = new Pool(paths, storage, lock, config, events, options);
            if (heldBy != null) {
                pool.heldElsewhere = true;
                pool.openNotes.add("pool " + dir + " is open in another process (" + heldBy
                        + "); this shows its last saved state");
            }
            MetaFiles.checkMetaDirectory(pool, haveMeta);
            PoolRecovery.openDrivesAndVolumes(pool);
            ServiceReopen.openWindows(pool);
            PairAdmin.openPairs(pool);
            BackupAdmin.openBackups(pool);
            JournalLife.openJournals(pool);
            JournalStoreCheck.atOpen(pool);
            pool.snapshotCatalog.open();
            PoolRecovery.resumeJobs(pool);
            PairAdmin.resumeCopies(pool);
            RestoreAdmin.resumeRestores(pool);
            SnapshotAdmin.resumeRestores(pool);
            JournalAfterCrash.rejournalAfterCrash(pool);
            PoolRecovery.endCrashRecovery(pool); // what the steps above derived from the dirty tracks is durable
            pool.opened = true;
            // last: the watch ships and starts base backups, never before the opening resumed the
            // restores (a backup taken then held the tracks a restore still owed, unrestored)
            if (!pool.journalRecords.isEmpty() && !pool.isReadOnly()) {
                JournalWatch.start(pool);
            }
            return pool;
        } catch (CorruptMetadataException e) {
            closeAfterFailedOpen(pool, lock);
            throw new PoolException("cannot open pool " + dir + ": " + e.getMessage(), e);
        } catch (IOException | PoolException | RuntimeException e) {
            closeAfterFailedOpen(pool, lock);
            throw e;
        }
    }

    private static void closeAfterFailedOpen(Pool pool, PoolLockHandle lock) {
        if (pool != null) {
            pool.abandon();
        } else {
            try {
                lock.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    PoolConfig.JobRecord rebuildJobOf(String drive) {
        for (PoolConfig.JobRecord j : copy(jobRecords)) {
            if ("rebuild".equals(j.kind()) && drive.equals(j.drive())) {
                return j;
            }
        }
        return null;
    }

    /** Refuses work once the pool is closing (checked under this monitor, which close() takes to say so). */
    void refuseIfClosed() throws PoolException {
        if (closed) {
            throw new PoolException("the pool at " + dir() + " is closed");
        }
    }

    void startJob(Job job) {
        // keep the jobs list to what is running plus the few last finished ones
        List<Job> finished = jobs.stream().filter(j -> j.state().isFinished()).toList();
        for (int i = 0; i < finished.size() - 4; i++) {
            jobs.remove(finished.get(i));
        }
        jobs.removeIf(j -> j.state().isFinished() && j.id().equals(job.id()));
        jobHistory.follow(job);
        jobs.add(job);
        if (jobsRunning) {
            job.start();
        }
    }

    /**
     * True once jobs run in this process (see {@link #startJobs}).
     */
    boolean jobsRunning() {
        return jobsRunning;
    }

    /**
     * Starts the threads of jobs that were created without running (a pool opened with
     * {@code runJobs=false}, as a short CLI command opens it), and of every job created from now on;
     * returns a sentence for each job whose thread could not start (none: all did).
     */
    public List<String> startJobs() {
        jobsRunning = true;
        List<String> notStarted = new ArrayList<>();
        for (Job j : jobs) {
            if (!j.state().isFinished()) {
                try {
                    j.start();
                } catch (RuntimeException | Error e) {
                    notStarted.add(notStarted(j, e));
                }
            }
        }
        return notStarted;
    }

    /**
     * A job whose thread could not start at {@link #startJobs} or at an opening's resume (OutOfMemoryError:
     * unable to create native thread): it ends FAILED saying so, critically, and its record stays for the
     * next opening to resume it. Before, the Error left startJobs at that job, the jobs after it never
     * started, and it stayed RUNNING with no thread, waited for by 'wait' for ever (StartJobsThreadTest).
     */
    String notStarted(Job j, Throwable e) {
        String why = j.kind() + " of " + j.target() + " could not start (" + e.getMessage() + "): it resumes when the"
                + " pool is next opened";
        if ("instant-restore".equals(j.kind()) && restores.containsKey(j.target())) {
            why = RestoreAdmin.notStarted(this, j, e); // the restore serves reads meanwhile; its view says so
        } else {
            events.publish(Event.critical("JOB_FINISHED", j.target(), why));
        }
        j.couldNotStart(why);
        return why;
    }

    /**
     * Starts {@code job}, which an opening resumes; when its thread cannot start (OutOfMemoryError:
     * unable to create native thread) the open goes on with a note ({@link #notStarted}) and the job's
     * record stays for the next opening. Returns false then. Before, only a rebuild's start was caught:
     * a pair's copy (or a restore to a snapshot) resumed at open threw the Error out of the open, past
     * its catch, with the pool's lock and files held (StartJobsThreadTest).
     */
    boolean startResumed(Job job) {
        String notStarted = startOnRecord(job);
        if (notStarted != null) {
            openNotes.add(notStarted);
        }
        return notStarted == null;
    }

    /**
     * Starts {@code job}, whose record in pool.json lets an opening resume it; when its thread cannot
     * start, it ends FAILED saying so ({@link #notStarted}), whose sentence this returns (null when it
     * started). For a job that changed state before its start (a drive's return from its service
     * window), so that the change stands as pool.json has it rather than an Error leaving the job
     * unstarted and not ended.
     */
    String startOnRecord(Job job) {
        try {
            startJob(job);
            return null;
        } catch (RuntimeException | Error e) {
            return notStarted(job, e);
        }
    }

    /**
     * Writes pool.json for a decision an opening made ({@code what}, e.g. "the end of that
     * restore"); when it cannot (its file system full) the open goes on, memory ahead of disk, with
     * a note saying so: a full file system must not keep a pool from opening, where space is freed
     * (FullFileSystemOpenTest), and the next opening finds the same and decides the same again.
     * Returns the error's message, or null when written.
     */
    static String persistAtOpen(Pool pool, String what) {
        try {
            pool.persist();
            return null;
        } catch (IOException e) {
            pool.openNotes.add(what + " cannot be written to pool.json now (" + e.getMessage() + "); the next opening"
                    + " finds it again and does the same");
            return e.getMessage();
        }
    }

    /**
     * Records durably that volume {@code v}'s writes go on without member {@code m} (it failed, or
     * was missing or the wrong size at open); called on the I/O thread, which waits for it (see
     * {@link org.splitpoint.engine.raid.MemberFailureListener}). Throws when pool.json cannot be written.
     */
    void recordAbsence(RaidVolume v, Member m, String why) throws IOException {
        Drive d = drives.get(m.drive());
        boolean first = d != null && !d.stale;
        if (d != null) {
            d.stale = true;
            if (m.state() == DriveState.MISSING && d.problem != null && !d.problem.contains("written without it")) {
                // (it is MISSING, not FAILED, while away: its data is stale, so putting it back is not enough)
                d.problem = d.problem + "; volume " + v.name() + " was written without it, so its data is stale:"
                        + " replace it ('drive replace') rather than put it back";
            }
        }
        persist();
        if (first && windows.containsKey(v.name())) {
            LostTracks.secondFailure(this, v, m);
        }
        if (first) {
            DriveState shown = m.state() == DriveState.MISSING ? DriveState.FAILED : m.state();
            events.publish(Event.critical("DRIVE_STATE", m.drive(), "drive " + m.drive() + " " + shown + ": " + why));
            events.publish(lostMemberEvent(v));
        }
    }

    /**
     * The volume's state after it lost a member: a warning while it still serves (DEGRADED), critical once
     * its data is unavailable (FAILED), which is worse than the drive's own failure that caused it.
     */
    static Event lostMemberEvent(RaidVolume v) {
        String m = "volume " + v.name() + " is " + v.state() + ": " + v.stateReason();
        return v.state() == VolumeState.FAILED ? Event.critical("VOLUME_STATE", v.name(), m)
                : Event.warning("VOLUME_STATE", v.name(), m);
    }

    // ---- state ------------------------------------------------------------------------------

    /**
     * The lock a pool.json write reads the live state under. A decision whose records must agree
     * with each other (Validation.config refuses a pool.json where they do not) changes them, calls
     * {@link #persist()} and, when that fails, takes them back, all while holding it: before, a
     * write by another thread (a member failing on a host's I/O thread, a pair's copy ending)
     * between two of those changes put a pool.json on disk that the next open refused, e.g. a
     * volume naming drives whose entries said they were in no volume, and a power cut before the
     * decision's own write left a pool that no longer opened (HalfMadeDecisionCutTest). Nothing
     * but the records' maps may be taken under it, and no I/O done but the write of pool.json.
     */
    Object recordLock() {
        return persistLock;
    }

    /**
     * Writes pool.json from the live state (atomically). Safe from any thread holding anything: it
     * takes only the innermost lock, and reads the state under it, so the last write is the newest.
     */
    void persist() throws IOException {
        if (options.readOnly()) {
            throw new IOException("pool " + paths.dir() + " is open read-only; nothing may change it");
        }
        synchronized (persistLock) {
            if (lockReleased) {
                throw new IOException("the pool at " + paths.dir() + " is closed; nothing may change it through this"
                        + " opening (another may hold the pool now)");
            }
            refuseIfHalted();
            List<PoolConfig.DriveRecord> dr = new ArrayList<>();
            for (Drive d : copy(drives)) {
                dr.add(d.toRecord());
            }
            List<PoolConfig.PairRecord> pr = new ArrayList<>();
            for (PoolConfig.PairRecord r : copy(pairRecords)) {
                org.splitpoint.engine.pair.Pair p = pairs.get(r.name());
                pr.add(p == null ? r : new PoolConfig.PairRecord(r.name(), r.std(), r.bcv(), p.recordedState(), p.isProtected(),
                        r.throttle(), r.paused(), r.jobTotal(), p.onDemandReads(), r.splitAt(), p.copyCancelled()));
            }
            PoolConfig config = new PoolConfig(uuid, trackSize, driveSize, nextDrive, dr,
                    copy(volumeRecords), copy(jobRecords), pr, copy(backupRecords), copy(restoreRecords),
                    copy(journalRecords), copy(serviceRecords), copy(lostRecords), snapshotCatalog.config());
            // (tests run with assertions on: every pool.json a test's engine writes is one the open accepts)
            assert Validation.refusal(config) == null : "pool.json written that the next open refuses: "
                    + Validation.refusal(config);
            try {
                CheckedJson.write(storage, paths.config(), PoolConfig.MAGIC, PoolConfig.VERSION, config);
            } catch (org.splitpoint.engine.meta.UnsyncedReplaceException e) {
                throw halt(e);
            }
            for (PoolConfig.PairRecord r : pr) {
                // the counter as it is on disk now (the other fields may have changed meanwhile)
                pairRecords.computeIfPresent(r.name(), (k, old) -> old.withOnDemandReads(r.onDemandReads()));
            }
        }
    }

    /**
     * pool.json was replaced but its directory could not be synced ({@code e}): the new content shows,
     * yet a power cut may bring the old one back, and the callers, told the write failed, take their
     * decision back in memory. So this opening does from now on only what a crash at this instant
     * would have left: it changes no file ({@link HaltingStorage}), takes no host write or flush
     * ({@link HostView}), writes pool.json no more, and its close lets go as after a crash
     * ({@link #abandon}); the next opening decides from what the disk holds then, as after any crash
     * (retrying the sync instead was not trusted: after a failed fsync a later one may succeed without
     * what the failure dropped). Returns the error the caller throws.
     */
    private IOException halt(org.splitpoint.engine.meta.UnsyncedReplaceException e) {
        String why = e.getMessage() + ": whether its last change survives a power cut is unknown, so pool "
                + paths.dir() + " changes nothing more and takes no more writes; close it and open it again";
        halting.halt(why);
        events.publish(Event.critical("ERROR", "pool.json", why));
        return new IOException(why, e);
    }

    /** Refuses with the reason when the pool was halted ({@link #halt}): hosts' writes and flushes, pool.json. */
    void refuseIfHalted() throws IOException {
        String why = halting.halted();
        if (why != null) {
            throw new IOException(why);
        }
    }

    /** True when a pair's on-demand read counter moved since pool.json was last written. */
    private boolean countersChanged() {
        for (org.splitpoint.engine.pair.Pair p : pairList()) {
            PoolConfig.PairRecord r = pairRecords.get(p.name());
            if (r != null && r.onDemandReads() != p.onDemandReads()) {
                return true;
            }
        }
        return false;
    }

    /** The values of a synchronized map, copied under its lock. */
    static <V> List<V> copy(Map<String, V> map) {
        synchronized (map) {
            return new ArrayList<>(map.values());
        }
    }

    /** The drive named {@code name}; refused, naming the pool's drives, when there is none. */
    Drive driveNamed(String name) throws PoolException {
        Drive d = drives.get(name);
        if (d == null) {
            List<String> names;
            synchronized (drives) {
                names = new ArrayList<>(drives.keySet());
            }
            throw new PoolException(noSuchDrive(name, names));
        }
        return d;
    }

    /** "no drive named 'd9' in this pool (drives: d1, d2, …)": every refusal of an unknown drive says it so. */
    static String noSuchDrive(String name, List<String> names) {
        return "no drive named '" + name + "' in this pool (drives: " + String.join(", ", names) + ")";
    }

    /** True when opened read-only ({@link PoolOptions#READ_ONLY}): nothing is written. */
    public boolean isReadOnly() {
        return options.readOnly();
    }

    /**
     * True when this read-only open found a recovery a writable open would do first (an unclean
     * shutdown's journaled stripe updates or dirty tracks): reads of those tracks may return bytes
     * the recovery would change (a torn stripe's), so a reader that must be right refuses.
     */
    public boolean recoveryPending() {
        return recoveryPending;
    }

    public Path dir() {
        return paths.dir();
    }

    public int trackSize() {
        return trackSize;
    }

    /** The size a drive added without one gets ({@link PoolAdmin#addDrive} with 0): the size the pool was created with. */
    public long driveSize() {
        return driveSize;
    }

    public EventBus events() {
        return events;
    }

    /** The jobs that ended, kept across openings. */
    public JobHistory jobHistory() {
        return jobHistory;
    }

    /** The volumes' data problems (verify mismatches, lost writes) standing until repaired. */
    public VolumeProblems volumeProblems() {
        return volumeProblems;
    }

    public void addListener(EventListener l) {
        events.addListener(l);
    }

    /** Administrative operations: drives, volumes, verify, jobs. */
    public PoolAdmin admin() {
        return new PoolAdmin(this);
    }

    /** Backups of volumes to a store. */
    public BackupAdmin backups() {
        return new BackupAdmin(this);
    }

    /** Instant restores of volumes from a backup store. */
    public RestoreAdmin instantRestores() {
        return new RestoreAdmin(this);
    }

    /** Staged backup journals: enable, disable, ship, status, rebuild from backup. */
    public JournalAdmin journals() {
        return new JournalAdmin(this);
    }

    /** Drive service windows: offline, online, and what a second failure costs. */
    public ServiceAdmin service() {
        return new ServiceAdmin(this);
    }

    /** Point-in-time snapshots: save area, create, list, delete, read, restore. */
    public SnapshotAdmin snapshots() {
        return new SnapshotAdmin(this);
    }

    /** BCV pair operations: create, establish, split, restore, query. */
    public PairAdmin pairs() {
        return new PairAdmin(this);
    }

    /**
     * The volume called {@code name} as hosts see it: through an instant restore while one runs,
     * else through its pair when it is a pair's STD or BCV (so pair tracking, mirroring and on-demand
     * restore apply), else the volume itself. The same object for the pool's life (see {@link HostView}).
     * A name {@code volume@snapshot} is that snapshot, read-only.
     */
    public org.splitpoint.engine.io.BlockDevice device(String name) throws PoolException {
        if (name.indexOf('@') > 0) {
            return snapshots().reader(name); // "volume@snapshot": read-only
        }
        RaidVolume v = volume(name);
        return hostViews.computeIfAbsent(name, n -> new HostView(this, n, v.size()));
    }

    /** Volume {@code name} was deleted: a host view still held by a client finds no volume from now on. */
    void forgetDevice(String name) {
        HostView h = hostViews.remove(name);
        if (h != null) {
            h.forget();
        }
    }

    /** NBD servers serving this pool in this process, each as its clients now (see {@link PoolExports}). */
    private final List<java.util.function.Supplier<List<org.splitpoint.engine.nbd.ClientStats>>> servers =
            new CopyOnWriteArrayList<>();

    /** Records that {@code clients} (an NBD server's) use this pool's exports, until {@link #notServedBy}. */
    void servedBy(java.util.function.Supplier<List<org.splitpoint.engine.nbd.ClientStats>> clients) {
        servers.add(clients);
    }

    void notServedBy(java.util.function.Supplier<List<org.splitpoint.engine.nbd.ClientStats>> clients) {
        servers.remove(clients);
    }

    /** The NBD clients connected to volume {@code name} or one of its snapshots, as "remote (export)". */
    List<String> clientsOf(String name) {
        List<String> out = new ArrayList<>();
        for (var s : servers) {
            for (org.splitpoint.engine.nbd.ClientStats c : s.get()) {
                if (c.export() != null && (c.export().equals(name) || c.export().startsWith(name + "@"))) {
                    out.add(c.remote() + (c.export().equals(name) ? "" : " (" + c.export() + ")"));
                }
            }
        }
        return out;
    }

    /** A pair was created: the host views of its volumes go through it from now on. */
    void pairsChanged() {
        hostViews.values().forEach(HostView::forget);
    }

    /**
     * Makes {@code change} to the way hosts' requests to {@code volumes} go (a restore beginning, a
     * pair made or deleted) once the requests under way on the old way ended (see {@link HostView}).
     * The views are taken in name order.
     */
    void changeHostWay(List<String> volumes, org.splitpoint.engine.raid.RaidVolume.IoAction change) throws IOException {
        try (HostWayHeld held = holdHostWay(volumes)) {
            change.run();
        }
    }

    /** Host requests to some volumes held off (see {@link #holdHostWay}); closing lets them go on. */
    interface HostWayHeld extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Holds host requests to {@code volumes} off once those under way ended, until the result is
     * closed: for a change of their way made in several steps (a restore's beginning: the journal's
     * new base, the restore put in place, the changed-block map taken, at one instant for hosts).
     * The views are taken in name order.
     */
    HostWayHeld holdHostWay(List<String> volumes) {
        List<HostView> held = new ArrayList<>();
        for (String name : new java.util.TreeSet<>(volumes)) {
            RaidVolume v = this.volumes.get(name);
            if (v != null) {
                // made now if no host asked for it yet: one made during the change could find the old way
                HostView h = hostViews.computeIfAbsent(v.name(), n -> new HostView(this, n, v.size()));
                v.awaitingWrites(h::holdWay); // a write under way may wait for a journal's ship this monitor holds up
                held.add(h);
            }
        }
        return () -> {
            for (int i = held.size() - 1; i >= 0; i--) {
                held.get(i).releaseWay();
            }
        };
    }

    /** The volume as hosts see it without an instant restore: its pair side, or the volume. */
    org.splitpoint.engine.io.BlockDevice deviceBelowRestore(String name) throws PoolException {
        RaidVolume v = volume(name);
        for (org.splitpoint.engine.pair.Pair p : pairList()) {
            if (p.std() == v) {
                return p.stdView();
            }
            if (p.bcv() == v) {
                return p.bcvView();
            }
        }
        return v;
    }

    /** The pairs now (a copy: pairs may be created meanwhile). */
    List<org.splitpoint.engine.pair.Pair> pairList() {
        synchronized (pairs) {
            return new ArrayList<>(pairs.values());
        }
    }

    /** The volume called {@code name} (the RAID device itself, below any pair). */
    public RaidVolume volume(String name) throws PoolException {
        RaidVolume v = volumes.get(name);
        if (v == null) {
            throw new PoolException("no volume named '" + name + "' in this pool (volumes: "
                    + (volumes.isEmpty() ? "none" : String.join(", ", volumes.keySet())) + ")");
        }
        return v;
    }

    /**
     * Sentences about problems that stand: found at open (missing or wrong-size images), or since
     * (a drive image that lost writes at a failed flush, whose volume's flushes fail until a reopen).
     */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        for (Drive d : copy(drives)) {
            if (d.problem != null && (d.state() == DriveState.MISSING || d.state() == DriveState.FAILED)) {
                out.add(d.problem);
            }
        }
        for (RaidVolume v : copy(volumes)) {
            for (org.splitpoint.engine.raid.Member m : v.members()) {
                if (m.writesLostReason() != null && m.takesWrites()) { // (one FAILED since is replaced, not healed)
                    // short: it stands in the app's status bar; the flush's own error names the file system
                    out.add("volume " + v.name() + ": drive " + m.drive() + " may have lost writes at a flush that "
                            + (m.writesLostToACutOff() ? "an interrupt cut off; flushes of " + v.name() + " fail until the"
                            + " next one writes" : "failed for want of space; flushes of " + v.name() + " fail until one,"
                            + " once space is freed, writes") + " them again from its other drives (where none holds them,"
                            + " reopen the pool)");
                }
            }
        }
        // the map's file fails on the file system holding pool.json: an administrator looks there, and
        // knows why the next incremental backup is as large as a full one (only an event said so)
        new java.util.TreeMap<>(changeMapsLost).forEach((volume, why) -> out.add(why + "; volume " + volume
                + "'s next incremental backup copies every track"));
        return out;
    }

    /**
     * A job of the pool's records (a restore, a rebuild) went on at this open: said by a holder at
     * its start ({@code note}, printed by serve) and in the event log ({@code event} of {@code type},
     * about {@code source}); said by nobody when the open runs no jobs (a short CLI command resumes
     * nothing: every such command had logged "resumed" for a job that went on waiting) or only reads.
     */
    void noteResumed(String type, String source, String note, String event) {
        if (!isReadOnly() && options.runJobs()) {
            openNotes.add(note);
            events.publish(Event.info(type, source, event));
        }
    }

    /** What recovery did at open (unclean shutdown), plus problems, as sentences. */
    public List<String> openNotes() {
        return List.copyOf(openNotes);
    }

    /** The pool's identity (pool.json). */
    public String uuid() {
        return uuid;
    }

    public List<Job> jobs() {
        return List.copyOf(jobs);
    }

    /** Jobs not finished yet. */
    public List<Job> activeJobs() {
        return jobs.stream().filter(j -> !j.state().isFinished()).toList();
    }

    public Job job(String id) throws PoolException {
        for (Job j : jobs) {
            if (j.id().equals(id)) {
                return j;
            }
        }
        throw new PoolException("no job '" + id + "' in this pool");
    }

    /** Blocks until every job is finished (or paused: a paused job waits for a person). */
    public void awaitJobs(java.util.function.Consumer<List<JobProgress>> progress) throws InterruptedException {
        while (true) {
            List<Job> active = jobs.stream().filter(j -> j.state() == org.splitpoint.engine.job.JobState.RUNNING).toList();
            if (active.isEmpty()) {
                return;
            }
            if (progress != null) {
                progress.accept(active.stream().map(Job::progress).toList());
            }
            active.get(0).await(250);
        }
    }

    public PoolSnapshot snapshot() {
        return PoolSnapshots.of(this);
    }

    // ---- close ------------------------------------------------------------------------------

    /**
     * Ends the journal's watch (first: it would start a ship or a backup), then stops every job and
     * waits up to {@code millisEach} for each one's thread (an interrupt ends the waiting).
     */
    private void stopBackgroundWork(long millisEach) {
        JournalWatch.stop(this);
        JournalWrites.awaitInBackground(this, millisEach); // a backup one starts is a job: stopped below
        for (Job j : jobs) {
            j.stop();
        }
        for (Job j : jobs) {
            try {
                j.await(millisEach);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    /** Stops jobs at a checkpoint, flushes and closes volumes cleanly, releases the lock. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (options.readOnly()) {
            abandon(); // nothing was written, nothing to flush; and nothing may be written now
            return;
        }
        String halted = halting.halted();
        if (halted != null) {
            abandon(); // as after a crash at the halt: no flush, no clean mark, nothing written
            throw new IOException(halted);
        }
        IOException first = null;
        stopBackgroundWork(30_000);
        List<org.splitpoint.engine.restore.InstantRestore> open = new ArrayList<>(restores.values());
        open.addAll(snapshotCatalog.restores.values());
        for (org.splitpoint.engine.restore.InstantRestore r : open) {
            try {
                r.flushBeforeClose();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
            try {
                r.close(); // even when its flush failed: its write-through image's writer lets go of its lock
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        for (org.splitpoint.engine.pair.Pair p : pairList()) {
            try {
                p.flushAndClose();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (!options.readOnly() && countersChanged()) {
            try {
                persist(); // the pairs' on-demand read counters as they end
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        for (RaidVolume v : copy(volumes)) {
            try {
                v.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        for (ServiceWindow w : windows.values()) {
            w.closeQuietly(); // forced by the volumes' last flush
        }
        for (Job j : jobs) {
            j.releaseIfUnfinished(); // a stopped backup's image writer: no host write reaches it now
        }
        try {
            snapshotCatalog.close(); // its saves are durable: each one was committed before its write
        } catch (IOException e) {
            first = first == null ? e : first;
        }
        for (org.splitpoint.engine.bitmap.ChangeTracker c : changeTrackers.values()) {
            try {
                c.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        for (JournalAdmin.Open j : journals.values()) {
            try {
                j.journal.close(); // synced by the volumes' last flush
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        events.drain();
        events.close();
        releaseLock();
        if (first != null) {
            throw first;
        }
    }

    /** Lets go of everything without flushing or writing (after a crash, or a failed open). */
    public void abandon() {
        closed = true;
        stopBackgroundWork(10_000); // nothing of this opening may still touch the files once it returns
        for (RaidVolume v : copy(volumes)) {
            v.closeQuietly();
        }
        for (ServiceWindow w : windows.values()) {
            w.closeQuietly();
        }
        for (Job j : jobs) {
            j.releaseIfUnfinished();
        }
        for (org.splitpoint.engine.restore.InstantRestore r : restores.values()) {
            try {
                r.close();
            } catch (IOException ignored) {
                // abandoning
            }
        }
        for (org.splitpoint.engine.restore.InstantRestore r : snapshotCatalog.restores.values()) {
            try {
                r.close();
            } catch (IOException ignored) {
                // abandoning
            }
        }
        try {
            snapshotCatalog.close();
        } catch (IOException ignored) {
            // abandoning
        }
        for (org.splitpoint.engine.bitmap.ChangeTracker c : changeTrackers.values()) {
            try {
                c.close();
            } catch (IOException ignored) {
                // abandoning
            }
        }
        for (JournalAdmin.Open j : journals.values()) {
            try {
                j.journal.close();
            } catch (IOException ignored) {
                // abandoning
            }
        }
        for (org.splitpoint.engine.pair.Pair p : pairList()) {
            try {
                p.close();
            } catch (IOException ignored) {
                // abandoning
            }
        }
        try {
            events.close();
        } catch (IOException ignored) {
            // abandoning
        }
        try {
            releaseLock();
        } catch (IOException ignored) {
            // abandoning
        }
    }

    /** Lets go of the pool's lock, once no pool.json write is under way and none can follow. */
    private void releaseLock() throws IOException {
        synchronized (persistLock) {
            lockReleased = true;
        }
        lock.close();
    }

    boolean isClosed() {
        return closed;
    }

    /** Reads bytes of a volume itself (not through a restore or a pair: see {@link #device}) into a new array, for tests. */
    public byte[] read(String volume, long offset, int length) throws IOException, PoolException {
        ByteBuffer b = ByteBuffer.allocate(length);
        volume(volume).read(offset, b);
        return b.array();
    }
}
