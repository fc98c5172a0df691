package org.splitpoint.engine.restore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.splitpoint.engine.backup.ImageWriter;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.RangeLocks;
import org.splitpoint.engine.job.RateMeter;
import org.splitpoint.engine.pair.HydrationFeed;
import org.splitpoint.engine.pair.InvalidTracks;

/**
 * The volume as hosts see it during an instant restore: the three-way branch of
 * {@link InstantRestore}'s note, per track.
 *
 * <p>Design. A read of a current track goes to the volume; a read of an owed track is answered
 * from the source and left to the {@link WriteBehind} to put on the volume (a large track is copied
 * to the volume first, then read from it); a write goes to the volume under its tracks' locks,
 * merging the source's track first where it is partial, and marks its tracks current — durably
 * before it returns where a track was owed durably, so a process crash cannot let the bulk copy put
 * the backup's older track over it — and, with a write-through image, appends them to it (an image
 * that cannot be written is dropped, the write goes on). Every
 * request is counted by the restore's {@link HostIoGate}: once the restore ended one goes straight
 * to the volume. {@link #peek} tells block status without fetching an owed track. The on-demand
 * counts (tracks fetched, host writes, the rate and feed views show) are kept here, as only the host
 * path makes them.
 */
final class RestoreView implements BlockDevice {

    /** How a host's change reaches the volume (a write of bytes, or a zeroing). */
    private interface Put {
        void run() throws IOException;
    }

    private final InstantRestore restore;
    private final String volume;
    private final BlockDevice target;
    private final int trackSize;
    private final InvalidTracks owed;
    private final InstantRestore.Overlay overlay;
    private final InstantRestore.HostWrites hostWrites;
    private final TrackCopier copier;
    private final RangeLocks trackLocks;
    private final WriteBehind writeBehind;
    private final HostIoGate hostIo;
    final TrackBitmap fetched;
    final TrackBitmap hostWritten;
    final AtomicLong onDemandFetches = new AtomicLong();
    final RateMeter onDemandRate = new RateMeter(3000);
    final HydrationFeed feed = new HydrationFeed(4096);

    RestoreView(InstantRestore restore, BlockDevice target, int trackSize, long tracks, InvalidTracks owed,
                InstantRestore.Overlay overlay, InstantRestore.HostWrites hostWrites, TrackCopier copier, HostIoGate hostIo) {
        this.restore = restore;
        this.volume = restore.volume();
        this.target = target;
        this.trackSize = trackSize;
        this.owed = owed;
        this.overlay = overlay;
        this.hostWrites = hostWrites;
        this.copier = copier;
        this.trackLocks = copier.trackLocks;
        this.writeBehind = copier.writeBehind;
        this.hostIo = hostIo;
        this.fetched = new TrackBitmap(tracks);
        this.hostWritten = new TrackBitmap(tracks);
    }

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

    /** One more track fetched on demand, for the count and its rate. */
    private void countFetch() {
        onDemandFetches.incrementAndGet();
        onDemandRate.add(System.nanoTime(), 1);
    }

    /**
     * Bytes [pos, pos+len) of track {@code t}, fetched from the backup if it is still owed. The
     * read is answered as soon as the track is read and checked; writing it to the volume is
     * left to the write-behind thread (as pairs hydrate), which writes it only if it is still
     * owed then, under its lock: a host write or the bulk copy that got there first wins.
     */
    private void fetchInto(long t, long pos, ByteBuffer part) throws IOException {
        if (copier.inPieces()) {
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
                buf = copier.fetchTrack(t, restore.onDemand());
            }
            part.put(buf, (int) (pos - t * trackSize), part.remaining());
            countFetch();
            return;
        }
        try (RangeLocks.Held h = held != null ? held : trackLocks.lock(t, t + 1)) {
            if (!owed.isSet(t)) {
                target.read(pos, part); // restored meanwhile: the volume has it, perhaps newer
                return;
            }
            byte[] buf = writeBehind.peek(t);
            if (buf == null) {
                buf = copier.fetchTrack(t, restore.onDemand());
                if (!restore.isReadOnly() && !writeBehind.offer(t, buf)) {
                    copier.restoreTrack(t, restore.onDemand(), buf); // the queue is full: write the bytes fetched now
                }
            }
            part.put(buf, (int) (pos - t * trackSize), part.remaining());
            fetched.set(t);
            countFetch();
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
                TrackSource onDemand = restore.onDemand();
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
                if (restore.isReadOnly()) {
                    keepPart(t, pos, part);
                } else {
                    copier.copyInPieces(t, restore.onDemand());
                    fetched.set(t);
                    feed.add(t);
                }
                countFetch();
                if (restore.isReadOnly()) {
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
        copier.streamTrack(t, restore.onDemand(), (within, piece, n) -> {
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
                boolean partial = offset > t * trackSize || end < t * trackSize + copier.trackLength(t);
                if (partial) {
                    copier.restoreTrack(t, restore.onDemand()); // merge the backup's track first
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
            writeThrough(t0, t1);
        }
    }

    /**
     * Appends tracks [t0, t1), as the volume has them now, to the write-through image. One that
     * cannot be written (its store's disk failing or full) is dropped: the write is on the volume,
     * and failing it, and every write after it, made the volume unwritable for a backup disk.
     */
    private void writeThrough(long t0, long t1) {
        ImageWriter wt = restore.writeThrough();
        if (wt == null) {
            return;
        }
        try {
            for (long t = t0; t < t1; t++) {
                long start = t * trackSize;
                wt.putTrack(t, copier.trackLength(t),
                        (within, piece, n) -> target.read(start + within, ByteBuffer.wrap(piece, 0, n)), false);
            }
        } catch (IOException | RuntimeException e) {
            restore.writeThroughFailed(wt, e);
        }
    }

    /** Makes what was done durable: the restore's commit, counted among the host's requests. */
    @Override
    public void flush() throws IOException {
        if (!hostIo.enter()) {
            target.flush();
            return;
        }
        try {
            restore.commitNow();
        } finally {
            hostIo.leave();
        }
    }
}
