package org.splitpoint.engine.restore;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.splitpoint.engine.backup.DamagedTrackException;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.RangeLocks;
import org.splitpoint.engine.job.CheckpointThread;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.job.JobWork;
import org.splitpoint.engine.pair.InvalidTracks;

/**
 * An instant restore's bulk copy (claims 2, 3, 9, 18), as a job's work: every owed track, in order,
 * from its own reader.
 *
 * <p>Design. Its own reader (own file handles), its own thread and throttle (claim 4), so on-demand
 * fetches do not wait behind it. A step copies runs of consecutive owed tracks, read track by track
 * into one reused buffer and written to the volume in one request under the run's track locks, each
 * run ending on whole writes of the volume (a parity volume's stripes) so none reads parity back;
 * a track a host wrote or a read fetched meanwhile is skipped (a fetched one's bytes are taken from
 * the {@link WriteBehind}). A large track (see {@link TrackCopier}) is copied a piece at a time, its
 * lock taken for each piece only, so the throttle waits between pieces without a host waiting on it.
 * Tracks damaged in the backup are left owed and passed over ({@link DamagedTracks}). Its
 * checkpoints commit the clears on the restore's {@link CheckpointThread} beside the copy; its end
 * commits once more and tells the restore's listener.
 */
final class BulkCopy implements JobWork {
    private final InstantRestore restore;
    private final BlockDevice target;
    private final int trackSize;
    private final long tracks;
    private final InvalidTracks owed;
    private final InstantRestore.Overlay overlay;
    private final InstantRestore.Listener listener;
    private final TrackCopier copier;
    private final RangeLocks trackLocks;
    private final WriteBehind writeBehind;
    private final CheckpointThread committer;
    /** Tracks the bulk copy filled since this process opened the restore (live). */
    final TrackBitmap bulkCopied;
    private final DamagedTracks damage;
    private long cursor;
    private long budget = Long.MAX_VALUE;
    private volatile long lastOwed = -1; // read by doneSinceLastStep from other threads
    private byte[] runBuf;
    /** Tracks that make a whole write of the volume (see {@link #wholeTracks}); 0 until the first step. */
    private long wholeTracks;
    /** Tracks of the run whose bytes a read fetched (they wait for the write-behind). */
    private TrackBitmap fromReads;

    BulkCopy(InstantRestore restore, BlockDevice target, int trackSize, long tracks, InvalidTracks owed,
             InstantRestore.Overlay overlay, InstantRestore.Listener listener, TrackCopier copier, CheckpointThread committer) {
        this.restore = restore;
        this.target = target;
        this.trackSize = trackSize;
        this.tracks = tracks;
        this.owed = owed;
        this.overlay = overlay;
        this.listener = listener;
        this.copier = copier;
        this.trackLocks = copier.trackLocks;
        this.writeBehind = copier.writeBehind;
        this.committer = committer;
        this.bulkCopied = new TrackBitmap(tracks);
        this.damage = new DamagedTracks(restore.volume(), tracks, owed);
    }

    @Override
    public void stepBudget(long bytes) {
        budget = bytes;
    }

    /**
     * Owed tracks that reads (their write-behind) or host writes restored since the last step:
     * a paused restore takes no steps, and its progress follows them all the same.
     */
    @Override
    public long doneSinceLastStep() {
        long last = lastOwed;
        return last < 0 ? 0 : Math.max(0, last - owed.count());
    }

    /**
     * Copies the next owed tracks, up to a step's worth (1 MiB unthrottled), as runs of
     * consecutive owed tracks: each run read track by track into one reused buffer (a full
     * image holds them one after the other) and written to the volume in one request, under
     * the run's track locks, skipping any track a host wrote or a read fetched meanwhile.
     */
    @Override
    public Step copyNext(long done) throws IOException {
        if (lastOwed < 0) {
            lastOwed = owed.count();
        }
        long maxTracks = Math.max(1, Math.min(budget, 1 << 20) / trackSize);
        if (fromReads == null) {
            fromReads = new TrackBitmap(tracks);
        }
        if (runBuf == null && !copier.inPieces()) {
            runBuf = new byte[(int) Math.min((long) trackSize * Math.max(1, (1 << 20) / trackSize), Integer.MAX_VALUE)];
        }
        long runTracks = copier.inPieces() ? 1 : runBuf.length / trackSize;
        if (wholeTracks == 0) {
            wholeTracks = wholeTracks(target.wholeWriteUnit(), trackSize, runTracks);
        }
        // whole stripes per step and per run, so no run is left with a stripe's remainder
        runTracks -= runTracks % wholeTracks;
        if (maxTracks >= wholeTracks) {
            maxTracks -= maxTracks % wholeTracks;
        }
        long copiedBytes = 0;
        long a = nextToCopy(cursor);
        if (a < 0) {
            a = nextToCopy(0);
        }
        if (a < 0 && owed.count() > 0) {
            InstantRestore.TracksDamagedException left = damage.summary();
            if (left.count() > 0) {
                throw left; // every track left is damaged in the backup
            }
        }
        InstantRestore.BeforeCopy bc = restore.beforeCopy();
        if (bc != null && a >= 0 && !restore.isReadOnly()) {
            long[] ahead = new long[(int) Math.min(maxTracks, 4096)];
            int k = 0;
            for (long t = a; t >= 0 && k < ahead.length; t = nextToCopy(t + 1)) {
                ahead[k++] = t;
            }
            bc.tracksToCopy(java.util.Arrays.copyOf(ahead, k));
        }
        for (long n = 0; a >= 0 && n < maxTracks; a = nextToCopy(cursor)) {
            long b = a + 1;
            while (b < tracks && b - a < Math.min(runTracks, maxTracks - n) && toCopy(b)) {
                b++;
            }
            if (b < tracks && b % wholeTracks != 0 && b - b % wholeTracks > a) {
                b -= b % wholeTracks; // end on a whole stripe: the next run starts on one, and neither reads parity back
            }
            if (copier.inPieces()) { // one track, its lock taken a piece at a time
                long moved = copyLargeTrack(a);
                if (moved < 0) {
                    break; // a pause, cancel or stop while the throttle waited: the track is copied again
                }
                copiedBytes += moved;
            } else {
                try (RangeLocks.Held h = trackLocks.lock(a, b)) {
                    copiedBytes += copyRun(a, b);
                }
            }
            n += b - a;
            cursor = b;
        }
        long now = owed.count();
        long advanced = Math.max(0, lastOwed - now);
        lastOwed = now;
        return new Step(advanced, copiedBytes);
    }

    /** The first owed track from {@code from} on that is not known damaged, or -1. */
    private long nextToCopy(long from) {
        long t = owed.live().nextSetBit(from);
        while (t >= 0 && damage.has(t)) {
            t = owed.live().nextSetBit(t + 1);
        }
        return t;
    }

    /** True when track {@code t} is owed and not known damaged: the bulk copy copies it. */
    private boolean toCopy(long t) {
        return owed.isSet(t) && !damage.has(t);
    }

    /**
     * The fewest tracks that make whole writes of the volume ({@code unit} bytes each: a parity
     * volume's stripe), or 1 when more than a run would take.
     */
    private static long wholeTracks(long unit, int trackSize, long runTracks) {
        long g = java.math.BigInteger.valueOf(unit).gcd(java.math.BigInteger.valueOf(trackSize)).longValue();
        long lcmTracks = unit / g; // lcm(unit, trackSize) / trackSize
        return lcmTracks <= runTracks ? lcmTracks : 1;
    }

    /** Copies the tracks of [a, b) still owed (their locks held), in runs; returns the bytes. */
    private long copyRun(long a, long b) throws IOException {
        long bytes = 0;
        long t = a;
        while (t < b) {
            if (!toCopy(t)) {
                t++;
                continue;
            }
            long e = t;
            int len = 0;
            while (e < b && toCopy(e)) {
                int off = (int) ((e - t) * trackSize);
                int n = copier.trackLength(e);
                byte[] fetchedForARead = writeBehind.take(e);
                if (fetchedForARead != null) {
                    System.arraycopy(fetchedForARead, 0, runBuf, off, n); // written for the read, not copied
                    fromReads.set(e);
                } else {
                    try {
                        if (overlay == null || !overlay.covers(e, n)) {
                            copier.reader(restore.bulk()).readTrack(e, runBuf, off);
                        }
                    } catch (DamagedTrackException d) {
                        damage.add(e, d); // the run ends before it; the copy goes on after it
                        break;
                    }
                    if (overlay != null) {
                        overlay.apply(e, runBuf, off, n);
                    }
                }
                len = off + n;
                e++;
            }
            if (e > t && !restore.isReadOnly()) {
                target.writeRefill(t * trackSize, ByteBuffer.wrap(runBuf, 0, len)); // owed durably until a commit
                for (long x = t; x < e; x++) {
                    owed.clearLive(x);
                    if (!fromReads.get(x)) {
                        bulkCopied.set(x);
                    }
                    fromReads.clear(x);
                }
            }
            bytes += len;
            t = e;
        }
        return bytes;
    }

    /**
     * Copies large owed track {@code t} a piece at a time, its lock taken for each piece only, so
     * the job's throttle can wait between pieces without a host waiting on the track (a read or a
     * write of it meanwhile copies it whole itself, as it would at any time; this copy then stops,
     * the track no longer owed). The backup's check of the track is made at the end, under the
     * lock; a damaged track stays owed. Returns the bytes copied (0 when the track became current
     * meanwhile or is damaged), or -1 when the step must end now: the track stays owed.
     */
    private long copyLargeTrack(long t) throws IOException {
        if (restore.isReadOnly() || damage.has(t)) {
            return 0;
        }
        int n = copier.trackLength(t);
        long start = t * trackSize;
        if (pieceBuf == null) {
            pieceBuf = new byte[copier.pieceBytes()];
        }
        BuiltTrack track = null;
        try {
            for (long within = 0; within < n; ) {
                int k = (int) Math.min(pieceBuf.length, n - within);
                try (RangeLocks.Held h = trackLocks.lock(t, t + 1)) {
                    if (!owed.isSet(t)) {
                        return 0;
                    }
                    if (track == null) {
                        track = new BuiltTrack(() -> copier.reader(restore.bulk()), overlay, t, n);
                    }
                    track.read(within, pieceBuf, k);
                    target.writeRefill(start + within, ByteBuffer.wrap(pieceBuf, 0, k)); // owed durably until a commit
                }
                within += k;
                if (movedWithin != null) {
                    movedWithin.accept(k);
                }
                if (within < n && pace != null && !pace.getAsBoolean()) {
                    return -1;
                }
            }
            try (RangeLocks.Held h = trackLocks.lock(t, t + 1)) {
                if (!owed.isSet(t)) {
                    return 0;
                }
                track.verify();
                owed.clearLive(t);
                bulkCopied.set(t);
            }
            return n;
        } catch (DamagedTrackException d) {
            damage.add(t, d); // its pieces on the volume are not read: the track stays owed
            return 0;
        }
    }

    private byte[] pieceBuf;
    private java.util.function.BooleanSupplier pace;

    @Override
    public void paceWithin(java.util.function.BooleanSupplier pace) {
        this.pace = pace;
    }

    private java.util.function.LongConsumer movedWithin;

    @Override
    public void reportWithin(java.util.function.LongConsumer moved) {
        movedWithin = moved;
    }

    @Override
    public boolean hasMore(long done, long total) {
        return owed.count() > 0;
    }

    /**
     * Commits the clears of the tracks copied so far, on the committer thread: the copy goes on
     * while the members are forced (a checkpoint was 40% of a restore's time on the copy path).
     * Nothing waits for it: an uncommitted clear only means the track is copied again after a
     * crash. One at a time; one still running when the next is due takes that one's place.
     */
    @Override
    public void checkpoint(long doneUpTo) throws IOException {
        committer.startIfIdle();
    }

    @Override
    public void finished() throws IOException {
        committer.awaitIdle();
        restore.commitNow();
        listener.completed(restore);
    }

    @Override
    public void stopped(JobState state, Exception error) {
        try {
            committer.awaitIdle();
        } catch (IOException e) {
            // the job stops anyway; what was not committed is copied again
        }
        listener.stopped(restore, state, error);
    }
}
