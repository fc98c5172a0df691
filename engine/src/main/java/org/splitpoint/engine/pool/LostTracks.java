package org.splitpoint.engine.pool;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * What a second failure in a service window costs (seeds 000 and 001), and the tracks it lost.
 *
 * <p>Design. Another member failing while a drive is OFFLINE is told at once what it costs: nothing
 * in repository or data mode (the volume and its repository, or the delta log, hold every byte),
 * and in pointers mode — on parity, or a mirror left with no current member — the tracks the drive
 * does not have yet. Those are put on record in pool.json ({@link PoolConfig.LostRecord}) and the
 * volume fails every read of them ({@link RaidVolume.Lost}), never answering garbage; a host write
 * that makes one whole heals it and takes it off the record once its bytes are durable on the
 * members (a record that went first left, after a power cut, a track on record as good over old
 * bytes). The record is applied again at every opening. A persist that fails leaves the volume
 * failing those reads all the same. A state sentence of a volume with lost tracks says them
 * ({@link #stateEvent}): its members can make it OPTIMAL again while those reads still fail.
 */
final class LostTracks {

    private LostTracks() {
    }

    /**
     * Another member of {@code v} failed while a drive is in a service window (called once the
     * failure is on record): says at once what it costs. Repository mode loses nothing; data mode
     * neither (the delta has the offline drive's bytes); pointers mode on parity (or a mirror left
     * with no current member) loses the tracks written in the window, recorded durably and failing
     * every read of them from now on.
     */
    static void secondFailure(Pool pool, RaidVolume v, Member failed) {
        ServiceWindow w = pool.windows.get(v.name());
        if (w == null || failed == w.member) {
            return;
        }
        String off = w.drive.name;
        String mode = w.record.mode().word();
        if (w.record.mode() != LogMode.POINTERS) {
            pool.events.publish(Event.critical("SECOND_FAILURE", v.name(), "second failure in the service window of "
                    + off + ": drive " + failed.drive() + " FAILED while " + off + " is OFFLINE (" + mode + "); no"
                    + " acknowledged write is lost: " + (w.record.mode() == LogMode.REPOSITORY
                    ? "the volume as of the window's start plus the repository holds every byte"
                    : "the delta log holds every byte " + off + " missed") + ". Bring " + off + " back online, then"
                    + " replace " + failed.drive() + "; until then reads that need both fail"));
            return;
        }
        boolean mirrorKept = ServiceAdmin.othersCanRebuild(v, w.member); // a mirror with a member left ONLINE
        TrackBitmap lost = new TrackBitmap(v.rowTracks());
        // the tracks the offline drive does not have yet: its delta, or what its resync has still to do
        ServiceResync returning = w.returning;
        TrackBitmap missing = w.member.takesWrites() ? (returning != null ? returning.notYetResynced() : w.member.stale())
                : w.deltaBits();
        if (!mirrorKept && missing != null) {
            for (long t = missing.nextSetBit(0); t >= 0; t = missing.nextSetBit(t + 1)) {
                lost.set(t);
            }
        }
        if (lost.cardinality() == 0) {
            pool.events.publish(Event.critical("SECOND_FAILURE", v.name(), "second failure in the service window of "
                    + off + ": drive " + failed.drive() + " FAILED while " + off + " is OFFLINE (pointers); no track"
                    + " written in the window depended on both, so nothing is lost"));
            return;
        }
        String why = "written while " + off + " was OFFLINE (pointers) and " + failed.drive() + " failed";
        List<Long> tracks = new ArrayList<>();
        for (long t = lost.nextSetBit(0); t >= 0; t = lost.nextSetBit(t + 1)) {
            tracks.add(t);
        }
        PoolConfig.LostRecord rec = new PoolConfig.LostRecord(v.name(), List.of(off, failed.drive()), why, tracks);
        record(pool, v, rec, "the lost tracks");
        pool.events.publish(Event.critical("SECOND_FAILURE", v.name(), "second failure in the service window of "
                + off + ": drive " + failed.drive() + " FAILED while " + off + " is OFFLINE (pointers); "
                + Sizes.count(tracks.size(), "track") + " written in the window " + (tracks.size() == 1 ? "is" : "are") + " lost (" + Sizes.format((long) tracks.size()
                * pool.trackSize) + " of member rows: " + listTracks(tracks) + "); reads of them fail until they are"
                + " written whole or restored from a backup"));
    }

    /** One more track a second failure lost (found by the return: written as the other member failed). */
    static void add(Pool pool, RaidVolume v, long track, ServiceWindow w) {
        PoolConfig.LostRecord r = pool.lostRecords.get(v.name());
        List<Long> tracks = new ArrayList<>(r == null ? List.of() : r.tracks());
        if (tracks.contains(track)) {
            return;
        }
        tracks.add(track);
        java.util.Collections.sort(tracks);
        List<String> drives = new ArrayList<>(List.of(w.drive.name));
        for (Member m : v.members()) {
            if (m != w.member && m.state() != DriveState.ONLINE) {
                drives.add(m.drive());
            }
        }
        PoolConfig.LostRecord rec = new PoolConfig.LostRecord(v.name(), r == null ? drives : r.drives(),
                r == null ? "written while " + w.drive.name + " was OFFLINE (" + w.record.mode().word() + ") and another member"
                        + " failed" : r.why(), tracks);
        record(pool, v, rec, "a lost track");
    }

    /**
     * Puts {@code rec} on record for {@code v} and makes the volume fail reads of its tracks at once;
     * a persist that fails is told as {@code what} "of" the volume "could not be recorded" (the reads
     * fail all the same).
     */
    private static void record(Pool pool, RaidVolume v, PoolConfig.LostRecord rec, String what) {
        pool.lostRecords.put(v.name(), rec);
        apply(pool, v, rec);
        try {
            pool.persist();
        } catch (IOException e) {
            pool.events.publish(Event.critical("ERROR", v.name(), what + " of " + v.name() + " could not be recorded: "
                    + e.getMessage()));
        }
    }

    /** "tracks a, b, ..." for a message: the first twelve, then how many more. */
    static String listTracks(List<Long> tracks) {
        StringBuilder b = new StringBuilder("tracks ");
        for (int i = 0; i < tracks.size() && i < 12; i++) {
            b.append(i == 0 ? "" : ", ").append(tracks.get(i));
        }
        if (tracks.size() > 12) {
            b.append(" and ").append(tracks.size() - 12).append(" more");
        }
        return b.toString();
    }

    /** Makes the volume fail reads of {@code rec}'s tracks; a write that heals one updates the record. */
    static void apply(Pool pool, RaidVolume v, PoolConfig.LostRecord rec) {
        TrackBitmap bits = new TrackBitmap(v.rowTracks());
        for (long t : rec.tracks()) {
            if (t < bits.size()) {
                bits.set(t);
            }
        }
        Set<Integer> members = new HashSet<>();
        for (Member m : v.members()) {
            if (rec.drives().contains(m.drive())) {
                members.add(m.index());
            }
        }
        v.setLost(new RaidVolume.Lost(bits, members, rec.why(), t -> healed(pool, v.name(), t)));
    }

    private static void healed(Pool pool, String volume, long track) {
        PoolConfig.LostRecord r = pool.lostRecords.get(volume);
        if (r == null) {
            return;
        }
        List<Long> left = new ArrayList<>(r.tracks());
        left.remove(track);
        if (left.isEmpty()) {
            pool.lostRecords.remove(volume);
        } else {
            pool.lostRecords.put(volume, new PoolConfig.LostRecord(volume, r.drives(), r.why(), left));
        }
        try {
            pool.persist();
        } catch (IOException e) {
            // still lost on record: after a reopen the track reads as lost again (never as garbage)
        }
        if (left.isEmpty()) {
            pool.events.publish(Event.info("VOLUME_STATE", volume, "volume " + volume + ": every lost track was written"
                    + " again; none is lost now"));
        }
    }

    /**
     * "OPTIMAL", or "OPTIMAL, with 1 track lost (track 2): reads of it fail until it is written whole or
     * restored": {@code v}'s state as a sentence says it, never calling a volume with lost tracks healthy.
     */
    static String stateWords(Pool pool, RaidVolume v) {
        List<Long> lost = of(pool, v.name());
        if (lost.isEmpty()) {
            return v.state().toString();
        }
        String track = listTracks(lost);
        return v.state() + ", with " + Drill.lostWords(lost.size()) + " (" + (lost.size() == 1 ? track.replace("tracks ", "track ")
                : track) + "): reads of " + (lost.size() == 1 ? "it" : "them") + " fail until written whole or restored";
    }

    /** The VOLUME_STATE event "volume v is STATE" ({@link #stateWords}): a warning while tracks are lost. */
    static Event stateEvent(Pool pool, RaidVolume v) {
        String m = "volume " + v.name() + " is " + stateWords(pool, v);
        return of(pool, v.name()).isEmpty() ? Event.info("VOLUME_STATE", v.name(), m) : Event.warning("VOLUME_STATE", v.name(), m);
    }

    /** The lost tracks of volume {@code v}, for views (empty when none). */
    static List<Long> of(Pool pool, String volume) {
        PoolConfig.LostRecord r = pool.lostRecords.get(volume);
        return r == null ? List.of() : r.tracks();
    }
}
