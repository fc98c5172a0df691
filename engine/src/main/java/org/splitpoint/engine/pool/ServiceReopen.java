package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.List;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.Zeros;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * The service windows of pool.json opened again at the pool's opening (seeds 000 and 001), after
 * the volumes' recovery; the lost tracks on record applied to their volumes first.
 *
 * <p>Design. A crash may leave tracks uncertain (write-intent dirty) that the offline drive's delta
 * does not name: they join it, as the other members have them (in data mode their bytes are logged
 * again from the others, so the drive's return copies them). With another member gone too (and no
 * other copy left, as a 3-way mirror keeps one) nothing can be rebuilt from the others: in data mode the window's uncertain tracks are then lost
 * ({@link LostTracks}). A data window whose log is missing comes back by pointers. A window that
 * was bringing its drive back resumes doing so ({@link ServiceAdmin#bringBack}), or stays a window
 * when it cannot (a full file system included: the open goes on); one whose drive FAILED in the
 * return stays a window, its drive to be rebuilt whole. A repository that is missing, in
 * meta/ or on its SPARE, is said (critical): the window's writes were nowhere else; a SPARE's window
 * goes on in meta/. A pool opened only to look
 * shows the windows and recovers nothing; its reads of a repository window's volume see the
 * repository, as a writable open's do. A drive whose image is away or the wrong size at the open
 * (pulled in its window, another put in) is in its window all the same, OFFLINE: the window takes
 * the writes (PulledDriveInWindowTest).
 */
final class ServiceReopen {

    private ServiceReopen() {
    }

    /**
     * Deletes the files of windows pool.json no longer has: a window's end deletes them after the
     * pool.json write that ends it, and a power cut between the two left them, their deletions lost
     * with their unsynced directory. Nothing read them again, and nothing deleted them until the
     * volume's next window: a log of any size stayed in meta/ (WindowFilesAfterEndCrashTest). A
     * look changes nothing.
     */
    private static void dropFilesOfEndedWindows(Pool pool) throws IOException {
        if (pool.isReadOnly()) {
            return;
        }
        boolean any = false;
        for (RaidVolume v : Pool.copy(pool.volumes)) {
            if (!pool.serviceRecords.containsKey(v.name())) {
                any |= ServiceWindow.deleteFiles(pool, v.name());
            }
        }
        if (any) {
            pool.storage.syncDirectory(pool.paths.meta());
        }
    }

    /**
     * At open, after the volumes' recovery: the windows of pool.json open again with their deltas.
     * Tracks a crash left uncertain (write-intent dirty) join the delta, as the other members have
     * them; a window that was bringing its drive back resumes doing so. Lost tracks are applied.
     */
    static void openWindows(Pool pool) throws IOException, PoolException {
        dropFilesOfEndedWindows(pool);
        for (PoolConfig.LostRecord r : Pool.copy(pool.lostRecords)) {
            RaidVolume v = pool.volumes.get(r.volume());
            if (v != null) {
                LostTracks.apply(pool, v, r);
            }
        }
        for (PoolConfig.ServiceRecord r : Pool.copy(pool.serviceRecords)) {
            RaidVolume v = pool.volumes.get(r.volume());
            Drive d = pool.drives.get(r.drive());
            if (v == null || d == null || d.member == null) {
                continue;
            }
            Member m = d.member;
            d.inService = true;
            d.reason = r.reason();
            if (m.state() == DriveState.MISSING || (m.state() == DriveState.FAILED && d.problem != null)) {
                // its image is away (pulled in the window) or the wrong size (another drive put in),
                // found by this open: it is still in its window, OFFLINE as pool.json has it, and the
                // window takes every write of this opening (the delta, the log, the repository),
                // which a MISSING or FAILED drive's did not: its return then took it for current on
                // tracks written meanwhile. 'drive online' wants the right image back first.
                m.setState(DriveState.OFFLINE, 0);
                m.markAbsenceRecorded();
            }
            if (r.mode() == LogMode.DATA && !pool.isReadOnly() && !Files.exists(pool.paths.deltaLog(v.name()))) {
                // its bytes are gone, its bitmap is not: the drive comes back by rebuilding those tracks
                r = r.withMode(LogMode.POINTERS);
                pool.serviceRecords.put(v.name(), r);
                String msg = "the delta log of " + d.name + "'s service window (meta/" + v.name() + ".delta.log) is missing:"
                        + " the tracks its bitmap names are rebuilt from the other members when it returns (pointers)"
                        + recorded(pool);
                pool.openNotes.add(msg);
                pool.events.publish(Event.warning("METADATA", v.name(), msg));
            }
            if (r.mode() == LogMode.REPOSITORY && r.repository() == null && !Files.exists(pool.paths.repository(v.name(), 0))) {
                // the window's writes were nowhere else (the members were not written): never served silently
                repositoryLost(pool, r, "meta/" + v.name() + ".repo", "");
            }
            if (r.mode() == LogMode.REPOSITORY && r.repository() != null) {
                String wrong = spareImageWrong(pool, r.repository());
                if (wrong != null) {
                    r = spareRepositoryLost(pool, r, wrong);
                }
            }
            ServiceWindow w = ServiceWindow.open(pool, v, m, d, r, false);
            if (pool.isReadOnly()) {
                if (r.mode() == LogMode.REPOSITORY && w.log != null && m.state() == DriveState.OFFLINE) {
                    v.setRedirect(w.redirect()); // reads see the window's writes (a look writes nothing)
                }
                pool.windows.put(v.name(), w); // to be shown; nothing recovered, nothing resumed
                continue;
            }
            TrackBitmap dirty = v.crashDirtyTracks();
            // with another member gone too (a second failure; on a mirror, the last other copy) nothing
            // can be rebuilt from the others: the window's own tracks are in its delta already (and
            // lost, see secondFailure), and a FAILED volume's close leaves its write-intent bits,
            // which then say nothing new
            boolean damaged = w.log != null && w.log.lostAcknowledgedRecords() > 0 && m.state() == DriveState.OFFLINE;
            if (dirty != null && dirty.cardinality() > 0 && m.state() == DriveState.OFFLINE && ServiceAdmin.othersCanRebuild(v, m)) {
                w.addToDelta(dirty);
                if (r.mode() == LogMode.DATA && !damaged) { // (damaged: every track of the delta is logged again below)
                    relogAsOthersHaveThem(pool, v, w, dirty);
                }
            } else if (dirty != null && r.mode() == LogMode.DATA && m.state() == DriveState.OFFLINE) {
                // a second failure and a crash: a window write whose parity reached the others (the
                // stripe journal is forced) may have lost its bytes for the drive (its log is forced
                // only by flushes), and nothing is left to rebuild them from: those tracks are lost
                lostAfterCrash(pool, v, w, dirty);
            }
            if (damaged && r.mode() == LogMode.DATA) {
                relogAfterDamage(pool, v, d, w);
            } else if (damaged && r.mode() == LogMode.REPOSITORY) {
                repositoryShort(pool, r, w);
            } else if (r.mode() == LogMode.DATA && !r.resyncing() && m.state() == DriveState.OFFLINE
                    && ServiceAdmin.othersCanRebuild(v, m)) {
                relogWhatTheLogLost(pool, v, d, w, dirty);
            }
            if (m.state() == DriveState.OFFLINE) {
                v.setServiceLog(w);
                if (r.mode() == LogMode.REPOSITORY) {
                    v.setRedirect(w.redirect());
                }
            }
            pool.windows.put(v.name(), w);
            if (r.resyncing() && m.state() == DriveState.FAILED) {
                // it FAILED in its return and a crash came before the return's stop was recorded: no
                // return runs, and it comes back only rebuilt whole (before, 'drive online' was
                // refused as already coming back, with nothing running: FailedInReturnTest)
                w.record = r.withPhase("window").withWholeRebuild(ServiceResync.FAILED_IN_RETURN);
                pool.serviceRecords.put(v.name(), w.record);
                pool.openNotes.add("drive " + d.name + " FAILED while it was coming back from its service window; it stays"
                        + " FAILED in its window: 'drive online' rebuilds it whole from the other members" + recorded(pool));
            }
            if (r.resyncing() && m.state() == DriveState.OFFLINE) {
                try {
                    org.splitpoint.engine.job.Job job;
                    synchronized (pool) {
                        job = new ServiceAdmin(pool).bringBack(w);
                    }
                    pool.openNotes.add("drive " + d.name + " was coming back from its service window; "
                            + (job.state() == org.splitpoint.engine.job.JobState.FAILED ? job.progress().message()
                            : "its resync resumes"));
                } catch (PoolException e) {
                    w.record = r.withPhase("window");
                    pool.serviceRecords.put(v.name(), w.record);
                    pool.persist();
                    pool.openNotes.add("drive " + d.name + " was coming back from its service window, but " + e.getMessage()
                            + "; it stays OFFLINE");
                } catch (org.splitpoint.engine.io.NoSpaceException e) {
                    // a full file system does not stop the open (PoolRecovery): the return's start,
                    // not recorded, changed nothing; pool.json still says it was under way, so the
                    // next open tries again, and 'drive online' may be given once there is room
                    w.record = r.withPhase("window");
                    pool.serviceRecords.put(v.name(), w.record);
                    pool.openNotes.add("drive " + d.name + " was coming back from its service window, but its return"
                            + " cannot be recorded (" + e.getMessage() + "); it stays OFFLINE: free space, then bring it"
                            + " back with 'drive online'");
                }
            }
        }
    }

    /**
     * What is wrong with the image of SPARE {@code spare} that holds a repository ("is missing", or
     * its size when another drive was put in its place), or null when it is there at its size.
     */
    private static String spareImageWrong(Pool pool, String spare) throws IOException {
        java.nio.file.Path image = pool.paths.image(spare);
        if (!Files.exists(image)) {
            return "is missing";
        }
        Drive d = pool.drives.get(spare);
        long actual = Files.size(image);
        if (d != null && actual != d.size) {
            return "is " + actual + " bytes, not " + d.size + " (another drive was put in its place)";
        }
        return null;
    }

    /** Says, critically and as an open note, that the repository at {@code where} is gone ({@code kept}: what is left). */
    private static String repositoryLost(Pool pool, PoolConfig.ServiceRecord r, String where, String kept) {
        return repositoryLost(pool, r, where, "is missing", kept);
    }

    /** As {@link #repositoryLost(Pool, PoolConfig.ServiceRecord, String, String)}, the repository's image {@code wrong}. */
    private static String repositoryLost(Pool pool, PoolConfig.ServiceRecord r, String where, String wrong, String kept) {
        String msg = "the repository of " + r.drive() + "'s service window (" + where + ") " + wrong + ": the writes made"
                + " to volume " + r.volume() + " since " + r.since() + " are lost" + kept + ", and it reads as it was"
                + " when the window opened; restore those writes from a backup";
        pool.openNotes.add(msg);
        pool.events.publish(Event.critical("METADATA", r.volume(), msg));
        return msg;
    }

    /**
     * The SPARE that held the window's repository has no image, or one of another size ({@code
     * wrong} says which): its writes are lost, said as for one in meta/, in one sentence (the
     * SPARE's own problem, FAILED at its size, is that sentence, not a second one). A writable open
     * goes on with the repository in meta/ (the segments it overflowed into there, newer than the
     * SPARE's, kept and read after an empty first one), the SPARE no longer lent; before, the open
     * failed on the image's path alone, and a wrong-size image stayed the window's repository, read
     * as an empty log (a blank put in) and written on, FAILED, where 'drive replace' then put a
     * blank under the window (WrongSizeRepositorySpareTest).
     */
    private static PoolConfig.ServiceRecord spareRepositoryLost(Pool pool, PoolConfig.ServiceRecord r, String wrong) {
        Drive lent = pool.drives.get(r.repository());
        String where = "on SPARE drive " + r.repository() + ", " + pool.paths.image(r.repository());
        boolean overflowed = Files.exists(pool.paths.repository(r.volume(), 1));
        String kept = overflowed && !pool.isReadOnly() ? " but for those it took in meta/ once " + r.repository() + " was full" : "";
        if (pool.isReadOnly()) { // a look changes nothing: it reads the members
            sayOnce(lent, repositoryLost(pool, r, where, wrong, kept));
            return r;
        }
        Drive spare = pool.drives.get(r.repository());
        PoolConfig.ServiceRecord inMeta = r.withRepository(null);
        pool.serviceRecords.put(r.volume(), inMeta);
        if (spare != null) {
            spare.repository = null;
        }
        sayOnce(lent, repositoryLost(pool, r, where, wrong, kept + recorded(pool)));
        return inMeta;
    }

    /** The lent SPARE's problem found at open (its size) becomes {@code sentence}, said once instead of twice. */
    private static void sayOnce(Drive lent, String sentence) {
        if (lent != null && lent.problem != null) {
            lent.problem = sentence;
        }
    }

    /**
     * Writes pool.json with a change the open made to a window (its mode, its repository's place);
     * one that cannot be written (a full file system) does not stop the open (PoolRecovery): the
     * change stands in memory, the next opening finds the same loss and makes it again, and what
     * is returned says so for the note ("" once recorded).
     */
    private static String recorded(Pool pool) {
        try {
            pool.persist();
            return "";
        } catch (IOException e) {
            return " (not recorded yet: " + e.getMessage() + "; the next opening makes the same change)";
        }
    }

    /** Records the window's tracks a crash left uncertain as lost (data mode, another member gone too). */
    private static void lostAfterCrash(Pool pool, RaidVolume v, ServiceWindow w, TrackBitmap dirty) {
        TrackBitmap delta = w.deltaBits();
        for (long t = dirty.nextSetBit(0); t >= 0; t = dirty.nextSetBit(t + 1)) {
            if (t < delta.size() && delta.get(t)) {
                LostTracks.add(pool, v, t, w);
            }
        }
        List<Long> lost = LostTracks.of(pool, v.name());
        if (!lost.isEmpty()) {
            pool.events.publish(Event.critical("SECOND_FAILURE", v.name(), "volume " + v.name() + " was not shut down"
                    + " cleanly while " + w.drive.name + " was OFFLINE (data) and another member had failed: "
                    + Sizes.count(lost.size(), "track") + " written just before the crash cannot be rebuilt (" + LostTracks.listTracks(lost)
                    + "); reads of them fail until they are written whole or restored from a backup"));
        }
    }

    /** Data mode after a crash: the uncertain tracks go into the delta log as the other members have them. */
    /**
     * A data window's tracks its durable bitmap names and no record of its log holds (nor the crash's
     * uncertain tracks, logged again above): its log was damaged or cut short between two openings
     * (a replay stops at the first bad record, as at a crash's torn tail), and those records were
     * acknowledged. A window's bit is durable before any member has the write and its record is
     * forced by the flush that acknowledges it, so after a crash every such track is also write-intent
     * dirty; one that is not lost its record to damage. The others have those tracks (the window's
     * writes went to them): they are logged again from them, and the open says so. Before, the
     * return copied only the records left and the drive came back stale on the rest
     * (DamagedDeltaLogTest). A record lost from a track that keeps another record is not seen so:
     * that is {@link #relogAfterDamage}'s, for a log with forced marks; this stays for one without
     * (written by an older Splitpoint).
     */
    private static void relogWhatTheLogLost(Pool pool, RaidVolume v, Drive d, ServiceWindow w, TrackBitmap dirty)
            throws IOException {
        TrackBitmap delta = w.deltaBits();
        TrackBitmap logged = w.logTracks();
        TrackBitmap lost = new TrackBitmap(delta.size());
        for (long t = delta.nextSetBit(0); t >= 0; t = delta.nextSetBit(t + 1)) {
            boolean relogged = dirty != null && t < dirty.size() && dirty.get(t);
            if (!relogged && (t >= logged.size() || !logged.get(t))) {
                lost.set(t);
            }
        }
        long n = lost.cardinality();
        if (n == 0) {
            return;
        }
        relogAsOthersHaveThem(pool, v, w, lost);
        String msg = "the delta log of " + d.name + "'s service window (meta/" + v.name() + ".delta.log) holds no record of "
                + n + (n == 1 ? " track" : " tracks") + " its bitmap names (the file was damaged or cut short): "
                + (n == 1 ? "it is" : "they are") + " logged again from the other members, which have "
                + (n == 1 ? "it" : "them") + ", for the drive's return";
        pool.openNotes.add(msg);
        pool.events.publish(Event.warning("METADATA", v.name(), msg));
    }

    /**
     * A data window's log that ends short of what its flushes acknowledged (its forced marks,
     * DeltaLog.lostAcknowledgedRecords): damaged or cut short between two openings, as no power cut
     * can make it. The records lost may have held any track, and a track that keeps an older record
     * would come back with the older bytes: an acknowledged write lost without a word
     * (DamagedDeltaLogTest). So every track the window's bitmap names is logged again from the
     * other members, which have every write of the window, after the file is cut where its replay
     * stopped (the records beyond the damage must never be read back after the new ones); the mark
     * is settled only once those are forced, so a power cut meanwhile finds the log short again at
     * the next opening, which does it all again. With another member gone too nothing can give them
     * again: the window stays, and its drive's return is refused in one sentence (ServiceAdmin).
     */
    private static void relogAfterDamage(Pool pool, RaidVolume v, Drive d, ServiceWindow w) throws IOException {
        long n = w.log.lostAcknowledgedRecords();
        String file = "meta/" + v.name() + ".delta.log";
        String records = n == 1 ? "1 record" : n + " records";
        if (!ServiceAdmin.othersCanRebuild(v, w.member)) {
            cannotComeBack(pool, v, d, w, file, records);
            return;
        }
        TrackBitmap delta = w.deltaBits();
        TrackBitmap all = new TrackBitmap(delta.size());
        all.loadWords(delta.toWords());
        w.log.freeze(); // no compaction switches files before the mark is settled (the relog's force may find one due)
        try {
            w.log.dropBeyondReplay();
            relogAsOthersHaveThem(pool, v, w, all); // (forced)
            if (!ServiceAdmin.othersCanRebuild(v, w.member)) {
                // a member failed under the relog, which then passed over its tracks: the mark stays
                // unsettled (the next opening finds the log short again) and the return is refused
                cannotComeBack(pool, v, d, w, file, records);
                return;
            }
            w.log.settleMarks();
        } finally {
            w.log.thaw();
        }
        long t = all.cardinality();
        String msg = "the delta log of " + d.name + "'s service window (" + file + ") was damaged or cut short: it lost "
                + records + " that flushes had acknowledged, so the " + Sizes.count(t, "track") + " written in the window "
                + (t == 1 ? "is" : "are") + " logged again from the other members, which have " + (t == 1 ? "it" : "them")
                + ", for the drive's return";
        pool.openNotes.add(msg);
        pool.events.publish(Event.warning("METADATA", v.name(), msg));
    }

    /** The damaged log's lost records cannot be given again by the others: said, and the return refused (ServiceAdmin). */
    private static void cannotComeBack(Pool pool, RaidVolume v, Drive d, ServiceWindow w, String file, String records) {
        w.logDamage = "drive " + d.name + " cannot come back from its service window: the delta log of the window ("
                + file + ") was damaged or cut short and lost " + records + " that flushes had acknowledged, and volume "
                + v.name() + " has " + v.stateReason() + ", so the other members cannot give "
                + (records.startsWith("1 ") ? "it" : "them") + " again; bring the other members back first, then " + d.name
                + " is rebuilt whole from them";
        pool.openNotes.add(w.logDamage);
        pool.events.publish(Event.critical("METADATA", v.name(), w.logDamage));
    }

    /**
     * A repository that ends short of what its flushes acknowledged: the window's writes were only
     * there, so those are lost; said critically, naming the window and where its repository is
     * (the volume reads as the records left have it).
     */
    private static void repositoryShort(Pool pool, PoolConfig.ServiceRecord r, ServiceWindow w) {
        long n = w.log.lostAcknowledgedRecords();
        String where = r.repository() == null ? "meta/" + r.volume() + ".repo"
                : "on SPARE drive " + r.repository() + (w.log.segmentCount() > 1 ? " and in meta/" : "");
        String msg = "the repository of " + r.drive() + "'s service window (" + where + ") was damaged or cut short: it lost "
                + (n == 1 ? "1 record" : n + " records") + " that flushes had acknowledged, and the window's writes were only"
                + " there, so some writes made to volume " + r.volume() + " since " + r.since() + " are lost (those bytes read"
                + " as they were before them); restore those writes from a backup";
        pool.openNotes.add(msg);
        pool.events.publish(Event.critical("METADATA", r.volume(), msg));
        try {
            // said: the claim comes down to what is there, so that the window's later records are
            // claimed again (RingLog writes no other mark while the log is short of its claim)
            w.log.settleMarks();
        } catch (IOException e) {
            // the old claim stands: the next opening says it again
        }
    }

    private static void relogAsOthersHaveThem(Pool pool, RaidVolume v, ServiceWindow w, TrackBitmap dirty) throws IOException {
        for (long t = dirty.nextSetBit(0); t >= 0; t = dirty.nextSetBit(t + 1)) {
            long from = t * pool.trackSize;
            if (from >= v.memberRows()) {
                break;
            }
            long end = from + Math.min(pool.trackSize, v.memberRows() - from);
            try {
                for (long at = from; at < end; at += Zeros.CHUNK) { // a megabyte at a time: tracks may be up to 1 GiB
                    int n = (int) Math.min(Zeros.CHUNK, end - at);
                    w.missed(at, ByteBuffer.wrap(v.rowsAsOthersHaveThem(w.member, at, n)));
                }
            } catch (IOException e) {
                if (e instanceof org.splitpoint.engine.io.NoSpaceException) {
                    throw e;
                }
                // another member is gone too: the bitmap keeps the track, a second failure rules it
            }
        }
        w.force();
    }
}
