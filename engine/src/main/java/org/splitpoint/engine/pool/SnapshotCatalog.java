package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.raid.RaidVolume;
import org.splitpoint.engine.restore.InstantRestore;
import org.splitpoint.engine.snapshot.CopyOnWrite;
import org.splitpoint.engine.snapshot.OriginIndex;
import org.splitpoint.engine.snapshot.SaveArea;
import org.splitpoint.engine.snapshot.SaveLog;
import org.splitpoint.engine.snapshot.SaveRecord;
import org.splitpoint.engine.snapshot.SnapshotReader;

/**
 * The pool's snapshots as they live: the records (in pool.json), the save area and its log, one
 * {@link OriginIndex} and {@link CopyOnWrite} per volume that has snapshots, the restores to a
 * snapshot under way.
 *
 * <p>Design. pool.json says which snapshots exist and which are valid; {@code meta/snapshots.log}
 * says which slot holds which saved track. At open the log is replayed into the indexes, keeping
 * the saves some valid snapshot (or a restore under way) still needs; the others' slots are free.
 * Whatever makes a save dead — a delete, an invalidation — is written to pool.json before its slot
 * may be reused, so a power cut never leaves a valid snapshot naming a slot that holds another
 * track. A save area whose log is lost, or cut short of the records it had made durable (its
 * header's count, {@link SaveLog}), makes every snapshot invalid, said loudly: a lost record is never
 * read as good news (which snapshots the lost records served is unknown). A cut-short log is kept
 * for what it still holds, its count lowered only once the invalidation is in pool.json. When that invalidation cannot be written at open (a full file
 * system), the pool opens all the same, but no new log is made and no save area is used: a new log
 * beside a pool.json that still says valid would be taken at the next opening for all they saved.
 *
 * <p>Locks: this object's monitor guards the snapshot decisions; it is taken by the copy on write
 * (on a writer's thread, the origin's gate held for reading) and by verbs that hold the pool's
 * monitor, and nothing that holds it waits for a volume's gate. The records live in synchronized
 * maps that {@link Pool#persist} copies under their own short locks.
 */
final class SnapshotCatalog {

    final Pool pool;
    volatile String saveAreaVolume;
    volatile long nextGen;
    /** By "volume@name", in the order taken. */
    final Map<String, PoolConfig.SnapshotRecord> records = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, PoolConfig.SnapshotRestoreRecord> restoreRecords = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    /** Restores to a snapshot under way, by volume (their views are what hosts see). */
    final Map<String, InstantRestore> restores = new java.util.concurrent.ConcurrentHashMap<>();
    final Map<String, CopyOnWrite> origins = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile SaveArea area;
    private final Object thresholds = new Object();
    private int warnedAt;

    SnapshotCatalog(Pool pool, PoolConfig.SnapshotConfig config) {
        this.pool = pool;
        this.saveAreaVolume = config.saveArea();
        this.nextGen = config.nextGen();
        for (PoolConfig.SnapshotRecord r : config.snapshots()) {
            records.put(key(r.volume(), r.name()), r);
        }
        for (PoolConfig.SnapshotRestoreRecord r : config.restores()) {
            restoreRecords.put(r.volume(), r);
        }
    }

    static String key(String volume, String name) {
        return volume + "@" + name;
    }

    PoolConfig.SnapshotConfig config() {
        return new PoolConfig.SnapshotConfig(saveAreaVolume, nextGen, Pool.copy(records), Pool.copy(restoreRecords));
    }

    SaveArea area() {
        return area;
    }

    /** The snapshots of {@code volume} (null: all), oldest first. */
    List<PoolConfig.SnapshotRecord> of(String volume) {
        List<PoolConfig.SnapshotRecord> out = new ArrayList<>();
        for (PoolConfig.SnapshotRecord r : Pool.copy(records)) {
            if (volume == null || r.volume().equals(volume)) {
                out.add(r);
            }
        }
        out.sort(java.util.Comparator.comparingLong(PoolConfig.SnapshotRecord::gen));
        return out;
    }

    PoolConfig.SnapshotRecord find(String volume, String name) {
        return records.get(key(volume, name));
    }

    /** The index of {@code volume}'s saves, or null when it never had a snapshot in this opening. */
    OriginIndex index(String volume) {
        CopyOnWrite c = origins.get(volume);
        return c == null ? null : c.index();
    }

    // ---- open ---------------------------------------------------------------------------------

    /** At open: the save area and its log, the indexes, the copy on write of every volume with snapshots. */
    void open() throws IOException {
        Map<String, List<SaveRecord>> byVolume = new HashMap<>();
        String lostWhy = null;
        if (saveAreaVolume != null) {
            RaidVolume sv = pool.volumes.get(saveAreaVolume);
            if (sv == null) {
                lostWhy = "the save area volume " + saveAreaVolume + " is gone";
            } else {
                SaveLog.Replay replay = null;
                try {
                    replay = SaveLog.read(pool.storage, pool.paths.saveLog());
                } catch (NoSuchFileException e) {
                    lostWhy = "the save area's log (meta/" + pool.paths.saveLog().getFileName() + ") is missing";
                } catch (IOException e) {
                    lostWhy = "the save area's log (meta/" + pool.paths.saveLog().getFileName() + ") is damaged ("
                            + e.getMessage() + ")";
                }
                if (replay != null && replay.cutShort() != null) {
                    // a cut like a torn tail's, but of records that were acknowledged: the snapshots would
                    // read the volume's current bytes where their lost saves were
                    lostWhy = "the save area's log (meta/" + pool.paths.saveLog().getFileName() + ") was cut short ("
                            + replay.cutShort() + ")";
                }
                if (replay != null) {
                    Map<Long, SaveRecord> bySlot = new LinkedHashMap<>();
                    for (SaveRecord r : replay.records()) {
                        bySlot.put(r.slot(), r); // a slot written again: its earlier save was dead
                    }
                    for (SaveRecord r : bySlot.values()) {
                        byVolume.computeIfAbsent(r.volume(), k -> new ArrayList<>()).add(r);
                    }
                }
                String unrecorded = lostWhy != null && anyValid() ? invalidateAll(lostWhy + ": which tracks it saved is unknown")
                        : null;
                if (unrecorded != null) {
                    // pool.json still says valid: a new log beside it would be read at the next opening as
                    // the whole of what those snapshots saved (torn snapshots). Without a log the next
                    // opening finds it lost again and decides the same; no save area is used meanwhile.
                    pool.openNotes.add("the save area " + saveAreaVolume + " is not used in this opening: its new log"
                            + " waits until the snapshots' invalidation can be written");
                    buildIndexes(Map.of());
                    return;
                }
                SaveLog log = null;
                if (!pool.isReadOnly()) {
                    if (replay == null) {
                        MetaFiles.setAside(pool, pool.paths.saveLog());
                        log = SaveLog.create(pool.storage, pool.paths.saveLog());
                        pool.storage.syncDirectory(pool.paths.meta());
                    } else {
                        log = SaveLog.open(pool.storage, pool.paths.saveLog(), replay);
                    }
                }
                area = new SaveArea(saveAreaVolume, sv, pool.trackSize, log);
                if (replay != null && !pool.isReadOnly()) {
                    long live = buildIndexes(byVolume);
                    if (replay.records().size() > 4096 && replay.records().size() > 2 * live) {
                        compact();
                    }
                    return;
                }
            }
        }
        if (lostWhy != null && anyValid()) {
            invalidateAll(lostWhy + ": its snapshots cannot be read"); // nothing is made after it: unrecorded, the next opening decides the same
        }
        buildIndexes(byVolume);
    }

    private boolean anyValid() {
        return Pool.copy(records).stream().anyMatch(PoolConfig.SnapshotRecord::valid);
    }

    /** Builds every volume's index from its saves (claiming their slots); returns the saves kept. */
    private long buildIndexes(Map<String, List<SaveRecord>> byVolume) {
        long kept = 0;
        Map<String, List<Long>> pins = new HashMap<>();
        for (PoolConfig.SnapshotRestoreRecord r : Pool.copy(restoreRecords)) {
            pins.computeIfAbsent(r.source(), k -> new ArrayList<>()).add(r.gen());
        }
        for (PoolConfig.SnapshotRecord s : of(null)) {
            RaidVolume v = pool.volumes.get(s.volume());
            if (v == null) {
                continue;
            }
            origin(v);
        }
        for (Map.Entry<String, List<Long>> e : pins.entrySet()) {
            RaidVolume v = pool.volumes.get(e.getKey());
            if (v != null) {
                OriginIndex idx = origin(v).index();
                e.getValue().forEach(idx::pin);
            }
        }
        for (Map.Entry<String, CopyOnWrite> e : origins.entrySet()) {
            OriginIndex idx = e.getValue().index();
            for (SaveRecord r : byVolume.getOrDefault(e.getKey(), List.of())) {
                if (r.track() < idx.tracks() && idx.kept(r)) {
                    idx.add(r);
                    if (area != null) {
                        area.claim(r.slot());
                    }
                    kept++;
                }
            }
        }
        return kept;
    }

    /** Rewrites the log with the saves kept only. */
    private void compact() throws IOException {
        List<SaveRecord> live = new ArrayList<>();
        for (CopyOnWrite c : origins.values()) {
            live.addAll(c.index().all());
        }
        SaveArea old = area;
        old.close();
        SaveLog.rewrite(pool.storage, pool.paths.saveLog(), live);
        pool.storage.syncDirectory(pool.paths.meta());
        SaveLog log = SaveLog.open(pool.storage, pool.paths.saveLog(), SaveLog.read(pool.storage, pool.paths.saveLog()));
        SaveArea fresh = new SaveArea(saveAreaVolume, pool.volumes.get(saveAreaVolume), pool.trackSize, log);
        for (SaveRecord r : live) {
            fresh.claim(r.slot());
        }
        area = fresh;
    }

    /** The copy on write of {@code v}, put before its writes the first time (with its snapshots' generations). */
    synchronized CopyOnWrite origin(RaidVolume v) {
        CopyOnWrite c = origins.get(v.name());
        if (c != null) {
            return c;
        }
        OriginIndex idx = new OriginIndex(v.name(), (v.size() + pool.trackSize - 1) / pool.trackSize);
        for (PoolConfig.SnapshotRecord s : of(v.name())) {
            if (s.valid()) {
                idx.addValid(s.gen());
            }
        }
        c = new CopyOnWrite(v.name(), v, pool.trackSize, idx, () -> area, new Unsaved());
        origins.put(v.name(), c);
        v.addWriteObserver(c);
        return c;
    }

    // ---- designate the save area --------------------------------------------------------------

    /** Makes {@code v} the save area (no snapshot exists): a fresh log. */
    synchronized void designate(RaidVolume v) throws IOException {
        SaveArea old = area;
        area = null;
        if (old != null) {
            old.close();
        }
        pool.storage.delete(pool.paths.saveLog());
        SaveLog log = SaveLog.create(pool.storage, pool.paths.saveLog());
        pool.storage.syncDirectory(pool.paths.meta());
        saveAreaVolume = v.name();
        try {
            pool.persist();
        } catch (IOException e) {
            saveAreaVolume = old == null ? null : old.volume();
            log.close();
            throw e;
        }
        area = new SaveArea(v.name(), v, pool.trackSize, log);
        synchronized (thresholds) {
            warnedAt = 0;
        }
    }

    // ---- invalidation -------------------------------------------------------------------------

    /**
     * At open: every valid snapshot invalid, in memory, and written to pool.json as the opening's other
     * decisions are ({@link Pool#persistAtOpen}: a full file system does not keep the pool from
     * opening). Returns the write's error when pool.json could not be written, else null.
     */
    private String invalidateAll(String why) {
        for (PoolConfig.SnapshotRecord r : Pool.copy(records)) {
            if (r.valid()) {
                records.put(key(r.volume(), r.name()), r.invalid(why));
                pool.openNotes.add("snapshot " + key(r.volume(), r.name()) + " is invalid: " + why);
            }
        }
        if (pool.isReadOnly()) {
            return null;
        }
        String unrecorded = Pool.persistAtOpen(pool, "the snapshots' invalidation");
        pool.events.publish(Event.critical("SNAPSHOT", "pool", "every snapshot is invalid: " + why));
        return unrecorded;
    }

    /**
     * Makes {@code gens}' snapshots of {@code volume} invalid ({@code why}): durably first, then
     * their saves no other snapshot needs are given back. When pool.json cannot be written they stay
     * valid, as on disk, and this throws (the write that needed the save is refused).
     */
    synchronized void invalidate(String volume, List<PoolConfig.SnapshotRecord> which, String why) throws IOException {
        List<Long> gens = new ArrayList<>();
        List<PoolConfig.SnapshotRecord> marked = new ArrayList<>();
        for (PoolConfig.SnapshotRecord r : which) {
            PoolConfig.SnapshotRecord invalid = r.invalid(why);
            records.put(key(r.volume(), r.name()), invalid);
            marked.add(invalid);
            gens.add(r.gen());
        }
        if (gens.isEmpty()) {
            return;
        }
        try {
            pool.persist();
        } catch (IOException e) {
            // still valid on disk, so valid in memory too: the write that needed the save is refused,
            // and the next write to the track tries again to record this; left invalid in memory, that
            // write found nothing to make invalid and went on unsaved (UnrecordedInvalidationTest)
            for (int i = 0; i < which.size(); i++) {
                records.replace(key(which.get(i).volume(), which.get(i).name()), marked.get(i), which.get(i));
            }
            throw e;
        }
        for (PoolConfig.SnapshotRecord r : which) {
            pool.events.publish(Event.critical("SNAPSHOT", key(r.volume(), r.name()), "snapshot " + key(r.volume(), r.name())
                    + " is invalid: " + why + "; it can no longer show its image (delete it; the volume is intact)"));
        }
        drop(volume, gens);
    }

    /**
     * {@code volume} was lost beyond its redundancy and gets blank drives: its valid snapshots are
     * invalid ({@code why}), durably, since what they did not save was on the lost drives.
     */
    void volumeLost(String volume, String why) throws IOException {
        List<PoolConfig.SnapshotRecord> hit = new ArrayList<>();
        for (PoolConfig.SnapshotRecord r : of(volume)) {
            if (r.valid()) {
                hit.add(r);
            }
        }
        invalidate(volume, hit, why);
    }

    /** Drops {@code gens} from {@code volume}'s index and frees what no kept snapshot needs (the drop is durable). */
    void drop(String volume, List<Long> gens) {
        OriginIndex idx = index(volume);
        if (idx != null) {
            giveBack(idx.drop(gens));
        }
    }

    /** The restore reading {@code gen} of {@code volume} ended (durably): its saves no longer needed go back. */
    void unpin(String volume, long gen) {
        OriginIndex idx = index(volume);
        if (idx != null) {
            giveBack(idx.unpin(gen));
        }
    }

    /** Frees slots whose saves are dead (durably) and lets the thresholds see the area's new use. */
    private void giveBack(List<Long> slots) {
        SaveArea a = area;
        if (a != null) {
            slots.forEach(a::free);
            thresholdCheck(a);
        }
    }

    private final class Unsaved implements CopyOnWrite.Unsaved {
        @Override
        public void cannotSave(String volume, long track, long from, long to, String why) throws IOException {
            List<PoolConfig.SnapshotRecord> hit = new ArrayList<>();
            for (PoolConfig.SnapshotRecord r : of(volume)) {
                if (r.valid() && r.gen() >= from && r.gen() <= to) {
                    hit.add(r);
                }
            }
            invalidate(volume, hit, why + " when track " + track + " of " + volume + " was written");
        }

        @Override
        public void used(SaveArea a) {
            thresholdCheck(a);
        }
    }

    /** Warnings as the save area's use crosses 80% and 95% (once per crossing, each threshold its own). */
    void thresholdCheck(SaveArea a) {
        long slots = a.slots();
        if (slots == 0) {
            return;
        }
        long pct = a.usedSlots() * 100 / slots;
        int level = pct >= 95 ? 95 : pct >= 80 ? 80 : 0;
        int was;
        synchronized (thresholds) {
            was = warnedAt;
            warnedAt = level;
        }
        for (int threshold : new int[] {80, 95}) {
            if (was < threshold && level >= threshold) {
                pool.events.publish(Event.warning("SAVE_AREA", a.volume(), "the save area " + a.volume() + " is past "
                        + threshold + "% full (" + pct + "%, " + Sizes.format(a.usedSlots() * (long) pool.trackSize) + " of "
                        + Sizes.format(slots * (long) pool.trackSize) + "): when it is full, the snapshots that need a new"
                        + " track saved become invalid; delete snapshots or designate a larger save area"));
            }
        }
    }

    // ---- reading ------------------------------------------------------------------------------

    /**
     * Snapshot {@code name} of {@code v} as a read-only device (reads fail with a sentence once it is
     * deleted or invalid). {@code evenIfInvalid}: for a restore, which reads the saves kept for it
     * after it became invalid, but never a track from the volume then (it may be newer).
     */
    SnapshotReader reader(RaidVolume v, PoolConfig.SnapshotRecord s, boolean evenIfInvalid) {
        CopyOnWrite c = origin(v);
        String k = key(s.volume(), s.name());
        return new SnapshotReader(k, v, pool.trackSize, c.index(), s.gen(), () -> area,
                () -> whyUnreadable(k, s.gen(), evenIfInvalid), () -> whyUnreadable(k, s.gen(), false));
    }

    /** Why snapshot {@code k} (generation {@code gen}) cannot be read now, or null. */
    private String whyUnreadable(String k, long gen, boolean evenIfInvalid) {
        PoolConfig.SnapshotRecord now = records.get(k);
        if (now == null || now.gen() != gen) {
            return "snapshot " + k + " was deleted";
        }
        if (!now.valid() && !evenIfInvalid) {
            return "snapshot " + k + " is invalid: " + now.why();
        }
        return null;
    }

    // ---- close --------------------------------------------------------------------------------

    /** Closes the save log (the restores are closed by the pool, with the others). */
    void close() throws IOException {
        SaveArea a = area;
        if (a != null) {
            a.close();
        }
    }
}
