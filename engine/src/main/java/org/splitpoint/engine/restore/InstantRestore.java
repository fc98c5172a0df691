package org.splitpoint.engine.restore;

import java.io.IOException;
import org.splitpoint.engine.backup.ChainReader;
import org.splitpoint.engine.backup.ImageWriter;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.job.JobWork;
import org.splitpoint.engine.pair.HydrationFeed;
import org.splitpoint.engine.pair.InvalidTracks;


/**
 * Instant restore of a volume from a backup image (seed 002), or to one of its snapshots: the
 * volume is usable at once. The source is a {@link TrackSource}, an immutable point in time.
 *
 * <p>Design. The overwrite map (claims 9, 18) is kept inverted, as the tracks still owed
 * ({@link InvalidTracks}: live bits over durable ones), so it shares the pair restore's commit
 * rule: a track is marked current only after its data is durable (its clear is taken before the
 * flush and committed after it, {@link #commitNow}). The I/O decision is dm-clone's three-way
 * branch, per track, made by the restore's view ({@link RestoreView}):
 * <ul>
 * <li>a read of a current track goes to the volume (claim 1);
 * <li>a read of an owed track is fetched from the backup chain (claims 9, 15, 18: a static,
 *     immutable point in time) and answered; a write-behind thread ({@link WriteBehind}) then
 *     writes it to the volume and marks it current, if it is still owed (the read does not wait for
 *     the volume);
 * <li>a write goes to the volume and marks its tracks current (claims 10, 11, 19, 20); a partial
 *     write to an owed track first merges the backup's track. With a write-through image the
 *     written tracks are appended to a new incremental image too (claims 8, 17); one that cannot be
 *     written is dropped and the write goes on. A write to a track still owed durably commits
 *     its clear before it returns, so a process crash cannot let the bulk copy put the backup's
 *     older track over it.
 * </ul>
 * The bulk copy ({@link #bulkWork()}, {@link BulkCopy}; claims 2, 3, 9, 18) fills every owed track
 * over its own path: its own reader (own file handles), its own thread and throttle (claim 4), so
 * on-demand fetches do not wait behind it. Every copy of a track ({@link TrackCopier}) happens under
 * that track's lock and only while the track is still owed, so the bulk copy never overwrites a
 * track written or fetched meanwhile. Refills go by {@link BlockDevice#writeRefill} (no write-intent
 * fsync: a track owed durably is copied again after a crash), and the bulk copy's checkpoints run
 * beside it on their own thread.
 *
 * <p>Large tracks (over {@link TrackCopier#WHOLE_TRACK_MAX}; they go up to 1 GiB) are never held
 * whole: every copy of one (a read's fetch, a partial write's merge, the bulk copy) goes from the
 * source to the volume a piece at a time under the track's lock, and the backup's check of the track
 * (its SHA-256) is made once all of it was read; a track that fails it stays owed. A read of such a
 * track waits for its copy, then reads the volume (nothing is kept for a write-behind). A pool
 * opened only to look streams the track and keeps the part asked for.
 *
 * <p>This class holds what the parts share — the source's readers, the owed tracks, the
 * write-through image — and the restore's life: its commit, the end of host I/O through it
 * ({@link HostIoGate}), its close.
 */
public final class InstantRestore implements AutoCloseable {

    /**
     * Told before a host's write reaches the volume, with the write's tracks locked: the volume's
     * changed-block map marks it. (A staged backup journal gets host writes from the volume's write
     * log; the restore's own refills go by {@link BlockDevice#writeRefill}, which bypasses it.)
     */
    public interface HostWrites {
        /** A host is about to change volume bytes [offset, offset+length) (a write or a zeroing). */
        void beforeHostWrite(long offset, long length) throws IOException;
    }

    /**
     * Changes made after the image to a track read from it: a rebuild from backup puts the journal's
     * entries not yet shipped on top, in order (seed 003).
     */
    public interface Overlay {
        /** Applies the changes to track {@code track}, whose {@code length} bytes are at {@code buf[off]}. */
        default void apply(long track, byte[] buf, int off, int length) throws IOException {
            applyPart(track, 0, buf, off, length);
        }

        /** Applies the changes to track {@code track}'s bytes [within, within+length), which are at {@code buf[off]}. */
        void applyPart(long track, long within, byte[] buf, int off, int length) throws IOException;

        /** True when the changes write every byte of the track's first {@code length}: the image's bytes are not needed. */
        default boolean covers(long track, int length) {
            return false;
        }
    }

    /**
     * Told the owed tracks the bulk copy is about to write in its next step (ascending), before it
     * writes them one run at a time: a volume with snapshots saves them ahead in one commit.
     */
    public interface BeforeCopy {
        void tracksToCopy(long[] tracks) throws IOException;
    }

    /** What the pool hears from a restore. */
    public interface Listener {
        /** Every track is current (called on the bulk copy's thread). */
        void completed(InstantRestore restore) throws IOException;

        /** The bulk copy was cancelled, or failed ({@code error} non-null). */
        void stopped(InstantRestore restore, JobState state, Exception error);

        /**
         * The write-through image {@code image} could not be written ({@code error}) and is dropped:
         * called on a host's thread with its tracks locked, so it may take no lock a restore's end holds.
         */
        default void writeThroughDropped(InstantRestore restore, ImageWriter image, Exception error) {
        }

        /**
         * The thread that writes the tracks fetched for reads was ended by {@code error} (out of memory,
         * say): reads write the tracks they fetch themselves from now on. Called on that thread, holding nothing.
         */
        void writeBehindStopped(InstantRestore restore, Error error);
    }

    private final String volume;
    private final BlockDevice target;
    /** The chain's readers; null while the store cannot be read (then {@link #unavailable} says why). */
    private volatile TrackSource onDemand;
    private volatile TrackSource bulk;
    private volatile String unavailable;
    /** Why the bulk copy does not run though the store reads (it stopped, or its thread never started), or null. */
    private volatile String copyStopped;
    private final InvalidTracks owed;
    private volatile ImageWriter writeThrough;
    private final int trackSize;
    private final long tracks;
    private final org.splitpoint.engine.job.CheckpointThread committer;
    private final HostIoGate hostIo = new HostIoGate();
    private final TrackCopier copier;
    private final RestoreView view;
    /** Opened only to look (a read-only pool): owed tracks are read from the backup, nothing is written. */
    private volatile boolean readOnly;
    private final BulkCopy bulkCopy;
    private volatile BeforeCopy beforeCopy;
    private final Listener listener;

    /**
     * A restore of {@code volume} into {@code target} (the volume as hosts see it without the
     * restore). {@code onDemand} and {@code bulk} read the chain (each its own handles); when the
     * store cannot be read they are null and {@code unavailable} says why. {@code owed} holds the
     * tracks not yet current; {@code writeThrough}, if not null, gets every track written meanwhile.
     */
    public InstantRestore(String volume, BlockDevice target, int trackSize, TrackSource onDemand, TrackSource bulk,
                          String unavailable, InvalidTracks owed, ImageWriter writeThrough, Listener listener,
                          HostWrites hostWrites, Overlay overlay) {
        this.volume = volume;
        this.committer = new org.splitpoint.engine.job.CheckpointThread("splitpoint-restore-commit-" + volume, this::commitNow);
        this.target = target;
        this.trackSize = trackSize;
        this.tracks = (target.size() + trackSize - 1) / trackSize;
        this.onDemand = onDemand;
        this.bulk = bulk;
        this.unavailable = unavailable;
        this.owed = owed;
        this.writeThrough = writeThrough;
        this.listener = listener;
        this.copier = new TrackCopier(this, target, trackSize, owed, overlay);
        this.view = new RestoreView(this, target, trackSize, tracks, owed, overlay, hostWrites, copier, hostIo);
        this.bulkCopy = new BulkCopy(this, target, trackSize, tracks, owed, overlay, listener, copier, committer);
    }

    public String volume() {
        return volume;
    }

    /** Sets what the bulk copy tells of the tracks it is about to write (null: nobody). */
    public void setBeforeCopy(BeforeCopy b) {
        this.beforeCopy = b;
    }

    /** Marks the restore as opened only to look: reads of owed tracks write nothing behind them. */
    public void setReadOnly(boolean readOnly) {
        this.readOnly = readOnly;
    }

    /** The volume as hosts see it during the restore. */
    public BlockDevice view() {
        return view;
    }

    /**
     * The restore ends (it finished, or it was cancelled): host requests that still come through
     * its view go straight to the volume from now on (a write marked as a change as the restore
     * marked them), and this waits for the ones inside it. The write-behind stops first: it writes
     * its tracks under the restore's track locks, which requests no longer take from then on, so a
     * track it wrote after the end (a cancel's tracks are still owed) went over a host's write. Call
     * it before the end seals or closes anything, and not holding the volume's gate: a request
     * inside may be waiting for it.
     */
    public void endHostIo() {
        copier.writeBehind.close(); // a read inside meanwhile writes the track it fetched itself
        hostIo.close();
    }

    /** True once {@link #endHostIo}: host requests no longer go through the restore. */
    public boolean hostIoEnded() {
        return hostIo.isClosed();
    }

    /** The bulk copy, for a job. */
    public JobWork bulkWork() {
        return bulkCopy;
    }

    /** The image restored (the chain's newest), or null when the store cannot be read or the source is no backup. */
    public ChainReader chain() {
        return onDemand instanceof ChainReader c ? c : null;
    }

    /** Why the store cannot be read, or null. */
    public String unavailable() {
        return unavailable;
    }

    /** Why the bulk copy does not run though the store reads, as status shows it, or null (it runs, or is not known to have stopped). */
    public String copyStopped() {
        return copyStopped;
    }

    /** Its copy stopped ({@code why}), or runs again (null): said by the job's owner, which knows why. */
    public void copyStopped(String why) {
        copyStopped = why;
    }

    /**
     * The store can be read again (it could not when the pool opened): the chain's readers, each
     * its own handles. Reads of owed tracks fetch from now on; the caller starts the bulk copy.
     */
    public synchronized void sourceAvailable(TrackSource onDemand, TrackSource bulk) {
        if (this.onDemand != null) {
            throw new IllegalStateException("the restore of " + volume + " reads its backup already");
        }
        this.bulk = bulk;
        this.onDemand = onDemand;
        this.unavailable = null;
    }

    public long totalTracks() {
        return tracks;
    }

    public int trackSize() {
        return trackSize;
    }

    /** Tracks current now (restored, fetched, or written). */
    public long currentTracks() {
        return tracks - owed.count();
    }

    /** The tracks still owed (live), for track maps. */
    public TrackBitmap owedTracks() {
        return owed.live();
    }

    /** Tracks fetched on demand since this process opened the restore (live). */
    public TrackBitmap fetchedOnDemand() {
        return view.fetched;
    }

    /** Tracks the bulk copy filled since this process opened the restore (live). */
    public TrackBitmap bulkCopied() {
        return bulkCopy.bulkCopied;
    }

    /** Tracks hosts wrote during the restore, in this process (live). */
    public TrackBitmap hostWritten() {
        return view.hostWritten;
    }

    public long onDemandFetches() {
        return view.onDemandFetches.get();
    }

    /** On-demand fetches per second over the last few seconds; 0 once none came for a while. */
    public double onDemandPerSecond() {
        return view.onDemandRate.recentPerSecond(System.nanoTime());
    }

    /** Tracks fetched on demand since {@code afterSeq}, for views that flash them. */
    public HydrationFeed.Batch fetchedSince(long afterSeq) {
        return view.feed.since(afterSeq);
    }

    /** The write-through image, or null. */
    public ImageWriter writeThrough() {
        return writeThrough;
    }

    /** Writes no longer go through to an image (it could not be kept up to date: the pool dropped it). */
    public void dropWriteThrough() {
        writeThrough = null;
    }

    /** A host's write could not be appended to write-through image {@code wt}: it is dropped, once. */
    void writeThroughFailed(ImageWriter wt, Exception error) {
        synchronized (this) {
            if (writeThrough != wt) {
                return; // dropped already
            }
            writeThrough = null;
        }
        listener.writeThroughDropped(this, wt, error);
    }

    /** The write-behind thread ended with {@code error}: the pool says so. */
    void writeBehindStopped(Error error) {
        listener.writeBehindStopped(this, error);
    }

    /** The on-demand reader, or null while the store cannot be read. */
    TrackSource onDemand() {
        return onDemand;
    }

    /** The bulk copy's reader, or null while the store cannot be read. */
    TrackSource bulk() {
        return bulk;
    }

    boolean isReadOnly() {
        return readOnly;
    }

    /** Who is told of the tracks the bulk copy is about to write, or null. */
    BeforeCopy beforeCopy() {
        return beforeCopy;
    }

    /** The bulk copy ended with only tracks left that are damaged in the backup. */
    public static final class TracksDamagedException extends org.splitpoint.engine.backup.BackupException {
        private final long count;

        TracksDamagedException(long count, String message) {
            super(message);
            this.count = count;
        }

        /** How many tracks. */
        public long count() {
            return count;
        }
    }

    /**
     * Commits the owed tracks' clears after a flush of the volume (data, flush, then metadata), and
     * syncs the write-through image: the bulk copy's checkpoints and end, and a host's flush. An
     * image whose sync fails is dropped, as one that cannot be written is: the failed fsync may have
     * taken host writes it names, and no later sync of this writer can bring them back (kept, the
     * next sync succeeded and the restore's end sealed an image that failed its SHA-256). At the
     * pool's close the failure is thrown instead and the image kept: the next opening resumes it
     * and puts every track hosts wrote into it again.
     */
    void commitNow() throws IOException {
        owed.flushAndCommit(target::flush);
        ImageWriter wt = writeThrough;
        if (wt != null) {
            try {
                wt.sync();
            } catch (IOException e) {
                if (closing) {
                    throw e;
                }
                writeThroughFailed(wt, e);
            }
        }
    }

    /** Set by {@link #flushBeforeClose}: a write-through image that fails to sync is kept for the next opening. */
    private volatile boolean closing;

    /** The pool's last flush before {@link #close}: as {@link #flush}, but see {@link #commitNow}. */
    public void flushBeforeClose() throws IOException {
        closing = true;
        flush();
    }

    /** Bytes of tracks fetched for reads and held in memory until the write-behind thread writes them. */
    public long writeBehindBytes() {
        return copier.writeBehind.pendingBytes();
    }

    /** Makes what was done durable (the owed tracks' clears after their data). */
    public void flush() throws IOException {
        view.flush();
    }

    @Override
    public void close() throws IOException {
        copier.writeBehind.close();
        committer.shutdown();
        IOException first = null;
        // the write-through image too: it stays unfinished, resumed at the next opening, which must find it unlocked
        for (AutoCloseable c : new AutoCloseable[] {onDemand, bulk, owed, writeThrough}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                first = first == null ? (e instanceof IOException io ? io : new IOException(e)) : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
