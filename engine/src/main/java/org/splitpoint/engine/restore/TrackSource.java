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

    @Override
    void close() throws IOException;
}
