package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.backup.ImageWriter;
import org.splitpoint.engine.backup.StoreTimeLimit;
import org.splitpoint.engine.bitmap.ChangeTracker;
import org.splitpoint.engine.bitmap.DurableBitmap;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.raid.RaidVolume;
import org.splitpoint.engine.restore.InstantRestore;
import org.splitpoint.engine.snapshot.OriginIndex;

/**
 * The rules of backups (policy) and their life in the pool: records in pool.json, the volumes'
 * changed-block maps in {@code meta/} (which instant restores, {@link RestoreAdmin}, reset and
 * mark too), image ids. The mechanism is in {@code backup} (store, images, chains) and
 * {@link BackupWork}.
 *
 * <p>Chains. A volume's last completed backup (store uuid, image) is recorded; its changed-block
 * map holds what changed since. An incremental builds on that image, in that store, so a chain is
 * never broken by a backup that went elsewhere; a full image starts a new chain anywhere.
 */
public final class BackupAdmin {

    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Pool pool;

    BackupAdmin(Pool pool) {
        this.pool = pool;
    }

    // ---- life in the pool ---------------------------------------------------------------------

    /**
     * At open: the changed-block map of every volume that has one is loaded and watches its
     * volume's writes; tracks a backup took and did not finish (a crash) are given back first. The
     * records of started images that are no longer unfinished go ({@link BackupsStarted}).
     */
    static void openBackups(Pool pool) throws IOException {
        for (RaidVolume v : Pool.copy(pool.volumes)) {
            Path map = pool.paths.changeMap(v.name());
            Path taken = pool.paths.changeMapTaken(v.name());
            if (!Files.exists(map) && !pool.backupRecords.containsKey(v.name())) {
                continue;
            }
            long tracks = tracksOf(pool, v);
            ChangeTracker cbt = new ChangeTracker(MetaFiles.bitmap(pool, map, tracks,
                    "the changed-block map of volume " + v.name(),
                    "every track counts as changed, so its next incremental backup copies all of them"));
            if (Files.exists(taken) && !pool.isReadOnly()) {
                try (DurableBitmap t = DurableBitmap.open(pool.storage, taken, tracks, false)) {
                    cbt.giveBack(t.bits());
                } catch (IOException e) {
                    cbt.giveBack(allSet(tracks)); // unreadable: every track, to be safe
                }
                pool.storage.delete(taken);
                pool.storage.syncDirectory(taken.getParent());
                pool.openNotes.add("a backup of volume " + v.name() + " did not finish; the tracks it was to copy stay"
                        + " marked for the next backup");
            }
            PoolConfig.BackupRecord last = pool.backupRecords.get(v.name());
            if (last != null && last.changeMapLost() != null) {
                // the file missed writes: every track counts until a backup takes the map again
                cbt.allChanged();
                pool.changeMapsLost.put(v.name(), last.changeMapLost());
            }
            watch(pool, v, cbt);
        }
        if (!pool.isReadOnly()) {
            BackupsStarted.dropEnded(pool);
        }
    }

    /**
     * One sentence per backup image this pool started that did not finish (its process stopped: a
     * kill, a power cut, the pool closed while it ran) and that is still unfinished in its store,
     * with what to do; {@code pool status} says them.
     */
    public java.util.List<String> unfinished() {
        return BackupsStarted.unfinished(pool);
    }

    /**
     * Puts the map before every write to the volume, except while an instant restore runs: the
     * restore's own writes make the volume equal the image restored (no change to it), and the
     * restore marks the hosts' writes itself ({@link #markHostWrite}).
     */
    static void watch(Pool pool, RaidVolume v, ChangeTracker cbt) {
        pool.changeTrackers.put(v.name(), cbt);
        v.addWriteObserver((offset, length) -> {
            if (!pool.restores.containsKey(v.name())) {
                markHostWrite(pool, v.name(), offset, length);
            }
        });
    }

    /**
     * What a restore tells of the hosts' writes: the changed-block map marks them. (The journal gets
     * them from the volume's write log, which a restore's own refills bypass.)
     */
    static InstantRestore.HostWrites hostWrites(Pool pool, String volume) {
        return (offset, length) -> markHostWrite(pool, volume, offset, length);
    }

    /**
     * Marks volume bytes [offset, offset+length) changed in the volume's map, durably. A host's write
     * is never refused because of the map (a side feature, like a backup): when it cannot be marked
     * (the map's file fails, its file system is full), the map is lost instead, on record first
     * ({@link #changeMapLost}), and the write goes on; only a pool.json that cannot say so refuses it.
     */
    static void markHostWrite(Pool pool, String volume, long offset, long length) throws IOException {
        ChangeTracker cbt = pool.changeTrackers.get(volume);
        if (cbt == null || pool.changeMapsLost.containsKey(volume)) {
            return; // lost: every track counts as changed, on record, until a backup takes the map
        }
        int ts = pool.trackSize;
        try {
            cbt.beginWrite(offset / ts, (offset + length + ts - 1) / ts);
        } catch (IOException e) {
            if (e instanceof org.splitpoint.engine.io.StorageHaltedException) {
                throw e; // the power is gone: nothing is written, the write neither
            }
            changeMapLost(pool, volume, cbt, e);
        }
    }

    /**
     * The volume's map could not mark a write ({@code e}): every track counts as changed, in memory
     * and in the volume's backup record (pool.json) before the write goes on unmarked, so the next
     * incremental backup, in this opening or after a crash, copies every track rather than miss this
     * write. Said once, a warning. With no backup record there is nothing to build an incremental on
     * (a backup under way records the loss when it completes). A pool.json that cannot be written
     * refuses the write, as for the volume's own metadata; the next write tries again.
     */
    private static void changeMapLost(Pool pool, String volume, ChangeTracker cbt, IOException e) throws IOException {
        synchronized (pool.changeMapsLost) {
            if (pool.changeMapsLost.containsKey(volume)) {
                return; // another writer recorded it meanwhile
            }
            String why = "the changed-block map of volume " + volume + " could not mark a write (" + e.getMessage()
                    + ")";
            cbt.allChanged();
            PoolConfig.BackupRecord last = pool.backupRecords.get(volume);
            if (last != null && last.changeMapLost() == null) {
                pool.backupRecords.put(volume, last.withChangeMapLost(why));
                try {
                    pool.persist();
                } catch (IOException | RuntimeException x) {
                    pool.backupRecords.put(volume, last);
                    x.addSuppressed(e);
                    throw x;
                }
            }
            pool.changeMapsLost.put(volume, why);
            pool.events.publish(Event.warning("BACKUP", volume, why + "; the write went ahead, and volume " + volume
                    + "'s next incremental backup copies every track"));
        }
    }

    /**
     * Takes the changed tracks from the volume's map (see {@link ChangeTracker#take}), with no write in
     * flight: a map lost before counts every track and, taken, marks writes again from here.
     */
    static TrackBitmap takeChanges(Pool pool, String volume) throws IOException {
        synchronized (pool.changeMapsLost) {
            TrackBitmap taken = pool.changeTrackers.get(volume).take();
            pool.changeMapsLost.remove(volume);
            return taken;
        }
    }

    /**
     * The record of a volume's new last backup (or restore): the loss of its map since the map was
     * taken for it, if any, goes with it.
     */
    static PoolConfig.BackupRecord newRecord(Pool pool, String volume, String storeUuid, String store, String image) {
        return new PoolConfig.BackupRecord(volume, storeUuid, store, image, pool.changeMapsLost.get(volume));
    }

    static long tracksOf(Pool pool, RaidVolume v) {
        return Math.max(1, (v.size() + pool.trackSize - 1) / pool.trackSize);
    }

    private static TrackBitmap allSet(long tracks) {
        TrackBitmap b = new TrackBitmap(tracks);
        b.setAll();
        return b;
    }

    // ---- backup -------------------------------------------------------------------------------

    /** The running backup of a volume, if any (its job). */
    static Job runningJob(Pool pool, String kind, String volume) {
        for (Job j : pool.jobs) {
            if (j.kind().equals(kind) && j.target().equals(volume) && !j.state().isFinished()) {
                return j;
            }
        }
        return null;
    }

    /**
     * Starts a backup of {@code volume} into the store at {@code storeDir} (created when it is a new
     * or empty directory): full, or incremental on the volume's last backup. Returns its job.
     */
    public Job backup(String volume, Path storeDir, boolean full, long throttle) throws IOException, PoolException {
        return backup(volume, storeDir, full, throttle, null);
    }

    /**
     * {@link #backup(String, Path, boolean, long)} as of snapshot {@code fromSnapshot} of the volume
     * (null: as of now). The image is the snapshot's bytes and carries its time; an incremental one
     * builds on the volume's last backup only if that backup was made before the snapshot was taken.
     */
    public Job backup(String volume, Path storeDir, boolean full, long throttle, String fromSnapshot)
            throws IOException, PoolException {
        return backup(volume, storeDir, full, throttle, fromSnapshot, () -> true);
    }

    /**
     * What a caller that decided on a backup without the pool's monitor (the journal watch's base try,
     * a journal's enable) asks again under it, where the start begins: false, and the backup is not
     * started (null is returned); a PoolException refuses it.
     */
    @FunctionalInterface
    interface StillWanted {
        boolean now() throws PoolException;
    }

    /**
     * {@link #backup(String, Path, boolean, long, String)} for a caller that holds no lock of the pool
     * and decided on it without the monitor: {@code wanted} is asked under the monitor first (null
     * returned when it says no). A caller must not hold the pool's monitor: the start waits on the store
     * for up to its time limit without it, and a monitor held around it held every verb that long.
     */
    Job backup(String volume, Path storeDir, boolean full, long throttle, String fromSnapshot, StillWanted wanted)
            throws IOException, PoolException {
        // The store's part (open it, remove unfinished images, create the image) runs without the
        // pool's monitor and under the store's time limit (StoreStart): a store that hangs (an NFS
        // server gone) held the monitor for good, and every verb that takes it waited with it (drive
        // fail and replace, pair verbs, the journal watch's retries). The pool's part is checked
        // before and again after, under the monitor, with no call into the store.
        Checked before;
        synchronized (pool) {
            if (!wanted.now()) {
                return null;
            }
            before = refuseToStart(volume, full, fromSnapshot);
            if (pool.backupsStarting.contains(volume)) {
                throw new PoolException("a backup of " + volume + " is being started already (its store has not"
                        + " answered yet)");
            }
            pool.backupsStarting.add(volume);
        }
        try {
            StoreTimeLimit limit = StoreTimeLimit.fromSystemProperty();
            StoreStart.Ready ready = new StoreStart(pool, before.v(), storeDir, full, before.snap(), before.last())
                    .run(limit);
            ImageWriter writer = ready.writer();
            ImageInfo header = writer.header();
            DirectoryStore store = ready.store();
            Exception notStarted = null;
            synchronized (pool) {
                BackupWork work = null;
                try {
                    Checked now = refuseToStart(volume, full, fromSnapshot);
                    refuseIfChangedMeanwhile(volume, before, now);
                    if (before.snap() == null) {
                        // the backup's instant: no write in flight while the tracks are fixed and the observer put in
                        BackupWork[] w = new BackupWork[1];
                        now.v().exclusive(() -> w[0] = startAtInstant(now.v(), writer, full));
                        work = w[0];
                    } else {
                        work = startFromSnapshot(now.v(), now.snap(), writer, full);
                    }
                } catch (IOException | PoolException | RuntimeException e) {
                    notStarted = e; // its image is given up below, without the pool's monitor
                }
                if (notStarted == null) {
                    return startJob(volume, throttle, before.snap(), full, header, store, work);
                }
            }
            abandonAside(writer, limit, notStarted);
            if (notStarted instanceof PoolException pe) {
                throw pe;
            }
            if (notStarted instanceof IOException io) {
                throw io;
            }
            throw (RuntimeException) notStarted;
        } finally {
            synchronized (pool) {
                pool.backupsStarting.remove(volume);
            }
        }
    }

    /**
     * What a backup's start says of its count ({@code tracks}, the count already worded: "1024 tracks",
     * "2,048 tracks"): the tracks its job reads, which its progress and ETA stand on. A full image
     * leaves out all-zero tracks, and which those are is known only once they are read, so a full
     * backup's are tracks to read; "1024 tracks to copy" followed by an image of 960 read as 64 missed.
     * An incremental stores every track it copies.
     */
    public static String startCount(String tracks, boolean full) {
        return full ? tracks + " to read (full; all-zero tracks are not stored)" : tracks + " to copy (incremental)";
    }

    /** The started backup's job, said and started; pool monitor held. */
    private Job startJob(String volume, long throttle, PoolConfig.SnapshotRecord snap, boolean full, ImageInfo header,
                         DirectoryStore store, BackupWork work) {
        Job job = new Job("backup-" + volume, "backup", volume, 0, work.tracksToCopy(), pool.trackSize, false,
                Math.max(0, throttle), work, p -> pool.events.publish(Event.info("JOB_PROGRESS", "backup-" + volume,
                p.line())));
        pool.events.publish(Event.info("BACKUP", volume, "backup of " + volume
                + (snap == null ? "" : " as of snapshot " + volume + "@" + snap.name())
                + " started: image " + header.id() + (full ? "" : " on image " + header.parent()) + ", "
                + startCount(Sizes.count(work.tracksToCopy(), "track"), full) + " into " + store.describe()));
        pool.startJob(job);
        return job;
    }

    /** What a backup's start reads of the pool under its monitor: the volume, the snapshot (or null), the last backup. */
    private record Checked(RaidVolume v, PoolConfig.SnapshotRecord snap, PoolConfig.BackupRecord last) { }

    /** The pool's refusals of a backup of {@code volume} now (no call into the store); pool monitor held. */
    private Checked refuseToStart(String volume, boolean full, String fromSnapshot) throws PoolException {
        pool.refuseIfClosed();
        RaidVolume v = pool.volume(volume);
        if (v.state() == VolumeState.FAILED) {
            throw new PoolException("volume " + volume + " is FAILED (" + v.stateReason() + "): there is no data to back up");
        }
        if (pool.restores.containsKey(volume)) {
            throw new PoolException("volume " + volume + " is being restored from a backup; back it up once the restore"
                    + " finished");
        }
        if (pool.snapshotCatalog.restores.containsKey(volume)) {
            throw new PoolException(restoringToSnapshot(volume));
        }
        String fromBcv = PairAdmin.restoringFromBcv(pool, v);
        if (fromBcv != null) {
            throw new PoolException(fromBcv + "; back it up once the restore finished");
        }
        if (volume.equals(pool.snapshotCatalog.saveAreaVolume)) {
            throw new PoolException(saveAreaNotBackedUp(volume));
        }
        Job running = runningJob(pool, "backup", volume);
        if (running != null) {
            throw new PoolException("a backup of " + volume + " is running already (job " + running.id() + ")");
        }
        refuseWhileShipping(pool, volume, "backing it up");
        PoolConfig.SnapshotRecord snap = fromSnapshot == null ? null : snapshotToBackUp(volume, fromSnapshot);
        PoolConfig.BackupRecord last = pool.backupRecords.get(volume);
        if (!full && last == null) {
            throw incrementalRefused(volume, null, null);
        }
        if (!full && snap != null) {
            refuseIncrementalFromSnapshot(snap, last);
        }
        return new Checked(v, snap, last);
    }

    /**
     * While the store was worked on (without the pool's monitor), the volume may have been deleted
     * and made again, its snapshot deleted and taken again, or its last backup changed by a
     * restore: the image was made for what was checked before, so such a start is refused.
     */
    private static void refuseIfChangedMeanwhile(String volume, Checked before, Checked now) throws PoolException {
        if (now.v() != before.v()) {
            throw new PoolException("volume " + volume + " was deleted and made again while its backup was being started;"
                    + " nothing was backed up: start the backup again");
        }
        if (before.snap() != null && now.snap().gen() != before.snap().gen()) {
            throw new PoolException("snapshot " + volume + "@" + before.snap().name() + " was taken again while its backup"
                    + " was being started; nothing was backed up: start the backup again");
        }
        if (!java.util.Objects.equals(now.last(), before.last())) {
            throw new PoolException("the last backup of " + volume + " changed while this one was being started (a restore"
                    + " or another backup recorded one); nothing was backed up: start the backup again");
        }
    }

    /**
     * Gives up an image whose backup did not start: removed on a thread of its own, waited for at most
     * the limit, never under the pool's monitor (the store may hang in the removal too). One that does
     * not end in time stays unfinished; the next backup of the volume into the store removes it.
     */
    private void abandonAside(ImageWriter writer, StoreTimeLimit limit, Exception why) {
        try {
            BackupsStarted.giveUp(pool, writer, limit.millis());
        } catch (IOException | RuntimeException e) {
            why.addSuppressed(e);
        }
    }

    /** The snapshot a backup is to be taken from: there and valid, or a sentence why not. */
    private PoolConfig.SnapshotRecord snapshotToBackUp(String volume, String name) throws PoolException {
        PoolConfig.SnapshotRecord snap = pool.snapshots().record(volume, name);
        if (!snap.valid()) {
            throw new PoolException("snapshot " + volume + "@" + name + " is invalid (" + snap.why() + "): it no longer"
                    + " holds its image, so there is nothing to back up from it");
        }
        return snap;
    }

    /**
     * An incremental image from a snapshot holds the tracks changed since the last backup, as the
     * snapshot shows them: right only when that backup's instant came before the snapshot's, i.e.
     * it was the last backup when the snapshot was taken (recorded then).
     */
    private static void refuseIncrementalFromSnapshot(PoolConfig.SnapshotRecord snap, PoolConfig.BackupRecord last)
            throws PoolException {
        String why = incrementalFromSnapshotProblem(snap.volume(), snap.name(), snap.afterBackup(), last);
        if (why != null) {
            throw new PoolException(why);
        }
    }

    /**
     * Why an incremental backup of {@code volume} as of its snapshot {@code snapshot} (which recorded
     * {@code afterBackup}, {@link SnapshotAdmin.Info#afterBackup}) cannot build on the volume's last
     * backup {@code last}, or null when it can (the app asks before the click).
     */
    public static String incrementalFromSnapshotProblem(String volume, String snapshot, String afterBackup,
                                                        PoolConfig.BackupRecord last) {
        if (last != null && chainKey(last).equals(afterBackup)) {
            return null;
        }
        return "snapshot " + volume + "@" + snapshot + " was taken " + (afterBackup == null || last == null
                ? "before the volume had a backup" : "before its last backup (image " + last.image() + ") was made")
                + ", so an incremental image of it cannot build on that backup; take a full backup (--full) from the snapshot";
    }

    /** A backup record as a snapshot records it ({@link PoolConfig.SnapshotRecord#afterBackup}). */
    static String chainKey(PoolConfig.BackupRecord b) {
        return b.storeUuid() + "/" + b.image();
    }

    static PoolException incrementalRefused(String volume, Path storeDir, PoolConfig.BackupRecord last) {
        if (last == null) {
            return new PoolException("volume " + volume + " has no backup yet for an incremental one to build on; take a"
                    + " --full backup first");
        }
        return new PoolException("the last backup of " + volume + " (image " + last.image() + ") is in the store at "
                + last.store() + "; an incremental one builds on it there: use that store, or take a --full backup"
                + " into " + storeDir);
    }

    static String incrementalParent(String volume, DirectoryStore store, PoolConfig.BackupRecord last) throws IOException, PoolException {
        if (!last.storeUuid().equals(store.uuid())) {
            throw incrementalRefused(volume, store.dir(), last);
        }
        boolean present = store.holds(last.image()); // its manifest read, not every image's
        if (!present) {
            throw new PoolException("the last backup of " + volume + " (image " + last.image() + ") is no longer in "
                    + store.describe() + " or its manifest is damaged; take a --full backup");
        }
        return last.image();
    }

    /**
     * Images of {@code volume} left unfinished by an earlier backup (a crash): they cannot be finished.
     * One being written now is not left over: a volume of the same name in another pool may be
     * backed up into the same store at this moment.
     */
    static void removeUnfinished(DirectoryStore store, String volume) throws IOException {
        try {
            store.removeTrash();
        } catch (IOException e) {
            // what a crash cut short stays in the trash (listed nowhere) for the next backup
        }
        java.util.Map<String, String> inUse = null; // asked only when there is one to remove (it reads every user's pool.json)
        for (String id : store.unfinished()) {
            if (!isIdOf(id, volume)) {
                continue;
            }
            if (inUse == null) {
                inUse = ImagesInUse.of(store);
            }
            if (!inUse.containsKey(id)) { // not a restore's write-through image
                try {
                    store.deleteIfAbandoned(id); // not one a backup writes now (another pool's volume of the same name)
                } catch (IOException e) {
                    // a leftover that cannot be removed now is listed as unfinished; the backup goes on
                }
            }
        }
    }

    /** Why {@code volume}, being restored to a snapshot, is not backed up now (the app's page says it first). */
    public static String restoringToSnapshot(String volume) {
        return "volume " + volume + " is being restored to a snapshot (job " + SnapshotAdmin.restoreJobId(volume)
                + "); back it up once the restore finished";
    }

    /** Why {@code volume}, the save area, is never backed up (the app's page says it first). */
    public static String saveAreaNotBackedUp(String volume) {
        return "volume " + volume + " is the save area: it holds snapshots' saved tracks, not a host's data; back up the"
                + " volumes themselves";
    }

    static String newId(String volume, boolean full) {
        return newId(volume, full ? "full" : "inc");
    }

    /**
     * A new image id ({@link #newId}) that no image in {@code store}, sealed or unfinished, has: an id is
     * the second and a random tag of 16 bits, and an unfinished image left in the store (one a crashed
     * opening of the pool still held, so not removed) drew the same once in CI ("an image … exists already").
     */
    static String newIdIn(org.splitpoint.engine.backup.DirectoryStore store, String volume, String kind) {
        String id = newId(volume, kind);
        for (int tries = 0; tries < 16 && store.idTaken(id); tries++) {
            id = newId(volume, kind);
        }
        return id;
    }

    private static final java.util.regex.Pattern ID_TAIL = java.util.regex.Pattern.compile("\\d{8}-\\d{6}-[0-9a-f]{4}-[a-z]+");

    /**
     * True when image id {@code id} was made for volume {@code volume} ({@link #newId}): its name
     * then the id's own tail. A prefix alone took volume db-logs's images for db's (a backup of db
     * removed db-logs's running backup's unfinished image).
     */
    static boolean isIdOf(String id, String volume) {
        return id.startsWith(volume + "-") && ID_TAIL.matcher(id.substring(volume.length() + 1)).matches();
    }

    /** An image id: the volume, the time, a random tag and what made it ("full", "inc", "journal"). */
    static String newId(String volume, String kind) {
        return volume + "-" + ZonedDateTime.now(ZoneOffset.UTC).format(ID_TIME) + "-"
                + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000)) + "-" + kind;
    }

    /**
     * At the backup's instant: the changed tracks are saved aside durably, taken from the map, and
     * the copy-before-write observer put in. A volume's first backup creates its map here.
     */
    private BackupWork startAtInstant(RaidVolume v, ImageWriter writer, boolean full) throws IOException {
        // the instant is a flushed one: what the image will hold is durable on the volume too, so a
        // crash cannot take back a write the image has (and the changed-block map would not know)
        v.flush();
        long tracks = tracksOf(pool, v);
        ChangeTracker cbt = pool.changeTrackers.get(v.name());
        TrackBitmap taken = new TrackBitmap(tracks);
        if (cbt == null) {
            newChangeMap(v, tracks, null);
        } else {
            Path takenFile = pool.paths.changeMapTaken(v.name());
            pool.storage.delete(takenFile);
            try (DurableBitmap saved = DurableBitmap.create(pool.storage, takenFile, tracks, false)) {
                saved.bits().loadWords(cbt.changed().toWords());
                saved.markChanged(0, tracks);
                saved.persist(true);
            }
            pool.storage.syncDirectory(takenFile.getParent());
            taken = takeChanges(pool, v.name());
        }
        TrackBitmap toCopy = full ? allSet(tracks) : taken;
        BackupWork work = new BackupWork(pool, v, writer, toCopy, taken, full, JournalBase.backupInstant(pool, v.name()));
        work.install();
        return work;
    }

    /**
     * A backup as of snapshot {@code snap}: its reader is the source, fixed already, so no
     * copy-before-write and nothing taken from the changed-block map. The next incremental builds
     * on this image, so the map must hold at least what changed since the snapshot: it keeps every
     * mark (what changed since the backup before), and gets the snapshot's own saves (what changed
     * since it) durably added, since a full one may be of a snapshot older than that backup.
     */
    private BackupWork startFromSnapshot(RaidVolume v, PoolConfig.SnapshotRecord snap, ImageWriter writer, boolean full)
            throws IOException {
        long tracks = tracksOf(pool, v);
        OriginIndex index = pool.snapshotCatalog.index(v.name());
        if (pool.changeTrackers.get(v.name()) == null) {
            // the volume's first backup: its map starts now (no write in flight while it is put in)
            v.exclusive(() -> newChangeMap(v, tracks, index == null ? null : index.writtenSince(snap.gen())));
        } else if (index != null) {
            // no gate needed: a write the saves do not show yet is one the watching map marks itself
            pool.changeTrackers.get(v.name()).mark(index.writtenSince(snap.gen()));
        }
        TrackBitmap toCopy;
        if (full) {
            toCopy = allSet(tracks);
        } else {
            ChangeTracker cbt = pool.changeTrackers.get(v.name());
            toCopy = cbt == null ? allSet(tracks) : new TrackBitmap(tracks);
            if (cbt != null) {
                // marks made while this is read are of writes after the snapshot: not needed, harmless
                toCopy.loadWords(cbt.changed().toWords());
            }
        }
        return new BackupWork(pool, v, pool.snapshotCatalog.reader(v, snap, false), snap.gen(), writer, toCopy, full);
    }

    /**
     * A volume's first changed-block map, durable with {@code marked} set (or none) before it
     * watches the volume's writes; the caller holds the volume exclusively (no write in flight).
     */
    private void newChangeMap(RaidVolume v, long tracks, TrackBitmap marked) throws IOException {
        Path map = pool.paths.changeMap(v.name());
        pool.storage.delete(map);
        DurableBitmap bitmap = DurableBitmap.create(pool.storage, map, tracks, false);
        if (marked != null) {
            bitmap.bits().loadWords(marked.toWords());
            bitmap.markChanged(0, tracks);
            bitmap.persist(true);
        }
        pool.storage.syncDirectory(map.getParent());
        watch(pool, v, new ChangeTracker(bitmap));
    }

    /** The image is sealed: it is the volume's last backup now (pool.json), and the saved tracks go. */
    static void backupCompleted(Pool pool, String volume, ImageInfo image, String storeLocation,
                                JournalBase.BackupInstant journalAtInstant)
            throws IOException {
        pool.backupRecords.put(volume, newRecord(pool, volume, image.store(), storeLocation, image.id()));
        pool.persist();
        JournalBase.backupCompleted(pool, volume, image.store(), image.id(), journalAtInstant); // a new base for its journal
        pool.storage.delete(pool.paths.changeMapTaken(volume));
        pool.storage.syncDirectory(pool.paths.meta());
    }

    /** The backup did not complete: what it took goes back into the map. */
    static void backupAbandoned(Pool pool, String volume, TrackBitmap taken) {
        ChangeTracker cbt = pool.changeTrackers.get(volume);
        try {
            if (cbt != null) {
                cbt.giveBack(taken);
            }
            pool.storage.delete(pool.paths.changeMapTaken(volume));
        } catch (IOException e) {
            pool.events.publish(Event.critical("BACKUP", volume, "could not give the tracks of an unfinished backup of "
                    + volume + " back to its changed-block map (" + e.getMessage() + "); take a --full backup next"));
        }
    }

    static void refuseStoreInsidePool(Pool pool, Path storeDir) throws PoolException {
        if (pool.paths.holds(storeDir)) {
            throw new PoolException("the backup store " + storeDir + " is inside the pool; keep backups outside it"
                    + " (a backup that dies with the pool is no backup)");
        }
    }

    /** A ship of the volume's journal reads entries a backup or a restore would retire. */
    static void refuseWhileShipping(Pool pool, String volume, String what) throws PoolException {
        Job ship = runningJob(pool, "journal-ship", volume);
        if (ship != null) {
            throw new PoolException("the journal of " + volume + " is being shipped (job " + ship.id() + "); wait for it"
                    + " (or cancel it) before " + what);
        }
    }

    /**
     * True when an incremental backup of {@code volume} into {@code store} can build on the
     * volume's last backup: that backup went into this store and its image is still there. A
     * journal's base backup is a full one otherwise: an incremental on an image deleted since
     * (the old base of a journal that stopped protecting, no one's need any more) was refused,
     * every minute, and the journal never protected the volume again (JournalRebaseAfterImageDeletedTest).
     */
    static boolean canBuildOnLast(Pool pool, String volume, DirectoryStore store) {
        return canBuildOnLast(pool.backupRecords.get(volume), store);
    }

    /** {@link #canBuildOnLast(Pool, String, DirectoryStore)} with the volume's last backup {@code last} read before. */
    static boolean canBuildOnLast(PoolConfig.BackupRecord last, DirectoryStore store) {
        return last != null && last.storeUuid().equals(store.uuid()) && store.holds(last.image());
    }

    /** The volume's last completed backup, or null. */
    public PoolConfig.BackupRecord lastBackup(String volume) {
        return pool.backupRecords.get(volume);
    }

}
