package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.LongConsumer;
import org.splitpoint.engine.bitmap.DurableBitmap;
import org.splitpoint.engine.bitmap.WriteIntent;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * The administrator's operations on an open pool: the rules (policy) for drives and volumes.
 * Each checks its preconditions first and refuses with a sentence naming the state and what to do;
 * a refused operation changes nothing. Each accepted one ends with pool.json rewritten and events.
 */
public final class PoolAdmin {

    private final Pool pool;

    PoolAdmin(Pool pool) {
        this.pool = pool;
    }

    private Drive drive(String name) throws PoolException {
        return pool.driveNamed(name);
    }

    /** Adds a blank SPARE drive of {@code size} bytes (0 = the pool's drive size); returns its name. */
    public String addDrive(long size) throws IOException, PoolException {
        long s = size <= 0 ? pool.driveSize : size;
        Validation.driveSize(s, pool.trackSize);
        synchronized (pool) {
            pool.refuseIfClosed(); // its lock let go: another opening may hold the pool
            Refusal.check(DriveRules.room(pool.drives.size(), 1));
            String name = "d" + pool.nextDrive;
            PoolFiles.createImage(pool.storage, pool.paths, name, s);
            pool.storage.syncDirectory(pool.paths.drives());
            pool.nextDrive++;
            pool.drives.put(name, new Drive(new PoolConfig.DriveRecord(name, s, DriveState.SPARE, null, null)));
            try {
                pool.persist();
            } catch (IOException | RuntimeException e) {
                // not on record: the pool has no such drive (the next pool.json written would have added it unasked)
                pool.drives.remove(name);
                pool.nextDrive--;
                try {
                    pool.storage.delete(pool.paths.image(name));
                } catch (IOException | RuntimeException left) {
                    e.addSuppressed(left); // an image no record names: the next add of this name replaces it
                }
                throw e;
            }
            pool.events.publish(Event.info("DRIVE_STATE", name, "drive " + name + " added as SPARE (" + Sizes.format(s) + ")"));
            return name;
        }
    }

    /** Creates a volume over SPARE drives; {@code size} 0 = all the capacity. */
    public void createVolume(String name, Layout layout, List<String> driveNames, long size)
            throws IOException, PoolException {
        Validation.name("volume", name);
        synchronized (pool) {
            pool.refuseIfClosed(); // its lock let go: another opening may hold the pool
            if (pool.volumes.containsKey(name)) {
                throw new PoolException("a volume named '" + name + "' already exists");
            }
            if (driveNames.size() < layout.minDrives()) {
                throw new IllegalArgumentException(layout.word() + " needs at least " + layout.minDrives()
                        + " drives, not " + driveNames.size());
            }
            if (new HashSet<>(driveNames).size() != driveNames.size()) {
                throw new IllegalArgumentException("a drive is named twice in --drives " + String.join(",", driveNames));
            }
            long memberSize = Long.MAX_VALUE;
            for (String dn : driveNames) {
                Drive d = drive(dn);
                if (d.state() != DriveState.SPARE) {
                    throw new PoolException("drive " + dn + " is " + d.state()
                            + (d.volume != null ? " in volume " + d.volume : "") + "; a new volume needs SPARE drives");
                }
                ServiceAdmin.refuseIfLent(d, "a new volume needs free SPARE drives");
                memberSize = Math.min(memberSize, d.size);
            }
            int strip = layout.defaultStripUnit();
            long capacity = RaidVolume.capacity(layout, driveNames.size(), memberSize, strip);
            long volSize = size <= 0 ? capacity : size;
            if (volSize % 512 != 0) {
                throw new IllegalArgumentException("volume size must be a multiple of 512 bytes, not " + volSize);
            }
            if (volSize > capacity) {
                throw new IllegalArgumentException("--size " + Sizes.format(volSize) + " is larger than the "
                        + Sizes.format(capacity) + " a " + layout.word() + " over " + driveNames.size()
                        + " of these drives holds");
            }
            PoolConfig.VolumeRecord r = new PoolConfig.VolumeRecord(name, layout, driveNames, volSize, strip);
            Member[] members = new Member[driveNames.size()];
            List<StorageFile> opened = new ArrayList<>();
            try {
                // a SPARE may hold old bytes (a journal leg's, a repository's, a drive pulled and put
                // back): a new volume starts from blank images, so its zeros agree with its parity
                for (String dn : driveNames) {
                    PoolFiles.createImage(pool.storage, pool.paths, dn, pool.drives.get(dn).size);
                }
                pool.storage.syncDirectory(pool.paths.drives());
                for (int i = 0; i < members.length; i++) {
                    StorageFile f = pool.storage.open(pool.paths.image(driveNames.get(i)));
                    opened.add(f);
                    members[i] = new Member(i, driveNames.get(i), f, DriveState.ONLINE, true);
                }
                // files a crash left of an earlier volume of this name (deleted) belong to nothing
                VolumeRemoval.removeMetaFiles(pool, name);
                Path wib = pool.paths.writeIntent(name);
                WriteIntent wi = new WriteIntent(DurableBitmap.create(pool.storage, wib,
                        PoolRecovery.rowTracks(pool, r, members.length), false));
                StorageFile journal = null;
                if (layout != Layout.RAID1) {
                    pool.storage.delete(pool.paths.journal(name));
                    journal = pool.storage.create(pool.paths.journal(name));
                }
                pool.storage.syncDirectory(pool.paths.meta());
                RaidVolume v = RaidVolume.assemble(name, layout, members, volSize, pool.trackSize, strip, wi, journal);
                // Blank images are all zeros, and zeros are consistent mirrors and parity: no initial sync.
                v.setFailureListener((m, why) -> pool.recordAbsence(v, m, why));
                recordNewVolume(r, v);
            } catch (IOException e) {
                for (StorageFile f : opened) {
                    f.close();
                }
                throw e;
            }
            pool.events.publish(Event.info("VOLUME_STATE", name, "volume " + name + " created: " + layout.word()
                    + " over " + String.join(",", driveNames) + ", " + Sizes.format(volSize)));
        }
    }

    /**
     * Puts new volume {@code v} (record {@code r}) on record, and only then where hosts find it:
     * when pool.json cannot be written, nothing of it stays in memory and its files are let go
     * (before, it stayed there over closed files, and the next pool.json written for anything else,
     * a write's failed members included, recorded a volume the administrator was told was not made).
     */
    private void recordNewVolume(PoolConfig.VolumeRecord r, RaidVolume v) throws IOException {
        List<Drive> drives = new ArrayList<>();
        for (String dn : r.drives()) {
            drives.add(pool.drives.get(dn));
        }
        try {
            synchronized (pool.recordLock()) { // the volume and its drives' entries in one write (Pool.recordLock)
                pool.volumeRecords.put(r.name(), r);
                for (Drive d : drives) {
                    d.volume = r.name();
                    d.state = DriveState.ONLINE;
                }
                try {
                    pool.persist();
                } catch (IOException | RuntimeException e) {
                    pool.volumeRecords.remove(r.name());
                    for (Drive d : drives) {
                        d.volume = null;
                        d.state = DriveState.SPARE;
                    }
                    throw e;
                }
            }
        } catch (IOException | RuntimeException e) {
            v.closeQuietly();
            throw e;
        }
        for (int i = 0; i < drives.size(); i++) {
            drives.get(i).member = v.members().get(i);
        }
        pool.volumes.put(r.name(), v);
    }

    /** Why {@code name} is not a valid name for a {@code what} ("volume", "pair"), or null when it is. */
    public static String nameProblem(String what, String name) {
        try {
            Validation.name(what, name);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** Why volume {@code name} cannot be deleted now (one sentence naming what holds it), or null when it can. */
    public String whyNotDeleteVolume(String name) {
        return VolumeRemoval.whyNot(pool, name);
    }

    /**
     * Deletes volume {@code name}: its drives go back to the bay (SPARE, or FAILED for members that
     * had failed) in the same atomic pool.json write that removes it. Refused while it is in a pair,
     * served over NBD, journaled, has snapshots (or is the save area), or a job or window works on it.
     */
    public void deleteVolume(String name) throws IOException, PoolException {
        VolumeRemoval.delete(pool, name);
    }

    /** Why SPARE {@code spare} cannot take FAILED {@code failed}'s place now (one sentence), or null when it can. */
    public String whyNotReplaceWithSpare(String failed, String spare) {
        return SpareReplacement.whyNot(pool, failed, spare);
    }

    /**
     * Puts SPARE drive {@code spare} in the place of FAILED or MISSING member {@code failed} and
     * rebuilds it from the others (limited to {@code throttle} bytes/s, 0: none); {@code failed}
     * leaves the volume and stays FAILED. Returns the rebuild job.
     */
    public Job replaceWithSpare(String failed, String spare, long throttle) throws IOException, PoolException {
        return SpareReplacement.replace(pool, failed, spare, throttle);
    }

    /** Marks a member FAILED (a drill, or an administrator's decision); the volume serves degraded. */
    public void failDrive(String name) throws IOException, PoolException {
        synchronized (pool) {
            pool.refuseIfClosed(); // its lock let go: another opening may hold the pool
            Drive d = drive(name);
            Refusal.check(DriveRules.fail(PoolSnapshots.of(pool), name));
            if (d.journal != null) {
                JournalLife.failLeg(pool, d, "by command", null); // (no standing problem: an administrator's decision)
                return;
            }
            if (d.volume == null) {
                DriveState was = d.state;
                d.state = DriveState.FAILED;
                try {
                    pool.persist();
                } catch (IOException | RuntimeException e) {
                    d.state = was; // not on record: the drive is as it was
                    throw e;
                }
                pool.events.publish(Event.warning("DRIVE_STATE", name, "spare drive " + name + " marked FAILED"));
                return;
            }
            RaidVolume v = pool.volumes.get(d.volume);
            ServiceWindow w = pool.windows.get(v.name()); // a failure in a window is the second one (LostTracks.secondFailure)
            // out first, then its rebuild: a take-out refused (the settle cannot force a drive that
            // lost writes at a failed flush) changes nothing. Before, the rebuild's record went
            // first, and the next write of pool.json left a REBUILDING drive no opening rebuilt
            // (MemberFlushNoSpaceDuringRebuildTest). Its job cannot record a checkpoint or end
            // between the two: both take the pool's monitor, held here. On record before the
            // exclusive section ends: a pool.json that cannot be written puts the drive and its
            // rebuild back as it has them, which no host write missed meanwhile. Before, the drive
            // stayed out in memory and its rebuild dropped, after a command that said it had failed
            // (UnrecordedFailDriveTest). How it stands is taken inside the section: a host write in
            // flight as the command began may fail the drive before it, and the put-back made it
            // ONLINE again over an image that missed that write (FailDriveRacingFailureTest)
            PoolConfig.JobRecord rebuild = pool.rebuildJobOf(name);
            v.exclusive(() -> {
                Member.Standing was = d.member.standing();
                v.takeOut(d.member, DriveState.FAILED);
                if (rebuild != null) {
                    pool.jobRecords.remove(rebuild.id());
                }
                try {
                    pool.persist();
                } catch (IOException | RuntimeException e) {
                    d.member.putBack(was);
                    if (rebuild != null) {
                        pool.jobRecords.put(rebuild.id(), rebuild);
                    }
                    throw e;
                }
            });
            dropJob(rebuild);
            d.member.markAbsenceRecorded();
            pool.events.publish(Event.critical("DRIVE_STATE", name, "drive " + name + " FAILED (by command)"));
            if (w != null) {
                LostTracks.secondFailure(pool, v, d.member);
            }
            pool.events.publish(Pool.lostMemberEvent(v));
        }
    }

    private void cancelRebuildOf(String drive) {
        PoolConfig.JobRecord r = pool.rebuildJobOf(drive);
        if (r != null) {
            pool.jobRecords.remove(r.id());
            dropJob(r);
        }
    }

    /** Drops the job of record {@code r} (null: none), whose record is gone: it ends CANCELLED, its drive left as the caller decided. */
    private void dropJob(PoolConfig.JobRecord r) {
        if (r != null) {
            for (Job j : pool.jobs) {
                if (j.id().equals(r.id())) {
                    j.drop(); // (RebuildWork sees its record gone)
                }
            }
        }
    }

    /**
     * Swaps a blank image in for a FAILED or MISSING drive and starts rebuilding it from the other
     * members. Returns the rebuild job, or null for a drive in no volume.
     */
    public Job replaceDrive(String name) throws IOException, PoolException {
        return replaceDrive(name, 0);
    }

    /** As {@link #replaceDrive(String)}, with the rebuild limited to {@code throttle} bytes/s from its start. */
    public Job replaceDrive(String name, long throttle) throws IOException, PoolException {
        synchronized (pool) {
            pool.refuseIfClosed(); // its lock let go: another opening may hold the pool
            Drive d = drive(name);
            Refusal.check(DriveRules.replace(PoolSnapshots.of(pool), name));
            RaidVolume v = d.volume == null ? null : pool.volumes.get(d.volume);
            Path image = pool.paths.image(name);
            // keep the removed image for forensics, as a pulled drive would be kept; one per replacement
            Path old = PoolFiles.replaced(pool.paths, name, java.time.Instant.now());
            ServiceWindow w = v == null ? null : pool.windows.get(v.name());
            if (w != null && w.drive == d) {
                return new ServiceAdmin(pool).replaceInWindow(w, old); // FAILED in its window: the window ends with its rebuild
            }
            boolean setAside = Files.exists(image);
            // a member's old image waits at .img.replacing until its rebuild is on record: a crash
            // before that left it under a name no open put back, and the drive, FAILED in pool.json,
            // opened MISSING with its image said to be gone (ResumedJobCutAgainTest, rebuild-raid5)
            Path aside = v == null ? old : PoolFiles.setAside(pool.paths, name);
            if (setAside) {
                pool.storage.delete(aside); // (one a crash left behind was put back, or named, by the open)
                pool.storage.rename(image, aside);
            }
            // a volume member's blank waits at .img.blank until pool.json records its rebuild: under
            // the drive's name, a crash before that record left a MISSING drive, still ONLINE in
            // pool.json, with a blank image the next open read as its data
            Path blank = PoolFiles.blank(pool.paths, name);
            StorageFile f;
            try {
                if (v == null) {
                    PoolFiles.createImage(pool.storage, pool.paths, name, d.size); // a SPARE's or a leg's: no data to take for
                } else {
                    PoolFiles.createBlank(pool.storage, blank, d.size);
                }
                pool.storage.syncDirectory(pool.paths.drives());
                f = v == null ? null : pool.storage.open(blank);
            } catch (IOException | RuntimeException e) {
                if (v != null) {
                    pool.storage.delete(blank);
                }
                if (setAside) {
                    pool.storage.rename(aside, image); // put the old image back: nothing changed
                }
                throw e;
            }
            String wasProblem = d.problem;
            boolean wasMissing = d.missing;
            boolean wasStale = d.stale;
            d.problem = null;
            d.missing = false;
            d.stale = false;
            // when pool.json cannot say the replacement, the drive is put back as it has it: the blank
            // goes, the old image comes back (before, a member stayed REBUILDING with no rebuild running)
            Runnable notRecorded = () -> {
                d.problem = wasProblem;
                d.missing = wasMissing;
                d.stale = wasStale;
                try {
                    pool.storage.delete(v == null ? image : blank);
                    if (setAside) {
                        pool.storage.rename(aside, image);
                    }
                    pool.storage.syncDirectory(pool.paths.drives()); // the old image's name back, durably
                } catch (IOException | RuntimeException left) {
                    pool.events.publish(Event.warning("DRIVE_STATE", name, "drive " + name + ": its replacement was not"
                            + " recorded and its old image could not be put back (" + left.getMessage() + ")"));
                }
            };
            if (d.journal != null) {
                try {
                    JournalLife.rejoinLeg(pool, d); // the drive FAILED still when this fails
                } catch (IOException | RuntimeException e) {
                    notRecorded.run();
                    throw e;
                }
                return null;
            }
            if (v == null) {
                DriveState was = d.state;
                d.state = DriveState.SPARE;
                try {
                    pool.persist();
                } catch (IOException | RuntimeException e) {
                    d.state = was;
                    notRecorded.run();
                    throw e;
                }
                pool.events.publish(Event.info("DRIVE_STATE", name, "drive " + name + " replaced; it is SPARE"));
                return null;
            }
            PoolConfig.JobRecord record = RebuildWork.newRecord(v, d.member, throttle);
            Member m = d.member;
            try {
                v.exclusive(() -> {
                    // recorded with no write in flight, and the blank swapped in only once recorded: a
                    // pool.json that cannot be written leaves the drive as it has it, its old image
                    // back, and 'drive replace' may be given again (before, the drive stayed
                    // REBUILDING over the blank in memory with no rebuild, and was refused)
                    DriveState was = m.state();
                    long wasUpTo = m.rebuiltUpTo();
                    boolean wasRecorded = m.absenceRecorded();
                    m.setState(DriveState.REBUILDING, 0);
                    pool.jobRecords.put(record.id(), record);
                    try {
                        pool.persist();
                    } catch (IOException | RuntimeException e) {
                        m.setState(was, wasUpTo);
                        if (wasRecorded) {
                            m.markAbsenceRecorded(); // pool.json still says so: no write waits to record it again
                        }
                        pool.jobRecords.remove(record.id());
                        throw e;
                    }
                    m.replaceFile(f);
                });
            } catch (IOException | RuntimeException e) {
                try {
                    f.close();
                } catch (IOException ignored) { // the blank is deleted next; its handle's close says nothing more
                }
                notRecorded.run();
                throw e;
            }
            // the rebuild is on record: only now does the blank take the drive's name, and the old image
            // its forensic one (an open finishes this if a crash comes first)
            if (setAside) {
                try {
                    pool.storage.rename(aside, old);
                } catch (IOException e) {
                    // the rebuild is on record: the next open gives the old image its forensic name
                }
            }
            pool.storage.rename(blank, image);
            pool.storage.syncDirectory(pool.paths.drives());
            pool.events.publish(Event.info("DRIVE_STATE", name, "drive " + name + " replaced with a blank image; rebuilding"));
            pool.events.publish(LostTracks.stateEvent(pool, v));
            Job job = RebuildWork.job(pool, v, d.member, record);
            pool.startJob(job);
            return job;
        }
    }

    /**
     * The drives a FAILED volume lost, and the spares that are to take their places ({@code spares}
     * empty: blank images in the lost drives' own places). Checked before anything changes.
     */
    List<Member> checkReplacements(RaidVolume v, List<String> spares) throws PoolException {
        List<Member> lost = new ArrayList<>();
        for (Member m : v.members()) {
            if (m.state() != DriveState.ONLINE) {
                lost.add(m);
            }
        }
        if (spares.isEmpty()) {
            return lost;
        }
        List<String> names = lost.stream().map(Member::drive).toList();
        if (spares.size() != lost.size()) {
            throw new PoolException("volume " + v.name() + " lost " + lost.size() + (lost.size() == 1 ? " drive (" : " drives (")
                    + String.join(", ", names) + "); --drives names " + lost.size() + " SPARE " + (lost.size() == 1 ? "drive" : "drives")
                    + " to take their places, not " + spares.size());
        }
        for (int i = 0; i < spares.size(); i++) {
            String s = spares.get(i);
            Drive d = drive(s);
            if (spares.indexOf(s) != i) {
                throw new PoolException("--drives names " + s + " twice");
            }
            if (d.state() != DriveState.SPARE) {
                throw new PoolException("drive " + s + " is " + d.state() + (d.volume != null ? " in volume " + d.volume : "")
                        + (d.journal != null ? ", holding the journal of " + d.journal : "") + "; only a SPARE drive can take "
                        + names.get(i) + "'s place");
            }
            ServiceAdmin.refuseIfLent(d, "only a free SPARE drive can take " + names.get(i) + "'s place");
            long need = drive(names.get(i)).size;
            if (d.size < need) {
                throw new PoolException("drive " + s + " (" + Sizes.format(d.size) + ") is smaller than " + names.get(i) + " ("
                        + Sizes.format(need) + ") whose place it would take");
            }
        }
        return lost;
    }

    /**
     * Gives a FAILED volume's lost drives blank images (in their places, or on the {@code spares}
     * named, which join the volume while the lost drives leave it, FAILED), for a restore or a
     * rebuild from backup that writes every track.
     */
    void replaceLostDrives(RaidVolume v, List<String> spares) throws IOException, PoolException {
        List<Member> lost = checkReplacements(v, spares);
        List<String> replaced = new ArrayList<>();
        List<String> blanks = new ArrayList<>();
        List<String> asides = new ArrayList<>(); // drives whose old image is set aside
        List<Runnable> undo = new ArrayList<>(); // each replacement taken back, newest first
        PoolConfig.VolumeRecord recordBefore = pool.volumeRecords.get(v.name());
        try {
            for (int i = 0; i < lost.size(); i++) {
                Member m = lost.get(i);
                Drive d = drive(m.drive());
                cancelRebuildOf(d.name);
                Drive into = spares.isEmpty() ? d : drive(spares.get(i));
                Path image = pool.paths.image(into.name);
                // set aside at .img.replacing until the restore is on record: an open after a crash before
                // that puts it back (it was left .replaced-<time>, the drive then MISSING), after it names it
                Path aside = Files.exists(image) ? PoolFiles.setAside(pool.paths, into.name) : null;
                undo.add(0, LostDriveUndo.of(pool, v, m, d, into, aside));
                if (aside != null) {
                    pool.storage.delete(aside); // (one a crash left behind was put back, or named, by the open)
                    pool.storage.rename(image, aside);
                    asides.add(into.name);
                }
                PoolFiles.createBlank(pool.storage, PoolFiles.restoreBlank(pool.paths, into.name), into.size);
                pool.storage.syncDirectory(pool.paths.drives());
                StorageFile f = pool.storage.open(PoolFiles.restoreBlank(pool.paths, into.name)); // renamed into place below
                blanks.add(into.name);
                v.exclusive(() -> {
                    if (into == d) {
                        m.replaceFile(f);
                    } else {
                        m.moveTo(into.name, f);
                    }
                    m.setState(DriveState.ONLINE, 0);
                });
                if (into != d) {
                    synchronized (pool.recordLock()) { // both drives' entries and the volume's in any write (Pool.recordLock)
                        d.member = null;
                        d.volume = null;
                        d.state = DriveState.FAILED;
                        d.problem = "replaced by " + into.name + " in volume " + v.name();
                        into.member = m;
                        into.volume = v.name();
                        PoolConfig.VolumeRecord r = pool.volumeRecords.get(v.name());
                        List<String> drives = new ArrayList<>(r.drives());
                        drives.set(drives.indexOf(d.name), into.name);
                        pool.volumeRecords.put(v.name(), new PoolConfig.VolumeRecord(r.name(), r.layout(), drives, r.size(),
                                r.stripUnit()));
                    }
                    replaced.add(into.name + " in place of " + d.name);
                } else {
                    replaced.add(d.name);
                }
                into.problem = null;
                into.missing = false;
                into.stale = false;
            }
            pool.persist();
        } catch (IOException | PoolException | RuntimeException e) {
            // not on record: the volume stays FAILED, its lost drives as they were, their blanks gone
            // (before, its blank members were ONLINE in memory with no restore in front of them:
            // hosts read zeros, and what they wrote was on drives pool.json did not name)
            pool.volumeRecords.put(v.name(), recordBefore);
            for (Runnable u : undo) {
                try {
                    u.run();
                } catch (RuntimeException left) {
                    e.addSuppressed(left);
                }
            }
            throw e;
        }
        // the replacement is on record (with the restore that fills the blanks): only now do the
        // blanks take the drives' names (an open finishes this if a crash comes first, or if this fails:
        // the members write their blanks under either name)
        try {
            for (String name : blanks) {
                pool.storage.rename(PoolFiles.restoreBlank(pool.paths, name), pool.paths.image(name));
            }
            pool.storage.syncDirectory(pool.paths.drives());
        } catch (IOException e) {
            pool.events.publish(Event.warning("DRIVE_STATE", v.name(), "the blank images of volume " + v.name()
                    + " could not take their drives' names (" + e.getMessage() + "); the next opening gives them"));
        }
        java.time.Instant now = java.time.Instant.now();
        for (String name : asides) {
            try {
                pool.storage.rename(PoolFiles.setAside(pool.paths, name), PoolFiles.replaced(pool.paths, name, now));
            } catch (IOException e) {
                // on record: the next open gives the old image its forensic name
            }
        }
        pool.events.publish(Event.warning("VOLUME_STATE", v.name(), "volume " + v.name() + " was FAILED: blank images"
                + " replaced " + String.join(", ", replaced) + " for a restore from a backup; it is " + v.state()));
    }

    /**
     * Checks a volume's mirrors or parity, like md's check; with {@code repair} rewrites what
     * disagrees. Returns the number of inconsistent 512-byte sectors; {@code progress} gets bytes done.
     * When the finding cannot be saved as the volume's problem, throws {@link UnrecordedVerifyException},
     * which carries the count. Refused on a FAILED volume ({@link VolumeRules#verify}). A repair
     * while a drive lost writes at a failed flush heals it first (the volume's flush), or is
     * refused, changing nothing (RaidVolume.refuseRepairOverLostWrites); one refused or failed
     * part-way, after it rewrote some, throws {@link StoppedRepairException}, which carries the count.
     */
    public long verify(String volume, boolean repair, LongConsumer progress) throws IOException, PoolException {
        RaidVolume v = pool.volume(volume);
        Refusal.check(VolumeRules.verify(PoolSnapshots.of(pool), volume));
        if (repair && v.anyLostWrites()) {
            // a drive lost writes at a failed flush: the flush's heal writes them again first, or
            // fails (the file system still full), and so does the repair, having changed nothing
            v.flush();
        }
        long rows = v.memberRows();
        long step = Math.max(pool.trackSize, 1 << 20);
        long mismatches = 0;
        for (long at = 0; at < rows; at += step) {
            try {
                mismatches += v.verifyRows(at, Math.min(rows, at + step), repair);
            } catch (IOException e) {
                if (repair && mismatches > 0) {
                    throw new StoppedRepairException(volume, mismatches, e); // said with what it rewrote (StoppedRepairTest)
                }
                throw e;
            }
            if (progress != null) {
                progress.accept(Math.min(rows, at + step));
            }
        }
        if (repair && mismatches > 0) {
            v.flush();
        }
        Event verified = new VerifyEvent(volume, mismatches, repair && mismatches > 0).event();
        pool.events.publish(verified);
        // the volume's problem stands until a repair, or a verify that finds the copies agree
        boolean clearing = repair || mismatches == 0;
        try {
            if (repair) {
                pool.volumeProblems().clear(volume, "repaired by verify --repair", VolumeProblem.Kind.values());
            } else if (mismatches == 0) {
                pool.volumeProblems().clear(volume, "a verify found no mismatch", VolumeProblem.Kind.VERIFY_MISMATCH);
            } else {
                pool.volumeProblems().report(volume, VolumeProblem.Kind.VERIFY_MISMATCH, mismatches, verified.message());
            }
        } catch (IOException e) {
            // the check is done and sound: its result is not lost with the record (a full file system)
            throw new UnrecordedVerifyException("verify of " + volume + " " + (repair ? "repaired " : "found ")
                    + Sizes.count(mismatches, "mismatched sector") + ", but "
                    + (clearing ? "the problem on record could not be cleared (the next opening of the pool may still show it)"
                            : "the problem could not be recorded (the next opening of the pool will not show it)")
                    + ": " + e.getMessage(), mismatches, e);
        }
        return mismatches;
    }
}
