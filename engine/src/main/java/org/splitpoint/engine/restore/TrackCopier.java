package org.splitpoint.engine.restore;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.RangeLocks;
import org.splitpoint.engine.pair.InvalidTracks;

/**
 * How an instant restore makes one owed track current: the source's track (with the overlay's
 * changes on top) written to the volume, then its owed bit cleared live.
 *
 * <p>Design. Every path that copies a track — a read's fetch and its {@link WriteBehind}, a host's
 * partial write merging the backup's track first, the bulk copy — holds the track's lock in
 * {@link #trackLocks} while it copies and copies only a track still owed, so no copy overwrites a
 * track written or fetched meanwhile. The copies go by {@link BlockDevice#writeRefill} (no
 * write-intent fsync: a track owed durably is copied again after a crash); the clear is live only,
 * made durable by the restore's next commit after a flush of the volume.
 *
 * <p>Tracks over {@link #WHOLE_TRACK_MAX} (they go up to 1 GiB) are never held whole: they go from
 * the source to the volume a piece at a time ({@link #pieceBytes}, about a megabyte, whole writes of
 * the volume), and the backup's check of the track (its SHA-256) is made once all of it was read; a
 * track that fails it stays owed.
 */
final class TrackCopier {

    /** Tracks larger than this are copied in pieces, never held whole. */
    static final int WHOLE_TRACK_MAX = 8 << 20;

    private final InstantRestore restore;
    private final BlockDevice target;
    private final int trackSize;
    private final InvalidTracks owed;
    private final InstantRestore.Overlay overlay;
    /** One lock a track: every copy of a track, and a host's write of it, holds it. */
    final RangeLocks trackLocks = new RangeLocks(1);
    final WriteBehind writeBehind;

    /**
     * {@link #WHOLE_TRACK_MAX} and the piece size (about a megabyte), read per restore: crash tests
     * set them small (system properties {@code splitpoint.restoreWholeTrackMax},
     * {@code splitpoint.restorePieceBytes}) to run the piece path over small pools with many seeds.
     */
    private final int wholeTrackMax = Integer.getInteger("splitpoint.restoreWholeTrackMax", WHOLE_TRACK_MAX);
    private final int pieceMax = Integer.getInteger("splitpoint.restorePieceBytes", 1 << 20);

    TrackCopier(InstantRestore restore, BlockDevice target, int trackSize, InvalidTracks owed,
                InstantRestore.Overlay overlay) {
        this.restore = restore;
        this.target = target;
        this.trackSize = trackSize;
        this.owed = owed;
        this.overlay = overlay;
        this.writeBehind = new WriteBehind(restore.volume(), trackLocks, t -> restoreTrack(t, restore.onDemand()),
                restore::writeBehindStopped);
    }

    /** {@code r}, or the error a track not yet restored meets while the store cannot be read. */
    TrackSource reader(TrackSource r) throws IOException {
        if (r == null) {
            throw new IOException("volume " + restore.volume() + " is being restored from a backup that cannot be read now ("
                    + restore.unavailable() + "); its tracks not yet restored cannot be read or partly written");
        }
        return r;
    }

    int trackLength(long t) {
        return (int) Math.min(trackSize, target.size() - t * trackSize);
    }

    boolean inPieces() {
        return trackSize > wholeTrackMax;
    }

    /** The bytes of a piece: about a megabyte, whole writes of the volume (a parity volume's stripes). */
    int pieceBytes() {
        long unit = Math.max(1, target.wholeWriteUnit());
        long piece = unit >= pieceMax ? unit : pieceMax / unit * unit;
        return (int) Math.min(piece, Math.min(trackSize, 16L << 20));
    }

    /**
     * Track {@code t} from {@code reader} (with the overlay's changes) handed to {@code sink} a
     * piece at a time, in order, then checked against the source (throws if damaged: the pieces
     * handed were then damaged too).
     */
    void streamTrack(long t, TrackSource reader, PieceSink sink) throws IOException {
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

    interface PieceSink {
        void accept(long within, byte[] piece, int n) throws IOException;
    }

    /** Copies owed track {@code t} to the volume in pieces (its lock held); it is current afterwards. */
    void copyInPieces(long t, TrackSource reader) throws IOException {
        long start = t * trackSize;
        streamTrack(t, reader, (within, piece, n) -> target.writeRefill(start + within, ByteBuffer.wrap(piece, 0, n)));
        owed.clearLive(t); // still owed durably until a flush
    }

    /** Track {@code t} as the restore makes it: the chain's, with the overlay's changes on top. */
    byte[] fetchTrack(long t, TrackSource reader) throws IOException {
        byte[] buf = new byte[trackSize];
        int n = reader(reader).readTrack(t, buf, 0);
        if (overlay != null) {
            overlay.apply(t, buf, 0, n);
        }
        return buf;
    }

    /** Makes track {@code t} current from {@code reader} if it is still owed; returns its bytes, or null. Holds its lock. */
    byte[] restoreTrack(long t, TrackSource reader) throws IOException {
        return restoreTrack(t, reader, null);
    }

    /** {@link #restoreTrack}, with the track's bytes fetched already ({@code fetched}, or null). */
    byte[] restoreTrack(long t, TrackSource reader, byte[] fetched) throws IOException {
        if (inPieces()) {
            if (owed.isSet(t) && !restore.isReadOnly()) {
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
        if (!restore.isReadOnly()) {
            target.writeRefill(t * trackSize, ByteBuffer.wrap(buf, 0, n)); // still owed durably until a flush
            owed.clearLive(t);
        }
        return buf;
    }
}
