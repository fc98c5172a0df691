package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.backup.ImageWriter;
import org.splitpoint.engine.backup.StoreTimeLimit;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.RangeLocks;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.job.JobWork;
import org.splitpoint.engine.raid.RaidVolume;
import org.splitpoint.engine.snapshot.SnapshotReader;

/**
 * A backup of a volume into an image, as of one instant, while hosts keep writing.
 *
 * <p>Design (qemu's backup job with its copy-before-write filter). At the start, with no write in
 * flight, the tracks to copy are fixed (every track for a full image, the changed tracks for an
 * incremental) and an observer is put before every write to the volume: a write to a track still to
 * copy first copies the track's old bytes into the image. The copier walks the tracks in order;
 * both take the track's lock and copy a track only once, so the image holds every track exactly as
 * it was at the start. A full image leaves out all-zero tracks (they read as zeros from it).
 * Both take the volume's gate (for reading) before the track's lock, as a host write holds the gate
 * around its observers: a copier that took the lock first and then asked the gate could be queued
 * behind a membership change that waits for a host write that waits for that lock. A cancelled or
 * failed backup marks itself ended before it takes the observer away: a write still inside the
 * observer (it runs the observers it found as it began) then copies nothing into the image abandoned
 * next; a finished one need not (a write still inside finds every track copied).
 *
 * <p>A host write is never refused because of a backup (qemu's {@code on-cbw-error=break-snapshot}):
 * a track whose old bytes cannot be copied (the store is full, its disk fails) breaks the backup
 * instead, before the write goes on. The track's lock is held until the break is recorded, so the
 * copier, taking that lock next, finds it and fails the job rather than copy the new bytes; the
 * image is never sealed, and the tracks stay marked for the next backup (the write marks its own).
 *
 * <p>Nor does a store that hangs hang the host (qemu's {@code cbw-timeout}): the image's calls into
 * the store have a time limit ({@link StoreTimeLimit}; 30 s unless set). The host's thread reads the
 * track's old bytes itself, a piece at a time, and only the store's write waits on a helper thread;
 * one that does not answer in time breaks the backup as a failed one does, the host's write goes on,
 * and from then on no copy starts (the store counts as hung; the image can never be sealed). The
 * copier's and a checkpoint's calls have the same limit, and a cancel or failure removes the image
 * on a thread of its own, waiting for it a bounded time: nothing of a backup waits on a hung store
 * for good. A call still hung when the backup ended touches only an image that is never valid.
 *
 * <p>The changed tracks were taken from the volume's map at the start and saved in
 * {@code meta/<volume>.cbt.taken} first; a backup that does not complete gives them back, and so
 * does the next open after a crash, so no change is ever lost to the next incremental.
 *
 * <p>As of a snapshot ({@code backup create --from-snapshot}), the source is the snapshot's reader:
 * it is one instant already (its saves hold what hosts overwrite), so there is no observer, no
 * gate around the copy and nothing taken from the map; the volume's journal does not build on the
 * image (its entries start at a later instant).
 */
final class BackupWork implements JobWork {

    private final Pool pool;
    private final RaidVolume volume;
    /** What the tracks are read from: the volume, or a snapshot of it. */
    private final BlockDevice source;
    /** The snapshot's generation read from, or -1 for the volume as of the backup's start. */
    private final long snapshotGen;
    /** "volume@name" of that snapshot, or null. */
    private final String snapshotRef;
    private final ImageWriter writer;
    private final TrackBitmap toCopy;
    private final TrackBitmap copied;
    private final TrackBitmap taken;
    private final boolean full;
    private final int trackSize;
    private final RangeLocks locks = new RangeLocks(1);
    private final RaidVolume.WriteObserver copyBeforeWrite = this::copyBeforeWrite;
    private long cursor;
    private long budget = Long.MAX_VALUE;
    private long lastRemaining;
    private volatile String outcome = "";
    /** Why a host write's copy failed, breaking this backup; null while it holds. */
    private volatile String broken;
    /** Set as a cancelled or failed backup ends, before its image is abandoned: no copy starts after. */
    private volatile boolean ended;
    /** The volume's journal at the backup's instant and its next entry then. */
    private final JournalBase.BackupInstant journalAtInstant;

    /** A backup of the volume as of now (its instant, with copy-before-write). */
    BackupWork(Pool pool, RaidVolume volume, ImageWriter writer, TrackBitmap toCopy, TrackBitmap taken, boolean full,
               JournalBase.BackupInstant journalAtInstant) {
        this(pool, volume, volume, -1, null, writer, toCopy, taken, full, journalAtInstant);
    }

    /** A backup of the volume as snapshot {@code snapshot} (generation {@code gen}) shows it. */
    BackupWork(Pool pool, RaidVolume volume, SnapshotReader snapshot, long gen, ImageWriter writer, TrackBitmap toCopy,
               boolean full) {
        this(pool, volume, snapshot, gen, snapshot.name(), writer, toCopy, new TrackBitmap(toCopy.size()), full,
                JournalBase.BackupInstant.NONE);
    }

    private BackupWork(Pool pool, RaidVolume volume, BlockDevice source, long snapshotGen, String snapshotRef,
                       ImageWriter writer, TrackBitmap toCopy, TrackBitmap taken, boolean full,
                       JournalBase.BackupInstant journalAtInstant) {
        this.journalAtInstant = journalAtInstant;
        this.pool = pool;
        this.volume = volume;
        this.source = source;
        this.snapshotGen = snapshotGen;
        this.snapshotRef = snapshotRef;
        this.writer = writer;
        this.toCopy = toCopy;
        this.taken = taken;
        this.full = full;
        this.trackSize = pool.trackSize;
        this.copied = new TrackBitmap(toCopy.size());
        this.lastRemaining = toCopy.cardinality();
    }

    /** Put before every write to the volume, at the backup's instant (the caller holds the volume exclusively). */
    void install() {
        volume.addWriteObserver(copyBeforeWrite);
    }

    /** True when this backup reads snapshot generation {@code gen} (which may then not be deleted). */
    boolean reads(long gen) {
        return snapshotGen >= 0 && snapshotGen == gen;
    }

    private boolean fromSnapshot() {
        return snapshotGen >= 0;
    }

    long tracksToCopy() {
        return toCopy.cardinality();
    }

    private void copyBeforeWrite(long offset, long length) {
        long t1 = (offset + length + trackSize - 1) / trackSize;
        for (long t = offset / trackSize; t < t1 && broken == null && !ended; t++) {
            try {
                copy(t, null, true);
            } catch (IOException | RuntimeException e) {
                return; // recorded in broken by copy, under the track's lock: the write goes on
            }
        }
    }

    /** Records the first reason this backup broke (a later one is a consequence of it). */
    private synchronized void breakWith(String why) {
        if (broken == null) {
            broken = why;
        }
    }

    /** Fails the copier's step once a host write broke the backup. */
    private void checkNotBroken() throws IOException {
        String why = broken;
        if (why != null) {
            throw new IOException(why);
        }
    }

    /**
     * Copies track {@code t} into the image if it is to be copied and was not yet, telling
     * {@code moved} each piece read (the copier's; a host's copy tells nobody); returns bytes moved.
     * For a host's write ({@code forHost}) a failure breaks the backup before the lock is let go.
     */
    private long copy(long t, java.util.function.LongConsumer moved, boolean forHost) throws IOException {
        if (!toCopy.get(t) || copied.get(t)) {
            return 0;
        }
        try (RangeLocks.Held h = locks.lock(t, t + 1)) {
            if (copied.get(t) || ended) {
                return 0; // (ended: the backup is over, its image abandoned or about to be)
            }
            checkNotBroken(); // a host write may have changed this track since: never copy it now
            int len = (int) Math.min(trackSize, volume.size() - t * trackSize);
            long at = t * trackSize;
            try {
                // a megabyte at a time (tracks go up to 1 GiB); a full image leaves out all-zero tracks
                writer.putTrack(t, len, (within, piece, n) -> {
                    source.read(at + within, ByteBuffer.wrap(piece, 0, n));
                    if (moved != null) {
                        moved.accept(n);
                    }
                }, full);
            } catch (StoreTimeLimit.NotAnsweredException e) {
                if (e.after()) {
                    if (forHost) {
                        // the cause first, as the call given up on says it: this write may get here before that
                        // call's thread has broken the backup, and its sentence then stands as the job's reason
                        breakWith("the backup store did not answer within " + e.limit() + ", " + e.what() + ": a host's"
                                + " write to track " + t + " could not first copy the track's old bytes into the image;"
                                + " the write went ahead, so the image can no longer be the volume as of the backup's start");
                    }
                    throw broken != null ? new IOException(broken, e) : e; // the first call given up on says why
                }
                String why = "the backup store did not answer " + (forHost ? "a copy-before-write" : "the copy")
                        + " of track " + t + " within " + e.limit() + ", " + e.what();
                breakWith(forHost ? why + "; the host's write went ahead, so the image can no longer be the volume"
                        + " as of the backup's start" : why);
                throw new IOException(why, e);
            } catch (IOException | RuntimeException e) {
                if (forHost) {
                    breakWith("a host's write to track " + t + " could not first copy the track's old bytes into the"
                            + " image (" + e.getMessage() + "); the write went ahead, so the image can no longer"
                            + " be the volume as of the backup's start");
                }
                throw e;
            }
            copied.set(t);
            return len;
        }
    }

    private java.util.function.LongConsumer movedWithin;

    @Override
    public void reportWithin(java.util.function.LongConsumer moved) {
        movedWithin = moved;
    }

    @Override
    public void stepBudget(long bytes) {
        budget = bytes;
    }

    @Override
    public Step copyNext(long done) throws IOException {
        checkNotBroken();
        long maxTracks = Math.max(1, Math.min(budget, 4L << 20) / trackSize);
        long bytes = 0;
        for (long n = 0; n < maxTracks; n++) {
            long t = toCopy.nextSetBit(cursor);
            if (t < 0) {
                break;
            }
            if (fromSnapshot()) {
                bytes += copy(t, movedWithin, false); // no observer takes the track's lock: no gate to order it by
            } else {
                long[] moved = new long[1];
                volume.shared(() -> moved[0] = copy(t, movedWithin, false)); // the gate before the track's lock, as a host write
                bytes += moved[0];
            }
            cursor = t + 1;
        }
        long remaining = toCopy.cardinality() - copied.cardinality();
        long advanced = Math.max(0, lastRemaining - remaining);
        lastRemaining = remaining;
        return new Step(advanced, bytes);
    }

    @Override
    public boolean hasMore(long done, long total) {
        return toCopy.nextSetBit(cursor) >= 0;
    }

    @Override
    public void checkpoint(long doneUpTo) throws IOException {
        checkNotBroken();
        try {
            writer.sync();
        } catch (StoreTimeLimit.NotAnsweredException e) {
            String why = broken != null ? broken : "the backup store did not answer a sync of the image within "
                    + e.limit() + ", " + e.what();
            breakWith(why); // no host write copies into it any more
            throw new IOException(why, e);
        }
    }

    @Override
    public void finished() throws IOException {
        checkNotBroken(); // (a break leaves a track uncopied, so the copier fails first; this says so twice)
        // no wait for writes in flight here: every track to copy is copied now, so a write still
        // inside the observer finds its tracks copied and never touches the image sealed below
        volume.removeWriteObserver(copyBeforeWrite);
        ImageInfo sealed;
        try {
            sealed = writer.seal(); // under the store's time limit: a store that hangs here fails the backup
        } catch (StoreTimeLimit.NotAnsweredException e) {
            throw new IOException("the backup store did not answer within " + e.limit() + " while image "
                    + writer.header().id() + " was being sealed (" + e.what() + "): the image is never made valid", e);
        }
        outcome = stored(sealed);
        BackupAdmin.backupCompleted(pool, volume.name(), sealed, writer.store(), journalAtInstant);
        BackupsStarted.ended(pool, sealed.id());
        pool.events.publish(Event.info("BACKUP", volume.name(), "backup of " + volume.name()
                + (fromSnapshot() ? " as of snapshot " + snapshotRef : "") + " finished: image " + sealed.id() + " ("
                + sealed.kind().word() + ", " + outcome + ")")); // (its start counted the tracks to read:
        // "2048 tracks to copy" then "128 tracks, 8 MiB" read as if most were missed; the all-zero ones are not stored)
    }

    /**
     * "46 MiB stored: 736 of 2048 tracks (all-zero tracks not stored)", an incremental's "192 KiB
     * stored: 3 of 2048 tracks, changed since PARENT": the image as the app's Backups page says it.
     */
    static String stored(ImageInfo i) {
        long volumeTracks = (i.size() + i.trackSize() - 1) / i.trackSize();
        String head = Sizes.format(i.dataBytes()) + " stored: " + i.tracks() + " of " + volumeTracks + " tracks";
        return i.parent() == null ? head + " (all-zero tracks not stored)" : head + ", changed since " + i.parent();
    }

    /** What the image stores, once sealed ({@link #stored}); empty before. */
    @Override
    public String outcome() {
        return outcome;
    }

    @Override
    public void released() {
        try {
            // the image stays unfinished; the next backup of the volume removes it. A close waits
            // for a call still in the store's files, so with a time limit the pool's close waits for
            // it no longer than the limit (the close goes on alone)
            StoreTimeLimit limit = writer.timeLimit();
            if (limit == null) {
                writer.close();
            } else {
                StoreTimeLimit.aside("the close of image " + writer.header().id(), limit.hung() == null
                        ? limit.millis() : Math.min(limit.millis(), 1000), () -> {
                    writer.close();
                    return null;
                });
            }
        } catch (IOException | RuntimeException e) {
            // closing what the pool let go of: the next backup's clean-up finds it either way
        }
    }

    @Override
    public void stopped(JobState state, Exception error) {
        // Ended first, then the observer goes: a write runs the observers it found as it began, so one
        // already past the list (in the changed-block map's fsync, say) still comes in, finds the
        // backup ended and copies nothing into the image abandoned below (BackupCancelWriteTest). No
        // wait for writes in flight: with a hung store each would be a wait of the time limit, and the
        // volume's gate held exclusively meanwhile would stall every host. One already copying (in
        // putTrack) holds the writer, which the abandon takes after it, within the limit.
        ended = true;
        if (!fromSnapshot()) {
            volume.removeWriteObserver(copyBeforeWrite);
        }
        String why = state == JobState.CANCELLED ? "was cancelled" : "failed: " + (error == null ? "" : error.getMessage());
        String id = writer.header().id();
        StoreTimeLimit limit = writer.timeLimit();
        try {
            // with a limit, on a thread of its own (BackupsStarted.giveUp); a store known hung gets a moment only
            long wait = limit == null ? -1 : limit.hung() == null ? limit.millis() : Math.min(limit.millis(), 1000);
            if (!BackupsStarted.giveUp(pool, writer, wait)) {
                why += " (its unfinished image " + id + " stays in the store, which does not answer; it is never"
                        + " made valid, and the next backup of " + volume.name() + " into that store removes it)";
            }
        } catch (IOException | RuntimeException e) {
            why += " (its unfinished image " + id + " could not be removed: " + e.getMessage() + ")";
        }
        if (!pool.isClosed() && !fromSnapshot()) {
            BackupAdmin.backupAbandoned(pool, volume.name(), taken);
        }
        pool.events.publish(Event.warning("BACKUP", volume.name(), "backup of " + volume.name()
                + (fromSnapshot() ? " as of snapshot " + snapshotRef : "") + " " + why
                + "; the tracks it was to copy stay marked for the next backup"));
    }
}
