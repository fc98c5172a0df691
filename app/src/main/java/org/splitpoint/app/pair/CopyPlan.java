package org.splitpoint.app.pair;

import java.util.ArrayList;
import java.util.List;
import org.splitpoint.app.common.Confirmation;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.common.ServedClients;
import org.splitpoint.engine.pool.PairAdmin.PairView;

/**
 * What a restore or an establish overwrites, as a {@link Confirmation}: source → target, how many
 * tracks and bytes, what is lost and what the pair is afterwards. The target's name (the STD for a
 * restore, the BCV for an establish) is what the administrator types, except for an establish that
 * loses only the BCV's point-in-time image: one click confirms that.
 */
public final class CopyPlan {

    private CopyPlan() {
    }

    /**
     * {@code union} = tracks invalid on either side (what an incremental restore copies); {@code clients}
     * are the NBD clients using the STD now (their addresses).
     */
    public static Confirmation restore(PairView p, boolean full, boolean protect,
                                       org.splitpoint.engine.pair.Pair.Changes changes, long volumeSize,
                                       List<String> clients) {
        long tracks = full ? p.totalTracks() : changes.either();
        List<String> s = new ArrayList<>();
        s.add("Restore copies " + p.bcv() + " → " + p.std() + ": " + Format.tracks(tracks) + " ("
                + Format.size(bytes(tracks, p, volumeSize)) + ") of " + p.std() + " are overwritten with the BCV's"
                + " point-in-time image" + (full ? " (full: every track)." : " (incremental: the tracks changed on"
                + " either side since the split: " + Format.count(changes.std()) + " on " + p.std() + ", "
                + Format.count(changes.bcv()) + " on " + p.bcv() + bothPart(changes) + ")."));
        if (changes.std() > 0) {
            s.add("What was written to " + p.std() + " since the split (" + Format.tracks(changes.std())
                    + ") is lost.");
        }
        s.add(protect ? "With Protect, " + p.bcv() + " stays Split and unchanged, so it can be restored from again."
                : "Without Protect, the pair ends Restored: " + p.bcv() + " mirrors " + p.std()
                + " again and its point-in-time image is not kept.");
        s.add("Hosts keep using " + p.std() + " meanwhile: reads of tracks not yet restored are served from "
                + p.bcv() + "; tracks they write meanwhile are restored too.");
        ServedClients.add(s, p.std(), clients);
        return new Confirmation("Restore " + p.std(), "Overwrite " + p.std() + " with " + p.bcv() + "?", s, p.std(),
                "Restore " + p.std());
    }

    /** ", 2 on both" when some track changed on both sides (counted once in the total). */
    private static String bothPart(org.splitpoint.engine.pair.Pair.Changes c) {
        long both = c.std() + c.bcv() - c.either();
        return both > 0 ? ", " + Format.count(both) + " on both" : "";
    }

    /** A full establish (or the first one): the whole BCV is overwritten with the STD; {@code clients} use the BCV now. */
    public static Confirmation fullEstablish(PairView p, long volumeSize, List<String> clients) {
        List<String> s = new ArrayList<>();
        s.add(copies(p, "all " + Format.tracks(p.totalTracks()), volumeSize, ""));
        if (p.bcvInvalidTracks() > 0) {
            s.add("What was written to " + p.bcv() + " since the split (" + Format.tracks(p.bcvInvalidTracks())
                    + ") is lost, and so is its point-in-time image.");
        } else if (p.state() != org.splitpoint.engine.pair.PairState.NeverEstab) {
            s.add("The BCV's point-in-time image is lost.");
        }
        s.add("Afterwards the pair is Synchronized: writes to " + p.std() + " go to " + p.bcv() + " too, until the"
                + " next split.");
        ServedClients.add(s, p.bcv(), clients);
        return new Confirmation("Establish " + p.name(), "Overwrite " + p.bcv() + " with " + p.std() + "?", s, p.bcv(),
                "Establish (full)");
    }

    /**
     * An incremental establish of a Split pair whose BCV hosts wrote since the split
     * ({@code PairRules.establishLosesBcvWrites}): those writes exist nowhere else and end with the BCV's
     * point-in-time image, so the BCV's name is typed; {@code clients} are the NBD clients using the BCV now.
     */
    public static Confirmation incrementalEstablish(PairView p, long union, long volumeSize, List<String> clients) {
        List<String> s = new ArrayList<>();
        s.add(copies(p, Format.tracks(union), bytes(union, p, volumeSize), INCREMENTAL));
        s.add(p.bcv() + "'s point-in-time image, taken at the split, is overwritten: it can no longer be restored"
                + " from" + (p.bcvInvalidTracks() > 0 ? ", and what was written to " + p.bcv() + " since the split ("
                + Format.tracks(p.bcvInvalidTracks()) + ") is lost." : "."));
        s.add("Afterwards the pair is Synchronized: writes to " + p.std() + " go to " + p.bcv() + " too, until the"
                + " next split. Split first to keep a new image.");
        ServedClients.add(s, p.bcv(), clients);
        return new Confirmation("Establish " + p.name(), "Overwrite " + p.bcv() + "'s point-in-time image with "
                + p.std() + "?", s, p.bcv(), "Establish");
    }

    /**
     * An establish of a Split pair whose BCV nobody wrote since the split, incremental ({@code tracks}:
     * those changed on either side) or {@code full} ({@code tracks}: all of them, which loses no more):
     * it loses only the point-in-time image, which is what an establish is for (the CLI asks nothing
     * then), so one click confirms it. The sentence says when the image was taken, when the engine knows it.
     */
    public static Confirmation imageReplaced(PairView p, long tracks, boolean full, long volumeSize, List<String> clients) {
        List<String> s = new ArrayList<>();
        s.add(copies(p, (full ? "all " : "") + Format.tracks(tracks), bytes(tracks, p, volumeSize),
                full ? " (full)" : INCREMENTAL));
        s.add("The point-in-time image " + p.bcv() + " holds since the split" + splitTime(p) + " is replaced by "
                + p.std() + "'s current data: it can no longer be restored from. Nothing was written to " + p.bcv()
                + " since the split, so nothing else is lost.");
        s.add("Afterwards the pair is Synchronized: writes to " + p.std() + " go to " + p.bcv() + " too, until the"
                + " next split. Split first to keep a new image.");
        ServedClients.add(s, p.bcv(), clients);
        return Confirmation.oneClick("Establish " + p.name(), "Replace " + p.bcv() + "'s point-in-time image with "
                + p.std() + "'s current data?", s, full ? "Establish (full)" : "Establish");
    }

    private static final String INCREMENTAL = " (incremental: the tracks changed on either side since the split)";

    /** "Establish copies STD → BCV: {@code count} ({@code bytes}) of BCV are overwritten with the STD's data{@code how}." */
    private static String copies(PairView p, String count, long bytes, String how) {
        return "Establish copies " + p.std() + " → " + p.bcv() + ": " + count + " (" + Format.size(bytes) + ") of " + p.bcv()
                + " are overwritten with the STD's data" + how + ".";
    }

    /** " (2026-12-07 14:03:11)": the split's local time, when the engine knows it. */
    private static String splitTime(PairView p) {
        if (p.splitAt() == null) {
            return "";
        }
        return " (" + PointInTime.at(java.time.Instant.parse(p.splitAt())) + ")";
    }

    private static long bytes(long tracks, PairView p, long volumeSize) {
        long b = tracks * p.trackSize();
        return volumeSize > 0 ? Math.min(b, volumeSize) : b;
    }
}
