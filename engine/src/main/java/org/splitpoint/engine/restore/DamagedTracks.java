package org.splitpoint.engine.restore;

import org.splitpoint.engine.backup.DamagedTrackException;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.pair.InvalidTracks;

/**
 * The tracks an instant restore's bulk copy found damaged in the backup (their check failed).
 *
 * <p>Design. The copy goes on with the others, so one bad track does not leave the rest of the
 * volume on the backup; they stay owed (a read of one fails, a host's write of it whole makes it
 * current), and once only they are left the copy fails naming them ({@link #summary}). Kept in
 * memory only: the next opening of the pool tries them again. Used by the bulk copy's thread alone.
 */
final class DamagedTracks {
    private final String volume;
    private final long totalTracks;
    private final InvalidTracks owed;
    private TrackBitmap tracks; // made at the first damaged track: most restores meet none
    private String first;

    DamagedTracks(String volume, long totalTracks, InvalidTracks owed) {
        this.volume = volume;
        this.totalTracks = totalTracks;
        this.owed = owed;
    }

    boolean has(long t) {
        return tracks != null && tracks.get(t);
    }

    void add(long t, DamagedTrackException e) {
        if (tracks == null) {
            tracks = new TrackBitmap(totalTracks);
        }
        tracks.set(t);
        if (first == null) {
            first = e.getMessage();
        }
    }

    /** The failure once every track left is damaged. */
    InstantRestore.TracksDamagedException summary() {
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
        return new InstantRestore.TracksDamagedException(n, n + (one ? " track" : " tracks") + " of the backup " + (one ? "is" : "are")
                + " damaged (track" + (one ? " " : "s ") + list + "; " + first + "); every other track is restored. "
                + (one ? "It stays" : "They stay") + " owed: reads of " + (one ? "it" : "them") + " fail. To give "
                + (one ? "it" : "them") + " up, cancel the restore (job instant-restore-" + volume + "): "
                + (one ? "it keeps" : "they keep") + " what the volume held before; or cancel and restore another"
                + " image (the next opening of the pool tries " + (one ? "it" : "them") + " again)");
    }
}
