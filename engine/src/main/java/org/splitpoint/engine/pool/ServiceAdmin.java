package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.io.Zeros;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pair.Pair;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * Drive service windows (seeds 000 and 001): the rules for taking a member OFFLINE on purpose and
 * bringing it back, what a second failure in the window means, and the reopen of a window after
 * a crash. The mechanism is {@link ServiceWindow}; the returns are {@link ServiceResync} jobs.
 *
 * <p>A drive comes back by its delta alone: the tracks written (pointers: rebuilt from the others),
 * the bytes it missed (data: copied from the delta log, reading no other member), or every write
 * of the window (repository: replayed into all members). A drive whose image was replaced by a
 * blank one, or changed outside the engine (a few tracks sampled at offline time no longer match),
 * is rebuilt whole, and the event says why.
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

    /** Tracks sampled from a drive's image at offline time. */
    private static final int SAMPLES = 8;

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
                sampled = sampleTracks(pool, pool.paths.image(d.name), v); // the probing reads, before the pause
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
                    PoolConfig.ServiceRecord record = opening.withSamples(sample(pool, pool.paths.image(d.name), v, sampled));
                    w.record = record;
                    d.reason = reason;
                    d.inService = true;
                    if (spare != null) {
                        spare.repository = v.name();
                    }
                    pool.serviceRecords.put(v.name(), record);
                    v.setServiceLog(w);
                    if (mode == LogMode.REPOSITORY) {
                        v.setRedirect(w.redirect());
                    }
                    try {
                        pool.persist();
                    } catch (IOException e) {
                        // not on record: as it was
                        v.setRedirect(null);
                        v.setServiceLog(null);
                        pool.serviceRecords.remove(v.name());
                        d.inService = false;
                        d.reason = null;
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

    /** Tracks probed for data at offline time, so that the samples include tracks that hold some. */
    private static final int PROBES = 256;

    /**
     * CRC32Cs of a few tracks of the image ("track:crc"): {@link #SAMPLES} spread over the volume's
     * rows, and up to as many more among {@link #PROBES} spread tracks that hold data (a sparsely
     * written volume's spread samples are often all zeros, and say nothing about a swapped drive).
     */
    static List<String> sample(Pool pool, Path image, RaidVolume v) throws IOException {
        return sample(pool, image, v, sampleTracks(pool, image, v));
    }

    /**
     * Which tracks to sample: {@link #SAMPLES} spread over the rows, and up to as many of
     * {@link #PROBES} spread tracks found holding data. Reads up to {@code SAMPLES + PROBES} tracks,
     * so a caller that must sample at one instant (no write in flight) chooses them before.
     */
    static List<Long> sampleTracks(Pool pool, Path image, RaidVolume v) throws IOException {
        List<Long> out = new ArrayList<>();
        long tracks = v.rowTracks();
        int zero = zeroTrackCrc(pool);
        for (int i = 0; i < SAMPLES; i++) {
            out.add(tracks * i / SAMPLES);
        }
        try (StorageFile f = pool.storage.openRead(image)) {
            int withData = 0;
            for (int i = 0; i < PROBES && withData < SAMPLES && tracks > SAMPLES; i++) {
                long t = (tracks * (2L * i + 1) / (2L * PROBES)); // between the spread samples
                Integer crc = crcOrNull(pool, f, t, v);
                if (crc != null && crc != zero) {
                    out.add(t);
                    withData++;
                }
            }
        }
        return out;
    }

    /** The CRC32Cs of {@code tracks} of the image now ("track:crc", or "track:unreadable"). */
    static List<String> sample(Pool pool, Path image, RaidVolume v, List<Long> tracks) throws IOException {
        List<String> out = new ArrayList<>(tracks.size());
        try (StorageFile f = pool.storage.openRead(image)) {
            for (long t : tracks) {
                Integer crc = crcOrNull(pool, f, t, v);
                out.add(t + ":" + (crc == null ? UNREADABLE : Integer.toHexString(crc)));
            }
        }
        return out;
    }

    /** A sample that could not be read (a drive taken out because it fails reads): no evidence either way. */
    private static final String UNREADABLE = "unreadable";

    /** The track's CRC32C, or null when it cannot be read (the drive's fault, not the pool's). */
    private static Integer crcOrNull(Pool pool, StorageFile f, long track, RaidVolume v) throws IOException {
        try {
            return trackCrc(pool, f, track, v);
        } catch (IOException e) {
            if (e instanceof org.splitpoint.engine.io.StorageHaltedException) {
                throw e;
            }
            return null;
        }
    }

    /**
     * The track's CRC32C, read {@link Zeros#CHUNK} at a time: a pool's tracks may be up to 1 GiB,
     * and a buffer of a track's size per sample was a gigabyte of heap each.
     */
    private static int trackCrc(Pool pool, StorageFile f, long track, RaidVolume v) throws IOException {
        long from = track * pool.trackSize;
        long end = from + Math.max(0, Math.min(pool.trackSize, v.memberRows() - from));
        CRC32C crc = new CRC32C();
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(Zeros.CHUNK, end - from));
        for (long at = from; at < end; at += b.capacity()) {
            b.clear().limit((int) Math.min(b.capacity(), end - at));
            f.readFully(at, b);
            crc.update(b.flip());
        }
        return (int) crc.getValue();
    }

    /** The CRC32C of a track of zeros (a blank image's tracks), without a track-sized buffer. */
    static int zeroTrackCrc(Pool pool) {
        CRC32C crc = new CRC32C();
        for (long left = pool.trackSize; left > 0; left -= Zeros.CHUNK) {
            crc.update(Zeros.of((int) Math.min(Zeros.CHUNK, left)));
        }
        return (int) crc.getValue();
    }

    /**
     * Why the drive coming back must be rebuilt whole, or null: a replacement whose image is blank,
     * or an image that changed outside the engine (a sampled track's checksum differs).
     */
    private String wholeRebuildReason(PoolConfig.ServiceRecord r, RaidVolume v, StorageFile f) throws IOException {
        boolean blank = true;
        boolean changed = false;
        boolean heldData = false;
        int zeroCrc = zeroTrackCrc(pool);
        for (String s : r.samples()) {
            int colon = s.indexOf(':');
            long t = Long.parseLong(s.substring(0, colon));
            Integer now = crcOrNull(pool, f, t, v);
            if (now == null) {
                return "its image cannot be read back (track " + t + " fails to read)";
            }
            blank &= now == zeroCrc;
            if (s.endsWith(":" + UNREADABLE)) {
                continue; // unreadable when it left: says nothing about it now
            }
            int was = Integer.parseUnsignedInt(s.substring(colon + 1), 16);
            changed |= now != was;
            heldData |= was != zeroCrc;
        }
        if (r.reason() == OfflineReason.REPLACEMENT && blank) {
            return "its image is blank (a new drive replaced it)";
        }
        if (changed) {
            return "its image changed outside Splitpoint while it was offline (sampled tracks differ)";
        }
        if (r.reason() == OfflineReason.REPLACEMENT && !heldData) {
            // nothing sampled shows it is the drive that left: a replacement is not trusted on no evidence
            return "it was taken out for replacement and no sampled track shows it is the same drive";
        }
        return null;
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
    private Job bringBack(ServiceWindow w) throws IOException, PoolException {
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
            // a return that was under way wrote the drive itself: its samples say nothing then
            whole = w.record.resyncing() ? null : wholeRebuildReason(w.record, v, f);
        } catch (IOException e) {
            f.close();
            throw e;
        }
        if (whole != null && !otherMembersHold(v, w.member)) {
            f.close();
            throw new PoolException("drive " + d.name + " must be rebuilt whole (" + whole + "), but volume " + v.name()
                    + " has " + v.stateReason() + ": there is nothing to rebuild it from");
        }
        v.exclusive(() -> w.member.replaceFile(f));
        return ServiceResync.start(pool, w, whole);
    }

    /** True when every member of {@code v} but {@code except} is ONLINE: {@code except} can be rebuilt from them. */
    static boolean otherMembersHold(RaidVolume v, Member except) {
        for (Member m : v.members()) {
            if (m != except && m.state() != DriveState.ONLINE) {
                return false;
            }
        }
        return true;
    }

    // ---- second failure ----------------------------------------------------------------------

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
        boolean mirrorKept = false;
        if (v.layout() == Layout.RAID1) {
            for (Member m : v.members()) {
                mirrorKept |= m != failed && m != w.member && m.state() == DriveState.ONLINE;
            }
        }
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
        pool.lostRecords.put(v.name(), rec);
        applyLost(pool, v, rec);
        try {
            pool.persist();
        } catch (IOException e) {
            pool.events.publish(Event.critical("ERROR", v.name(), "the lost tracks of " + v.name()
                    + " could not be recorded: " + e.getMessage()));
        }
        pool.events.publish(Event.critical("SECOND_FAILURE", v.name(), "second failure in the service window of "
                + off + ": drive " + failed.drive() + " FAILED while " + off + " is OFFLINE (pointers); "
                + tracks.size() + " tracks written in the window are lost (" + Sizes.format((long) tracks.size()
                * pool.trackSize) + " of member rows: " + listTracks(tracks) + "); reads of them fail until they are"
                + " written whole or restored from a backup"));
    }

    /** One more track a second failure lost (found by the return: written as the other member failed). */
    static void addLost(Pool pool, RaidVolume v, long track, ServiceWindow w) {
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
        pool.lostRecords.put(v.name(), rec);
        applyLost(pool, v, rec);
        try {
            pool.persist();
        } catch (IOException e) {
            pool.events.publish(Event.critical("ERROR", v.name(), "a lost track of " + v.name() + " could not be recorded: "
                    + e.getMessage()));
        }
    }

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
    static void applyLost(Pool pool, RaidVolume v, PoolConfig.LostRecord rec) {
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

    // ---- reopen -------------------------------------------------------------------------------

    /**
     * At open, after the volumes' recovery: the windows of pool.json open again with their deltas.
     * Tracks a crash left uncertain (write-intent dirty) join the delta, as the other members have
     * them; a window that was bringing its drive back resumes doing so. Lost tracks are applied.
     */
    static void openWindows(Pool pool) throws IOException, PoolException {
        for (PoolConfig.LostRecord r : Pool.copy(pool.lostRecords)) {
            RaidVolume v = pool.volumes.get(r.volume());
            if (v != null) {
                applyLost(pool, v, r);
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
            if (r.mode() == LogMode.DATA && !pool.isReadOnly() && !Files.exists(pool.paths.deltaLog(v.name()))) {
                // its bytes are gone, its bitmap is not: the drive comes back by rebuilding those tracks
                r = new PoolConfig.ServiceRecord(r.volume(), r.drive(), r.reason(), LogMode.POINTERS, r.since(), r.phase(),
                        r.repository(), r.samples());
                pool.serviceRecords.put(v.name(), r);
                pool.persist();
                String msg = "the delta log of " + d.name + "'s service window (meta/" + v.name() + ".delta.log) is missing:"
                        + " the tracks its bitmap names are rebuilt from the other members when it returns (pointers)";
                pool.openNotes.add(msg);
                pool.events.publish(Event.warning("METADATA", v.name(), msg));
            }
            ServiceWindow w = ServiceWindow.open(pool, v, m, d, r, false);
            if (pool.isReadOnly()) {
                pool.windows.put(v.name(), w); // to be shown; nothing recovered, nothing resumed
                continue;
            }
            TrackBitmap dirty = v.crashDirtyTracks();
            // with another member gone too (a second failure) nothing can be rebuilt from the others:
            // the window's own tracks are in its delta already (and lost, see secondFailure), and a
            // FAILED volume's close leaves its write-intent bits, which then say nothing new
            if (dirty != null && dirty.cardinality() > 0 && m.state() == DriveState.OFFLINE && otherMembersHold(v, m)) {
                w.addToDelta(dirty);
                if (r.mode() == LogMode.DATA) {
                    relogAsOthersHaveThem(pool, v, w, dirty);
                }
            } else if (dirty != null && r.mode() == LogMode.DATA && m.state() == DriveState.OFFLINE) {
                // a second failure and a crash: a window write whose parity reached the others (the
                // stripe journal is forced) may have lost its bytes for the drive (its log is forced
                // only by flushes), and nothing is left to rebuild them from: those tracks are lost
                lostAfterCrash(pool, v, w, dirty);
            }
            if (m.state() == DriveState.OFFLINE) {
                v.setServiceLog(w);
                if (r.mode() == LogMode.REPOSITORY) {
                    v.setRedirect(w.redirect());
                }
            }
            pool.windows.put(v.name(), w);
            if (r.resyncing() && m.state() == DriveState.OFFLINE) {
                try {
                    synchronized (pool) {
                        new ServiceAdmin(pool).bringBack(w);
                    }
                    pool.openNotes.add("drive " + d.name + " was coming back from its service window; its resync resumes");
                } catch (PoolException e) {
                    w.record = r.withPhase("window");
                    pool.serviceRecords.put(v.name(), w.record);
                    pool.persist();
                    pool.openNotes.add("drive " + d.name + " was coming back from its service window, but " + e.getMessage()
                            + "; it stays OFFLINE");
                }
            }
        }
    }

    /** Records the window's tracks a crash left uncertain as lost (data mode, another member gone too). */
    private static void lostAfterCrash(Pool pool, RaidVolume v, ServiceWindow w, TrackBitmap dirty) {
        TrackBitmap delta = w.deltaBits();
        for (long t = dirty.nextSetBit(0); t >= 0; t = dirty.nextSetBit(t + 1)) {
            if (t < delta.size() && delta.get(t)) {
                addLost(pool, v, t, w);
            }
        }
        List<Long> lost = lostTracks(pool, v.name());
        if (!lost.isEmpty()) {
            pool.events.publish(Event.critical("SECOND_FAILURE", v.name(), "volume " + v.name() + " was not shut down"
                    + " cleanly while " + w.drive.name + " was OFFLINE (data) and another member had failed: "
                    + lost.size() + " tracks written just before the crash cannot be rebuilt (" + listTracks(lost)
                    + "); reads of them fail until they are written whole or restored from a backup"));
        }
    }

    /** Data mode after a crash: the uncertain tracks go into the delta log as the other members have them. */
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

    /** The lost tracks of volume {@code v}, for views (empty when none). */
    static List<Long> lostTracks(Pool pool, String volume) {
        PoolConfig.LostRecord r = pool.lostRecords.get(volume);
        return r == null ? List.of() : r.tracks();
    }
}
