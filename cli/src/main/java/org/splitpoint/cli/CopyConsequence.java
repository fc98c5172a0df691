package org.splitpoint.cli;

import org.splitpoint.engine.pair.Pair;
import org.splitpoint.engine.pool.PairAdmin;
import org.splitpoint.engine.pool.Sizes;

/**
 * What a pair copy overwrites that cannot be undone, as {@code pair restore} and {@code pair establish}
 * say it: the sentence (which volume is overwritten with which, how much of it, what is lost, and what
 * the pair is afterwards), the name typed to go on (the volume overwritten, as the app asks) and what a
 * refusal leaves. The counts are the ones the copy starts from (the pair's live bits), as the app's
 * dialogs say them. One skeleton for both directions, so the two sentences cannot drift apart.
 *
 * @param sentence what is overwritten and lost
 * @param typed    the name a terminal's user types to go on: the volume overwritten
 * @param notDone  said when they type anything else
 */
record CopyConsequence(String sentence, String typed, String notDone) {

    /** A restore (BCV → STD); {@code changes}: the tracks changed on each side since the split; {@code size}: the STD's bytes. */
    static CopyConsequence restore(PairAdmin.PairView p, Pair.Changes changes, long size, boolean full, boolean protect) {
        String sentence = overwrites("restoring", p, p.std(), p.bcv() + "'s point-in-time image", changes.std(),
                changes, size, full)
                + (protect ? "; " + p.bcv() + " stays Split and unchanged (--protect)"
                : "; the pair ends Restored and " + p.bcv() + " no longer keeps that image (--protect keeps it)");
        return new CopyConsequence(sentence, p.std(), "nothing was restored");
    }

    /**
     * An establish of a Split pair (STD → BCV): the BCV's point-in-time image ends, and what hosts
     * wrote to the BCV since the split (a backup host that mounted it) is lost.
     */
    static CopyConsequence establish(PairAdmin.PairView p, Pair.Changes changes, long size, boolean full) {
        return established(overwrites("establishing", p, p.bcv(), p.std() + "'s data", changes.bcv(), changes, size, full),
                p);
    }

    /**
     * A pair's first establish (NeverEstab): every track of the BCV is overwritten with the STD's data,
     * and what the BCV held before the pair was made, never tracked, is lost.
     */
    static CopyConsequence firstEstablish(PairAdmin.PairView p, long size) {
        return established(overwrites("establishing", p, p.bcv(), p.std() + "'s data", 0, null, size, true)
                + " (its first establish); what " + p.bcv() + " holds now is lost", p);
    }

    /** An establish's consequence: {@code overwrites}, then what the pair is afterwards; the BCV's name typed. */
    private static CopyConsequence established(String overwrites, PairAdmin.PairView p) {
        return new CopyConsequence(overwrites + "; the pair ends Synchronized (writes to " + p.std() + " go to " + p.bcv()
                + " too, until the next split)", p.bcv(), "nothing was established");
    }

    /**
     * "restoring pair p overwrites 16 tracks (1 MiB) of a with b's point-in-time image; what was written to a
     * since the split (16 tracks) is lost": an incremental copy overwrites the tracks changed on either side
     * ({@code changes}, unused by a full one).
     */
    private static String overwrites(String doing, PairAdmin.PairView p, String to, String with, long lostTracks,
                                     Pair.Changes changes, long size, boolean full) {
        long tracks = full ? p.totalTracks() : changes.either();
        String lost = lostTracks > 0
                ? "; what was written to " + to + " since the split (" + Sizes.count(lostTracks, "track") + ") is lost"
                : "";
        return doing + " pair " + p.name() + " overwrites " + (full ? "all " : "") + Sizes.count(tracks, "track") + " ("
                + Sizes.format(Math.min(size, tracks * p.trackSize())) + ") of " + to + " with " + with + lost;
    }
}
