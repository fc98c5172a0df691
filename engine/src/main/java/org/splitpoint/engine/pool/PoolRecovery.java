package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.splitpoint.engine.bitmap.DurableBitmap;
import org.splitpoint.engine.bitmap.WriteIntent;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * What opening a pool does after reading pool.json: check every drive image (a missing one is
 * MISSING, a wrong-sized one FAILED and left untouched), assemble the volumes, recover from an
 * unclean shutdown (replay stripe journals, resync write-intent dirty tracks), resume rebuilds.
 */
final class PoolRecovery {

    private PoolRecovery() {
    }

    static void openDrivesAndVolumes(Pool pool) throws IOException, PoolException {
        Map<String, StorageFile> files = new LinkedHashMap<>();
        for (Drive d : pool.drives.values()) {
            Path image = pool.paths.image(d.name);
            if (!Files.exists(image)) {
                d.problem = "the image of drive " + d.name + " (" + image + ") is missing";
                d.state = DriveState.MISSING;
                continue;
            }
            long actual = Files.size(image);
            if (actual != d.size) {
                d.problem = "the image of drive " + d.name + " is " + actual + " bytes, expected " + d.size
                        + "; the drive is treated as FAILED and the image left as it is";
                d.state = DriveState.FAILED;
                continue;
            }
            files.put(d.name, pool.storage.open(image));
        }
        for (PoolConfig.VolumeRecord r : pool.volumeRecords.values()) {
            pool.volumes.put(r.name(), openVolume(pool, r, files));
        }
        for (Drive d : pool.drives.values()) {
            if (d.problem != null) {
                pool.openNotes.add(d.problem);
                pool.events.publishTransient(Event.warning("DRIVE_STATE", d.name, d.problem));
            }
        }
        // spare drives keep no open file
        for (Map.Entry<String, StorageFile> e : files.entrySet()) {
            if (pool.drives.get(e.getKey()).volume == null) {
                e.getValue().close();
            }
        }
    }

    private static RaidVolume openVolume(Pool pool, PoolConfig.VolumeRecord r, Map<String, StorageFile> files)
            throws IOException, PoolException {
        Member[] members = new Member[r.drives().size()];
        for (int i = 0; i < members.length; i++) {
            Drive d = pool.drives.get(r.drives().get(i));
            DriveState s = d.state;
            long rebuilt = 0;
            if (s == DriveState.REBUILDING) {
                PoolConfig.JobRecord j = pool.rebuildJobOf(d.name);
                rebuilt = j == null ? 0 : j.checkpoint() * (long) pool.trackSize;
            }
            members[i] = new Member(i, d.name, files.get(d.name), s);
            members[i].setState(members[i].state(), rebuilt);
            d.member = members[i];
        }
        WriteIntent wi = new WriteIntent(DurableBitmap.openOrCreate(pool.storage, pool.paths.writeIntent(r.name()),
                rowTracks(pool, r, members.length)));
        StorageFile journal = null;
        if (r.layout() != Layout.RAID1) {
            Path jp = pool.paths.journal(r.name());
            journal = Files.exists(jp) ? pool.storage.open(jp) : pool.storage.create(jp);
        }
        RaidVolume v = RaidVolume.assemble(r.name(), r.layout(), members, r.size(), pool.trackSize, r.stripUnit(), wi, journal);
        v.setFailureListener((m, why) -> pool.memberFailed(v, m, why));
        int replayed = v.replayJournal();
        long dirty = v.dirtyTracks().cardinality();
        if (replayed > 0 || dirty > 0) {
            long resynced = v.resyncDirtyTracks();
            String msg = "volume " + r.name() + " was not shut down cleanly: replayed " + replayed
                    + " journaled stripe updates and resynced " + resynced + " dirty tracks";
            pool.openNotes.add(msg);
            pool.events.publish(Event.warning("VOLUME_STATE", r.name(), msg));
        }
        return v;
    }

    /** Bits of a volume's write-intent map: one per track of member rows. */
    static long rowTracks(Pool pool, PoolConfig.VolumeRecord r, int n) {
        long rows = r.layout() == Layout.RAID1 ? r.size()
                : ((r.size() + (long) r.stripUnit() * (n - 1) - 1) / ((long) r.stripUnit() * (n - 1))) * r.stripUnit();
        return Math.max(1, (rows + pool.trackSize - 1) / pool.trackSize);
    }

    static void resumeJobs(Pool pool) {
        for (PoolConfig.JobRecord j : new ArrayList<>(pool.jobRecords.values())) {
            if ("rebuild".equals(j.kind())) {
                Drive d = pool.drives.get(j.drive());
                RaidVolume v = pool.volumes.get(j.volume());
                if (d != null && v != null && d.state() == DriveState.REBUILDING) {
                    pool.startJob(RebuildWork.job(pool, v, d.member, j));
                    pool.events.publish(Event.info("JOB_STATE", j.id(), "rebuild of " + d.name + " resumed at track "
                            + j.checkpoint() + (pool.options.runJobs() ? "" : " (waiting for a process to run it)")));
                } else {
                    pool.jobRecords.remove(j.id());
                }
            }
        }
    }
}
