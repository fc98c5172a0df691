package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.splitpoint.engine.bitmap.WriteIntent;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.NoSpaceException;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.meta.CorruptMetadataException;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * What opening a pool does after reading pool.json: check every drive image (a missing one is
 * MISSING, a wrong-sized one or one that is no regular file FAILED and left untouched), assemble
 * the volumes, recover from an unclean shutdown (replay stripe journals, resync write-intent dirty
 * tracks), resume rebuilds.
 *
 * <p>A read-only open does none of the recovery: it reads what is there and says, in notes, what a
 * writable open would do (of a pool another process holds, its dirty tracks are that process's writes
 * in flight, and are said to be). A full file system (or a file-size limit reached) does not stop a
 * writable open either: the recovery that needs space waits (the volume's reads see the journaled
 * updates; writes redo them first) and a note says so, naming which of the two stopped it (freeing
 * space does nothing for a limit), so acknowledged data stays readable.
 */
final class PoolRecovery {

    private PoolRecovery() {
    }

    /**
     * A blank image left by a crash during {@code PoolAdmin.replaceDrive} ({@code PoolFiles.blank}) or
     * {@code replaceLostDrives} ({@code PoolFiles.restoreBlank}) takes the drive's name only on the
     * record of what fills it: for a drive replace's blank, the drive REBUILDING with its rebuild
     * from the start (checkpoint 0); for a FAILED volume's restore's, the volume's restore; either, a
     * SPARE, whose bytes belong to nothing. Otherwise the replacement was not recorded and the blank
     * goes (the drive stays as recorded). Then the old image either had set aside
     * ({@code PoolFiles.setAside}) comes back under its name when the drive has no image, or else
     * takes its forensic {@code .replaced-<time>} name.
     *
     * <p>Each blank on its own record: before, any restore of the volume or any rebuild of the drive
     * on record took either blank, so a {@code drive replace} of a MISSING drive cut before its
     * rebuild was recorded, during an instant restore or an earlier rebuild of the drive (its image
     * pulled part-way), gave the drive a blank image that pool.json had ONLINE, or REBUILDING from a
     * checkpoint with the rows below it counted as rebuilt: hosts read zeros where they had written
     * (StaleRecordReplaceCrashTest). A rebuild of this replace's own is at checkpoint 0 until the
     * blank has the drive's name durably: its job starts only after that rename's directory sync.
     */
    private static void finishBlank(Pool pool, Drive d, Path image) throws IOException {
        Path blank = PoolFiles.blank(pool.paths, d.name);
        Path restoreBlank = PoolFiles.restoreBlank(pool.paths, d.name);
        Path aside = PoolFiles.setAside(pool.paths, d.name);
        boolean hasBlank = Files.exists(blank);
        boolean hasRestoreBlank = Files.exists(restoreBlank);
        boolean hasAside = Files.exists(aside);
        if ((!hasBlank && !hasRestoreBlank && !hasAside) || pool.isReadOnly()) {
            return;
        }
        if (hasBlank) {
            takeOrDelete(pool, blank, image, blankOnRecord(pool, d));
        }
        if (hasRestoreBlank) {
            takeOrDelete(pool, restoreBlank, image, restoreBlankOnRecord(pool, d));
        }
        if (hasAside) { // the old image a replace set aside: back when no blank took its place
            pool.storage.rename(aside, Files.exists(image) ? PoolFiles.replaced(pool.paths, d.name, java.time.Instant.now())
                    : image);
        }
        pool.storage.syncDirectory(pool.paths.drives());
    }

    /**
     * For a read-only open, which renames nothing: the file {@link #finishBlank} would give drive
     * {@code d}'s name (a recorded blank, or the old image set aside), read where it lies. Before, a
     * look after a cut between a replace's set-aside and its record showed the drive MISSING, where
     * pool.json (and the next writable open) has it FAILED over its own image.
     */
    private static Path imageAfterFinish(Pool pool, Drive d, Path image) {
        if (Files.exists(image)) {
            return image;
        }
        Path blank = PoolFiles.blank(pool.paths, d.name);
        if (Files.exists(blank) && blankOnRecord(pool, d)) {
            return blank;
        }
        Path restoreBlank = PoolFiles.restoreBlank(pool.paths, d.name);
        if (Files.exists(restoreBlank) && restoreBlankOnRecord(pool, d)) {
            return restoreBlank;
        }
        Path aside = PoolFiles.setAside(pool.paths, d.name);
        return Files.exists(aside) ? aside : image;
    }

    /** Gives blank image {@code blank} the drive's name when {@code recorded} and the drive has no image; deletes it otherwise. */
    private static void takeOrDelete(Pool pool, Path blank, Path image, boolean recorded) throws IOException {
        if (recorded && !Files.exists(image)) {
            pool.storage.rename(blank, image);
        } else {
            pool.storage.delete(blank);
        }
    }

    /** Whether a drive replace's blank is {@code d}'s image by pool.json (a SPARE's bytes belong to nothing). */
    private static boolean blankOnRecord(Pool pool, Drive d) {
        return d.volume == null || rebuildFromStartOnRecord(pool, d);
    }

    /** Whether a FAILED volume's restore's blank is {@code d}'s image by pool.json. */
    private static boolean restoreBlankOnRecord(Pool pool, Drive d) {
        return d.volume == null || pool.restoreRecords.containsKey(d.volume);
    }

    /** True when pool.json has drive {@code d} REBUILDING, its rebuild at checkpoint 0: no row of its image counted as rebuilt. */
    private static boolean rebuildFromStartOnRecord(Pool pool, Drive d) {
        PoolConfig.JobRecord j = d.state == DriveState.REBUILDING ? pool.rebuildJobOf(d.name) : null;
        return j != null && j.checkpoint() == 0;
    }

    static void openDrivesAndVolumes(Pool pool) throws IOException, PoolException {
        Map<String, StorageFile> files = new LinkedHashMap<>();
        for (Drive d : Pool.copy(pool.drives)) {
            Path image = pool.paths.image(d.name);
            finishBlank(pool, d, image);
            if (pool.isReadOnly()) {
                image = imageAfterFinish(pool, d, image);
            }
            if (!Files.exists(image)) {
                d.problem = "the image of drive " + d.name + " (" + image + ") is missing";
                d.missing = true;
                continue;
            }
            if (!Files.isRegularFile(image)) {
                // a directory (or a device) has a size too, which said nothing of what is wrong
                d.problem = "the image of drive " + d.name + " (" + image + ") is "
                        + (Files.isDirectory(image) ? "a directory" : "not a regular file")
                        + ", not an image file; the drive is treated as FAILED and it is left as it is";
                d.state = DriveState.FAILED;
                d.stale = true;
                continue;
            }
            long actual = Files.size(image);
            if (actual != d.size) {
                d.problem = "the image of drive " + d.name + " is " + actual + " bytes, expected " + d.size
                        + "; the drive is treated as FAILED and the image left as it is";
                d.state = DriveState.FAILED;
                d.stale = true;
                continue;
            }
            if (d.volume != null) {
                files.put(d.name, pool.isReadOnly() ? pool.storage.openRead(image) : pool.storage.open(image));
            }
        }
        for (PoolConfig.VolumeRecord r : Pool.copy(pool.volumeRecords)) {
            pool.volumes.put(r.name(), openVolume(pool, r, files));
        }
        for (Drive d : Pool.copy(pool.drives)) {
            if (d.problem != null && d.repository == null) { // (a lent SPARE's is said with its window's repository: ServiceReopen)
                pool.openNotes.add(d.problem);
                pool.events.publishTransient(Event.warning("DRIVE_STATE", d.name, d.problem));
            }
        }
    }

    private static RaidVolume openVolume(Pool pool, PoolConfig.VolumeRecord r, Map<String, StorageFile> files)
            throws IOException, PoolException {
        Member[] members = new Member[r.drives().size()];
        for (int i = 0; i < members.length; i++) {
            Drive d = pool.drives.get(r.drives().get(i));
            DriveState s = d.missing ? DriveState.MISSING : d.state;
            long rebuilt = 0;
            if (s == DriveState.REBUILDING) {
                PoolConfig.JobRecord j = pool.rebuildJobOf(d.name);
                rebuilt = j == null ? 0 : j.checkpoint() * (long) pool.trackSize;
            }
            // a state found at open (missing image, wrong size) is not in pool.json yet
            boolean durable = d.problem == null;
            members[i] = new Member(i, d.name, files.get(d.name), s, durable);
            if (s == DriveState.REBUILDING) {
                members[i].setState(DriveState.REBUILDING, rebuilt);
            }
            d.member = members[i];
        }
        MetaFiles.Loaded intent = MetaFiles.load(pool, pool.paths.writeIntent(r.name()),
                rowTracks(pool, r, members.length), "the write-intent bitmap of volume " + r.name(),
                "every track of the volume is treated as possibly inconsistent and resynced");
        WriteIntent wi = new WriteIntent(intent.bitmap());
        StorageFile journal = null;
        boolean journalLost = false;
        if (r.layout() != Layout.RAID1) {
            Path jp = pool.paths.journal(r.name());
            if (Files.exists(jp)) {
                journal = pool.isReadOnly() ? pool.storage.openRead(jp) : pool.storage.open(jp);
            } else if (pool.isReadOnly()) {
                pool.openNotes.add(lostJournal(r, "is missing") + ", when the pool is next opened for writing");
                journalLost = true;
            } else {
                journal = pool.storage.create(jp);
                pool.storage.syncDirectory(jp.getParent());
                journalLost = true;
            }
        }
        RaidVolume v = RaidVolume.assemble(r.name(), r.layout(), members, r.size(), pool.trackSize, r.stripUnit(), wi, journal);
        v.setFailureListener((m, why) -> pool.recordAbsence(v, m, why));
        if (pool.isReadOnly()) {
            describeRecovery(pool, r, v, journal != null, intent.lost() || journalLost);
        } else {
            // a drive in a service window holds every track but its delta's: it takes part in the
            // recovery there (a torn write its return had made whole is made consistent again),
            // unless it was swapped meanwhile (then it holds nothing, and is left out)
            Member inWindow = takePartInRecovery(pool, r, v);
            try {
                recoverVolume(pool, r, v, journalLost, intent.lost());
            } finally {
                if (inWindow != null) {
                    inWindow.setStale(null, pool.trackSize);
                    inWindow.setState(DriveState.OFFLINE, 0);
                    inWindow.markAbsenceRecorded(); // pool.json says OFFLINE
                }
            }
        }
        return v;
    }

    /**
     * The member of {@code r} in a service window, made a member that holds all but its delta's
     * tracks (its delta read back) for the recovery; null when there is none, or when its drive was
     * swapped: a whole rebuild on record, or, in the window, an image its samples no longer match (a
     * blank replacement taking part made the resync of the dirty tracks recompute their parity
     * from its zeros, and the rebuild then wrote those zeros back as the drive's data).
     */
    private static Member takePartInRecovery(Pool pool, PoolConfig.VolumeRecord r, RaidVolume v) throws IOException {
        PoolConfig.ServiceRecord sr = pool.serviceRecords.get(r.name());
        if (sr == null) {
            return null;
        }
        for (Member m : v.members()) {
            if (m.drive().equals(sr.drive()) && m.state() == DriveState.OFFLINE) {
                if (swapped(pool, sr, v)) {
                    return null; // absent for the recovery, as the others hold its rows; its return rebuilds it whole
                }
                org.splitpoint.engine.bitmap.TrackBitmap stale = new org.splitpoint.engine.bitmap.TrackBitmap(v.rowTracks());
                if (sr.mode() != LogMode.REPOSITORY) { // a repository window's drive missed nothing the others have
                    try (var b = org.splitpoint.engine.bitmap.DurableBitmap.open(pool.storage, pool.paths.delta(r.name()),
                            v.rowTracks(), true)) {
                        stale.loadWords(b.bits().toWords());
                    } catch (IOException e) {
                        stale.setAll(); // no delta to go by: it holds nothing (and its window resyncs everything)
                    }
                }
                m.setStale(stale, pool.trackSize);
                m.setState(DriveState.REBUILDING, v.memberRows());
                return m;
            }
        }
        return null;
    }

    /**
     * True when the drive of window {@code sr} is not the one that left: a whole rebuild is on record,
     * or (no return under way, which would have written it) its image no longer matches its samples.
     */
    private static boolean swapped(Pool pool, PoolConfig.ServiceRecord sr, RaidVolume v) throws IOException {
        if (sr.wholeRebuild() != null) {
            return true;
        }
        if (sr.resyncing()) {
            return false;
        }
        try (StorageFile f = pool.storage.openRead(pool.paths.image(sr.drive()))) {
            return ImageSamples.wholeRebuildReason(pool, sr, v, f) != null;
        }
    }

    private static void recoverVolume(Pool pool, PoolConfig.VolumeRecord r, RaidVolume v, boolean journalLost,
                                      boolean intentLost) throws IOException {
        {
            if (journalLost) {
                String msg = lostJournal(r, "is missing");
                pool.openNotes.add(msg);
                pool.events.publish(Event.warning("METADATA", r.name(), msg));
                v.markAllDirty();
            }
            recover(pool, r, v, journalLost || intentLost);
        }
    }

    /**
     * The recovery wrote the volume (a journal replayed, dirty tracks resynced) without a member
     * whose image is away (pulled): that member missed it, as it would a host write, so its
     * absence goes on record (its data stale: FAILED once back). Before, the dirty tracks were
     * cleared with it away and pool.json still ONLINE, so the drive put back was taken for current
     * on a track the crash had left torn between the mirrors (PulledDriveCrashTest: 128 sectors
     * disagreeing, reads returning either). A drive in a service window is left to its window,
     * whose delta takes the dirty tracks (ServiceReopen).
     */
    private static void recordWrittenWithout(Pool pool, RaidVolume v) throws IOException {
        PoolConfig.ServiceRecord window = pool.serviceRecords.get(v.name());
        for (Member m : v.members()) {
            if (m.state() == DriveState.MISSING && !m.absenceRecorded()
                    && (window == null || !window.drive().equals(m.drive()))) {
                pool.recordAbsence(v, m, "the recovery after a crash wrote volume " + v.name() + " without it");
                m.markAbsenceRecorded();
            }
        }
    }

    private static String lostJournal(PoolConfig.VolumeRecord r, String problem) {
        return "the stripe journal of volume " + r.name() + " (meta/" + r.name() + ".journal) " + problem
                + ": degraded writes since the last flush cannot be replayed, so the whole volume's parity is"
                + " resynced (a stripe torn while a member was absent cannot be repaired)";
    }

    /**
     * The recovery of volume {@code v} at a writable open. {@code metadataLost}: its write-intent bitmap or stripe
     * journal was missing or damaged (said already), so every track is dirty whether or not it was shut down
     * cleanly, and the notes do not speak of a crash unless a replayed journal entry shows one.
     */
    private static void recover(Pool pool, PoolConfig.VolumeRecord r, RaidVolume v, boolean metadataLost)
            throws IOException {
        boolean lost = metadataLost;
        int replayed = 0;
        String postponed = null;
        NoSpaceException postponedBy = null; // a full file system, or a file-size limit: the notes say which
        try {
            replayed = v.replayJournal();
        } catch (CorruptMetadataException e) {
            String msg = lostJournal(r, "is damaged (" + e.getMessage() + ")");
            pool.openNotes.add(msg);
            pool.events.publish(Event.warning("METADATA", r.name(), msg));
            v.beginJournal();
            v.markAllDirty();
            lost = true;
        } catch (NoSpaceException e) {
            postponed = "replaying its stripe journal";
            postponedBy = e;
        }
        long dirty = v.noteCrashDirty();
        boolean leftOver = v.dirtyFromCleanClose();
        long resynced = 0;
        if (postponed == null && (replayed > 0 || dirty > 0)) {
            try {
                resynced = v.resyncDirtyTracks();
            } catch (NoSpaceException e) {
                postponed = "resyncing " + Sizes.count(dirty, "dirty track");
                postponedBy = e;
            }
        }
        if ((replayed > 0 || resynced > 0) && v.state() != VolumeState.FAILED) {
            // (a FAILED volume keeps its dirty tracks for its drives' return: nothing was made final without them)
            recordWrittenWithout(pool, v);
        }
        if (leftOver && postponed == null && v.state() == VolumeState.FAILED) {
            // kept by the clean close of a volume FAILED beyond its redundancy: they stay dirty (the
            // resync above could make no member agree with an absent one) until its drives come
            // back; that it is FAILED is said already, and every open said a crash before
        } else if (leftOver && (postponed != null || replayed > 0 || dirty > 0)) {
            // no crash: the last close was clean and kept these tracks dirty on purpose
            String msg = postponed != null
                    ? "volume " + r.name() + " was shut down cleanly, but " + leftOverTracks(dirty) + ", and resyncing"
                            + (dirty == 1 ? " it" : " them") + " needs " + NoSpaceException.lacking(postponedBy)
                            + ": reads are served correctly, writes fail until " + NoSpaceException.untilResolved(postponedBy)
                            + ", and the resync finishes then"
                    : "volume " + r.name() + ": resynced " + Sizes.count(resynced, "track") + " its drives may have"
                            + " disagreed on after " + FAILED_PART_WAY
                            + (replayed > 0 ? " and replayed " + Sizes.count(replayed, "journaled stripe update") : "")
                            + " (the pool was shut down cleanly)";
            pool.openNotes.add(msg);
            pool.events.publish(postponed != null ? Event.warning("VOLUME_STATE", r.name(), msg)
                    : Event.info("VOLUME_STATE", r.name(), msg));
        } else if (postponed != null) {
            String msg = "volume " + r.name() + (lost && replayed == 0 ? "'s recovery from its lost metadata ("
                    : " was not shut down cleanly and its recovery (") + postponed
                    + ") needs " + NoSpaceException.lacking(postponedBy) + ": reads are served correctly, writes fail"
                    + " until " + NoSpaceException.untilResolved(postponedBy) + ", and the recovery finishes then";
            pool.openNotes.add(msg);
            pool.events.publish(Event.critical("VOLUME_STATE", r.name(), msg));
        } else if (lost && replayed == 0 && dirty > 0) {
            // whether it was shut down cleanly, nothing can tell: the note above said what was lost
            String msg = "volume " + r.name() + ": resynced " + Sizes.count(resynced, "track") + ", the whole volume,"
                    + " since its lost metadata (said above) cannot tell which tracks were consistent";
            pool.openNotes.add(msg);
            pool.events.publish(Event.info("VOLUME_STATE", r.name(), msg));
        } else if (replayed > 0 || dirty > 0) {
            String msg = "volume " + r.name() + " was not shut down cleanly: " + uncleanWork(replayed, "replayed ", "",
                    resynced, "resynced ", "");
            pool.openNotes.add(msg);
            pool.events.publish(Event.warning("VOLUME_STATE", r.name(), msg));
        }
    }

    /**
     * The end of a writable open: the pairs' invalid-track marks and the journals' re-journaled
     * tracks taken from the write-intent tracks found dirty are durable, so those tracks may clear
     * (until now a crash during the recovery would have found them again).
     */
    static void endCrashRecovery(Pool pool) {
        if (pool.isReadOnly()) {
            return;
        }
        synchronized (pool.volumes) {
            for (RaidVolume v : pool.volumes.values()) {
                v.endCrashRecovery();
            }
        }
    }

    /** A read-only open: what a writable open would recover, in a note; nothing changed. */
    private static void describeRecovery(Pool pool, PoolConfig.VolumeRecord r, RaidVolume v, boolean haveJournal,
                                         boolean metadataLost) {
        boolean lost = metadataLost;
        int pending;
        try {
            pending = haveJournal ? v.pendingJournalEntries() : 0;
        } catch (CorruptMetadataException e) {
            pool.openNotes.add(lostJournal(r, "is damaged (" + e.getMessage() + ")") + ", when the pool is next opened for writing");
            pending = 0;
            lost = true;
        } catch (IOException e) {
            pending = 0;
        }
        long dirty = v.noteCrashDirty();
        if (pool.heldElsewhere && !lost && (pending > 0 || dirty > 0)) {
            // the holder's writes in flight: 'not shut down cleanly ... when the pool is next opened for writing'
            // was said of a pool a running establish or drill was writing; its reads may still be torn
            pool.recoveryPending = true;
            long n = dirty > 0 ? dirty : pending;
            pool.openNotes.add("volume " + r.name() + ": " + Sizes.count(n, dirty > 0 ? "track" : "stripe update")
                    + (n == 1 ? " is" : " are") + " being written by the process that holds the pool; what this shows of "
                    + (n == 1 ? "it" : "them") + " may be older");
        } else if (v.dirtyFromCleanClose() && v.state() == VolumeState.FAILED) {
            // kept by a clean close until its drives come back, as a writable open says nothing of them
        } else if (v.dirtyFromCleanClose() && (pending > 0 || dirty > 0)) {
            pool.recoveryPending = true;
            pool.openNotes.add("volume " + r.name() + " was shut down cleanly, but " + leftOverTracks(dirty)
                    + (pending > 0 ? " (and " + Sizes.count(pending, "journaled stripe update") + " to replay)" : "")
                    + ": " + (dirty == 1 ? "it is" : "they are") + " resynced when the pool is next opened for writing");
        } else if (lost && pending == 0 && dirty > 0) {
            // the note of what was lost says the whole resync to come; nothing tells of a crash
            pool.recoveryPending = true;
        } else if (pending > 0 || dirty > 0) {
            pool.recoveryPending = true;
            pool.openNotes.add("volume " + r.name() + " was not shut down cleanly: " + uncleanWork(pending, "", " to replay",
                    dirty, "", " to resync") + " when the pool is next opened for writing");
        }
    }

    /**
     * The recovery of an unclean shutdown in words, done or to do: its journaled stripe updates only
     * when there are some (a mirror, or a RAID 5 that had none in flight, has none: "0 journaled
     * stripe updates" read as a stripe journal that was lost), its dirty tracks whenever there are
     * some or nothing else is said.
     */
    private static String uncleanWork(long journaled, String journaledBefore, String journaledAfter,
                                      long tracks, String tracksBefore, String tracksAfter) {
        String j = journaled > 0 ? journaledBefore + Sizes.count(journaled, "journaled stripe update") + journaledAfter : null;
        String t = tracks > 0 || j == null ? tracksBefore + Sizes.count(tracks, "dirty track") + tracksAfter : null;
        return j == null ? t : t == null ? j : j + " and " + t;
    }

    /** What leaves tracks a clean close keeps dirty. */
    private static final String FAILED_PART_WAY = "a write, flush or resync that failed for lack of space or as the volume"
            + " lost drives beyond its redundancy";

    /** The tracks a clean close kept dirty (pinned, or a FAILED volume's), and what left them so. */
    private static String leftOverTracks(long tracks) {
        return Sizes.count(tracks, "track") + " its drives may disagree on " + (tracks == 1 ? "was" : "were")
                + " left by " + FAILED_PART_WAY;
    }

    /** Bits of a volume's write-intent map: one per track of member rows. */
    static long rowTracks(Pool pool, PoolConfig.VolumeRecord r, int n) {
        long rows = r.layout() == Layout.RAID1 ? r.size()
                : ((r.size() + (long) r.stripUnit() * (n - 1) - 1) / ((long) r.stripUnit() * (n - 1))) * r.stripUnit();
        return Math.max(1, (rows + pool.trackSize - 1) / pool.trackSize);
    }

    static void resumeJobs(Pool pool) {
        for (PoolConfig.JobRecord j : new ArrayList<>(Pool.copy(pool.jobRecords))) {
            if ("rebuild".equals(j.kind())) {
                Drive d = pool.drives.get(j.drive());
                RaidVolume v = pool.volumes.get(j.volume());
                if (d != null && v != null && d.state() == DriveState.REBUILDING) {
                    org.splitpoint.engine.job.Job job = RebuildWork.job(pool, v, d.member, j);
                    if (!pool.startResumed(job)) {
                        continue; // the drive REBUILDING on record for the next opening
                    }
                    var p = job.progress();
                    String resumed = "rebuild of " + d.name + " (volume " + v.name() + ") resumed at track "
                            + j.checkpoint() + ": " + Sizes.count(p.totalTracks() - p.doneTracks(), "track")
                            + " still to rebuild";
                    pool.noteResumed("JOB_STATE", d.name, resumed, resumed);
                } else if (!pool.isReadOnly()) {
                    pool.jobRecords.remove(j.id());
                }
            }
        }
        restartUnrecordedRebuilds(pool);
    }

    /**
     * A member REBUILDING in pool.json with neither a rebuild on record nor a service window whose return rebuilds
     * it: no code writes that (the record goes in the same write as the state), but a hand edit or an older build
     * could, and the drive then stayed REBUILDING at 0% for ever with nothing to say why or what to do ('drive
     * replace' refuses a REBUILDING drive). How much of its image was rebuilt is unknown, so none of it is taken:
     * a writable open puts a rebuild from the first track on record and starts it, as a replace would (the image is
     * written over row by row from the other members); a read-only open says so. A volume FAILED has nothing to
     * rebuild it from, and is left as it is, said.
     */
    private static void restartUnrecordedRebuilds(Pool pool) {
        for (Drive d : Pool.copy(pool.drives)) {
            Member m = d.member;
            if (m == null || d.volume == null || m.state() != DriveState.REBUILDING || pool.rebuildJobOf(d.name) != null) {
                continue;
            }
            PoolConfig.ServiceRecord window = pool.serviceRecords.get(d.volume);
            if (window != null && window.drive().equals(d.name)) {
                continue; // its window's return (ServiceReopen) rebuilds it
            }
            RaidVolume v = pool.volumes.get(d.volume);
            String unknown = "drive " + d.name + " is REBUILDING, but no rebuild of it is on record, so how much of it"
                    + " was rebuilt is unknown";
            if (v.state() == VolumeState.FAILED) {
                pool.openNotes.add(unknown + ", and volume " + v.name() + " is FAILED: no member holds what it would be"
                        + " rebuilt from");
                continue;
            }
            String restart = unknown + ": its rebuild starts again from the first track";
            if (pool.isReadOnly()) {
                pool.openNotes.add(restart + " when the pool is next opened for writing");
                continue;
            }
            PoolConfig.JobRecord record = RebuildWork.newRecord(v, m, 0);
            pool.jobRecords.put(record.id(), record);
            if (Pool.persistAtOpen(pool, "the new start of the rebuild of drive " + d.name) != null) {
                pool.jobRecords.remove(record.id()); // (the next opening finds the drive so again)
                continue;
            }
            pool.openNotes.add(restart);
            pool.events.publish(Event.warning("JOB_STATE", d.name, restart));
            pool.startResumed(RebuildWork.job(pool, v, m, record));
        }
    }
}
