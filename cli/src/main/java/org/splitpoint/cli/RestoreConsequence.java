package org.splitpoint.cli;

import org.splitpoint.engine.pair.Pair;
import org.splitpoint.engine.pool.PairAdmin;
import org.splitpoint.engine.pool.Sizes;

/**
 * The sentence {@code pair restore} asks to be confirmed: which volume is overwritten with which,
 * how much of it, what is lost, and what becomes of the BCV's image. The counts are the ones the
 * restore starts from (the pair's live bits), as the app's restore dialog says them.
 */
final class RestoreConsequence {

    private RestoreConsequence() {
    }

    /** {@code changes}: the tracks changed on each side since the split; {@code size}: the STD's bytes. */
    static String of(PairAdmin.PairView p, Pair.Changes changes, long size, boolean full, boolean protect) {
        long tracks = full ? p.totalTracks() : changes.either();
        String lost = changes.std() > 0
                ? "; what was written to " + p.std() + " since the split (" + Sizes.count(changes.std(), "track") + ") is lost"
                : "";
        return "restoring pair " + p.name() + " overwrites " + (full ? "all " : "") + Sizes.count(tracks, "track") + " ("
                + Sizes.format(Math.min(size, tracks * p.trackSize())) + ") of " + p.std() + " with " + p.bcv()
                + "'s point-in-time image" + lost
                + (protect ? "; " + p.bcv() + " stays Split and unchanged (--protect)"
                : "; the pair ends Restored and " + p.bcv() + " no longer keeps that image (--protect keeps it)");
    }
}
