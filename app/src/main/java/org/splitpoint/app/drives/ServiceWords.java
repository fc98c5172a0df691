package org.splitpoint.app.drives;

import org.splitpoint.app.common.Format;
import org.splitpoint.engine.pool.LogMode;
import org.splitpoint.engine.pool.OfflineReason;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * What the words of a service window mean, in one sentence each, for the "Take offline" dialog and
 * the Drills view (both offer the same choices), and how a drive's window reads on its slot.
 */
public final class ServiceWords {

    private ServiceWords() {
    }

    /** One line: what taking a drive offline for {@code r} does. */
    public static String explain(OfflineReason r) {
        return switch (r) {
            case FIRMWARE -> "A firmware update: download, verify, activate and reset are run as a job (simulated, "
                    + length(r) + ").";
            case DIAGNOSTICS -> "A read scan of the whole drive image, as a job; bad reads are reported as events.";
            case REPLACEMENT -> "The drive is swapped for a new one; a blank drive is rebuilt whole when it comes back.";
            case RESET -> "A drive reset, as a job (simulated, " + length(r) + ").";
        };
    }

    /** "about 4 s", "under a second": the engine's own length of the reason's steps, the one its job waits. */
    static String length(OfflineReason r) {
        long ms = r.simulatedMillis();
        return ms < 1000 ? "under a second" : "about " + Math.round(ms / 1000.0) + " s";
    }

    /** One line: how writes made while the drive is out are kept, and what its return then does. */
    public static String explain(LogMode m) {
        return switch (m) {
            case POINTERS -> "A bitmap of the tracks written; on return they are rebuilt from the other members."
                    + " A second failure in the window loses those tracks (RAID 3/5).";
            case DATA -> "The bytes the drive misses go to a delta file in meta/; on return they are copied from it,"
                    + " reading no other member. A second failure loses nothing.";
            case REPOSITORY -> "Every write goes to a repository outside the volume (a SPARE drive, else a file in meta/);"
                    + " the members are not written until it is replayed into all of them. A second failure loses nothing.";
        };
    }

    /** The slot's second line for a drive in a window: "pointers · 37 tracks", "resync · data"; empty when none. */
    public static String slotLine(PoolSnapshot.ServiceView sv) {
        return sv == null ? "" : slotLine(sv, sv.deltaTracks());
    }

    /** {@link #slotLine(PoolSnapshot.ServiceView)} with the delta counted elsewhere (the Drills view's map sample). */
    public static String slotLine(PoolSnapshot.ServiceView sv, long deltaTracks) {
        if (sv == null) {
            return "";
        }
        if ("resync".equals(sv.phase())) {
            return "resync · " + sv.logMode().word();
        }
        return sv.logMode().word() + " · " + Format.tracks(deltaTracks);
    }

    /** The slot's tooltip for a drive in a window; empty when none. */
    public static String describe(String drive, PoolSnapshot.ServiceView sv) {
        if (sv == null) {
            return "";
        }
        String since = Format.when(sv.since());
        String kept = switch (sv.logMode()) {
            case POINTERS -> "tracks written are kept as pointers";
            case DATA -> "the bytes it misses are kept in a delta file";
            case REPOSITORY -> "writes go to a repository on " + (sv.repository() == null ? "a file in meta/"
                    : "SPARE " + sv.repository());
        };
        String owed = Format.tracks(sv.deltaTracks()) + " (" + Format.size(sv.deltaBytes()) + ")";
        return "resync".equals(sv.phase())
                ? drive + " is coming back from its " + sv.reason().word() + " window (since " + since + "): its delta of "
                        + owed + " is being written to it"
                : drive + " is OFFLINE for " + sv.reason().word() + " since " + since + " (volume " + sv.volume()
                        + " in SERVICE); " + kept + ": " + owed + " owed to it so far";
    }
}
