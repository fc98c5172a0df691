package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import org.splitpoint.engine.bitmap.DurableBitmap;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pair.InvalidTracks;
import org.splitpoint.engine.pair.Pair;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.raid.RaidVolume;
import org.splitpoint.engine.restore.InstantRestore;
import org.splitpoint.engine.snapshot.OriginIndex;
import org.splitpoint.engine.snapshot.SaveArea;
import org.splitpoint.engine.snapshot.SnapshotChangeGuard;
import org.splitpoint.engine.snapshot.SnapshotReader;

/**
 * Point-in-time snapshots of volumes (policy): the save area, create, list, delete, read, and
 * restore a volume to a snapshot. The mechanism is in {@code org.splitpoint.engine.snapshot}
 * (copy on first write, the index of saved tracks, the save area) and {@link SnapshotCatalog}.
 *
 * <p>Design. Taking a snapshot is constant time but for a flush: with the volumes held exclusively
 * (no write in flight), they are flushed, each gets the next generation and pool.json is written
 * once, so several volumes share one instant. The flush (most of it done before, while hosts go on)
 * makes every write that returned before the take durable, so a power cut after it leaves the
 * snapshot with them, as a device-mapper snapshot's suspend flushes; without it a cut took writes the
 * host had seen done before the take out of the snapshot (SnapshotOfUnflushedWritesCutTest). A restore to a snapshot is an {@link InstantRestore} whose source is the snapshot:
 * only the tracks written since it was taken are owed, reads of those are answered from the
 * snapshot at once and written behind, writes go to the volume — and the restore's own writes are
 * saved into later snapshots like any write, so those stay valid. By default a safety snapshot of
 * the volume as it is comes first, so the restore itself can be undone. A restore whose start fails
 * after its record was written (its copy's thread cannot start) is taken back, map first, then the
 * record, so no opening resumes it over the writes hosts make once told it did not start. Taking, restoring to and
 * deleting a snapshot run inside the pool's {@link SnapshotChangeGuard}, whoever asks, before any
 * engine lock, so a holder's hosts (the app's verifying workloads) follow a change made from a shell.
 */
public final class SnapshotAdmin {

    /** Words of a snapshot's state, as {@code snapshot list} shows them. */
    public static final String VALID = "valid";
    public static final String INVALID = "invalid";

    private final Pool pool;
    private final SnapshotCatalog cat;

    SnapshotAdmin(Pool pool) {
        this.pool = pool;
        this.cat = pool.snapshotCatalog;
    }

    /** Sets the guard run around every snapshot taken, restored to or deleted ({@code NONE} or null to drop it). */
    public void guard(SnapshotChangeGuard g) {
        pool.snapshotGuard = g == null ? SnapshotChangeGuard.NONE : g;
    }

    /** An engine operation as a guard sees it. */
    private interface Operation<T> {
        T run() throws IOException, PoolException;
    }

    /** Runs {@code op} inside the guard, before any engine lock is taken (the guard may wait for its hosts' I/O). */
    private <T> T guarded(SnapshotChangeGuard.Change change, Operation<T> op) throws IOException, PoolException {
        try {
            return pool.snapshotGuard.around(change, op::run);
        } catch (IOException | PoolException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e); // a guard's own failure, not the operation's
        }
    }

    /**
     * A snapshot as {@code snapshot list} shows it; {@code afterBackup} is what it recorded of the
     * volume's last backup ({@link PoolConfig.SnapshotRecord#afterBackup}).
     */
    public record Info(String volume, String name, long gen, String createdAt, long tracksHeld, long bytesHeld,
                       String state, String why, boolean restoring, String afterBackup) {
        /** "volume@name", as reads and exports name it. */
        public String ref() {
            return volume + "@" + name;
        }
    }

    /**
     * The save area: its volume, slots (tracks) and how many are used; {@code refusesSaves} is why it
     * refuses every save until the pool is opened again ({@link SaveArea#refusesSaves}), or null, so
     * a view can refuse a snapshot before the engine would.
     */
    public record SaveAreaInfo(String volume, long slots, long usedSlots, int trackSize, long logBytes,
                               String refusesSaves) {
        public long bytes() {
            return slots * trackSize;
        }

        public long usedBytes() {
            return usedSlots * trackSize;
        }

        public long freeSlots() {
            return slots - usedSlots;
        }

        /** Percent used, 0..100. */
        public double percentUsed() {
            return slots == 0 ? 0 : 100.0 * usedSlots / slots;
        }
    }

    /**
     * What a restore would do: the tracks and bytes it copies back. Each of those tracks is written
     * once, so a safety snapshot (or a later one) must keep up to {@code tracks} saves, and the
     * save area has {@code freeSlots} now: fewer, and it may fill and make them invalid.
     */
    public record RestorePlan(String volume, String source, String snapshot, long tracks, long bytes, long volumeTracks,
                              long freeSlots) {
        /** True when the save area may not hold what a safety snapshot must keep of this restore. */
        public boolean safetyMayNotFit() {
            return tracks > freeSlots;
        }
    }

    /** Why {@code name} cannot name a snapshot (one sentence), or null when it can. */
    public static String nameProblem(String name) {
        try {
            Validation.name("snapshot", name);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    // ---- save area ----------------------------------------------------------------------------

    /**
     * Makes {@code volume} the pool's save area: a volume of its own (no snapshots, no pair, no
     * journal, not being restored); its contents are given over to saved tracks. Changing it is
     * refused while snapshots exist.
     */
    public SaveAreaInfo setSaveArea(String volume) throws IOException, PoolException {
        synchronized (pool) {
            pool.refuseIfClosed();
            RaidVolume v = pool.volume(volume);
            if (volume.equals(cat.saveAreaVolume)) {
                throw new PoolException("volume " + volume + " is the save area already");
            }
            if (!cat.of(null).isEmpty()) {
                throw new PoolException("the save area is " + cat.saveAreaVolume + " and holds "
                        + Sizes.count(cat.of(null).size(), "snapshot") + "; delete them before designating another save area");
            }
            for (Pair p : pool.pairList()) {
                if (p.std() == v || p.bcv() == v) {
                    throw new PoolException("volume " + volume + " is in pair " + p.name()
                            + "; a save area must be a volume of its own");
                }
            }
            if (pool.journalRecords.containsKey(volume) || pool.restores.containsKey(volume)
                    || cat.restores.containsKey(volume) || pool.windows.containsKey(volume)) {
                throw new PoolException("volume " + volume + " has a journal, a restore or a service window under way;"
                        + " a save area must be a volume of its own");
            }
            if (v.state() == VolumeState.FAILED) {
                throw new PoolException("volume " + volume + " is FAILED: " + v.stateReason());
            }
            if (v.size() < pool.trackSize) {
                throw new PoolException("volume " + volume + " is smaller than one track");
            }
            cat.designate(v);
            pool.events.publish(Event.info("SAVE_AREA", volume, "volume " + volume + " is the save area: "
                    + Sizes.count(v.size() / pool.trackSize, "track") + " (" + Sizes.format(v.size() / pool.trackSize
                    * pool.trackSize) + ") for snapshots to keep"));
            return saveArea();
        }
    }

    /** The save area now, or null when the pool has none. */
    public SaveAreaInfo saveArea() {
        SaveArea a = cat.area();
        String name = cat.saveAreaVolume;
        if (name == null) {
            return null;
        }
        if (a == null) {
            return new SaveAreaInfo(name, 0, 0, pool.trackSize, 0, null);
        }
        return new SaveAreaInfo(name, a.slots(), a.usedSlots(), pool.trackSize, a.logBytes(), a.refusesSaves());
    }

    /** True when {@code volume} is the save area (hosts may not read or write it). */
    public boolean isSaveArea(String volume) {
        return volume.equals(cat.saveAreaVolume);
    }

    // ---- create, list, delete -----------------------------------------------------------------

    /** Takes snapshot {@code name} of {@code volume} now. */
    public Info create(String volume, String name) throws IOException, PoolException {
        return create(List.of(volume), name).get(0);
    }

    /** Takes snapshot {@code name} of every volume of {@code volumes} at one instant. */
    public List<Info> create(List<String> volumes, String name) throws IOException, PoolException {
        return guarded(new SnapshotChangeGuard.Change(SnapshotChangeGuard.Kind.TAKE, List.copyOf(volumes), name,
                () -> null), () -> createGuarded(volumes, name));
    }

    private List<Info> createGuarded(List<String> volumes, String name) throws IOException, PoolException {
        settle(volumes); // most of the take's flush while hosts go on: the one under the exclusive section has little left
        synchronized (pool) {
            pool.refuseIfClosed();
            List<Info> out = createLocked(volumes, name);
            pool.events.publish(Event.info("SNAPSHOT", out.get(0).ref(), volumes.size() == 1
                    ? "snapshot " + out.get(0).ref() + " taken"
                    : "snapshot " + name + " of " + String.join(", ", volumes) + " taken at one instant"));
            return out;
        }
    }

    /** Flushes the volumes named that exist (a name that does not is refused by the take itself). */
    private void settle(List<String> volumes) throws IOException {
        List<RaidVolume> vols = new ArrayList<>();
        for (String vn : volumes) {
            RaidVolume v = pool.volumes.get(vn);
            if (v != null && v.state() != VolumeState.FAILED) {
                vols.add(v);
            }
        }
        RaidVolume.flushAll(vols);
    }

    private List<Info> createLocked(List<String> volumes, String name) throws IOException, PoolException {
        Validation.name("snapshot", name);
        if (volumes.isEmpty()) {
            throw new PoolException("name at least one volume to take a snapshot of");
        }
        if (cat.saveAreaVolume == null) {
            throw new PoolException("the pool has no save area for snapshots to keep their tracks in: designate a"
                    + " volume of its own with 'snapshot save-area POOL VOLUME' (for example one made with"
                    + " 'volume create POOL save --layout raid1 --drives D1,D2')");
        }
        if (cat.area() == null) {
            throw new PoolException("the save area " + cat.saveAreaVolume + " cannot be used now; see 'pool status'");
        }
        RaidVolume area = pool.volumes.get(cat.saveAreaVolume);
        if (area != null && area.state() == VolumeState.FAILED) {
            // taken, it would be invalid at the volume's first write (SnapshotWithFailedSaveAreaTest)
            throw new PoolException(saveAreaFailed(cat.saveAreaVolume, area.stateReason()));
        }
        String refuses = cat.area().refusesSaves();
        if (refuses != null) {
            // taken, it would be invalid at its volume's first write, as with a FAILED save area
            // (SaveAreaFlushNoSpaceTest)
            throw new PoolException(saveAreaRefusesSaves(cat.saveAreaVolume, refuses));
        }
        TreeSet<String> sorted = new TreeSet<>();
        List<RaidVolume> vols = new ArrayList<>();
        for (String vn : volumes) {
            RaidVolume v = pool.volume(vn);
            if (!sorted.add(vn)) {
                throw new IllegalArgumentException("volume " + vn + " is named twice"); // a usage error, as a drive named twice in --drives
            }
            if (vn.equals(cat.saveAreaVolume)) {
                throw new PoolException("volume " + vn + " is the save area; its snapshots would save into themselves");
            }
            if (cat.find(vn, name) != null) {
                throw new PoolException("volume " + vn + " has a snapshot named " + name + " already ("
                        + cat.find(vn, name).createdAt() + "); pick another name or delete that one first");
            }
            if (cat.restores.containsKey(vn) || pool.restores.containsKey(vn)) {
                throw new PoolException("volume " + vn + " is being restored; take the snapshot once the restore finished");
            }
            String fromBcv = PairAdmin.restoringFromBcv(pool, v); // SnapshotDuringPairRestoreTest
            if (fromBcv != null) {
                throw new PoolException(fromBcv + "; take the snapshot once the restore finished");
            }
            if (v.state() == VolumeState.FAILED) {
                throw new PoolException("volume " + vn + " is FAILED (" + v.stateReason() + "); its data cannot be read,"
                        + " so a snapshot of it would hold nothing");
            }
            vols.add(v);
        }
        vols.sort(Comparator.comparing(RaidVolume::name));
        String at = Instant.now().toString();
        List<PoolConfig.SnapshotRecord> made = new ArrayList<>();
        exclusively(vols, 0, () -> {
            RaidVolume.flushAll(vols); // every write that returned before this instant, durable with it
            long gen = cat.nextGen;
            for (RaidVolume v : vols) {
                // read at the instant: a backup recorded here completed before it, so its own instant did too
                PoolConfig.BackupRecord last = pool.backupRecords.get(v.name());
                PoolConfig.SnapshotRecord r = new PoolConfig.SnapshotRecord(v.name(), name, gen, at, null,
                        last == null ? null : BackupAdmin.chainKey(last));
                cat.records.put(SnapshotCatalog.key(v.name(), name), r);
                made.add(r);
            }
            cat.nextGen = gen + 1;
            try {
                pool.persist(); // durable before any write may change the volumes again
            } catch (IOException e) {
                for (PoolConfig.SnapshotRecord r : made) {
                    cat.records.remove(SnapshotCatalog.key(r.volume(), r.name()));
                }
                throw e;
            }
            for (RaidVolume v : vols) {
                cat.origin(v).index().addValid(gen);
            }
        });
        List<Info> out = new ArrayList<>();
        for (PoolConfig.SnapshotRecord r : made) {
            out.add(info(r));
        }
        return out;
    }

    /** Runs {@code change} with every volume of {@code vols} (sorted) held exclusively. */
    private static void exclusively(List<RaidVolume> vols, int i, RaidVolume.IoAction change) throws IOException {
        if (i == vols.size()) {
            change.run();
            return;
        }
        vols.get(i).exclusive(() -> exclusively(vols, i + 1, change));
    }

    /** The snapshots of {@code volume} (null: of every volume), oldest first. */
    public List<Info> list(String volume) throws PoolException {
        if (volume != null) {
            pool.volume(volume);
        }
        List<Info> out = new ArrayList<>();
        for (PoolConfig.SnapshotRecord r : cat.of(volume)) {
            out.add(info(r));
        }
        return out;
    }

    /** One snapshot, or a sentence saying which exist. */
    public Info get(String volume, String name) throws PoolException {
        return info(record(volume, name));
    }

    /** Snapshot {@code name} of {@code volume}'s record, or a sentence naming the snapshots there are. */
    PoolConfig.SnapshotRecord record(String volume, String name) throws PoolException {
        pool.volume(volume);
        PoolConfig.SnapshotRecord r = cat.find(volume, name);
        if (r == null) {
            List<String> names = cat.of(volume).stream().map(PoolConfig.SnapshotRecord::name).toList();
            throw new PoolException("volume " + volume + " has no snapshot named '" + name + "' (snapshots: "
                    + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
        }
        return r;
    }

    private Info info(PoolConfig.SnapshotRecord r) {
        OriginIndex idx = cat.index(r.volume());
        long held = idx == null ? 0 : idx.heldBy(r.gen());
        return new Info(r.volume(), r.name(), r.gen(), r.createdAt(), held, held * pool.trackSize,
                r.valid() ? VALID : INVALID, r.why(), restoreFrom(r) != null, r.afterBackup());
    }

    /** Deletes snapshot {@code name} of {@code volume}: the tracks no other snapshot needs go back to the save area. */
    public Info delete(String volume, String name) throws IOException, PoolException {
        return guarded(new SnapshotChangeGuard.Change(SnapshotChangeGuard.Kind.DELETE, List.of(volume), name, () -> null),
                () -> deleteGuarded(volume, name));
    }

    private Info deleteGuarded(String volume, String name) throws IOException, PoolException {
        synchronized (pool) {
            pool.refuseIfClosed();
            PoolConfig.SnapshotRecord r = record(volume, name);
            Info before = info(r);
            PoolConfig.SnapshotRestoreRecord reading = restoreFrom(r);
            if (reading != null) {
                throw new PoolException("snapshot " + before.ref() + " is the source of the restore under way (job "
                        + restoreJobId(reading.volume()) + "); wait for it or cancel it first");
            }
            Job backup = BackupAdmin.runningJob(pool, "backup", volume);
            if (backup != null && backup.work() instanceof BackupWork b && b.reads(r.gen())) {
                throw new PoolException("snapshot " + before.ref() + " is being backed up (job " + backup.id() + "); wait"
                        + " for the backup or cancel it first");
            }
            synchronized (cat) {
                cat.records.remove(SnapshotCatalog.key(volume, name));
                try {
                    pool.persist(); // durable before its slots can be reused
                } catch (IOException e) {
                    cat.records.put(SnapshotCatalog.key(volume, name), r);
                    throw e;
                }
                cat.drop(volume, List.of(r.gen()));
            }
            pool.events.publish(Event.info("SNAPSHOT", before.ref(), "snapshot " + before.ref() + " deleted; "
                    + Sizes.format(before.bytesHeld()) + " it held" + (before.tracksHeld() == 0 ? "" : " (less what other"
                    + " snapshots share)") + " went back to the save area"));
            return before;
        }
    }

    /** The restore under way that reads snapshot {@code r}, or null. */
    private PoolConfig.SnapshotRestoreRecord restoreFrom(PoolConfig.SnapshotRecord r) {
        for (PoolConfig.SnapshotRestoreRecord rr : Pool.copy(cat.restoreRecords)) {
            if (rr.source().equals(r.volume()) && rr.gen() == r.gen()) {
                return rr;
            }
        }
        return null;
    }

    // ---- read ---------------------------------------------------------------------------------

    /** Snapshot {@code ref} ("volume@name") as a read-only device, or a sentence why not. */
    public BlockDevice reader(String ref) throws PoolException {
        int at = ref.indexOf('@');
        if (at <= 0 || at == ref.length() - 1) {
            throw new PoolException("'" + ref + "' does not name a snapshot (VOLUME@NAME)");
        }
        return reader(ref.substring(0, at), ref.substring(at + 1));
    }

    /** Snapshot {@code name} of {@code volume} as a read-only device. */
    public SnapshotReader reader(String volume, String name) throws PoolException {
        PoolConfig.SnapshotRecord r = record(volume, name);
        if (!r.valid()) {
            throw new PoolException("snapshot " + volume + "@" + name + " is invalid: " + r.why());
        }
        return cat.reader(pool.volume(volume), r, false);
    }

    /**
     * The tracks of {@code volume} written since its snapshot {@code name} was taken (a copy): every
     * track a snapshot still needs is saved before it is first written, so a track is in the
     * snapshot's saves exactly when it changed since. What an incremental copy from the snapshot
     * must take; a sentence when the snapshot does not exist or is invalid (its image is gone).
     */
    public TrackBitmap writtenSince(String volume, String name) throws PoolException {
        PoolConfig.SnapshotRecord r = record(volume, name);
        if (!r.valid()) {
            throw new PoolException("snapshot " + volume + "@" + name + " is invalid: " + r.why());
        }
        OriginIndex idx = cat.index(volume);
        return idx == null ? new TrackBitmap((pool.volume(volume).size() + pool.trackSize - 1) / pool.trackSize)
                : idx.writtenSince(r.gen());
    }

    // ---- restore ------------------------------------------------------------------------------

    /** The job id of the restore of {@code volume} to a snapshot. */
    public static String restoreJobId(String volume) {
        return "snapshot-restore-" + volume;
    }

    /**
     * What restoring {@code volume} to {@code snapshot} (a name of its own snapshot, or
     * "other@name") would copy back, after the rules are checked.
     */
    public RestorePlan plan(String volume, String snapshot) throws PoolException {
        synchronized (pool) {
            RaidVolume v = pool.volume(volume);
            PoolConfig.SnapshotRecord s = sourceOf(volume, snapshot);
            refuseRestore(v, s);
            long tracks = owedFor(v, s).cardinality();
            SaveAreaInfo area = saveArea();
            return new RestorePlan(volume, s.volume(), s.name(), tracks, tracks * pool.trackSize,
                    (v.size() + pool.trackSize - 1) / pool.trackSize, area == null ? 0 : area.freeSlots());
        }
    }

    private PoolConfig.SnapshotRecord sourceOf(String volume, String snapshot) throws PoolException {
        int at = snapshot.indexOf('@');
        if (at < 0) {
            return record(volume, snapshot);
        }
        return record(snapshot.substring(0, at), snapshot.substring(at + 1));
    }

    private TrackBitmap owedFor(RaidVolume v, PoolConfig.SnapshotRecord s) {
        long tracks = (v.size() + pool.trackSize - 1) / pool.trackSize;
        if (!s.volume().equals(v.name())) {
            TrackBitmap all = new TrackBitmap(tracks);
            all.setAll();
            return all; // another volume's image: every track
        }
        OriginIndex idx = cat.index(v.name());
        return idx == null ? new TrackBitmap(tracks) : idx.writtenSince(s.gen());
    }

    /**
     * Why no snapshot can be taken while the save area {@code area} is FAILED: the engine's refusal, and
     * the app's Take disabled beforehand in the same words.
     */
    public static String saveAreaFailed(String area, String reason) {
        return "the save area " + area + " is FAILED (" + reason + "): a snapshot taken now could keep no track;"
                + " replace its drives first";
    }

    /** Why no snapshot can be taken while the save area {@code area} refuses saves ({@code why}, its failed commit). */
    public static String saveAreaRefusesSaves(String area, String why) {
        return "the save area " + area + " failed to record a save in this opening (" + why + "): a snapshot taken"
                + " now could keep no track; close the pool and open it again first";
    }

    private void refuseRestore(RaidVolume v, PoolConfig.SnapshotRecord s) throws PoolException {
        String volume = v.name();
        String ref = s.volume() + "@" + s.name();
        if (!s.valid()) {
            throw new PoolException("snapshot " + ref + " is invalid (" + s.why() + "); it cannot be restored");
        }
        RaidVolume src = pool.volume(s.volume());
        if (src != v && src.state() == VolumeState.FAILED) {
            // every track of v would be owed to a source that cannot be read: hosts could read almost
            // nothing of v (RestoreFromAFailedVolumesSnapshotTest)
            throw new PoolException("snapshot " + ref + " cannot be restored now: its volume " + s.volume() + " is FAILED ("
                    + src.stateReason() + "), and the tracks the snapshot did not save are read from it");
        }
        PoolSnapshot now = PoolSnapshots.of(pool);
        Refusal.check(RestoreRules.imageFits("snapshot " + ref, src.size(), pool.trackSize, now, volume));
        Refusal.check(RestoreRules.toSnapshot(now, pool.pairs().query(null), volume));
    }

    /**
     * Restores {@code volume} to {@code snapshot} (its own snapshot's name, or "other@name"): the
     * volume is usable at once; the tracks written since the snapshot are copied back in the
     * background. With {@code safety}, a snapshot of the volume as it is now is taken first
     * (returned in the job's message and an event). Returns the copy's job.
     */
    public Job restore(String volume, String snapshot, boolean safety, long throttle) throws IOException, PoolException {
        return guarded(new SnapshotChangeGuard.Change(SnapshotChangeGuard.Kind.RESTORE, List.of(volume), snapshot, () -> {
            PoolConfig.SnapshotRestoreRecord r = restoreRecordOf(volume);
            return safety && r != null ? r.safety() : null;
        }), () -> restoreGuarded(volume, snapshot, safety, throttle));
    }

    private Job restoreGuarded(String volume, String snapshot, boolean safety, long throttle) throws IOException, PoolException {
        synchronized (pool) {
            pool.refuseIfClosed();
            RaidVolume v = pool.volume(volume);
            PoolConfig.SnapshotRecord s = sourceOf(volume, snapshot);
            refuseRestore(v, s);
            // one instant for hosts, after the writes under way: the safety snapshot, the tracks to
            // copy back and the restore in place (a write between the tracks' count and the restore
            // in place stayed where the volume was to become the snapshot)
            try (Pool.HostWayHeld held = pool.holdHostWay(List.of(volume))) {
                String safetyName = null;
                if (safety) {
                    safetyName = safetyName(volume);
                    createLocked(List.of(volume), safetyName);
                    pool.events.publish(Event.info("SNAPSHOT", volume + "@" + safetyName, "safety snapshot " + volume + "@"
                            + safetyName + " taken before restoring " + volume + " to " + s.volume() + "@" + s.name()
                            + " (restore it to undo the restore)"));
                }
                TrackBitmap owedBits = owedFor(v, s);
                long tracks = (v.size() + pool.trackSize - 1) / pool.trackSize;
                Path map = pool.paths.snapshotRestoreMap(volume);
                pool.storage.delete(map);
                InvalidTracks owed = new InvalidTracks(DurableBitmap.create(pool.storage, map, tracks, false));
                boolean pinned = false;
                boolean recorded = false;
                Job job = null;
                try {
                    owed.addAll(owedBits);
                    pool.storage.syncDirectory(map.getParent());
                    cat.origin(pool.volume(s.volume())).index().pin(s.gen());
                    pinned = true;
                    PoolConfig.SnapshotRestoreRecord rec = new PoolConfig.SnapshotRestoreRecord(volume, s.volume(), s.name(),
                            s.gen(), safetyName, Math.max(0, throttle), false, owed.count());
                    cat.restoreRecords.put(volume, rec);
                    pool.persist();
                    recorded = true;
                    InstantRestore r = newRestore(v, s, owed);
                    cat.restores.put(volume, r);
                    pool.events.publish(Event.info("RESTORE", volume, "restore of " + volume + " to snapshot " + s.volume() + "@"
                            + s.name() + " started: the volume is usable now; " + Sizes.count(owed.count(), "track") + " ("
                            + Sizes.format(owed.count() * pool.trackSize) + ") changed since the snapshot to copy back"
                            + (safetyName == null ? "" : "; safety snapshot " + volume + "@" + safetyName)));
                    job = restoreJob(r, rec);
                    pool.startJob(job); // its thread may fail to start (OutOfMemoryError: unable to create native thread)
                    return job;
                } catch (IOException | RuntimeException | Error e) {
                    cat.restores.remove(volume);
                    if (job != null) {
                        pool.jobs.remove(job);
                    }
                    cat.restoreRecords.remove(volume);
                    if (pinned) {
                        cat.unpin(s.volume(), s.gen()); // else its saves stayed kept after it went (SnapshotRestoreRefusedTest)
                    }
                    owed.close();
                    if (recorded) {
                        startUndone(volume, e);
                    }
                    throw e;
                }
            }
        }
    }

    /**
     * Takes a restore's start off record after its record was written (the caller is told it did not
     * start, and hosts write the volume as it is from then on), as {@link RestoreStartUndo} does a
     * backup restore's: its map goes first, the directory synced, then pool.json without the record; an
     * opening that still finds the record (this write failed too, or a crash came between) finds no
     * map and ends the restore instead of resuming it over those writes. What fails is added to
     * {@code failure}, the error the caller gets.
     */
    private void startUndone(String volume, Throwable failure) {
        try {
            pool.storage.delete(pool.paths.snapshotRestoreMap(volume));
            pool.storage.syncDirectory(pool.paths.meta());
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
        try {
            pool.persist();
        } catch (IOException e) {
            failure.addSuppressed(e); // on record still, its map gone: the next opening ends it
        }
    }

    /** "before-restore-YYYYMMDD-HHMMSS", made unique. */
    private String safetyName(String volume) {
        String base = "before-restore-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC)
                .format(Instant.now());
        String n = base;
        for (int i = 2; cat.find(volume, n) != null; i++) {
            n = base + "-" + i;
        }
        return n;
    }

    private InstantRestore newRestore(RaidVolume v, PoolConfig.SnapshotRecord s, InvalidTracks owed) throws IOException {
        RaidVolume src;
        try {
            src = pool.volume(s.volume());
        } catch (PoolException e) {
            throw new IOException(e.getMessage(), e);
        }
        SnapshotReader onDemand = cat.reader(src, s, true);
        SnapshotReader bulk = cat.reader(src, s, true);
        BlockDevice target;
        try {
            target = pool.deviceBelowRestore(v.name());
        } catch (PoolException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (pool.journals.containsKey(v.name())) {
            target = new JournaledRefills(target); // the staged journal must see the restored tracks
        }
        InstantRestore r = new InstantRestore(v.name(), target, pool.trackSize, onDemand, bulk, null, owed, null,
                listener(), (offset, length) -> { }, null);
        r.setReadOnly(pool.isReadOnly());
        // the copy writes scattered tracks one run at a time: the volume's snapshots (the safety
        // snapshot first of all) save each step's tracks ahead in one commit, not one per run
        r.setBeforeCopy(cat.origin(v)::saveAhead);
        return r;
    }

    /** A restore's refills as plain writes, so the volume's staged journal logs them. */
    private record JournaledRefills(BlockDevice below) implements BlockDevice {
        @Override
        public long size() {
            return below.size();
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            below.read(offset, dst);
        }

        @Override
        public void write(long offset, ByteBuffer src) throws IOException {
            below.write(offset, src);
        }

        @Override
        public void writeZeroes(long offset, long length, boolean mayUnmap) throws IOException {
            below.writeZeroes(offset, length, mayUnmap);
        }

        @Override
        public boolean zeroesFast(long offset, long length, boolean mayUnmap) {
            return below.zeroesFast(offset, length, mayUnmap);
        }

        @Override
        public void flush() throws IOException {
            below.flush();
        }

        @Override
        public long wholeWriteUnit() {
            return below.wholeWriteUnit();
        }
    }

    private Job restoreJob(InstantRestore r, PoolConfig.SnapshotRestoreRecord rec) {
        String id = restoreJobId(r.volume());
        long owedNow = r.totalTracks() - r.currentTracks();
        long total = Math.max(rec.total(), owedNow);
        return new Job(id, "snapshot-restore", r.volume(), total - owedNow, total, pool.trackSize, rec.paused(),
                rec.throttle(), new SavedSettings(pool, r.volume(), r.bulkWork(), (paused, throttle) -> {
                    PoolConfig.SnapshotRestoreRecord now = cat.restoreRecords.get(r.volume());
                    if (now != null) {
                        cat.restoreRecords.put(r.volume(), now.with(throttle, paused));
                    }
                    return now != null;
                }), p -> pool.events.publish(Event.info("JOB_PROGRESS", id, p.line())));
    }

    /** The restore to a snapshot of {@code volume} under way, or null. */
    public InstantRestore restoreOf(String volume) {
        return cat.restores.get(volume);
    }

    /** The record of the restore to a snapshot of {@code volume} under way, or null. */
    public PoolConfig.SnapshotRestoreRecord restoreRecordOf(String volume) {
        return cat.restoreRecords.get(volume);
    }

    private InstantRestore.Listener listener() {
        return new InstantRestore.Listener() {
            @Override
            public void completed(InstantRestore r) throws IOException {
                ended(r, null);
            }

            @Override
            public void stopped(InstantRestore r, JobState state, Exception error) {
                if (state == JobState.CANCELLED) {
                    try {
                        ended(r, "cancelled");
                    } catch (IOException e) {
                        pool.events.publish(Event.warning("ERROR", r.volume(), "cleaning up after the cancelled restore of "
                                + r.volume() + ": " + e.getMessage()));
                    }
                } else {
                    PoolConfig.SnapshotRestoreRecord rec = cat.restoreRecords.get(r.volume());
                    String lost = rec == null ? null : sourceInvalid(rec, cat.find(rec.source(), rec.snapshot()));
                    pool.events.publish(Event.critical("RESTORE", r.volume(), lost != null
                            ? "the restore of " + r.volume() + " to snapshot " + rec.source() + "@" + rec.snapshot()
                                    + " cannot go on: " + lost + "; hosts cannot read the tracks not yet restored until"
                                    + " it is cancelled (job " + restoreJobId(r.volume()) + "), which leaves the volume as"
                                    + " restored so far plus the writes made meanwhile: then restore it again"
                            : "the copy of the restore of " + r.volume() + " to a snapshot failed: "
                                    + (error == null ? "" : error.getMessage()) + "; the volume keeps serving (tracks not"
                                    + " yet restored come from the snapshot) and the copy resumes when the pool is next"
                                    + " opened"));
                }
            }

            @Override
            public void writeBehindStopped(InstantRestore r, Error error) {
                PoolConfig.SnapshotRestoreRecord rec = cat.restoreRecords.get(r.volume());
                pool.events.publish(RestoreAdmin.writeBehindStoppedEvent("restore of " + r.volume() + " to snapshot "
                        + (rec == null ? "" : rec.source() + "@" + rec.snapshot()), r.volume(), error));
            }
        };
    }

    /**
     * The restore ended (finished, or cancelled when {@code cancelled} is not null). Once host I/O
     * goes straight to the volume it has ended, whatever pool.json says: a cancelled one's map goes
     * before its record, so an opening that still finds the record (its write failed, or a crash)
     * ends it rather than copy the snapshot over later writes; a failed write is said, not thrown.
     */
    private void ended(InstantRestore r, String cancelled) throws IOException {
        synchronized (pool) {
            String volume = r.volume();
            RaidVolume v = pool.volumes.get(volume);
            long owedLeft = r.totalTracks() - r.currentTracks();
            RestoreAdmin.endHostIo(pool, r); // no host I/O inside the restore's view from here: its files close below
            if (v != null) {
                v.exclusive(() -> cat.restores.remove(volume));
            } else {
                cat.restores.remove(volume);
            }
            PoolConfig.SnapshotRestoreRecord rec = cat.restoreRecords.remove(volume);
            Path map = pool.paths.snapshotRestoreMap(volume);
            if (cancelled != null) {
                // the map before the record: hosts write the volume directly from here, unmarked in it, so
                // an opening that finds the record (pool.json could not be written, or a crash) must not
                // find the map and resume over those writes; without it the opening ends the restore
                try {
                    pool.storage.delete(map);
                    pool.storage.syncDirectory(map.getParent());
                } catch (IOException e) {
                    pool.events.publish(Event.warning("ERROR", volume, "deleting the map of the cancelled restore of "
                            + volume + ": " + e.getMessage()));
                }
            }
            String unrecorded = null;
            try {
                pool.persist();
            } catch (IOException e) {
                unrecorded = e.getMessage(); // the restore has ended all the same: said below
            }
            if (cancelled == null && unrecorded == null) {
                // no directory sync: a map left by a crash names no restore in pool.json, and the next
                // restore of the volume deletes it before making its own (a finished one's owes nothing)
                pool.storage.delete(map);
            }
            r.close();
            if (rec != null) {
                cat.unpin(rec.source(), rec.gen());
            }
            String to = rec == null ? "a snapshot" : rec.source() + "@" + rec.snapshot();
            if (unrecorded != null) {
                pool.events.publish(Event.warning("RESTORE", volume, "the end of the restore of " + volume + " to " + to
                        + " could not be written to pool.json (" + unrecorded + "): it has ended, hosts write the volume"
                        + " directly, but pool.json still records it until the pool next writes it; an opening before"
                        + " that ends it (" + (cancelled == null ? "no track is left to restore" : "its map is gone")
                        + ")"));
            }
            if (cancelled == null) {
                pool.events.publish(Event.info("RESTORE", volume, "restore of " + volume + " to " + to + " finished: "
                        + Sizes.count(r.onDemandFetches(), "track") + " read on demand, " + r.bulkCopied().cardinality()
                        + " copied in the background" + (rec != null && rec.safety() != null ? "; safety snapshot "
                        + volume + "@" + rec.safety() + " holds what it was before" : "")));
            } else {
                pool.events.publish(Event.critical("RESTORE", volume, "the restore of " + volume + " to " + to
                        + " was cancelled with " + Sizes.count(owedLeft, "track") + " not restored: those tracks hold what"
                        + " the volume held before, some of them perhaps partly restored; restore it again to finish"));
            }
        }
    }

    /**
     * Why restore {@code rec} cannot go on with its source {@code s} invalid, or null: another
     * volume's snapshot's tracks not saved are read from that volume, whose writes are no longer
     * saved for it (RestoreSourceInvalidTest); a restore to the volume's own snapshot reads only the
     * saves kept for it, and goes on.
     */
    private static String sourceInvalid(PoolConfig.SnapshotRestoreRecord rec, PoolConfig.SnapshotRecord s) {
        if (s == null || s.valid() || rec.source().equals(rec.volume())) {
            return null;
        }
        return "its snapshot " + rec.source() + "@" + rec.snapshot() + " is invalid (" + s.why()
                + "), so the tracks it did not save are unknown";
    }

    /** At open: every restore to a snapshot under way resumes (its view in front of the volume, its copy a job). */
    static void resumeRestores(Pool pool) throws IOException {
        SnapshotAdmin admin = new SnapshotAdmin(pool);
        SnapshotCatalog cat = pool.snapshotCatalog;
        for (PoolConfig.SnapshotRestoreRecord rec : Pool.copy(cat.restoreRecords)) {
            RaidVolume v = pool.volumes.get(rec.volume());
            RaidVolume src = pool.volumes.get(rec.source());
            PoolConfig.SnapshotRecord s = cat.find(rec.source(), rec.snapshot());
            String lost = null;
            InvalidTracks owed = null;
            if (v == null || src == null || s == null || s.gen() != rec.gen() || cat.area() == null) {
                lost = "its snapshot " + rec.source() + "@" + rec.snapshot() + " or the save area is gone";
            } else if (sourceInvalid(rec, s) != null) {
                lost = sourceInvalid(rec, s);
            } else {
                try {
                    owed = new InvalidTracks(DurableBitmap.open(pool.storage, pool.paths.snapshotRestoreMap(rec.volume()),
                            (v.size() + pool.trackSize - 1) / pool.trackSize, pool.isReadOnly()));
                } catch (IOException e) {
                    lost = "its map of the tracks still to restore (meta/" + pool.paths.snapshotRestoreMap(rec.volume())
                            .getFileName() + ") is lost (" + e.getMessage() + "), so which tracks hosts wrote since it"
                            + " began is unknown";
                }
            }
            if (lost != null) {
                String msg = "the restore of " + rec.volume() + " to snapshot " + rec.source() + "@" + rec.snapshot()
                        + " cannot go on: " + lost + "; the volume holds what it was restored to so far plus the writes"
                        + " made meanwhile: restore it again";
                pool.openNotes.add(msg);
                if (!pool.isReadOnly()) {
                    cat.restoreRecords.remove(rec.volume());
                    String unrecorded = Pool.persistAtOpen(pool, "the end of that restore");
                    if (unrecorded == null) {
                        cat.unpin(rec.source(), rec.gen()); // else its saves stay kept while pool.json names it
                    }
                    pool.events.publish(Event.critical("RESTORE", rec.volume(), msg));
                }
                continue;
            }
            InstantRestore r = admin.newRestore(v, s, owed);
            cat.restores.put(rec.volume(), r);
            if (!pool.startResumed(admin.restoreJob(r, rec))) {
                continue; // on record: the next opening resumes it
            }
            String resumed = "restore of " + rec.volume() + " to snapshot " + rec.source() + "@" + rec.snapshot()
                    + " resumed: " + Sizes.count(r.totalTracks() - r.currentTracks(), "track") + " still to restore";
            pool.noteResumed("RESTORE", rec.volume(), resumed, resumed);
        }
    }
}
