package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.splitpoint.engine.backup.BackupException;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.backup.ImageWriter;
import org.splitpoint.engine.backup.StoreTimeLimit;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * The store's part of a backup's start, without the pool's monitor and under the store's time limit.
 *
 * <p>Why. Starting a backup opens its store, removes the volume's unfinished images there, records
 * the pool as a user of the store and creates the image's partial directory, files and writer's
 * lock. All of that ran under the pool's monitor: a store that never answers (an NFS server gone,
 * a disk that hangs) held the monitor for good, and every verb that takes it (drive fail and
 * replace, pair verbs, the journal watch's retries) waited with it. Here it runs on a helper thread
 * ({@link StoreTimeLimit#aside}) that the caller waits for at most the limit; the caller holds no
 * lock meanwhile. Past the limit the start fails saying what the store did not answer ("creating
 * images/ID.partial") and that nothing was changed on the volume: nothing of the pool's (its
 * changed-block map, pool.json, the volume's observers) is touched before the image exists.
 *
 * <p>The hung call goes on alone. A hand-off under this object's monitor decides who owns what it
 * makes: the caller, if it arrives in time; else the helper, which then stops before its next step
 * or, having made the writer, abandons it (its lock let go, its partial directory removed if the
 * store answers). An image it leaves is unfinished, never sealed (only a started backup seals), and
 * the next backup of the volume into that store removes it, as it removes a crash's leftovers.
 */
final class StoreStart {

    private final Pool pool;
    private final RaidVolume v;
    private final Path storeDir;
    private final boolean full;
    private final PoolConfig.SnapshotRecord snap;
    private final PoolConfig.BackupRecord last;

    /** What the helper does now, for the sentence when the store does not answer. */
    private volatile String step = "opening the store";
    // the hand-off (this object's monitor)
    private boolean gaveUp;
    private Ready ready;

    /** The opened store and the image's writer, under its time limit. */
    record Ready(DirectoryStore store, ImageWriter writer) { }

    /** A refusal found in the store (an incremental with no parent there): a PoolException, carried out of the helper. */
    private static final class Refused extends RuntimeException {
        final PoolException refusal;

        Refused(PoolException refusal) {
            super(refusal.getMessage(), null, false, false);
            this.refusal = refusal;
        }
    }

    StoreStart(Pool pool, RaidVolume v, Path storeDir, boolean full, PoolConfig.SnapshotRecord snap,
               PoolConfig.BackupRecord last) {
        this.pool = pool;
        this.v = v;
        this.storeDir = storeDir;
        this.full = full;
        this.snap = snap;
        this.last = last;
    }

    /**
     * Does the store's part and returns the image's writer, waiting at most {@code limit}; the
     * writer's own calls go through a fresh limit of the same length (the backup's).
     */
    Ready run(StoreTimeLimit limit) throws IOException, PoolException {
        boolean ended;
        try {
            ended = StoreTimeLimit.aside("the start of a backup of " + v.name() + " into " + storeDir, limit.millis(),
                    () -> {
                        inStore(limit);
                        return null;
                    });
        } catch (Refused r) {
            throw r.refusal;
        }
        Ready r = ended ? taken() : giveUp();
        if (r == null) {
            throw new BackupException("the backup store " + storeDir + " did not answer within " + limit.said()
                    + " while the backup of " + v.name() + " was being started (" + step + "): nothing was changed on"
                    + " the volume; what it leaves in the store is never made valid, and the next backup of "
                    + v.name() + " into that store removes it");
        }
        return r;
    }

    private synchronized Ready taken() {
        return ready;
    }

    /** The caller stops waiting: what the helper made from now on is its own to give up. */
    private synchronized Ready giveUp() {
        if (ready == null) {
            gaveUp = true;
        }
        return ready;
    }

    /** The helper: false when the caller gave up (the helper stops, or gives up what it made). */
    private synchronized boolean hand(Ready r) {
        if (gaveUp) {
            return false;
        }
        ready = r;
        return true;
    }

    private synchronized void stopIfGivenUp() throws IOException {
        if (gaveUp) {
            throw new java.io.InterruptedIOException("the start of the backup of " + v.name() + " was given up");
        }
    }

    /** The helper's work, step by step (each named for the sentence). */
    private void inStore(StoreTimeLimit limit) throws IOException {
        String volume = v.name();
        DirectoryStore store;
        String parent;
        try {
            BackupAdmin.refuseStoreInsidePool(pool, storeDir); // (resolves the path's links: a call into the store)
            if (!full && !Files.isDirectory(storeDir)) {
                throw BackupAdmin.incrementalRefused(volume, storeDir, last);
            }
            store = DirectoryStore.open(storeDir, pool.storage, full); // a full one may start a store
            if (!full) {
                step = "reading the manifest of image " + last.image();
            }
            parent = full ? null : BackupAdmin.incrementalParent(volume, store, last);
        } catch (PoolException e) {
            throw new Refused(e);
        }
        stopIfGivenUp();
        step = "removing unfinished images of " + volume;
        BackupAdmin.removeUnfinished(store, volume);
        BackupsStarted.dropEnded(pool); // the images just removed are no longer to be said
        stopIfGivenUp();
        ImageInfo header = new ImageInfo(BackupAdmin.newIdIn(store, volume, full ? "full" : "inc"), store.uuid(), volume, v.size(), pool.trackSize,
                snap == null ? java.time.Instant.now().toString() : snap.createdAt(), parent,
                full ? ImageInfo.Kind.FULL : ImageInfo.Kind.INCREMENTAL, 0, 0, null, null);
        step = "recording this pool as a user of the store";
        ImagesInUse.register(pool, store); // a journal may build on this image
        stopIfGivenUp();
        BackupsStarted.starting(pool, volume, header.id(), store.dir()); // before the image: none unknown to the pool
        step = "creating images/" + header.id() + ".partial";
        ImageWriter writer;
        try {
            writer = store.create(header);
            // a store that hangs fails the backup, not the hosts' writes (BackupWork, StoreTimeLimit)
            writer.answerWithin(new StoreTimeLimit(limit.millis()));
        } catch (IOException | RuntimeException e) {
            BackupsStarted.ended(pool, header.id());
            throw e;
        }
        if (!hand(new Ready(store, writer))) {
            // the caller said the store did not answer: this image is never used; it goes now if the store lets it
            try {
                BackupsStarted.giveUp(pool, writer, -1); // (this is a helper thread already)
            } catch (IOException | RuntimeException e) {
                // it stays unfinished, its lock let go: the next backup of the volume into the store removes it
            }
        }
    }
}
