package org.splitpoint.engine.raid;

import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.bitmap.WriteIntent;

/**
 * The write-intent tracks a volume found dirty at open, remembered for the recoveries that open
 * runs beside the resync: a pair folds them into its invalid tracks, a staged journal journals them
 * again as the volume has them.
 *
 * <p>Design. A copy is taken once, at open, before any write; the bitmap itself is held dirty on
 * disk until the open has made durable what it derived from them ({@link WriteIntent#holdForRecovery}),
 * so a crash during the recovery finds them again. The layout maps the member-row tracks back to
 * the volume bytes they hold ({@link RaidVolume#volumeRangeOfRows}).
 */
final class CrashDirtyTracks {

    private final RaidVolume volume;
    private final WriteIntent writeIntent;
    private volatile TrackBitmap crashDirty;

    CrashDirtyTracks(RaidVolume volume, WriteIntent writeIntent) {
        this.volume = volume;
        this.writeIntent = writeIntent;
    }

    /** See {@link RaidVolume#noteCrashDirty}. */
    long note() {
        TrackBitmap dirty = writeIntent.dirty();
        TrackBitmap copy = new TrackBitmap(dirty.size());
        copy.loadWords(dirty.toWords());
        crashDirty = copy;
        writeIntent.holdForRecovery(); // dirty on disk until endCrashRecovery: a crash meanwhile finds them again
        return copy.cardinality();
    }

    /** See {@link RaidVolume#crashDirtyVolumeRanges}. */
    List<long[]> volumeRanges() {
        TrackBitmap d = crashDirty;
        List<long[]> out = new ArrayList<>();
        if (d == null) {
            return out;
        }
        long size = volume.size;
        int trackSize = volume.trackSize;
        for (long t = d.nextSetBit(0); t >= 0; t = d.nextSetBit(t + 1)) {
            long[] r = volume.volumeRangeOfRows(t * trackSize, (t + 1) * trackSize);
            if (r[0] >= size) {
                continue;
            }
            long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && r[0] <= last[1]) {
                last[1] = Math.max(last[1], Math.min(size, r[1])); // tracks of one stripe name the same range
            } else {
                out.add(new long[] {r[0], Math.min(size, r[1])});
            }
        }
        return out;
    }

    /** See {@link RaidVolume#crashDirtyTracks}. */
    TrackBitmap tracks() {
        return crashDirty;
    }
}
