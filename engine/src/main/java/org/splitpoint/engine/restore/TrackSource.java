package org.splitpoint.engine.restore;

import java.io.IOException;

/**
 * An immutable point in time a restore copies from, track by track: a backup image's chain, or a
 * snapshot of a volume. Not thread-safe: a restore gives each of its paths (on-demand reads, bulk
 * copy) its own.
 */
public interface TrackSource extends AutoCloseable {

    /** Reads track {@code t} into {@code dst} from {@code off}; returns its length (the last track may be short). */
    int readTrack(long t, byte[] dst, int off) throws IOException;

    /**
     * Track {@code t}'s bytes from its start, a piece at a time, for tracks too large to hold whole
     * (they go up to 1 GiB). The source's own check of the track (a backup's SHA-256) can be made
     * only once every byte was read: {@link TrackStream#verify}.
     */
    TrackStream stream(long t) throws IOException;

    /** True when track {@code t} is known to be all zeros without reading it (a backup image that leaves it out). */
    default boolean knownZero(long t) {
        return false;
    }

    /** One track read in order. */
    interface TrackStream {
        /** Fills {@code dst[off, off+n)} with the track's next {@code n} bytes. */
        void read(byte[] dst, int off, int n) throws IOException;

        /** After the whole track was read: throws if its bytes fail the source's check (they were damaged). */
        void verify() throws IOException;
    }

    @Override
    void close() throws IOException;
}
