package org.splitpoint.engine.restore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.splitpoint.engine.backup.ChainReader;
import org.splitpoint.engine.backup.DamagedTrackException;
import org.splitpoint.engine.backup.ImageWriter;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.RangeLocks;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.job.JobWork;
import org.splitpoint.engine.job.RateMeter;
import org.splitpoint.engine.pair.HydrationFeed;
import org.splitpoint.engine.pair.InvalidTracks;

/**
 * Instant restore of a volume from a backup image (seed 002), or to one of its snapshots: the
 * volume is usable at once. The source is a {@link TrackSource}, an immutable point in time.
 *
 * <p>Design. The overwrite map (claims 9, 18) is kept inverted, as the tracks still owed
 * ({@link InvalidTracks}: live bits over durable ones), so it shares the pair restore's commit
 * rule: a track is marked current only after its data is durable (its clear is taken before the
 * flush and committed after it). The I/O decision is dm-clone's three-way branch, per track:
 * <ul>
 * <li>a read of a current track goes to the volume (claim 1);
 * <li>a read of an owed track is fetched from the backup chain (claims 9, 15, 18: a static,
 *     immutable point in time) and answered; a write-behind thread then writes it to the volume
 *     and marks it current, if it is still owed (the read does not wait for the volume);
 * <li>a write goes to the volume and marks its tracks current (claims 10, 11, 19, 20); a partial
 *     write to an owed track first merges the backup's track. With a write-through image the
 *     written tracks are appended to a new incremental image too (claims 8, 17). A write to a track
 *     still owed durably commits its clear before it returns, so a process crash cannot let the bulk
 *     copy put the backup's older track over it.
 * </ul>
 * The bulk copy ({@link #bulkWork()}, claims 2, 3, 9, 18) fills every owed track over its own path:
 * its own reader (own file handles), its own thread and throttle (claim 4), so on-demand fetches
 * do not wait behind it. Every copy of a track happens under that track's lock and only while the
 * track is still owed, so the bulk copy never overwrites a track written or fetched meanwhile.
 * Refills go by {@link BlockDevice#writeRefill} (no write-intent fsync: a track owed durably is
 * copied again after a crash), and the bulk copy's checkpoints run beside it on their own thread.
 *
 * <p>Large tracks (over {@link #WHOLE_TRACK_MAX}; they go up to 1 GiB) are never held whole: every
 * copy of one (a read's fetch, a partial write's merge, the bulk copy) goes from the source to the
 * volume a piece at a time under the track's lock, and the backup's check of the track (its
 * SHA-256) is made once all of it was read; a track that fails it stays owed. A read of such a
 * track waits for its copy, then reads the volume (nothing is kept for a write-behind). A pool
 * opened only to look streams the track and keeps the part asked for.
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
    }

    private final String volume;
    private final BlockDevice target;
    /** The chain's readers; null while the store cannot be read (then {@link #unavailable} says why). */
    private volatile TrackSource onDemand;
    private volatile TrackSource bulk;
    private volatile String unavailable;
    private final InvalidTracks owed;
    private volatile ImageWriter writeThrough;
    private final Listener listener;
    private final HostWrites hostWrites;
    private final Overlay overlay;
    private final int trackSize;
    private final long tracks;
    private final RangeLocks trackLocks = new RangeLocks(1);
    private final org.splitpoint.engine.job.CheckpointThread committer;
    private final WriteBehind writeBehind = new WriteBehind();
    private final TrackBitmap fetched;
    private final TrackBitmap bulkCopied;
    private final TrackBitmap hostWritten;
    private final AtomicLong onDemandFetches = new AtomicLong();
    private final RateMeter onDemandRate = new RateMeter(3000);
    private final HydrationFeed feed = new HydrationFeed(4096);
    private final View view = new View();
    private final HostIoGate hostIo = new HostIoGate();
    /** Opened only to look (a read-only pool): owed tracks are read from the backup, nothing is written. */
    private volatile boolean readOnly;
    private final BulkCopy bulkCopy = new BulkCopy();
    private volatile BeforeCopy beforeCopy;

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
        this.hostWrites = hostWrites;
        this.overlay = overlay;
        this.fetched = new TrackBitmap(tracks);
        this.bulkCopied = new TrackBitmap(tracks);
        this.hostWritten = new TrackBitmap(tracks);
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
     * marked them), and this waits for the ones inside it. Call it before the end seals or closes
     * anything, and not holding the volume's gate: a request inside may be waiting for it.
     */
    public void endHostIo() {
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
        return fetched;
    }

    /** Tracks the bulk copy filled since this process opened the restore (live). */
    public TrackBitmap bulkCopied() {
        return bulkCopied;
    }

    /** Tracks hosts wrote during the restore, in this process (live). */
    public TrackBitmap hostWritten() {
        return hostWritten;
    }

    public long onDemandFetches() {
        return onDemandFetches.get();
    }

    /** On-demand fetches per second, recently. */
    public double onDemandPerSecond() {
        return onDemandRate.bytesPerSecond(System.nanoTime());
    }

    /** Tracks fetched on demand since {@code afterSeq}, for views that flash them. */
    public HydrationFeed.Batch fetchedSince(long afterSeq) {
        return feed.since(afterSeq);
    }

    /** The write-through image, or null. */
    public ImageWriter writeThrough() {
        return writeThrough;
    }

    /** Writes no longer go through to an image (it could not be kept up to date: the pool dropped it). */
    public void dropWriteThrough() {
        writeThrough = null;
    }

    private TrackSource reader(TrackSource r) throws IOException {
        if (r == null) {
            throw new IOException("volume " + volume + " is being restored from a backup that cannot be read now ("
                    + unavailable + "); its tracks not yet restored cannot be read or partly written");
        }
        return r;
    }

    private int trackLength(long t) {
        return (int) Math.min(trackSize, target.size() - t * trackSize);
    }

    /** Tracks larger than this are copied in pieces, never held whole. */
    static final int WHOLE_TRACK_MAX = 8 << 20;

    /**
     * {@link #WHOLE_TRACK_MAX} and the piece size (about a megabyte), read per restore: crash tests
     * set them small (system properties {@code splitpoint.restoreWholeTrackMax},
     * {@code splitpoint.restorePieceBytes}) to run the piece path over small pools with many seeds.
     */
    private final int wholeTrackMax = Integer.getInteger("splitpoint.restoreWholeTrackMax", WHOLE_TRACK_MAX);
    private final int pieceMax = Integer.getInteger("splitpoint.restorePieceBytes", 1 << 20);

    private boolean inPieces() {
        return trackSize > wholeTrackMax;
    }

    /** The bytes of a piece: about a megabyte, whole writes of the volume (a parity volume's stripes). */
    private int pieceBytes() {
        long unit = Math.max(1, target.wholeWriteUnit());
        long piece = unit >= pieceMax ? unit : pieceMax / unit * unit;
        return (int) Math.min(piece, Math.min(trackSize, 16L << 20));
    }

    /**
     * Track {@code t} from {@code reader} (with the overlay's changes) handed to {@code sink} a
     * piece at a time, in order, then checked against the source (throws if damaged: the pieces
     * handed were then damaged too).
     */
    private void streamTrack(long t, TrackSource reader, PieceSink sink) throws IOException {
        int n = trackLength(t);
        byte[] buf = new byte[Math.min(n, pieceBytes())];
        BuiltTrack track = new BuiltTrack(() -> reader(reader), overlay, t, n);
        for (long within = 0; within < n; ) {
            int k = (int) Math.min(buf.length, n - within);
            track.read(within, buf, k);
            sink.accept(within, buf, k);
            within += k;
        }
        track.verify();
    }

    private interface PieceSink {
        void accept(long within, byte[] piece, int n) throws IOException;
    }

    /** Copies owed track {@code t} to the volume in pieces (its lock held); it is current afterwards. */
    private void copyInPieces(long t, TrackSource reader) throws IOException {
        long start = t * trackSize;
        streamTrack(t, reader, (within, piece, n) -> target.writeRefill(start + within, ByteBuffer.wrap(piece, 0, n)));
        owed.clearLive(t); // still owed durably until a flush
    }

    /** Track {@code t} as the restore makes it: the chain's, with the overlay's changes on top. */
    private byte[] fetchTrack(long t, TrackSource reader) throws IOException {
        byte[] buf = new byte[trackSize];
        int n = reader(reader).readTrack(t, buf, 0);
        if (overlay != null) {
            overlay.apply(t, buf, 0, n);
        }
        return buf;
    }

    /** Makes track {@code t} current from {@code reader} if it is still owed; returns its bytes, or null. Holds its lock. */
    private byte[] restoreTrack(long t, TrackSource reader) throws IOException {
        return restoreTrack(t, reader, null);
    }

    /** {@link #restoreTrack}, with the track's bytes fetched already ({@code fetched}, or null). */
    private byte[] restoreTrack(long t, TrackSource reader, byte[] fetched) throws IOException {
        if (inPieces()) {
            if (owed.isSet(t) && !readOnly) {
                copyInPieces(t, reader);
            }
            return null;
        }
        byte[] buf = writeBehind.take(t); // fetched for a read a moment ago: its bytes are here
        if (buf == null) {
            buf = fetched;
        }
        if (!owed.isSet(t)) {
            return null;
        }
        if (buf == null) {
            buf = fetchTrack(t, reader);
        }
        int n = trackLength(t);
        if (!readOnly) {
            target.writeRefill(t * trackSize, ByteBuffer.wrap(buf, 0, n)); // still owed durably until a flush
            owed.clearLive(t);
        }
        return buf;
    }

    /** How a host's change reaches the volume (a write of bytes, or a zeroing). */
    private interface Put {
        void run() throws IOException;
    }

    /** The volume during the restore: the three-way branch of the class note. */
    private final class View implements BlockDevice {

        @Override
        public long size() {
            return target.size();
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            if (!hostIo.enter()) {
                target.read(offset, dst); // the restore ended
                return;
            }
            try {
                readRestoring(offset, dst);
            } finally {
                hostIo.leave();
            }
        }

        private void readRestoring(long offset, ByteBuffer dst) throws IOException {
            BlockDevice.checkRange(volume, size(), offset, dst.remaining());
            long end = offset + dst.remaining();
            long pos = offset;
            while (pos < end) {
                long t = pos / trackSize;
                long runEnd = Math.min(end, (t + 1) * trackSize);
                boolean isOwed = owed.isSet(t);
                while (!isOwed && runEnd < end && !owed.isSet(runEnd / trackSize)) {
                    runEnd = Math.min(end, (runEnd / trackSize + 1) * trackSize);
                }
                int len = (int) (runEnd - pos);
                ByteBuffer slice = dst.slice(dst.position(), len);
                if (isOwed) {
                    fetchInto(t, pos, slice);
                } else {
                    target.read(pos, slice);
                }
                dst.position(dst.position() + len);
                pos = runEnd;
            }
        }

        /**
         * Bytes [pos, pos+len) of track {@code t}, fetched from the backup if it is still owed. The
         * read is answered as soon as the track is read and checked; writing it to the volume is
         * left to the write-behind thread (as pairs hydrate), which writes it only if it is still
         * owed then, under its lock: a host write or the bulk copy that got there first wins.
         */
        private void fetchInto(long t, long pos, ByteBuffer part) throws IOException {
            if (inPieces()) {
                fetchLargeInto(t, pos, part);
                return;
            }
            RangeLocks.Held held = trackLocks.tryLock(t, t + 1);
            if (held == null && owed.isSet(t)) {
                // the bulk copy's run (or a track sharing its lock) is being written: the image is
                // immutable, so the read is answered from it without waiting; the run puts the
                // track on the volume. A host write to the track clears its owed bit before it is
                // acknowledged, so one racing this read is not yet: either answer is one the host
                // may see.
                byte[] buf = writeBehind.peek(t);
                if (buf == null) {
                    buf = fetchTrack(t, onDemand);
                }
                part.put(buf, (int) (pos - t * trackSize), part.remaining());
                onDemandFetches.incrementAndGet();
                onDemandRate.add(System.nanoTime(), 1);
                return;
            }
            try (RangeLocks.Held h = held != null ? held : trackLocks.lock(t, t + 1)) {
                if (!owed.isSet(t)) {
                    target.read(pos, part); // restored meanwhile: the volume has it, perhaps newer
                    return;
                }
                byte[] buf = writeBehind.peek(t);
                if (buf == null) {
                    buf = fetchTrack(t, onDemand);
                    if (!readOnly && !writeBehind.offer(t, buf)) {
                        restoreTrack(t, onDemand, buf); // the queue is full: write the bytes fetched now
                    }
                }
                part.put(buf, (int) (pos - t * trackSize), part.remaining());
                fetched.set(t);
                onDemandFetches.incrementAndGet();
                onDemandRate.add(System.nanoTime(), 1);
                feed.add(t);
            }
        }

        /**
         * What the range holds, told without reading: a read of an owed track would fetch it from the
         * backup (a client asking block status of a volume being restored pulled every owed track
         * in at full speed, past the bulk copy's throttle). An owed track is the backup's: zeros
         * where the chain leaves it out (and no overlay changes it), else data; current tracks are
         * the volume's to tell.
         */
        @Override
        public org.splitpoint.engine.io.Peek peek(long offset, long length) {
            if (!hostIo.enter()) {
                return target.peek(offset, length);
            }
            try {
                return peekRestoring(offset, length);
            } finally {
                hostIo.leave();
            }
        }

        private org.splitpoint.engine.io.Peek peekRestoring(long offset, long length) {
            if (length <= 0) {
                return target.peek(offset, length);
            }
            long end = offset + length;
            boolean anyOwed = false;
            for (long t = offset / trackSize; t * trackSize < end; t++) {
                if (owed.isSet(t)) {
                    anyOwed = true;
                    if (overlay != null || onDemand == null || !onDemand.knownZero(t)) {
                        return org.splitpoint.engine.io.Peek.COLD_DATA; // data, which may always be said
                    }
                }
            }
            if (!anyOwed) {
                return target.peek(offset, length);
            }
            // the owed tracks are zeros: the range is, if its current runs are
            for (long pos = offset; pos < end; ) {
                long t = pos / trackSize;
                long runEnd = Math.min(end, (t + 1) * trackSize);
                if (!owed.isSet(t)) {
                    if (target.peek(pos, runEnd - pos) != org.splitpoint.engine.io.Peek.ZEROS) {
                        return org.splitpoint.engine.io.Peek.COLD_DATA;
                    }
                }
                pos = runEnd;
            }
            return org.splitpoint.engine.io.Peek.ZEROS;
        }

        /** {@link #fetchInto} of a large track: copied to the volume in pieces, then read from it. */
        private void fetchLargeInto(long t, long pos, ByteBuffer part) throws IOException {
            try (RangeLocks.Held h = trackLocks.lock(t, t + 1)) {
                if (owed.isSet(t)) {
                    if (readOnly) {
                        keepPart(t, pos, part);
                    } else {
                        copyInPieces(t, onDemand);
                        fetched.set(t);
                        feed.add(t);
                    }
                    onDemandFetches.incrementAndGet();
                    onDemandRate.add(System.nanoTime(), 1);
                    if (readOnly) {
                        return;
                    }
                }
                target.read(pos, part);
            }
        }

        /** Streams owed track {@code t} from the backup and keeps its bytes [pos, pos+part) in {@code part}. */
        private void keepPart(long t, long pos, ByteBuffer part) throws IOException {
            long from = pos - t * trackSize;
            long to = from + part.remaining();
            int base = part.position();
            streamTrack(t, onDemand, (within, piece, n) -> {
                long a = Math.max(from, within);
                long b = Math.min(to, within + n);
                if (a < b) {
                    part.put(base + (int) (a - from), piece, (int) (a - within), (int) (b - a));
                }
            });
            part.position(base + (int) (to - from));
        }

        @Override
        public void write(long offset, ByteBuffer src) throws IOException {
            BlockDevice.checkRange(volume, size(), offset, src.remaining());
            if (!src.hasRemaining()) {
                return;
            }
            hostChange(offset, src.remaining(), () -> target.write(offset, src));
        }

        /** A zeroing is a host write of zeros: the same branch, merges and marks; the volume zeroes. */
        @Override
        public void writeZeroes(long offset, long length, boolean mayUnmap) throws IOException {
            BlockDevice.checkRange(volume, size(), offset, length);
            if (length == 0) {
                return;
            }
            hostChange(offset, length, () -> target.writeZeroes(offset, length, mayUnmap));
        }

        /** A host's change of [offset, offset+length), which {@code put} makes on the volume. */
        private void hostChange(long offset, long length, Put put) throws IOException {
            if (!hostIo.enter()) {
                // the restore ended: the volume's own marking may not have taken over yet
                hostWrites.beforeHostWrite(offset, length);
                put.run();
                return;
            }
            try {
                hostChangeRestoring(offset, length, put);
            } finally {
                hostIo.leave();
            }
        }

        private void hostChangeRestoring(long offset, long length, Put put) throws IOException {
            long end = offset + length;
            long t0 = offset / trackSize;
            long t1 = (end + trackSize - 1) / trackSize;
            try (RangeLocks.Held h = trackLocks.lock(t0, t1)) {
                hostWrites.beforeHostWrite(offset, length);
                for (long t : new long[] {t0, t1 - 1}) {
                    boolean partial = offset > t * trackSize || end < t * trackSize + trackLength(t);
                    if (partial) {
                        restoreTrack(t, onDemand); // merge the backup's track first
                    }
                }
                put.run();
                boolean owedDurably = false;
                for (long t = t0; t < t1; t++) {
                    owed.clearLive(t);
                    hostWritten.set(t);
                    owedDurably |= owed.isDurablySet(t);
                }
                if (owedDurably) {
                    owed.commitThrough(owed.clearGeneration(), target::flush);
                }
                ImageWriter wt = writeThrough;
                if (wt != null) {
                    for (long t = t0; t < t1; t++) {
                        long start = t * trackSize;
                        wt.putTrack(t, trackLength(t),
                                (within, piece, n) -> target.read(start + within, ByteBuffer.wrap(piece, 0, n)), false);
                    }
                }
            }
        }

        @Override
        public void flush() throws IOException {
            if (!hostIo.enter()) {
                target.flush();
                return;
            }
            try {
                owed.flushAndCommit(target::flush);
                ImageWriter wt = writeThrough;
                if (wt != null) {
                    wt.sync();
                }
            } finally {
                hostIo.leave();
            }
        }
    }

    /** The bulk copy: every owed track, in order, from its own reader. */
    private final class BulkCopy implements JobWork {
        private final Damage damage = new Damage();
        private long cursor;
        private long budget = Long.MAX_VALUE;
        private volatile long lastOwed = -1; // read by doneSinceLastStep from other threads
        private byte[] runBuf;
        /** Tracks that make a whole write of the volume (see {@link #wholeTracks}); 0 until the first step. */
        private long wholeTracks;
        /** Tracks of the run whose bytes a read fetched (they wait for the write-behind). */
        private TrackBitmap fromReads;

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
            if (runBuf == null && !inPieces()) {
                runBuf = new byte[(int) Math.min((long) trackSize * Math.max(1, (1 << 20) / trackSize), Integer.MAX_VALUE)];
            }
            long runTracks = inPieces() ? 1 : runBuf.length / trackSize;
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
                TracksDamagedException left = damage.summary();
                if (left.count() > 0) {
                    throw left; // every track left is damaged in the backup
                }
            }
            BeforeCopy bc = beforeCopy;
            if (bc != null && a >= 0 && !readOnly) {
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
                if (inPieces()) { // one track, its lock taken a piece at a time
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
                    int n = trackLength(e);
                    byte[] fetchedForARead = writeBehind.take(e);
                    if (fetchedForARead != null) {
                        System.arraycopy(fetchedForARead, 0, runBuf, off, n); // written for the read, not copied
                        fromReads.set(e);
                    } else {
                        try {
                            if (overlay == null || !overlay.covers(e, n)) {
                                reader(bulk).readTrack(e, runBuf, off);
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
                if (e > t && !readOnly) {
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
            if (readOnly || damage.has(t)) {
                return 0;
            }
            int n = trackLength(t);
            long start = t * trackSize;
            if (pieceBuf == null) {
                pieceBuf = new byte[pieceBytes()];
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
                            track = new BuiltTrack(() -> reader(bulk), overlay, t, n);
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
            commitNow();
            listener.completed(InstantRestore.this);
        }

        @Override
        public void stopped(JobState state, Exception error) {
            try {
                committer.awaitIdle();
            } catch (IOException e) {
                // the job stops anyway; what was not committed is copied again
            }
            listener.stopped(InstantRestore.this, state, error);
        }
    }

    /**
     * The tracks the bulk copy found damaged in the backup (their check failed): it goes on with the
     * others, so one bad track does not leave the rest of the volume on the backup; they stay owed
     * (a read of one fails, a host's write of it whole makes it current), and once only they are
     * left the copy fails naming them. The next opening of the pool tries them again.
     */
    private final class Damage {
        private TrackBitmap tracks; // made at the first damaged track (the bulk copy exists before the restore's size is set)
        private String first;

        boolean has(long t) {
            return tracks != null && tracks.get(t);
        }

        void add(long t, DamagedTrackException e) {
            if (tracks == null) {
                tracks = new TrackBitmap(InstantRestore.this.tracks);
            }
            tracks.set(t);
            if (first == null) {
                first = e.getMessage();
            }
        }

        /** The failure once every track left is damaged. */
        TracksDamagedException summary() {
            long n = 0;
            StringBuilder list = new StringBuilder();
            for (long t = tracks == null ? -1 : tracks.nextSetBit(0); t >= 0; t = tracks.nextSetBit(t + 1)) {
                if (owed.isSet(t)) { // a host may have written one whole since
                    if (n < 8) {
                        list.append(n == 0 ? "" : ", ").append(t);
                    }
                    n++;
                }
            }
            if (n > 8) {
                list.append(", ...");
            }
            boolean one = n == 1;
            return new TracksDamagedException(n, n + (one ? " track" : " tracks") + " of the backup " + (one ? "is" : "are")
                    + " damaged (track" + (one ? " " : "s ") + list + "; " + first + "); every other track is restored. "
                    + (one ? "It stays" : "They stay") + " owed: reads of " + (one ? "it" : "them") + " fail. To give "
                    + (one ? "it" : "them") + " up, cancel the restore (job instant-restore-" + volume + "): "
                    + (one ? "it keeps" : "they keep") + " what the volume held before; or cancel and restore another"
                    + " image (the next opening of the pool tries " + (one ? "it" : "them") + " again)");
        }
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
     * Tracks fetched for reads, waiting to be written to the volume by one thread: bounded (when it
     * is full the reader writes the track itself), and a track's bytes stay here until written, so
     * a second read, a host's partial write or the bulk copy takes them from here.
     */
    private final class WriteBehind {
        private static final int MAX = 256;
        /**
         * The most bytes of fetched tracks held at once: 256 tracks of 16 MiB were 4 GiB of heap
         * under a random reader; past it a fetch writes its track to the volume itself.
         */
        private static final long MAX_BYTES = 64L << 20;
        private final java.util.Map<Long, byte[]> pending = new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.concurrent.BlockingQueue<Long> queue = new java.util.concurrent.ArrayBlockingQueue<>(MAX);
        private final AtomicLong pendingBytes = new AtomicLong();
        private Thread thread;
        private volatile boolean closed;

        /** Queues track {@code t} (its lock held) to be written; false when the queue is full. */
        synchronized boolean offer(long t, byte[] buf) {
            if (closed || pendingBytes.get() + buf.length > MAX_BYTES) {
                return false;
            }
            put(t, buf);
            if (!queue.offer(t)) {
                take(t);
                return false;
            }
            if (thread == null) {
                thread = new Thread(this::run, "splitpoint-restore-writeback-" + volume);
                thread.setDaemon(true);
                thread.start();
            }
            return true;
        }

        private void put(long t, byte[] buf) {
            byte[] old = pending.put(t, buf);
            pendingBytes.addAndGet(buf.length - (old == null ? 0 : old.length));
        }

        byte[] peek(long t) {
            return pending.get(t);
        }

        /** Takes track {@code t}'s bytes if they wait here (its lock held): the caller writes them. */
        byte[] take(long t) {
            byte[] b = pending.remove(t);
            if (b != null) {
                pendingBytes.addAndGet(-b.length);
            }
            return b;
        }

        private void run() {
            while (!closed) {
                long t;
                try {
                    t = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                try (RangeLocks.Held h = trackLocks.lock(t, t + 1)) {
                    if (pending.containsKey(t) && !closed) {
                        restoreTrack(t, onDemand); // takes the bytes; writes them only if still owed
                    }
                } catch (IOException | RuntimeException e) {
                    take(t); // still owed: fetched again by the next read or the bulk copy
                }
            }
        }

        void close() {
            Thread th;
            synchronized (this) {
                closed = true;
                th = thread;
            }
            if (th != null) {
                th.interrupt();
                try {
                    th.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            pending.clear(); // those tracks stay owed
            pendingBytes.set(0);
        }
    }

    private void commitNow() throws IOException {
        owed.flushAndCommit(target::flush);
        if (writeThrough != null) {
            writeThrough.sync();
        }
    }

    /** Bytes of tracks fetched for reads and held in memory until the write-behind thread writes them. */
    public long writeBehindBytes() {
        return writeBehind.pendingBytes.get();
    }

    /** Makes what was done durable (the owed tracks' clears after their data). */
    public void flush() throws IOException {
        view.flush();
    }

    @Override
    public void close() throws IOException {
        writeBehind.close();
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
