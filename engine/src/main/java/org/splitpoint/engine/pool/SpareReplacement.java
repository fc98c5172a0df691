package org.splitpoint.engine.pool;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A SPARE drive takes a FAILED (or MISSING) member's place in its volume and is rebuilt from the
 * other members, as a hot spare does; the failed drive leaves the volume and stays FAILED in the
 * bay (to be replaced or pulled).
 *
 * <p>Design. One atomic rewrite of pool.json is the decision: the volume's record names the spare
 * in the failed drive's place, the spare is recorded REBUILDING in the volume, the failed drive in
 * no volume, and the rebuild's job record (checkpoint 0) is there too — all in the same write. A
 * power cut before it leaves the volume degraded over the failed drive and the spare SPARE; after
 * it, the open resumes the rebuild onto the spare. The live member is switched to the spare's image
 * only once that write succeeded (a refused or failed write changes nothing), under the volume's
 * gate, so a host write goes wholly to the old (absent) member or to the new one below the
 * rebuild's mark. The spare's old bytes need no blanking: the rebuild writes every row of it.
 */
final class SpareReplacement {

    private SpareReplacement() {
    }

    /** Why {@code spare} cannot take {@code failed}'s place now (one sentence), or null when it can. */
    static String whyNot(Pool pool, String failed, String spare) {
        Drive d = pool.drives.get(failed);
        if (d == null) {
            return "no drive named '" + failed + "' in this pool";
        }
        DriveState s = d.state();
        if (s != DriveState.FAILED && s != DriveState.MISSING) {
            return "drive " + failed + " is " + s + "; only a FAILED or MISSING drive is replaced by a spare";
        }
        if (d.journal != null) {
            return "drive " + failed + " holds the journal of volume " + d.journal + "; replace it in place ('drive replace')";
        }
        if (d.volume == null) {
            return "drive " + failed + " is in no volume; there is nothing for a spare to take over";
        }
        RaidVolume v = pool.volumes.get(d.volume);
        if (v == null) {
            return "drive " + failed + " names volume " + d.volume + ", which is not open";
        }
        ServiceWindow w = pool.windows.get(v.name());
        if (w != null && w.drive == d) {
            return "drive " + failed + " FAILED in its service window; 'drive online' rebuilds it whole, or 'drive replace'"
                    + " puts a blank in its place";
        }
        if (w != null) {
            return "volume " + v.name() + " has drive " + w.drive.name + " OFFLINE in a service window; bring it online first";
        }
        int others = 0;
        for (Member m : v.members()) {
            if (m != d.member && m.state() != DriveState.ONLINE) {
                others++;
            }
        }
        if (others + 1 > v.layout().redundancy(v.members().size())) {
            return "volume " + v.name() + " is FAILED (" + v.stateReason() + "): there is no redundancy left to rebuild "
                    + failed + "'s place from";
        }
        if (spare == null || spare.isEmpty()) {
            return "choose a SPARE drive to take " + failed + "'s place";
        }
        Drive sp = pool.drives.get(spare);
        if (sp == null) {
            return "no drive named '" + spare + "' in this pool";
        }
        if (sp.state() != DriveState.SPARE || sp.volume != null) {
            return "drive " + spare + " is " + sp.state() + (sp.volume != null ? " in volume " + sp.volume : "")
                    + "; only a SPARE drive can take " + failed + "'s place";
        }
        if (sp.journal != null) {
            return "drive " + spare + " holds the journal of volume " + sp.journal + "; choose a free SPARE";
        }
        if (sp.repository != null) {
            return "drive " + spare + " holds the repository of volume " + sp.repository + "'s service window; choose a free SPARE";
        }
        if (sp.size < d.size) {
            return "drive " + spare + " (" + Sizes.format(sp.size) + ") is smaller than " + failed + " ("
                    + Sizes.format(d.size) + ") whose place it would take";
        }
        return null;
    }

    /** Puts {@code spare} in {@code failed}'s place and starts its rebuild, limited to {@code throttle} bytes/s (0: none). */
    static Job replace(Pool pool, String failed, String spare, long throttle) throws IOException, PoolException {
        pool.refuseIfClosed();
        synchronized (pool) {
            String why = whyNot(pool, failed, spare);
            if (why != null) {
                throw new PoolException(why);
            }
            Drive d = pool.drives.get(failed);
            Drive sp = pool.drives.get(spare);
            RaidVolume v = pool.volumes.get(d.volume);
            Member m = d.member;
            PoolConfig.VolumeRecord before = pool.volumeRecords.get(v.name());
            List<String> drives = new ArrayList<>(before.drives());
            drives.set(drives.indexOf(failed), spare);
            PoolConfig.JobRecord job = new PoolConfig.JobRecord(RebuildWork.newRecord(v, m, throttle).id(), "rebuild",
                    v.name(), spare, 0, throttle, false);
            StorageFile f = pool.storage.open(pool.paths.image(spare));
            DriveState failedBefore = d.state;
            try {
                synchronized (pool.recordLock()) { // no other thread's write of pool.json sees half of it (Pool.recordLock)
                    try {
                        d.member = null;
                        d.volume = null;
                        d.state = DriveState.FAILED;
                        sp.volume = v.name();
                        sp.state = DriveState.REBUILDING;
                        pool.volumeRecords.put(v.name(), new PoolConfig.VolumeRecord(before.name(), before.layout(), drives,
                                before.size(), before.stripUnit()));
                        pool.jobRecords.put(job.id(), job);
                        pool.persist(); // the decision, in one atomic write
                    } catch (IOException | RuntimeException e) {
                        d.member = m;
                        d.volume = v.name();
                        d.state = failedBefore;
                        sp.volume = null;
                        sp.state = DriveState.SPARE;
                        pool.volumeRecords.put(v.name(), before);
                        pool.jobRecords.remove(job.id());
                        throw e;
                    }
                }
            } catch (IOException | RuntimeException e) {
                f.close();
                throw e;
            }
            v.exclusive(() -> {
                m.moveTo(spare, f); // closes the failed drive's image
                m.setState(DriveState.REBUILDING, 0);
            });
            sp.member = m;
            d.stale = false;
            pool.events.publish(Event.info("DRIVE_STATE", spare, "spare drive " + spare + " takes the place of " + failed
                    + " in volume " + v.name() + "; rebuilding"));
            pool.events.publish(Event.warning("DRIVE_STATE", failed, "drive " + failed + " left volume " + v.name()
                    + " (replaced by " + spare + "); it stays FAILED"));
            pool.events.publish(LostTracks.stateEvent(pool, v));
            Job j = RebuildWork.job(pool, v, m, job);
            pool.startJob(j);
            return j;
        }
    }
}
