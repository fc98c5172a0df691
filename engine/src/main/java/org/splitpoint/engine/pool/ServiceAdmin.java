package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pair.Pair;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * Drive service windows (seeds 000 and 001): the rules for taking a member OFFLINE on purpose and
 * bringing it back, and the windows as views show them. The mechanism is {@link ServiceWindow}; the
 * returns are {@link ServiceResync} jobs; {@link LostTracks} says what a second failure in a window
 * costs; {@link ServiceReopen} opens the windows of pool.json again at the pool's opening.
 *
 * <p>A drive comes back by its delta alone: the tracks written (pointers: rebuilt from the others),
 * the bytes it missed (data: copied from the delta log, reading no other member), or every write
 * of the window (repository: replayed into all members). A drive whose image was replaced by a
 * blank one, or changed outside the engine (a few tracks sampled at offline time no longer match,
 * {@link ImageSamples}), or that FAILED on an I/O error during its return, is rebuilt whole, and
 * the event says why; 'drive replace' of such a FAILED drive ends its window the same way.
 *
 * <p>Both verbs hold the pool monitor throughout; the opening and the return's swap of the image
 * happen under the volume's {@code exclusive} (no write in flight), the monitor held outside it.
 */
public final class ServiceAdmin {

    /**
     * How a drive's last return from a service window went: {@code tracksResynced} of the volume's
     * {@code totalTracks} (member-row tracks; in repository mode volume tracks replayed), tracks left
     * lost by a second failure, bytes written, seconds, and why it was then rebuilt whole (or null).
     */
    public record Return(String drive, String volume, LogMode mode, long tracksResynced, long totalTracks,
                         long lostTracks, long bytes, double seconds, String wholeRebuild) { }

    /** The last return of {@code drive} from a service window in this opening, or null. */
    public Return lastReturn(String drive) {
        return pool.serviceReturns.get(drive);
    }

    private final Pool pool;

    ServiceAdmin(Pool pool) {
        this.pool = pool;
    }

    private Drive drive(String name) throws PoolException {
        return pool.driveNamed(name);
    }

    // ---- offline ------------------------------------------------------------------------------

    /**
     * Takes member {@code name} OFFLINE for {@code reason}, logging what it misses by {@code mode};
     * its volume goes SERVICE and keeps serving. Returns the job of the reason's steps (firmware,
     * diagnostics), or null.
     */
    public Job offline(String name, OfflineReason reason, LogMode mode) throws IOException, PoolException {
        synchronized (pool) {
            pool.refuseIfClosed();
            Drive d = drive(name);
            RaidVolume v = checkOffline(d);
            Drive spare = mode == LogMode.REPOSITORY ? repositorySpare(v) : null;
            Member m = d.member;
            PoolConfig.ServiceRecord opening = new PoolConfig.ServiceRecord(v.name(), d.name, reason, mode,
                    Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), "window",
                    spare == null ? null : spare.name, List.of());
            ServiceWindow w = ServiceWindow.open(pool, v, m, d, opening, true);
            List<Long> sampled;
            try {
                sampled = ImageSamples.sampleTracks(pool, pool.paths.image(d.name), v); // the probing reads, before the pause
            } catch (IOException e) {
                w.closeQuietly();
                throw e;
            }
            try {
                v.exclusive(() -> {
                    // no write is in flight: what every member got so far is made durable (flushes
                    // stop forcing the drive from now on, and the others' stripes must not be torn
                    // once its rows are read from them: RaidVolume.takeOut), its image sampled as it
                    // stays, and the next write finds it OFFLINE and its delta listening
                    v.takeOut(m, DriveState.OFFLINE);
                    PoolConfig.ServiceRecord record = opening.withSamples(ImageSamples.sample(pool, pool.paths.image(d.name), v, sampled));
                    w.record = record;
                    d.reason = reason;
                    if (spare != null) {
                        spare.repository = v.name();
                    }
                    // the window's record and the drive in service together (Pool.recordLock): another thread's
                    // pool.json write before them has the drive ONLINE (Drive.toRecord: OFFLINE only with its
                    // window), never OFFLINE with no window, which an opening must rebuild whole
                    synchronized (pool.recordLock()) {
                        pool.serviceRecords.put(v.name(), record);
                        d.inService = true;
                    }
                    v.setServiceLog(w);
                    if (mode == LogMode.REPOSITORY) {
                        v.setRedirect(w.redirect());
                    }
                    try {
                        pool.persist();
                    } catch (IOException e) {
                        // not on record: as it was (and a flush that took the log meanwhile and fails
                        // to force it does not put the window on record: ServiceWindow.ended)
                        w.endsNow(false);
                        v.setRedirect(null);
                        v.setServiceLog(null);
                        synchronized (pool.recordLock()) { // (as above)
                            d.inService = false;
                            d.reason = null;
                            pool.serviceRecords.remove(v.name());
                        }
                        if (spare != null) {
                            spare.repository = null;
                        }
                        m.setState(DriveState.ONLINE, 0);
                        m.markAbsenceRecorded();
                        throw e;
                    }
                    m.markAbsenceRecorded(); // pool.json says OFFLINE: writes may go on without it
                });
            } catch (IOException e) {
                w.closeQuietly();
                throw e;
            }
            pool.windows.put(v.name(), w);
            pool.events.publish(Event.warning("DRIVE_STATE", d.name, "drive " + d.name + " OFFLINE (" + reason.word()
                    + "); volume " + v.name() + " is " + v.state() + ", writes meanwhile kept as " + describe(mode, spare)));
            return ServiceSteps.start(pool, d.name, reason);
        }
    }

    private static String describe(LogMode mode, Drive spare) {
        return switch (mode) {
            case POINTERS -> "pointers (the tracks written)";
            case DATA -> "data (the bytes " + "the drive misses, in meta/)";
            case REPOSITORY -> "a repository (every write, on " + (spare == null ? "a file in meta/, no SPARE being free"
                    : "SPARE drive " + spare.name) + "; the members are not written)";
        };
    }

    /**
     * The refusals of {@code drive offline}: {@link DriveRules#offline} on a snapshot, then the pairs
     * copying onto the volume (a snapshot does not show them); returns the drive's volume.
     */
    private RaidVolume checkOffline(Drive d) throws PoolException {
        Refusal.check(DriveRules.offline(PoolSnapshots.of(pool), d.name));
        RaidVolume v = pool.volumes.get(d.volume);
        for (Pair p : pool.pairList()) {
            if (p.bcv() == v && p.state() == PairState.SyncInProg) {
                throw new PoolException("volume " + v.name() + " is the BCV of pair " + p.name() + ", being copied to"
                        + " (SyncInProg); wait for the establish or split the pair first");
            }
            if (p.std() == v && p.state() == PairState.RestInProg) {
                throw new PoolException("volume " + v.name() + " is the STD of pair " + p.name() + ", being restored from"
                        + " its BCV (RestInProg); wait for the restore to finish");
            }
        }
        return v;
    }

    /** The SPARE lent to a repository window (the largest free one), or null: a file in meta/. */
    private Drive repositorySpare(RaidVolume v) {
        Drive best = null;
        for (Drive d : Pool.copy(pool.drives)) {
            if (d.state() == DriveState.SPARE && d.journal == null && d.repository == null && !d.missing
                    && Files.exists(pool.paths.image(d.name)) && (best == null || d.size > best.size)) {
                best = d;
            }
        }
        return best;
    }

    /** Refuses a use of SPARE {@code d} while a repository window holds it ({@code what}: the rule that says no). */
    static void refuseIfLent(Drive d, String what) throws PoolException {
        if (d.repository != null) {
            throw new PoolException("drive " + d.name + " holds the repository of volume " + d.repository
                    + "'s service window; " + what);
        }
    }

    // ---- online -------------------------------------------------------------------------------

    /**
     * Brings OFFLINE drive {@code name} back: its delta is resynced (or it is rebuilt whole, see the
     * class note) by a job, returned; the volume is OPTIMAL when it ends.
     */
    public Job online(String name) throws IOException, PoolException {
        synchronized (pool) {
            pool.refuseIfClosed();
            Drive d = drive(name);
            Refusal.check(DriveRules.online(PoolSnapshots.of(pool), name));
            return bringBack(pool.windows.get(d.volume));
        }
    }

    /** Reopens the drive's image, decides delta or whole rebuild, and starts the job (pool monitor held). */
    Job bringBack(ServiceWindow w) throws IOException, PoolException {
        Drive d = w.drive;
        RaidVolume v = w.volume;
        Path image = pool.paths.image(d.name);
        if (!Files.exists(image)) {
            throw new PoolException("the image of drive " + d.name + " (" + image + ") is missing; put the drive back first");
        }
        if (Files.size(image) != d.size) {
            throw new PoolException("the image of drive " + d.name + " is " + Files.size(image) + " bytes, not " + d.size
                    + "; put back a drive of the right size");
        }
        StorageFile f = pool.storage.open(image); // the drive may have been swapped: its image as it is now
        String whole;
        try {
            // a whole rebuild once decided stands (a return under way, or one that failed, wrote the
            // drive itself: its samples say nothing then, and a swapped drive's would match)
            whole = w.record.wholeRebuild() != null ? w.record.wholeRebuild()
                    : w.member.state() == DriveState.FAILED ? ServiceResync.FAILED_IN_RETURN // (a crash before its stop recorded it)
                    : w.record.resyncing() ? null : ImageSamples.wholeRebuildReason(pool, w.record, v, f);
        } catch (IOException e) {
            f.close();
            throw e;
        }
        if (whole == null && w.logDamage != null && w.record.mode() == LogMode.DATA) {
            // its log lost acknowledged records and the others could not give them again at open:
            // the log cannot bring it back; the others, once they can, rebuild it whole
            if (!othersCanRebuild(v, w.member)) {
                f.close();
                throw new PoolException(w.logDamage);
            }
            whole = "its delta log lost records its flushes had acknowledged";
        }
        if (whole != null && !othersCanRebuild(v, w.member)) {
            f.close();
            throw new PoolException("drive " + d.name + " must be rebuilt whole (" + whole + "), but volume " + v.name()
                    + " has " + v.stateReason() + ": there is nothing to rebuild it from");
        }
        v.exclusive(() -> w.member.replaceFile(f));
        return ServiceResync.start(pool, w, whole);
    }

    /**
     * {@code drive replace} of a drive that FAILED in its service window (pool monitor held, the
     * rules checked): its image is set aside at {@code old}, a blank takes its name, and the drive
     * comes back as from its window, rebuilt whole, the window ending with the rebuild's start.
     * Before, the rebuild ran beside the window, which stayed: the drive ended ONLINE in memory and
     * OFFLINE in pool.json, its window open (FailedInReturnTest). The blank may take the drive's
     * name at once: pool.json says FAILED, so a crash before the rebuild's record finds a FAILED
     * drive in its window, which 'drive online' rebuilds whole; it is never read as data.
     */
    Job replaceInWindow(ServiceWindow w, Path old) throws IOException, PoolException {
        Path image = pool.paths.image(w.drive.name);
        boolean setAside = Files.exists(image);
        if (setAside) {
            pool.storage.rename(image, old);
        }
        try {
            PoolFiles.createImage(pool.storage, pool.paths, w.drive.name, w.drive.size);
            pool.storage.syncDirectory(pool.paths.drives());
            return bringBack(w);
        } catch (IOException | PoolException | RuntimeException e) {
            try { // nothing changed: the old image back in its place
                pool.storage.delete(image);
                if (setAside) {
                    pool.storage.rename(old, image);
                }
                pool.storage.syncDirectory(pool.paths.drives());
            } catch (IOException | RuntimeException left) {
                e.addSuppressed(left);
            }
            throw e;
        }
    }

    /**
     * True when the ONLINE members of {@code v} but {@code except} hold every byte {@code except}
     * should: with it absent, the volume is still within its redundancy (parity: every other member
     * ONLINE; a mirror: any one other, so a 3-way mirror with a member FAILED still rebuilds it).
     */
    static boolean othersCanRebuild(RaidVolume v, Member except) {
        int absent = 1; // except itself
        for (Member m : v.members()) {
            if (m != except && m.state() != DriveState.ONLINE) {
                absent++;
            }
        }
        return absent <= v.layout().redundancy(v.members().size());
    }

    // ---- views --------------------------------------------------------------------------------

    /** The service window of drive {@code d}, as shown (null when it is in none). */
    static PoolSnapshot.ServiceView view(Pool pool, Drive d) {
        if (d.volume == null) {
            return null;
        }
        ServiceWindow w = pool.windows.get(d.volume);
        if (w == null || w.drive != d) {
            return null;
        }
        PoolConfig.ServiceRecord r = w.record;
        return new PoolSnapshot.ServiceView(r.volume(), r.reason(), r.mode(), r.since(), r.resyncing() ? "resync" : "window",
                w.deltaTracks(), w.deltaBytes(), r.repository());
    }

    /**
     * The track map of {@code volume}'s service window: the member-row tracks its drive still
     * lacks (in the window, the delta growing; while it comes back, what is left, draining). In
     * repository mode, the tracks the repository's replay will write. Null when the volume has no window.
     */
    public record TrackMap(org.splitpoint.engine.bitmap.TrackBitmap owed, String phase) { }

    public TrackMap trackMap(String volume) {
        ServiceWindow w = pool.windows.get(volume);
        if (w == null) {
            return null;
        }
        ServiceResync r = w.returning;
        if (w.record.resyncing() && r != null) {
            return new TrackMap(r.remaining(), "resync");
        }
        if (w.record.mode() == LogMode.POINTERS) {
            TrackBitmap c = new TrackBitmap(w.deltaBits().size());
            c.loadWords(w.deltaBits().toWords());
            return new TrackMap(c, "window");
        }
        return new TrackMap(w.logTracks(), "window");
    }
}
