package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.pair.Pair;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * Deleting a volume: the rule (what keeps a volume from being deleted, as one sentence) and the
 * deletion itself.
 *
 * <p>Design. A volume is given up only when nothing else builds on it: no pair, no NBD client, no
 * staged journal, no snapshot (nor the save area), no service window, no job (rebuild, backup,
 * restore, ship). Then one atomic rewrite of pool.json is the decision: the volume's record goes
 * and its drives return to the bay in the same write (ONLINE members as SPARE, failed or missing
 * ones FAILED, to be replaced), so a power cut leaves either the whole volume or none of it, and no
 * drive assigned to a volume that does not exist. Only after that write are the volume's files in
 * {@code meta/} removed; a crash before leaves files of no volume, which a volume created later
 * under the same name clears before it uses them. The drives' images keep their old bytes until a
 * new volume takes them (which starts from blank images).
 */
final class VolumeRemoval {

    private VolumeRemoval() {
    }

    /** Why volume {@code name} cannot be deleted now (one sentence), or null when it can. */
    static String whyNot(Pool pool, String name) {
        RaidVolume v = pool.volumes.get(name);
        if (v == null) {
            return "no volume named '" + name + "' in this pool";
        }
        for (Pair p : pool.pairList()) {
            if (p.std() == v || p.bcv() == v) {
                return VolumeRules.inPair(name, p.std() == v, p.name());
            }
        }
        List<String> clients = pool.clientsOf(name);
        if (!clients.isEmpty()) {
            return "volume " + name + " is served over NBD to " + String.join(", ", clients)
                    + "; disconnect the " + (clients.size() == 1 ? "client" : "clients") + " or stop serving first";
        }
        if (pool.journalRecords.containsKey(name)) {
            return VolumeRules.keepsJournal(name);
        }
        if (name.equals(pool.snapshotCatalog.saveAreaVolume)) {
            return VolumeRules.isSaveArea(name);
        }
        int snaps = pool.snapshotCatalog.of(name).size();
        if (snaps > 0) {
            return VolumeRules.hasSnapshots(name, snaps);
        }
        if (pool.serviceRecords.containsKey(name)) {
            PoolConfig.ServiceRecord s = pool.serviceRecords.get(name);
            return VolumeRules.inServiceWindow(s.drive(), name);
        }
        if (pool.restoreRecords.containsKey(name) || pool.restores.containsKey(name)) {
            return VolumeRules.restoring(name, "from a backup");
        }
        if (pool.snapshotCatalog.restoreRecords.containsKey(name) || pool.snapshotCatalog.restores.containsKey(name)) {
            return VolumeRules.restoring(name, "to a snapshot");
        }
        for (PoolConfig.JobRecord r : Pool.copy(pool.jobRecords)) {
            if (name.equals(r.volume())) {
                return "a " + r.kind() + " of " + (r.drive() == null ? "" : "drive " + r.drive() + " of ") + "volume "
                        + name + " is under way; wait for it or cancel it first";
            }
        }
        for (Job j : pool.activeJobs()) {
            if (j.target().equals(name) || j.target().endsWith(" of " + name)) {
                return VolumeRules.jobWorksOn(j.id(), j.kind(), name);
            }
        }
        return null;
    }

    /** Deletes volume {@code name} (see the class note); refused with {@link #whyNot}'s sentence. */
    static void delete(Pool pool, String name) throws IOException, PoolException {
        pool.refuseIfClosed();
        synchronized (pool) {
            String why = whyNot(pool, name);
            if (why != null) {
                throw new PoolException(why);
            }
            RaidVolume v = pool.volumes.get(name);
            PoolConfig.VolumeRecord record = pool.volumeRecords.get(name);
            PoolConfig.BackupRecord backup = pool.backupRecords.get(name);
            PoolConfig.LostRecord lost = pool.lostRecords.get(name);
            List<Drive> drives = new ArrayList<>();
            List<DriveState> before = new ArrayList<>();
            for (Member m : v.members()) {
                Drive d = pool.drives.get(m.drive());
                drives.add(d);
                before.add(d.state);
            }
            List<String> freed = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            pool.volumes.remove(name); // (not in pool.json: its map's monitor is not taken under the record lock)
            try {
                removeOnRecord(pool, name, v, record, backup, lost, drives, before, freed, failed);
            } catch (IOException | RuntimeException e) {
                pool.volumes.put(name, v); // not recorded: the volume is as it was
                throw e;
            }
            pool.forgetDevice(name);
            // hosts' requests in flight finish first (the gate), then the files close: the bytes belong to nothing now
            v.exclusive(v::closeQuietly);
            org.splitpoint.engine.bitmap.ChangeTracker cbt = pool.changeTrackers.remove(name);
            pool.changeMapsLost.remove(name); // (its record went above: no problem of a volume that is gone)
            if (cbt != null) {
                cbt.close();
            }
            pool.snapshotCatalog.origins.remove(name);
            removeMetaFiles(pool, name);
            pool.volumeProblems().forget(name); // a new volume of that name starts without the old one's problems
            pool.events.publish(Event.warning("VOLUME_STATE", name, "volume " + name + " deleted (" + record.layout().word()
                    + ", " + Sizes.format(record.size()) + "); " + (freed.isEmpty() ? "" : "drives " + String.join(", ", freed)
                    + " are SPARE") + (failed.isEmpty() ? "" : (freed.isEmpty() ? "" : "; ") + "drives "
                    + String.join(", ", failed) + " stay FAILED, to be replaced")));
        }
    }

    /**
     * The decision: volume {@code name}'s record (and its backup's and lost tracks') goes and its
     * drives return to the bay, in one atomic write; taken back when it cannot be written. All under
     * the record lock, so no other thread's write of pool.json puts half of it on disk: a volume
     * gone with drives still saying they are in it, which the next open refused (Pool.recordLock).
     */
    private static void removeOnRecord(Pool pool, String name, RaidVolume v, PoolConfig.VolumeRecord record,
                                       PoolConfig.BackupRecord backup, PoolConfig.LostRecord lost, List<Drive> drives,
                                       List<DriveState> before, List<String> freed, List<String> failed) throws IOException {
        synchronized (pool.recordLock()) {
            pool.volumeRecords.remove(name);
            pool.backupRecords.remove(name);
            pool.lostRecords.remove(name);
            for (Drive d : drives) {
                boolean healthy = d.state() == DriveState.ONLINE;
                d.state = healthy ? DriveState.SPARE : DriveState.FAILED;
                d.volume = null;
                d.member = null;
                if (healthy) {
                    d.stale = false;
                    d.problem = null;
                    freed.add(d.name);
                } else {
                    failed.add(d.name);
                }
            }
            try {
                pool.persist(); // the decision: the volume and its drive assignments go in one atomic write
            } catch (IOException | RuntimeException e) {
                pool.volumeRecords.put(name, record);
                if (backup != null) {
                    pool.backupRecords.put(name, backup);
                }
                if (lost != null) {
                    pool.lostRecords.put(name, lost);
                }
                for (int i = 0; i < drives.size(); i++) {
                    Drive d = drives.get(i);
                    d.state = before.get(i);
                    d.volume = name;
                    d.member = v.members().get(i);
                }
                throw e;
            }
        }
    }

    /** Removes what {@code meta/} held for volume {@code name} (also files a crash left of an earlier one). */
    static void removeMetaFiles(Pool pool, String name) throws IOException {
        for (Path p : List.of(pool.paths.writeIntent(name), pool.paths.journal(name), pool.paths.changeMap(name),
                pool.paths.changeMapTaken(name), pool.paths.restoreMap(name), pool.paths.delta(name),
                pool.paths.deltaLog(name), pool.paths.snapshotRestoreMap(name))) {
            pool.storage.delete(p);
        }
        pool.storage.syncDirectory(pool.paths.meta());
    }
}
