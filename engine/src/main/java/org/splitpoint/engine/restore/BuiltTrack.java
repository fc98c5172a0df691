package org.splitpoint.engine.restore;

import java.io.IOException;
import java.util.Arrays;

/**
 * A track as a restore or a journal ship builds it, a piece at a time in order: the source's bytes
 * (not read at all when the overlay writes every byte) with the overlay's changes on top. Tracks go
 * up to 1 GiB, so nobody holds one whole; the source's check of its bytes (a backup's SHA-256) can
 * only be made once all were read: {@link #verify}.
 */
public final class BuiltTrack {

    /** The source, asked for only when the track needs its bytes (it may be unreadable now, and say why). */
    public interface Source {
        TrackSource get() throws IOException;
    }

    private final long track;
    private final InstantRestore.Overlay overlay;
    private final TrackSource.TrackStream in;

    /** Track {@code track} of {@code length} bytes from {@code source}, with {@code overlay} (or null) on top. */
    public BuiltTrack(Source source, InstantRestore.Overlay overlay, long track, int length) throws IOException {
        this.track = track;
        this.overlay = overlay;
        this.in = overlay != null && overlay.covers(track, length) ? null : source.get().stream(track);
    }

    /** Fills {@code piece[0, n)} with the track's bytes [within, within + n), the next ones in order. */
    public void read(long within, byte[] piece, int n) throws IOException {
        if (in != null) {
            in.read(piece, 0, n);
        } else {
            Arrays.fill(piece, 0, n, (byte) 0); // the overlay writes them all
        }
        if (overlay != null) {
            overlay.applyPart(track, within, piece, 0, n);
        }
    }

    /** Once every byte was read: throws if the source's bytes fail its check (the pieces read were damaged). */
    public void verify() throws IOException {
        if (in != null) {
            in.verify();
        }
    }
}
