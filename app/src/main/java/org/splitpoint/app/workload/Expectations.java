package org.splitpoint.app.workload;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.splitpoint.engine.pair.PairChange;
import org.splitpoint.engine.pair.PairChangeGuard;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pool.PairAdmin.PairView;

/**
 * What the verifying workloads expect each volume to hold, kept right across pair operations and
 * snapshots, so "0 errors" means the engine lost nothing: a split gives the BCV a copy of the STD's
 * expectations (the point-in-time image), a restore gives the STD a copy of the BCV's, and while a
 * pair mirrors both sides share one; a snapshot keeps a copy, and a restore to it brings the copy back.
 * Workload I/O runs under the read lock, a pair change under the write lock together with its
 * engine call, so no write is half in the old picture and half in the new. Pair changes arrive as
 * the pool's {@link PairChangeGuard} (set when the pool opens), so a split or restore made from
 * the CLI while the app holds the pool moves the expectations as one made from the app does; snapshot
 * changes arrive the same way, as the pool's {@link org.splitpoint.engine.snapshot.SnapshotChangeGuard}
 * (a restore to a snapshot from a shell was not followed, and the workload called what it undid lost).
 */
public final class Expectations implements PairChangeGuard, org.splitpoint.engine.snapshot.SnapshotChangeGuard {

    /** One workload I/O against a volume's expectations (null when the volume has none yet). */
    @FunctionalInterface
    interface Io<T> {
        T run(VolumeExpect expect, boolean checkable) throws java.io.IOException;
    }

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, VolumeExpect> maps = new ConcurrentHashMap<>();
    /** Copies taken with snapshots, by "volume@name". */
    private final Map<String, VolumeExpect> snapshots = new ConcurrentHashMap<>();
    private final Set<String> unsettled = ConcurrentHashMap.newKeySet();
    private final Map<String, PairState> lastSeen = new ConcurrentHashMap<>();
    private final AtomicInteger generation = new AtomicInteger();
    private final java.util.concurrent.ExecutorService observer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "splitpoint-expectations");
        t.setDaemon(true);
        return t;
    });

    /** A fresh generation number for a write (never 0, which means "unknown"). */
    int nextGeneration() {
        int g = generation.incrementAndGet();
        return g == 0 ? generation.incrementAndGet() : g;
    }

    <T> T io(String volume, long size, Io<T> io) throws java.io.IOException {
        lock.readLock().lock();
        try {
            VolumeExpect e = maps.computeIfAbsent(volume, v -> new VolumeExpect(size));
            e.ensure(size);
            return io.run(e, !unsettled.contains(volume));
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The pool's guard around every split, establish and restore, whoever starts it (the app's
     * buttons, a CLI command forwarded to this process): workload I/O is held off while the engine
     * changes the pair, and the expectations move with it in the same instant. A copy resumed (the
     * pair already RestInProg or SyncInProg) moves nothing: its expectations moved when it began.
     */
    @Override
    public <T> T around(PairChange change, Callable<T> operation) throws Exception {
        lock.writeLock().lock();
        try {
            T result = operation.call();
            for (PairChange.Sides p : change.pairs()) {
                moved(change.kind(), p);
            }
            return result;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * The pool's guard around every snapshot taken, restored to or deleted, whoever asks (the app's
     * dialogs, a command forwarded from a shell): the expectations follow as {@link #snapshotTaken},
     * {@link #restoredToSnapshot} and {@link #snapshotDeleted} say.
     */
    @Override
    public <T> T around(org.splitpoint.engine.snapshot.SnapshotChangeGuard.Change change, Callable<T> operation)
            throws Exception {
        return switch (change.kind()) {
            case TAKE -> {
                lock.writeLock().lock();
                try {
                    T result = operation.call();
                    for (String v : change.volumes()) {
                        keepCopy(v, change.name());
                    }
                    yield result;
                } finally {
                    lock.writeLock().unlock();
                }
            }
            case RESTORE -> restoredToSnapshot(change.volumes().get(0), change.name(), operation, change.safety());
            case DELETE -> {
                T result = operation.call();
                for (String v : change.volumes()) {
                    snapshotDeleted(v, change.name());
                }
                yield result;
            }
        };
    }

    private void keepCopy(String volume, String name) {
        VolumeExpect e = maps.get(volume);
        if (e != null && !unsettled.contains(volume)) {
            snapshots.put(volume + "@" + name, e.copy());
        }
    }

    private void moved(PairChange.Kind kind, PairChange.Sides p) {
        String std = p.std();
        String bcv = p.bcv();
        switch (kind) {
            case SPLIT -> {
                VolumeExpect s = maps.get(std);
                if (s != null) {
                    maps.put(bcv, s.copy());
                }
                unsettled.remove(bcv);
            }
            case ESTABLISH -> {
                if (p.before() != PairState.SyncInProg) {
                    share(std, bcv);
                    unsettled.add(bcv); // partly copied until Synchronized: not checked meanwhile
                }
            }
            case RESTORE, RESTORE_PROTECTED -> {
                if (p.before() != PairState.RestInProg) {
                    VolumeExpect b = maps.get(bcv);
                    if (b != null) {
                        maps.put(std, b.copy());
                    } else {
                        maps.remove(std);
                    }
                    if (kind == PairChange.Kind.RESTORE) {
                        share(std, bcv); // unprotected: host writes go to both sides from now on
                    }
                }
            }
        }
    }

    private void share(String std, String bcv) {
        maps.put(bcv, maps.computeIfAbsent(std, v -> new VolumeExpect(0)));
    }

    /**
     * Runs {@code engineCall} (a restore from a backup) and forgets what {@code volume} was expected
     * to hold, in one instant: its data is the backup's from then on, and only what the workloads
     * write afterwards is checked.
     */
    public <T> T replaced(String volume, Callable<T> engineCall) throws Exception {
        lock.writeLock().lock();
        try {
            T result = engineCall.call();
            maps.remove(volume);
            unsettled.remove(volume);
            return result;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Runs {@code engineCall} (taking snapshot {@code name} of {@code volume}) and keeps a copy of what
     * the volume is expected to hold, in one instant: a restore to the snapshot brings it back.
     */
    public <T> T snapshotTaken(String volume, String name, Callable<T> engineCall) throws Exception {
        lock.writeLock().lock();
        try {
            T result = engineCall.call();
            keepCopy(volume, name);
            return result;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Snapshot {@code name} of {@code volume} was deleted: its copy goes. */
    public void snapshotDeleted(String volume, String name) {
        snapshots.remove(volume + "@" + name);
    }

    /**
     * Runs {@code engineCall} (restoring {@code volume} to its snapshot {@code name}) and gives the
     * volume the snapshot's expectations in one instant, so a verifying workload checks every byte of
     * the restore; {@code safety} (asked after the call) names the safety snapshot the engine took of
     * the volume as it was, which gets the expectations the volume had. Without a copy of the
     * snapshot's (taken outside this window), what the volume holds is forgotten, as after a restore
     * from a backup.
     */
    public <T> T restoredToSnapshot(String volume, String name, Callable<T> engineCall,
                                    java.util.function.Supplier<String> safety) throws Exception {
        lock.writeLock().lock();
        try {
            T result = engineCall.call();
            VolumeExpect before = maps.get(volume);
            String safe = safety.get();
            if (safe != null && before != null && !unsettled.contains(volume)) {
                snapshots.put(volume + "@" + safe, before.copy());
            }
            VolumeExpect snap = snapshots.get(volume + "@" + name);
            if (snap != null) {
                maps.put(volume, snap.copy());
            } else {
                maps.remove(volume);
            }
            unsettled.remove(volume);
            return result;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Forgets what {@code volume} is expected to hold (after a repair: its data is what it is now),
     * keeping it shared with a pair side that shares it.
     */
    public void forget(String volume) {
        lock.writeLock().lock();
        try {
            VolumeExpect old = maps.get(volume);
            if (old == null) {
                return;
            }
            VolumeExpect fresh = new VolumeExpect(0);
            maps.replaceAll((v, e) -> e == old ? fresh : e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Runs {@code call} with workload I/O held off (a cancel whose outcome the expectations must follow). */
    public <T> T exclusive(Callable<T> call) throws Exception {
        lock.writeLock().lock();
        try {
            return call.call();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * After a restore was cancelled: the STD's tracks still owed hold their old data, which the
     * expectations no longer know; forget them. {@code owed} are the pair's BCV-invalid words (or
     * the tracks a restore to a snapshot still owed).
     */
    public void restoreCancelled(String std, long[] owed, long tracks, int trackSize) {
        lock.writeLock().lock();
        try {
            VolumeExpect s = maps.get(std);
            if (s == null) {
                return;
            }
            for (long t = 0; t < tracks; t++) {
                if ((owed[(int) (t >>> 6)] & (1L << t)) != 0) {
                    s.forget(t, t + 1, trackSize);
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * {@link #observe} on a thread of its own, in order: the UI thread hands pair queries over here
     * rather than wait for a workload's I/O to finish.
     */
    public void observeLater(List<PairView> pairs) {
        observer.execute(() -> observe(pairs));
    }

    /**
     * Follows what the app did not cause: a pair found mirroring when first seen (its sides then
     * share expectations), an establish that finished (the BCV is settled) or was cancelled (the BCV
     * is partly copied: forget it). Only first sightings and observed transitions count, because a
     * query may arrive after a change the app made meanwhile and must not undo it.
     */
    void observe(List<PairView> pairs) {
        lock.writeLock().lock();
        try {
            for (PairView p : pairs) {
                PairState now = p.state();
                PairState before = lastSeen.put(p.name(), now);
                if (before == null && now.mirrors()) {
                    share(p.std(), p.bcv());
                }
                if (now == PairState.SyncInProg) {
                    unsettled.add(p.bcv());
                } else if (now == PairState.Synchronized || now == PairState.Restored) {
                    unsettled.remove(p.bcv());
                } else if (before == PairState.SyncInProg && now == PairState.Split) {
                    maps.put(p.bcv(), new VolumeExpect(0));
                    unsettled.remove(p.bcv());
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
