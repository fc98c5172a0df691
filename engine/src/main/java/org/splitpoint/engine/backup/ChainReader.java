package org.splitpoint.engine.backup;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A volume as one backup image says it was: the image, its parent incrementals back to a full
 * image. Track t is read from the newest image of the chain that holds it; a track none holds is
 * zeros (a full image leaves out the tracks that were all zeros).
 *
 * <p>The chain is checked when it is opened: every parent present, one volume, one size, one track
 * size, ending at a full image. A reader is not thread-safe; the restore gives each path its own.
 */
public final class ChainReader implements org.splitpoint.engine.restore.TrackSource {

    private final List<ImageReader> newestFirst;
    private final ImageInfo target;

    private ChainReader(List<ImageReader> newestFirst) {
        this.newestFirst = newestFirst;
        this.target = newestFirst.get(0).info();
    }

    /** Opens image {@code id} of {@code store} with its chain. */
    public static ChainReader open(BackupStore store, String id) throws IOException {
        List<ImageReader> readers = new ArrayList<>();
        try {
            String next = id;
            java.util.Set<String> seen = new java.util.HashSet<>(java.util.Set.of(id));
            ImageInfo first = null;
            while (next != null) {
                ImageReader r = store.open(next);
                readers.add(r);
                ImageInfo i = r.info();
                if (first == null) {
                    first = i;
                } else if (!i.volume().equals(first.volume()) || i.size() != first.size()
                        || i.trackSize() != first.trackSize()) {
                    throw new BackupException("image " + i.id() + " (parent of " + readers.get(readers.size() - 2).info().id()
                            + ") is of another volume or size; the chain of " + id + " is broken");
                }
                if (i.kind() == ImageInfo.Kind.FULL) {
                    break;
                }
                if (i.parent() == null) {
                    throw new BackupException("incremental image " + i.id() + " names no parent; the chain of " + id
                            + " is broken");
                }
                if (!seen.add(i.parent())) {
                    // before its open: a loop went on to 10,000 images, each index read and checked again
                    throw new BackupException("the chain of " + id + " loops: image " + i.id() + " names " + i.parent()
                            + " as its parent, which is already in the chain");
                }
                next = i.parent();
            }
            return new ChainReader(readers);
        } catch (IOException | RuntimeException e) {
            for (ImageReader r : readers) {
                r.close();
            }
            if (e instanceof BackupException b && b.getMessage().startsWith("no image") && !readers.isEmpty()) {
                throw new BackupException(b.getMessage() + " (a parent in the chain of " + id + " is missing)");
            }
            throw e;
        }
    }

    /**
     * Another reader of the same chain with its own file handles, sharing the loaded indexes (a
     * restore's bulk copy beside its on-demand reads: the indexes are read and checked once).
     */
    public ChainReader duplicate() throws IOException {
        List<ImageReader> copies = new ArrayList<>();
        try {
            for (ImageReader r : newestFirst) {
                copies.add(r.withOwnData());
            }
        } catch (IOException | RuntimeException e) {
            for (ImageReader r : copies) {
                r.close();
            }
            throw e;
        }
        return new ChainReader(copies);
    }

    /** The image the chain leads to (the point in time restored). */
    public ImageInfo target() {
        return target;
    }

    /** Images from the newest (the target) to the full one. */
    public List<ImageInfo> images() {
        return newestFirst.stream().map(ImageReader::info).toList();
    }

    public long size() {
        return target.size();
    }

    public int trackSize() {
        return target.trackSize();
    }

    public long tracks() {
        return target.volumeTracks();
    }

    /** The length of track {@code t} (the last track of a volume may be short). */
    public int trackLength(long t) {
        return (int) Math.min(target.trackSize(), target.size() - t * target.trackSize());
    }

    @Override
    public boolean knownZero(long t) {
        return isZero(t);
    }

    /** True when no image of the chain holds track {@code t}: it is zeros. */
    public boolean isZero(long t) {
        for (ImageReader r : newestFirst) {
            if (r.holds(t)) {
                return false;
            }
        }
        return true;
    }

    /** Reads track {@code t} as of the target image into {@code dst}; returns its length. */
    public int readTrack(long t, byte[] dst) throws IOException {
        return readTrack(t, dst, 0);
    }

    /** Reads track {@code t} as of the target image into {@code dst} from {@code off}; returns its length. */
    @Override
    public int readTrack(long t, byte[] dst, int off) throws IOException {
        for (ImageReader r : newestFirst) {
            if (r.holds(t)) {
                int n = r.readTrack(t, dst, off);
                if (n != trackLength(t)) {
                    throw new DamagedTrackException(t, "image " + r.info().id() + ": track " + t + " holds " + n + " bytes, "
                            + trackLength(t) + " expected (damaged)");
                }
                return n;
            }
        }
        int n = trackLength(t);
        Arrays.fill(dst, off, off + n, (byte) 0);
        return n;
    }

    /** Track {@code t} as of the target image, read in order a piece at a time (zeros where no image holds it). */
    @Override
    public TrackStream stream(long t) throws IOException {
        for (ImageReader r : newestFirst) {
            if (r.holds(t)) {
                if (r.trackBytes(t) != trackLength(t)) {
                    throw new DamagedTrackException(t, "image " + r.info().id() + ": track " + t + " holds " + r.trackBytes(t)
                            + " bytes, " + trackLength(t) + " expected (damaged)");
                }
                return r.stream(t);
            }
        }
        return new TrackStream() {
            @Override
            public void read(byte[] dst, int off, int n) {
                Arrays.fill(dst, off, off + n, (byte) 0);
            }

            @Override
            public void verify() {
                // zeros: nothing was read
            }
        };
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (ImageReader r : newestFirst) {
            try {
                r.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
