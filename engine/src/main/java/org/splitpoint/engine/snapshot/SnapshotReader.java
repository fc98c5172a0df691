package org.splitpoint.engine.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Supplier;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.restore.TrackSource;

/**
 * A snapshot as a read-only block device: each track from its save, or from the volume when the
 * track was not written since the snapshot was taken.
 *
 * <p>Design. A read of the volume races the writes to it, and the save that precedes a write is
 * entered in the index before the write may begin: so a track read from the volume is looked up
 * again afterwards, and if a save for it appeared meanwhile the track is read again from the save
 * (the volume may already hold the newer bytes). A save read is checked to be still kept
 * afterwards, since a snapshot deleted meanwhile gives its slots back for reuse; and a read of
 * the volume is checked to be still of a snapshot that is there, since its deletion drops the
 * saves a second look would have found, and still valid: once a snapshot is invalid the writes to
 * the volume are no longer saved for it, so a track read from the volume may be newer than it
 * (a restore reads its source's saves even then: they are kept for it, and true).
 */
public final class SnapshotReader implements BlockDevice, TrackSource {

    private final String name;
    private final BlockDevice origin;
    private final OriginIndex index;
    private final long gen;
    private final CopyOnWrite.Areas areas;
    private final Supplier<String> unreadable;
    private final Supplier<String> volumeUnreadable;
    private final int trackSize;

    /**
     * Snapshot {@code name} (generation {@code gen}) of {@code origin}; {@code unreadable} says
     * why it cannot be read now (deleted, invalid), or null; {@code volumeUnreadable} why its
     * tracks not saved cannot be read from the volume (deleted or invalid, whatever {@code
     * unreadable} allows), or null.
     */
    public SnapshotReader(String name, BlockDevice origin, int trackSize, OriginIndex index, long gen,
                          CopyOnWrite.Areas areas, Supplier<String> unreadable, Supplier<String> volumeUnreadable) {
        this.name = name;
        this.origin = origin;
        this.trackSize = trackSize;
        this.index = index;
        this.gen = gen;
        this.areas = areas;
        this.unreadable = unreadable;
        this.volumeUnreadable = volumeUnreadable;
    }

    public String name() {
        return name;
    }

    /** The generation of the snapshot this reads: a snapshot taken again under its name has another. */
    public long generation() {
        return gen;
    }

    @Override
    public long size() {
        return origin.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        BlockDevice.checkRange(name, size(), offset, dst.remaining());
        String why = unreadable.get();
        if (why != null) {
            throw new IOException(why);
        }
        long end = offset + dst.remaining();
        long pos = offset;
        while (pos < end) {
            long t = pos / trackSize;
            SaveRecord r = index.find(t, gen);
            long runEnd = Math.min(end, (t + 1) * trackSize);
            if (r == null) {
                while (runEnd < end && index.find(runEnd / trackSize, gen) == null) {
                    runEnd = Math.min(end, (runEnd / trackSize + 1) * trackSize);
                }
            }
            int len = (int) (runEnd - pos);
            ByteBuffer part = dst.slice(dst.position(), len);
            if (r != null) {
                readSaved(r, pos, part);
            } else {
                origin.read(pos, part);
                // a save made during the read means the volume may have changed under it
                for (long x = t; x * trackSize < runEnd; x++) {
                    SaveRecord late = index.find(x, gen);
                    if (late != null) {
                        long a = Math.max(pos, x * trackSize);
                        long b = Math.min(runEnd, (x + 1) * trackSize);
                        readSaved(late, a, dst.slice(dst.position() + (int) (a - pos), (int) (b - a)));
                    }
                }
                // a save made during the read and dropped as the snapshot went (deleted, or invalid)
                // is not found above: the volume's bytes read may be newer than the snapshot
                // (SnapshotReadAtDeleteTest); the record goes before its saves do. An invalid
                // snapshot's tracks are not saved before the volume's writes any more: read from
                // the volume, they may be newer too (RestoreSourceInvalidTest); it is invalid on
                // record before such a write may go on
                why = volumeUnreadable.get();
                if (why != null) {
                    throw new IOException(why);
                }
            }
            dst.position(dst.position() + len);
            pos = runEnd;
        }
    }

    private void readSaved(SaveRecord r, long pos, ByteBuffer part) throws IOException {
        SaveArea area = areas.current();
        if (area == null) {
            throw new IOException("snapshot " + name + " cannot be read: the pool's save area is gone");
        }
        area.read(r.slot(), pos - r.track() * trackSize, part);
        if (!index.holds(r)) {
            String why = unreadable.get();
            throw new IOException(why != null ? why : "snapshot " + name + " changed while it was read");
        }
    }

    @Override
    public int readTrack(long t, byte[] dst, int off) throws IOException {
        int n = (int) Math.min(trackSize, size() - t * trackSize);
        read(t * trackSize, ByteBuffer.wrap(dst, off, n));
        return n;
    }

    /** Track {@code t} read in order, a piece at a time, each piece as any read of the snapshot. */
    @Override
    public TrackStream stream(long t) {
        long start = t * trackSize;
        return new TrackStream() {
            private long at;

            @Override
            public void read(byte[] dst, int off, int n) throws IOException {
                SnapshotReader.this.read(start + at, ByteBuffer.wrap(dst, off, n));
                at += n;
            }

            @Override
            public void verify() {
                // each piece was checked as it was read (its save still kept)
            }
        };
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        throw new IOException("snapshot " + name + " is read-only: a snapshot never changes");
    }

    @Override
    public void flush() {
        // nothing is ever written
    }

    @Override
    public void close() {
        // the index and the save area belong to the pool
    }
}
