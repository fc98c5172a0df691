package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;
import org.splitpoint.engine.service.DeltaLog;

/**
 * Brings a drive back from its service window: only its delta is written to it.
 *
 * <p>Design, per mode. {@code pointers}: the drive takes writes again at once (REBUILDING) with its
 * delta tracks marked stale (not held: reads and partial-stripe writes reconstruct them), and each
 * stale track is rebuilt from the others under its rows' lock, as a rebuild step is. {@code data}
 * and {@code repository}: the log is replayed while it still takes the writes (the drive stays
 * OFFLINE, or the members stay unwritten), in passes, each replaying the pieces not replayed yet;
 * the last, small pass runs with no host I/O in flight and then the log stops taking writes. A data
 * replay writes only the drive, reading nothing from the others; a repository replay writes the
 * volume (every member, parity recomputed).
 *
 * <p>Crash safety: pool.json keeps the drive OFFLINE until the end (its window's phase says
 * {@code resync}), so a reopen is still in the window with its delta and starts the return again:
 * a replay is idempotent (the newest bytes per position), a pointers resync redoes the tracks its
 * delta still names (a track leaves it only once the drive's copy is durable). The end (drive
 * ONLINE, window gone) is one pool.json write; the window's files are deleted after it. A drive
 * that must be rebuilt whole (swapped while it was out) has that on record from the return's start
 * (the window's {@code wholeRebuild}): a repository return resumed after a crash, whose replay
 * wrote the drive so that its samples no longer tell, still ends in the rebuild instead of taking
 * a blank image for current (ReplacedDriveCrashTest). A pool.json write that fails at the return's
 * start or end (or a whole rebuild's start) leaves memory as pool.json has it: the drive in its
 * window, its redirect and delta still taking writes (UnrecordedReturnTest; an end that dropped
 * them first sent later writes to the members only, under a repository the reopen replayed).
 *
 * <p>A drive that FAILED on an I/O error during its return never ends it ONLINE: a host write it
 * failed while it took writes again reached the others only, on a track its delta does not name.
 * The return stops, the drive stays FAILED in its window with a whole rebuild on record
 * ({@link #FAILED_IN_RETURN}), and 'drive online' (or 'drive replace') rebuilds it whole. Before,
 * the return went on and set it ONLINE, stale there (FailedInReturnTest).
 *
 * <p>A flush that failed for want of space (Member, WritesLostException): a copy never reads a
 * drive that lost writes so (RaidVolume.refuseLostSources); the return heals it first (the
 * volume's flush) or fails, and its checkpoint copies again what a loss of any drive since its
 * copies may have dropped or tainted, compared once the forces under way have ended (a failing one
 * drops the pages before it counts the loss). A return that stops and cannot put its drive back in its
 * window (the settle cannot force a drive that lost writes) leaves it as it is, taking writes, and
 * says so: pool.json still says it is coming back, so the reopen resumes it ('drive online' says
 * that too). A return whose job's thread cannot start (OutOfMemoryError: unable to create native
 * thread) is left so too, its job FAILED saying so, the next opening resuming it; at an opening the
 * Error went out of Pool.open with the pool's lock held (StartJobsThreadTest).
 */
final class ServiceResync implements org.splitpoint.engine.job.JobWork {

    private final Pool pool;
    private final ServiceWindow w;
    private final RaidVolume v;
    private final Member m;
    private final LogMode mode;
    private final long startNanos = System.nanoTime();
    // pointers
    private TrackBitmap stale;
    private long cursor;
    private final List<Long> resyncedSinceCheckpoint = new ArrayList<>();
    /** The members' {@link RaidVolume#memberLosses} before the first copy since the last checkpoint (job thread only). */
    private long lossesBeforeCopies;
    private long resynced;
    private long skippedLost;
    // data and repository
    private List<DeltaLog.Piece> pass = List.of();
    private int next;
    private final Set<DeltaLog.Piece> replayed = new HashSet<>();
    private final TrackBitmap replayedTracks;
    private long bytesMoved;
    private final String wholeRebuild;
    private long budget = Long.MAX_VALUE;

    private ServiceResync(Pool pool, ServiceWindow w, String wholeRebuild) {
        this.pool = pool;
        this.w = w;
        this.v = w.volume;
        this.m = w.member;
        this.mode = w.record.mode();
        this.wholeRebuild = wholeRebuild;
        this.replayedTracks = new TrackBitmap(v.rowTracks());
    }

    /**
     * Starts bringing {@code w}'s drive back (pool monitor held, the drive's image reopened):
     * {@code wholeRebuild} says why it must be rebuilt whole, or is null.
     */
    static Job start(Pool pool, ServiceWindow w, String wholeRebuild) throws IOException {
        RaidVolume v = w.volume;
        Member m = w.member;
        if (wholeRebuild != null && w.record.mode() != LogMode.REPOSITORY) {
            return rebuildWhole(pool, w, wholeRebuild);
        }
        ServiceResync r = new ServiceResync(pool, w, wholeRebuild);
        PoolConfig.ServiceRecord inWindow = w.record;
        w.record = w.record.returning(wholeRebuild); // on record with the phase: a resumed return rebuilds whole too
        pool.serviceRecords.put(v.name(), w.record);
        long total;
        if (w.record.mode() == LogMode.POINTERS) {
            TrackBitmap st = new TrackBitmap(v.rowTracks());
            r.stale = st;
            v.exclusive(() -> {
                // the copy is taken with no write in flight: a write that marked the delta after it
                // would otherwise reach the other members only, on a track the drive then "holds"
                st.loadWords(w.deltaBits().toWords());
                m.setStale(st, pool.trackSize);
                m.setState(DriveState.REBUILDING, v.memberRows()); // holds all but its stale tracks
                m.markAbsenceRecorded();
                persistOrStayOut(pool, w, inWindow);
            });
            total = st.cardinality();
        } else {
            if (w.record.mode() == LogMode.REPOSITORY) {
                // the members were not written in the window: the drive is as current as the others
                v.exclusive(() -> {
                    m.setState(wholeRebuild != null ? DriveState.REBUILDING : DriveState.ONLINE, 0);
                    persistOrStayOut(pool, w, inWindow);
                });
            } else {
                persistOrStayOut(pool, w, inWindow);
            }
            w.log.freeze(); // the pieces taken here are read later: no compaction moves them meanwhile
            r.pass = w.log.pieces();
            // counted in tracks, as the window's delta and the return's result are: the log's pieces
            // (one per write, many per track) made the job read '0/1815 tracks' for 895 tracks owed
            TrackBitmap owed = new TrackBitmap(v.rowTracks());
            for (DeltaLog.Piece p : r.pass) {
                r.markTracks(owed, p);
            }
            total = Math.max(1, owed.cardinality());
        }
        w.returning = r;
        String id = "resync-" + m.drive();
        Job job = new Job(id, "resync", m.drive() + " of " + v.name() + " (" + w.record.mode().word() + ")", 0, total,
                pool.trackSize, false, 0, r, p -> pool.events.publish(Event.info("JOB_PROGRESS", id, p.line())));
        pool.events.publish(Event.info("DRIVE_STATE", m.drive(), "drive " + m.drive() + " coming back online: "
                + (w.record.mode() == LogMode.POINTERS ? Sizes.count(total, "track") + " written in the window " + (total == 1 ? "is" : "are") + " rebuilt from the others"
                : w.record.mode() == LogMode.DATA ? "its delta log (" + Sizes.format(w.log.bytes()) + ") is copied to it,"
                + " reading no other member"
                : "the repository (" + Sizes.format(w.log.bytes()) + ") is replayed into every member")
                + (wholeRebuild != null ? "; then it is rebuilt whole because " + wholeRebuild : "")));
        pool.startOnRecord(job); // its thread refused: the job ends FAILED saying so, the return resumes at the next opening
        return job;
    }

    /**
     * Records the return's start; when pool.json cannot be written, puts the window back as it has
     * it (the drive OFFLINE, its stale tracks dropped, phase {@code window}) and throws: a failed
     * 'drive online' changes nothing, and may be given again (under the volume's exclusive section
     * when the drive's state changed, so no write saw it taking writes).
     */
    private static void persistOrStayOut(Pool pool, ServiceWindow w, PoolConfig.ServiceRecord inWindow) throws IOException {
        try {
            pool.persist();
        } catch (IOException e) {
            Member m = w.member;
            m.setStale(null, pool.trackSize);
            m.setState(DriveState.OFFLINE, 0);
            m.markAbsenceRecorded(); // pool.json says OFFLINE still
            w.record = inWindow;
            pool.serviceRecords.put(w.volume.name(), inWindow);
            throw e;
        }
    }

    /** The drive is rebuilt whole (pointers, data): the window ends in the same pool.json write that starts the rebuild. */
    private static Job rebuildWhole(Pool pool, ServiceWindow w, String why) throws IOException {
        RaidVolume v = w.volume;
        Member m = w.member;
        PoolConfig.JobRecord record = RebuildWork.newRecord(v, m, 0);
        v.exclusive(() -> {
            w.forceAsTheWindowEnds(); // as at a return's end: a flush after the log goes forces it no more, and a crash
            // before this pool.json write reopens the window with that log (see finished())
            w.endsNow(false); // (the drive is rebuilt whole: a log dropped or not is not read)
            IOException unrecorded = null;
            // the window's end and the rebuild's record in one write (Pool.recordLock): another thread's
            // write between them had the drive REBUILDING with neither on record, which no opening rebuilds
            synchronized (pool.recordLock()) {
                m.setState(DriveState.REBUILDING, 0);
                m.markAbsenceRecorded();
                endWindowRecord(pool, w);
                pool.jobRecords.put(record.id(), record);
                try {
                    pool.persist();
                } catch (IOException e) { // not on record: still in its window, 'drive online' may be given again
                    m.setState(DriveState.OFFLINE, 0);
                    m.markAbsenceRecorded();
                    reopenWindowRecord(pool, w);
                    pool.jobRecords.remove(record.id());
                    unrecorded = e;
                }
            }
            if (unrecorded != null) {
                w.endUndone(); // (the window's monitor, never taken under the record lock: it is taken before it)
                throw unrecorded;
            }
            v.setServiceLog(null);
        });
        w.closeAndDelete();
        pool.events.publish(Event.warning("DRIVE_STATE", m.drive(), "drive " + m.drive() + " back from "
                + w.record.reason().word() + " is rebuilt whole, not from its delta: " + why));
        Job job = RebuildWork.job(pool, v, m, record);
        pool.startOnRecord(job); // (as above: the rebuild is on record)
        return job;
    }

    private static void endWindowRecord(Pool pool, ServiceWindow w) {
        pool.serviceRecords.remove(w.volume.name());
        pool.windows.remove(w.volume.name());
        w.drive.inService = false;
        w.drive.reason = null;
        if (w.record.repository() != null) {
            Drive spare = pool.drives.get(w.record.repository());
            if (spare != null) {
                spare.repository = null;
            }
        }
    }

    /**
     * Undoes {@link #endWindowRecord}: the window's end was not recorded (the caller then has the
     * window itself go on, {@link ServiceWindow#endUndone}, outside the record lock).
     */
    private static void reopenWindowRecord(Pool pool, ServiceWindow w) {
        pool.serviceRecords.put(w.volume.name(), w.record);
        pool.windows.put(w.volume.name(), w);
        w.drive.inService = true;
        w.drive.reason = w.record.reason();
        if (w.record.repository() != null) {
            Drive spare = pool.drives.get(w.record.repository());
            if (spare != null) {
                spare.repository = w.volume.name();
            }
        }
    }

    @Override
    public void stepBudget(long bytes) {
        budget = bytes;
    }

    @Override
    public boolean hasMore(long done, long total) {
        if (mode == LogMode.POINTERS) {
            return stale.nextSetBit(cursor) >= 0;
        }
        return next < pass.size();
    }

    /**
     * Why a drive FAILED by an I/O error in its window or its return is rebuilt whole: a host write
     * it failed while it took writes again reached the others only, on a track its delta does not
     * name (FailedInReturnTest), and a write it failed part-way may be torn.
     */
    static final String FAILED_IN_RETURN = "it FAILED on an I/O error during its return, so tracks outside its delta"
            + " may be stale or torn";

    /** Stops the return of a drive that FAILED: its delta no longer names all it lacks. */
    private void refuseIfFailed() throws IOException {
        if (m.state() == DriveState.FAILED) {
            throw new IOException("drive " + m.drive() + " FAILED during its return");
        }
    }

    @Override
    public Step copyNext(long done) throws IOException {
        refuseIfFailed(); // writing on would take the time of a whole rebuild's first steps for nothing
        long limit = Math.min(budget, 4L << 20);
        long moved = 0;
        long steps = 0;
        if (mode == LogMode.POINTERS) {
            RaidVolume.Lost lost = v.lost();
            long[] batch = new long[(int) Math.max(1, Math.min(64, limit / pool.trackSize))];
            int k = 0;
            while (k < batch.length) {
                long t = stale.nextSetBit(cursor);
                if (t < 0) {
                    break;
                }
                cursor = t + 1;
                if (lost != null && lost.tracks().get(t)) {
                    skippedLost++; // a second failure took what it would be rebuilt from
                } else if (!ServiceAdmin.othersCanRebuild(v, m)) {
                    LostTracks.add(pool, v, t, w); // a write that was under way when the other member failed
                    skippedLost++;
                } else {
                    batch[k++] = t;
                }
                moved += pool.trackSize;
                steps++;
            }
            if (k > 0) {
                synchronized (resyncedSinceCheckpoint) {
                    if (resyncedSinceCheckpoint.isEmpty()) {
                        lossesBeforeCopies = v.memberLosses(); // before they are written: see checkpoint
                    }
                }
                healFirst(); // copies are never read from a drive that lost writes (RaidVolume.refuseLostSources)
                v.resyncTracks(m, java.util.Arrays.copyOf(batch, k)); // scattered tracks, one hand-off
                synchronized (resyncedSinceCheckpoint) {
                    for (int i = 0; i < k; i++) {
                        resyncedSinceCheckpoint.add(batch[i]);
                    }
                }
                resynced += k;
            }
            return new Step(steps, moved);
        }
        List<DeltaLog.Piece> batch = new ArrayList<>();
        while (moved < limit && next < pass.size()) {
            DeltaLog.Piece p = pass.get(next++);
            batch.add(p);
            moved += p.length();
        }
        long before = replayedTracks.cardinality(); // only this job's thread replays
        replayAll(batch);
        bytesMoved += moved;
        return new Step(replayedTracks.cardinality() - before, moved);
    }

    /** Replays {@code pieces}; a repository's, after marking their write-intent tracks with one sync. */
    private void replayAll(List<DeltaLog.Piece> pieces) throws IOException {
        if (mode == LogMode.REPOSITORY && !pieces.isEmpty()) {
            List<long[]> ranges = new ArrayList<>(pieces.size());
            for (DeltaLog.Piece p : pieces) {
                ranges.add(new long[] {p.start(), p.length()});
            }
            v.intendWrites(ranges);
        }
        for (DeltaLog.Piece p : pieces) {
            replay(p);
        }
    }

    private void replay(DeltaLog.Piece p) throws IOException {
        if (!replayed.add(p)) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(w.log.read(p));
        if (mode == LogMode.DATA) {
            v.writeMemberRows(m, p.start(), b);
        } else {
            v.writeBelowRedirect(p.start(), b);
        }
        synchronized (replayedTracks) {
            markTracks(replayedTracks, p);
        }
    }

    /**
     * Sets in {@code tracks} the member tracks a piece lands on: a repository's rows through the
     * layout, a data log's as they are.
     */
    private void markTracks(TrackBitmap tracks, DeltaLog.Piece p) {
        long[] rows = mode == LogMode.REPOSITORY ? v.rowRange(p.start(), p.length()) : new long[] {p.start(), p.end()};
        tracks.setRange(rows[0] / pool.trackSize, (rows[1] + pool.trackSize - 1) / pool.trackSize);
    }

    /**
     * A host's flush failed for want of space on a drive: the volume's flush writes its lost writes
     * again first (or fails, the file system still full, and so does this step).
     */
    private void healFirst() throws IOException {
        if (v.anyLostWrites()) {
            v.flush();
        }
    }

    @Override
    public void checkpoint(long doneUpTo) throws IOException {
        List<Long> done;
        synchronized (resyncedSinceCheckpoint) {
            done = new ArrayList<>(resyncedSinceCheckpoint);
        }
        if (mode == LogMode.POINTERS && !done.isEmpty()) {
            healFirst();
            m.force(); // the drive's copy is durable before its tracks leave the delta
            while (v.settledMemberLosses() != lossesBeforeCopies) {
                // a flush failed for want of space since these copies were written: of the drive,
                // it may have dropped them, and the heal that let this force succeed wrote only the
                // host's tracks (the copies set no write-intent bit); of the drive they were copied
                // from, they may have been read from its old bytes. They are copied again and
                // forced before they leave the delta; before, they left it, and the drive kept the
                // bytes it had before its window (ReturnFlushNoSpaceTest). Compared once the forces
                // under way have ended: a failing one drops the pages before it counts the loss, and
                // a copy read in that moment took the old bytes unseen
                lossesBeforeCopies = v.memberLosses();
                for (int i = 0; i < done.size(); i += 64) {
                    List<Long> some = done.subList(i, Math.min(done.size(), i + 64));
                    v.resyncTracks(m, some.stream().mapToLong(Long::longValue).toArray());
                }
                healFirst();
                m.force();
            }
            w.clearFromDelta(done);
            synchronized (resyncedSinceCheckpoint) {
                for (long t : done) {
                    stale.clear(t); // only now do its writes go unjournaled (see RaidVolume.resyncTracks)
                }
                resyncedSinceCheckpoint.removeAll(done);
            }
        }
    }

    @Override
    public void finished() throws IOException {
        long[] lastPass = {0};
        synchronized (pool) {
            v.exclusive(() -> {
                if (mode != LogMode.POINTERS) {
                    // the last pass: what came in while the earlier ones ran, with no host I/O in flight
                    List<DeltaLog.Piece> rest = new ArrayList<>();
                    for (DeltaLog.Piece p : w.log.pieces()) {
                        if (!replayed.contains(p)) {
                            rest.add(p);
                        }
                    }
                    replayAll(rest);
                    lastPass[0] = rest.size();
                }
                // durable before the window ends: a repository replay through the volume's flush, a
                // data replay or a resync on the drive itself
                if (mode == LogMode.REPOSITORY) {
                    v.forceNow(); // not flush(): a flush waits for the gate this section holds
                } else if (mode == LogMode.DATA) {
                    m.force(); // (a pointers resync's last checkpoint forced the drive already)
                }
                // the log too, before the redirect and service log go: from then on a flush forces
                // neither, and until pool.json says the window is over a crash reopens it, reading
                // (and replaying) the log over the members; a write it held unforced, acknowledged by
                // such a flush, was lost (RepositoryReturnFlushCrashTest). Not waiting for a host's
                // flush forcing the log beside it (held in its fsync: FlushAtWindowEndTest): no flush
                // is acknowledged over a record that flush's failure dropped (RingLog's note)
                w.forceAsTheWindowEnds();
                // a drive that FAILED in its return (an I/O error on a host write the delta does not
                // name, or on the return's own) is not current: it never ends ONLINE from here
                refuseIfFailed();
                if (!w.endsNow(mode == LogMode.DATA)) { // (from here a flush's failed force of the log leaves the window ended)
                    // the log lost a record and the window went on by pointers meanwhile: writes
                    // since are in its bitmap only, which a data replay does not read
                    throw new IOException("the delta log of " + m.drive() + "'s window lost a record during its return;"
                            + " the window goes on by pointers: 'drive online' brings it back that way");
                }
                // the window ends on record first: until pool.json says so, the drive and the volume
                // stay as it has them (a redirect dropped by an end that failed to be recorded sent
                // later writes to the members only, under a repository a reopen replays over them)
                DriveState was = m.state();
                long wasUpTo = m.rebuiltUpTo();
                PoolConfig.JobRecord rebuild = wholeRebuild == null ? null : RebuildWork.newRecord(v, m, 0);
                IOException unrecorded = null;
                // the window's end and a whole rebuild's record in one write (Pool.recordLock): another
                // thread's write between them had the drive REBUILDING with neither on record
                synchronized (pool.recordLock()) {
                    if (wholeRebuild == null) {
                        m.setState(DriveState.ONLINE, 0);
                    }
                    endWindowRecord(pool, w);
                    if (rebuild != null) {
                        pool.jobRecords.put(rebuild.id(), rebuild);
                    }
                    try {
                        pool.persist();
                    } catch (IOException e) {
                        m.setState(was, wasUpTo);
                        m.markAbsenceRecorded(); // as pool.json has it: OFFLINE in the window
                        reopenWindowRecord(pool, w);
                        if (rebuild != null) {
                            pool.jobRecords.remove(rebuild.id());
                        }
                        unrecorded = e;
                    }
                }
                if (unrecorded != null) {
                    w.endUndone(); // (the window's monitor, never taken under the record lock)
                    throw unrecorded; // the job fails and stopped() puts the drive back into its window
                }
                v.setRedirect(null);
                v.setServiceLog(null);
                m.setStale(null, pool.trackSize);
                if (rebuild != null) {
                    pool.startJob(RebuildWork.job(pool, v, m, rebuild));
                }
            });
        }
        w.closeAndDelete();
        double secs = (System.nanoTime() - startNanos) / 1e9;
        long total = v.rowTracks();
        pool.serviceReturns.put(m.drive(), new ServiceAdmin.Return(m.drive(), v.name(), mode, tracksResynced(), total,
                skippedLost, bytesMoved + resynced * pool.trackSize, secs, wholeRebuild));
        String what = switch (mode) {
            case POINTERS -> Sizes.count(resynced, "track") + " resynced of " + total + String.format(" (%.2f%% of a full rebuild)",
                    100.0 * resynced / Math.max(1, total)) + (skippedLost > 0 ? ", " + Sizes.count(skippedLost, "lost track") + " left" : "");
            case DATA -> Sizes.count(replayedTracks.cardinality(), "track") + " copied from its delta log (" + Sizes.format(bytesMoved)
                    + String.format(", %.2f%% of a full rebuild's tracks)", 100.0 * replayedTracks.cardinality() / Math.max(1, total));
            case REPOSITORY -> "the repository replayed into every member (" + Sizes.count(replayedTracks.cardinality(), "track") + ", "
                    + Sizes.format(bytesMoved) + ") and emptied";
        };
        pool.events.publish(Event.info("SERVICE_RESYNC", m.drive(), "drive " + m.drive() + " is back: " + what
                + String.format(" in %.2f s", secs) + "; volume " + v.name() + " is " + LostTracks.stateWords(pool, v)
                + (wholeRebuild != null ? "; rebuilding it whole now because " + wholeRebuild : "")));
        pool.events.publish(Event.info("DRIVE_STATE", m.drive(), "drive " + m.drive() + " is " + m.state()));
        pool.events.publish(LostTracks.stateEvent(pool, v));
    }

    /** Pointers: the tracks the drive does not hold yet (stale, less those resynced but not yet checkpointed). */
    TrackBitmap notYetResynced() {
        TrackBitmap out = new TrackBitmap(v.rowTracks());
        if (stale != null) {
            out.loadWords(stale.toWords());
        }
        synchronized (resyncedSinceCheckpoint) {
            for (long t : resyncedSinceCheckpoint) {
                out.clear(t);
            }
        }
        return out;
    }

    /** The tracks still to write to the drive: the stale ones (pointers), the log's not replayed yet (others). */
    org.splitpoint.engine.bitmap.TrackBitmap remaining() {
        TrackBitmap out;
        if (mode == LogMode.POINTERS) {
            TrackBitmap st = m.stale();
            out = new TrackBitmap(v.rowTracks());
            if (st != null) {
                out.loadWords(st.toWords());
            }
            return out;
        }
        out = w.logTracks();
        synchronized (replayedTracks) {
            for (long t = replayedTracks.nextSetBit(0); t >= 0; t = replayedTracks.nextSetBit(t + 1)) {
                out.clear(t);
            }
        }
        return out;
    }

    /** Tracks the resync wrote: the delta's tracks (pointers) or the log's (data, repository). */
    long tracksResynced() {
        return mode == LogMode.POINTERS ? resynced : replayedTracks.cardinality();
    }

    @Override
    public void stopped(JobState state, Exception error) {
        IOException notBack = null;
        synchronized (pool) {
            if (pool.isClosed()) {
                return;
            }
            try {
                // back into the window: the delta still names what the drive lacks
                v.exclusive(() -> {
                    if (mode == LogMode.POINTERS) {
                        if (m.state() != DriveState.FAILED && m.writesLostReason() != null) {
                            // a flush failed for want of space on it, and it cannot be forced: the
                            // host's writes to it since its last good flush (dirty, or refills, and
                            // not in the delta, as it took them itself) may be gone; the delta names them first.
                            // Before, the settle failed and it stayed REBUILDING, holding every track
                            // (ReturnFlushNoSpaceTest)
                            w.addToDelta(v.tracksSinceLastGoodFlush());
                            v.takeOutUnforced(m, DriveState.OFFLINE);
                            m.markAbsenceRecorded();
                        } else if (m.state() != DriveState.FAILED) {
                            v.takeOut(m, DriveState.OFFLINE); // what all got meanwhile is durable first
                            m.markAbsenceRecorded();
                        }
                        m.setStale(null, pool.trackSize); // (not before: a take-out that failed left it holding every track)
                    } else if (mode == LogMode.REPOSITORY && m.state() != DriveState.FAILED) {
                        v.takeOut(m, DriveState.OFFLINE); // the members already replayed agree with the repository, durably
                        m.markAbsenceRecorded();
                    }
                    // the return wrote the drive: what it holds now is what a later return compares with
                    // (a whole rebuild on record stays: the samples of a swapped drive the return wrote
                    // in part no longer say it)
                    w.record = w.record.withPhase("window").withSamples(ImageSamples.sample(pool, pool.paths.image(m.drive()), v));
                    if (m.state() == DriveState.FAILED) {
                        w.record = w.record.withWholeRebuild(FAILED_IN_RETURN);
                    }
                    pool.serviceRecords.put(v.name(), w.record);
                    pool.persist();
                });
            } catch (IOException e) {
                // (another drive lost writes at a failed flush and cannot be forced, say): the drive
                // stays as it is, taking writes, pool.json saying it is coming back; before, the event
                // said it was OFFLINE again and 'drive online' that its return was running
                notBack = e;
                error = error == null ? e : error;
            }
        }
        if (w.log != null) {
            w.log.thaw(); // back in the window: its log may be compacted again
        }
        String why = state == JobState.CANCELLED ? "was cancelled" : "failed: " + (error == null ? "" : error.getMessage());
        pool.events.publish(Event.warning("SERVICE_RESYNC", m.drive(), "the return of drive " + m.drive() + " " + why
                + (m.state() == DriveState.FAILED ? "; it is FAILED, still in its service window: 'drive online' rebuilds it"
                + " whole from the other members"
                : notBack != null ? "; it could not be put back in its window (" + notBack.getMessage() + "): it is "
                + m.state() + " until the pool is reopened (close it and open it again), whose open resumes its return"
                : "; it is OFFLINE again, its delta kept ('drive online' starts over)")));
    }
}
