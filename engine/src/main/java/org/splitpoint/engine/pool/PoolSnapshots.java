package org.splitpoint.engine.pool;

import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.raid.RaidVolume;

/** Builds a {@link PoolSnapshot} without the pool's monitor (which persist() holds across fsyncs). */
final class PoolSnapshots {

    private PoolSnapshots() {
    }

    static PoolSnapshot of(Pool pool) {
        List<Drive> driveList;
        synchronized (pool.drives) {
            driveList = new ArrayList<>(pool.drives.values());
        }
        List<RaidVolume> volumeList;
        synchronized (pool.volumes) {
            volumeList = new ArrayList<>(pool.volumes.values());
        }
        List<PoolSnapshot.DriveView> dv = new ArrayList<>();
        for (Drive d : driveList) {
            double pct = -1;
            DriveState s = d.state();
            if (s == DriveState.REBUILDING && d.member != null) {
                RaidVolume v = pool.volumes.get(d.volume);
                pct = v == null ? 0 : Math.min(100.0, 100.0 * d.member.rebuiltUpTo() / Math.max(1, v.memberRows()));
            }
            PoolSnapshot.ServiceView sv = ServiceAdmin.view(pool, d);
            dv.add(new PoolSnapshot.DriveView(d.name, s, s == DriveState.OFFLINE || sv != null ? d.reason : null, d.size,
                    d.volume, pct, d.journal, sv, d.repository));
        }
        List<PoolSnapshot.VolumeView> vv = new ArrayList<>();
        for (RaidVolume v : volumeList) {
            PoolConfig.VolumeRecord r = pool.volumeRecords.get(v.name());
            PoolConfig.BackupRecord b = pool.backupRecords.get(v.name());
            org.splitpoint.engine.restore.InstantRestore ir = pool.restores.get(v.name());
            PoolSnapshot.RestoreView rv = null;
            if (ir != null) {
                PoolConfig.RestoreRecord rec = pool.restoreRecords.get(v.name());
                rv = new PoolSnapshot.RestoreView(rec == null ? "?" : rec.image(), ir.currentTracks(), ir.totalTracks(),
                        ir.onDemandFetches(), ir.unavailable(), rec != null && rec.withJournal(),
                        rec != null && rec.withJournal() ? rec.journalTo() - rec.journalFrom() : 0, ir.copyStopped());
            }
            vv.add(new PoolSnapshot.VolumeView(v.name(), v.layout(), v.state(), v.stateReason(), v.size(), r.drives(),
                    r.stripUnit(), v.bytesRead(), v.bytesWritten(), v.dirtyTracks().cardinality(),
                    b == null ? null : b.image(), rv, LostTracks.of(pool, v.name()), stripeJournal(v),
                    pool.volumeProblems().of(v.name())));
        }
        List<JobProgress> jp = pool.jobs.stream().map(Job::progress).toList();
        SnapshotAdmin snaps = pool.snapshots();
        List<PoolSnapshot.SnapshotRestoreView> srv = new ArrayList<>();
        for (PoolConfig.SnapshotRestoreRecord rec : Pool.copy(pool.snapshotCatalog.restoreRecords)) {
            org.splitpoint.engine.restore.InstantRestore ir = pool.snapshotCatalog.restores.get(rec.volume());
            if (ir != null) {
                long owed = ir.totalTracks() - ir.currentTracks();
                srv.add(new PoolSnapshot.SnapshotRestoreView(rec.volume(), rec.source(), rec.snapshot(), rec.safety(), owed,
                        Math.max(rec.total(), owed), ir.onDemandFetches()));
            }
        }
        List<SnapshotAdmin.Info> si;
        try {
            si = snaps.list(null);
        } catch (PoolException e) {
            si = List.of();
        }
        return new PoolSnapshot(pool.paths.dir().toString(), pool.trackSize, dv, vv, jp, pool.problems(), si,
                snaps.saveArea(), srv, JournalStoreCheck.standing(pool));
    }

    /** A parity volume's stripe journal as shown; null for a mirror (it has none). */
    private static PoolSnapshot.StripeJournalView stripeJournal(org.splitpoint.engine.raid.RaidVolume v) {
        if (!(v instanceof org.splitpoint.engine.raid.ParityVolume pv)) {
            return null;
        }
        try {
            long[] use = pv.journalUse();
            return new PoolSnapshot.StripeJournalView(use[0], use[1], use[2]);
        } catch (java.io.IOException e) {
            return null; // a status must not fail on a file it cannot stat; the volume's state says what is wrong
        }
    }
}
