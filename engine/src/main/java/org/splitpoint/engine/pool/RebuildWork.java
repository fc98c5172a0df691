package org.splitpoint.engine.pool;

import java.io.IOException;
import java.util.UUID;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * Rebuilds a replaced member from the others, track by track (a track of member rows).
 *
 * <p>Each step holds the rows' lock while it reconstructs and writes them, so a host write either
 * lands before (and is reconstructed) or after (and is written to the new member too). The
 * checkpoint forces the new member before recording progress in pool.json, so a crash resumes at
 * a point below which the member is known good. A pool.json that cannot be written (its file system
 * full) does not undo what was rebuilt: a checkpoint not recorded only leaves the record behind,
 * and an end not recorded leaves the drive REBUILDING with every row, as pool.json has it, for the
 * next opening to end (UnrecordedRebuildTest); before, either failed the job and the drive, which
 * was then rebuilt again from its first track. A drive that lost writes at a flush that failed for
 * want of space (the rebuild's copies among them) is healed by the checkpoint's flush of the volume
 * before it is forced: room again a moment later does not fail the rebuild and the drive. A
 * rebuild that stops and cannot take its drive out (the settle cannot force another drive that
 * lost writes so) leaves it REBUILDING with its record, and says so: the reopen resumes it. Rows
 * whose copy a source's loss may have tainted (its flush failed for want of space while they were
 * read) are not counted rebuilt: the volume's flush heals the source, and they are copied again.
 */
final class RebuildWork implements org.splitpoint.engine.job.JobWork {

    private final Pool pool;
    private final RaidVolume volume;
    private final Member target;
    private final String jobId;

    private RebuildWork(Pool pool, RaidVolume volume, Member target, String jobId) {
        this.pool = pool;
        this.volume = volume;
        this.target = target;
        this.jobId = jobId;
    }

    /** A job for {@code record} (new or resumed). */
    static Job job(Pool pool, RaidVolume v, Member target, PoolConfig.JobRecord record) {
        RebuildWork w = new RebuildWork(pool, v, target, record.id());
        return new Job(record.id(), "rebuild", target.drive() + " of " + v.name(), record.checkpoint(),
                v.rowTracks(), pool.trackSize, record.paused(), record.throttle(), w,
                p -> pool.events.publish(Event.info("JOB_PROGRESS", target.drive(), "rebuild of " + target.drive() + ": " + p.line())));
    }

    static PoolConfig.JobRecord newRecord(RaidVolume v, Member target, long throttle) {
        return new PoolConfig.JobRecord("rebuild-" + UUID.randomUUID().toString().substring(0, 8), "rebuild",
                v.name(), target.drive(), 0, throttle, false);
    }

    /** Tracks rebuilt per step: about 1 MiB, so each member sees large sequential I/O. */
    private long tracksPerStep() {
        return Math.max(1, (1 << 20) / pool.trackSize);
    }

    @Override
    public Step copyNext(long done) throws IOException {
        long from = done * pool.trackSize;
        long to = Math.min(volume.memberRows(), from + tracksPerStep() * pool.trackSize);
        // a megabyte of rows at a time: a track may be 1 GiB, whose rows host writes would wait for
        // all at once, and the job's rate and ETA move during it, and its throttle holds within it
        for (long at = from; at < to; at += SLICE) {
            if (at > from && pace != null && !pace.getAsBoolean()) {
                // paused, cancelled or stopping: the whole tracks rebuilt count; the rest is rebuilt again
                long tracks = (at - from) / pool.trackSize;
                return new Step(tracks, at - from);
            }
            long end = Math.min(to, at + SLICE);
            copyHealed(at, end);
            if (movedWithin != null) {
                movedWithin.accept(end - at);
            }
        }
        return new Step((to - from + pool.trackSize - 1) / pool.trackSize, to - from);
    }

    /** Copies a source's loss may taint before the rebuild gives up on them (each after a heal that succeeded). */
    private static final int COPIES = 3;

    /**
     * Rebuilds rows [from, to): copied again, after a flush of the volume has healed the source, when
     * a source lost writes at a flush that failed while they were read (RebuildSourceLossTest); the
     * flush fails instead when it cannot heal it (two drives lost writes, the file system still full).
     */
    private void copyHealed(long from, long to) throws IOException {
        for (int copy = 1; !volume.rebuildRows(target, from, to); copy++) {
            if (copy == COPIES) {
                throw new org.splitpoint.engine.io.WritesLostException("drives that " + target.drive() + " is rebuilt from"
                        + " lost writes at flushes that failed for want of space during " + COPIES + " copies of the same"
                        + " rows, so none of them is counted rebuilt: free space on their file system", null);
            }
            volume.flush(); // writes the lost writes again from the other drives, or fails
        }
    }

    private java.util.function.BooleanSupplier pace;

    @Override
    public void paceWithin(java.util.function.BooleanSupplier pace) {
        this.pace = pace;
    }

    private static final long SLICE = 1 << 20;
    private java.util.function.LongConsumer movedWithin;

    @Override
    public void reportWithin(java.util.function.LongConsumer moved) {
        movedWithin = moved;
    }

    /** The track of the last checkpoint pool.json took, while later ones could not be recorded; -1: none lags. */
    private long recordLagsFrom = -1;

    @Override
    public void checkpoint(long doneUpTo) throws IOException {
        if (target.writesLostReason() != null) {
            // a flush that failed for want of space may have dropped the copies made since the
            // last checkpoint: the volume's flush writes them again from the others (and the
            // host's lost writes), or fails as the file system is still full, failing this step
            volume.flush();
        }
        target.force();
        synchronized (pool) {
            PoolConfig.JobRecord r = pool.jobRecords.get(jobId);
            if (r != null) {
                pool.jobRecords.put(jobId, new PoolConfig.JobRecord(r.id(), r.kind(), r.volume(), r.drive(),
                        doneUpTo, r.throttle(), r.paused()));
                try {
                    pool.persist();
                    recordLagsFrom = -1;
                } catch (IOException e) {
                    // the rows are forced: only the record of how far lags, and a crash resumes from
                    // the last one on record (more rebuilt again, nothing lost); every write is
                    // journaled meanwhile, the drive REBUILDING. Said once, not a reason to stop.
                    if (recordLagsFrom < 0) {
                        recordLagsFrom = r.checkpoint();
                        pool.events.publish(Event.warning("JOB_STATE", target.drive(), "the progress of the rebuild of "
                                + target.drive() + " cannot be recorded (" + e.getMessage() + "); it goes on, and a crash"
                                + " before it can be would resume it from track " + r.checkpoint()));
                    }
                }
            }
        }
    }

    /**
     * False once the rebuild's record is gone under the pool's monitor other than by its own end: its
     * drive failed again, or was given a blank for a restore, and the rebuild's end must not touch it
     * (before, a rebuild whose last step had ended as its drive was failed set the drive ONLINE again
     * over the writes it missed meanwhile).
     */
    private boolean stillOnRecord() {
        return pool.jobRecords.containsKey(jobId);
    }

    /**
     * The rebuild's end could not be written to pool.json: the drive stays REBUILDING with every
     * row rebuilt, as pool.json has it (a drive ONLINE in memory only would take unjournaled
     * writes a crash then rebuilds it over from the record's checkpoint, torn), and the job fails
     * saying so; its stop keeps the drive and the record (the next opening ends the rebuild).
     */
    private static final class UnrecordedEnd extends IOException {
        UnrecordedEnd(String message, IOException cause) {
            super(message, cause);
        }
    }

    @Override
    public void finished() throws IOException {
        synchronized (pool) {
            if (!stillOnRecord()) {
                return; // dropped by its owner, which decided the drive's state
            }
            volume.exclusive(() -> {
                target.setState(DriveState.ONLINE, 0);
                PoolConfig.JobRecord r = pool.jobRecords.remove(jobId);
                try {
                    pool.persist();
                } catch (IOException e) {
                    target.setState(DriveState.REBUILDING, volume.memberRows()); // forced by the last checkpoint
                    if (r != null) {
                        pool.jobRecords.put(jobId, r);
                    }
                    throw new UnrecordedEnd("every track of " + target.drive() + " is rebuilt, but its end cannot be"
                            + " recorded (" + e.getMessage() + "): it stays REBUILDING, nothing to rebuild again, until"
                            + " the pool is next opened, which ends the rebuild; "
                            + org.splitpoint.engine.io.NoSpaceException.remedy(e) + " first", e);
                }
            });
        }
        pool.events.publish(Event.info("JOB_FINISHED", target.drive(), "rebuild of " + target.drive() + " finished"));
        pool.events.publish(Event.info("DRIVE_STATE", target.drive(), "drive " + target.drive() + " is ONLINE"));
        pool.events.publish(LostTracks.stateEvent(pool, volume));
    }

    @Override
    public void stopped(JobState state, Exception error) {
        if (error instanceof UnrecordedEnd) {
            pool.events.publish(Event.warning("JOB_FINISHED", target.drive(), "rebuild of " + target.drive() + ": "
                    + error.getMessage()));
            return;
        }
        IOException notOut = null;
        synchronized (pool) {
            if (pool.isClosed() || !stillOnRecord()) {
                return; // closing (it resumes), or dropped by its owner, which decided the drive's state
            }
            try {
                volume.exclusive(() -> volume.takeOut(target, DriveState.FAILED));
            } catch (IOException e) {
                // the settle could not force another drive (one that lost writes at a failed flush):
                // the drive stays REBUILDING, taking writes, and its record stays for the reopen to
                // resume it. Before, the record went first, and the next write of pool.json left a
                // REBUILDING drive that no opening rebuilt (MemberFlushNoSpaceDuringRebuildTest)
                notOut = e;
            }
            if (notOut == null) {
                pool.jobRecords.remove(jobId);
                try {
                    pool.persist();
                } catch (IOException e) {
                    error = error == null ? e : error;
                }
            }
        }
        String why = state == JobState.CANCELLED ? "was cancelled" : "failed: " + (error == null ? "" : error.getMessage());
        pool.events.publish(Event.critical("JOB_FINISHED", target.drive(), "rebuild of " + target.drive() + " " + why
                + (notOut == null ? "; the drive is FAILED and volume " + volume.name() + " is " + volume.state()
                : "; the drive could not be taken out (" + notOut.getMessage() + "): it is REBUILDING until the pool"
                + " is reopened (close it and open it again), whose open resumes its rebuild")));
    }

    @Override
    public void settingsChanged(boolean paused, long throttle) {
        synchronized (pool) {
            PoolConfig.JobRecord r = pool.jobRecords.get(jobId);
            if (r == null || pool.isClosed()) {
                return;
            }
            pool.jobRecords.put(jobId, new PoolConfig.JobRecord(r.id(), r.kind(), r.volume(), r.drive(),
                    r.checkpoint(), throttle, paused));
            try {
                pool.persist();
            } catch (IOException e) {
                pool.events.publish(Event.warning("ERROR", jobId, "could not save the job settings: " + e.getMessage()));
            }
        }
    }
}
