package org.splitpoint.engine.pool;

import java.util.List;
import org.splitpoint.engine.job.JobProgress;

/** An immutable picture of a pool at one instant, for the CLI, the app and tests. */
public record PoolSnapshot(String path, int trackSize, List<DriveView> drives, List<VolumeView> volumes,
                           List<JobProgress> jobs, List<String> problems, List<SnapshotAdmin.Info> snapshots,
                           SnapshotAdmin.SaveAreaInfo saveArea, List<SnapshotRestoreView> snapshotRestores,
                           List<String> warnings) {

    /**
     * {@code warnings}: what the pool serves through but will fail at later, said at open and standing
     * (a journal's damaged backup store): the health is WARNING, and unlike {@code problems} a command
     * does not fail for them.
     */
    public PoolSnapshot(String path, int trackSize, List<DriveView> drives, List<VolumeView> volumes,
                        List<JobProgress> jobs, List<String> problems, List<SnapshotAdmin.Info> snapshots,
                        SnapshotAdmin.SaveAreaInfo saveArea, List<SnapshotRestoreView> snapshotRestores) {
        this(path, trackSize, drives, volumes, jobs, problems, snapshots, saveArea, snapshotRestores, List.of());
    }

    /**
     * A restore of {@code volume} to snapshot {@code source}@{@code snapshot} under way: tracks
     * current of the tracks it copies back, reads answered from the snapshot on demand.
     */
    public record SnapshotRestoreView(String volume, String source, String snapshot, String safety, long owedTracks,
                                      long totalTracks, long onDemandFetches) {
        public double fraction() {
            return totalTracks == 0 ? 1.0 : 1.0 - (double) owedTracks / totalTracks;
        }
    }

    /** The snapshots of {@code volume}, oldest first. */
    public List<SnapshotAdmin.Info> snapshotsOf(String volume) {
        return snapshots.stream().filter(s -> s.volume().equals(volume)).toList();
    }

    /** The restore of {@code volume} to a snapshot under way, or null. */
    public SnapshotRestoreView snapshotRestore(String volume) {
        return snapshotRestores.stream().filter(r -> r.volume().equals(volume)).findFirst().orElse(null);
    }

    /**
     * A drive as shown: {@code rebuildPercent} is set (0..100) while REBUILDING, else -1;
     * {@code journal} names the volume whose staged backup journal it holds a leg of.
     */
    public record DriveView(String name, DriveState state, OfflineReason reason, long size, String volume,
                            double rebuildPercent, String journal, ServiceView service, String repository) {
        public DriveView(String name, DriveState state, OfflineReason reason, long size, String volume,
                         double rebuildPercent, String journal) {
            this(name, state, reason, size, volume, rebuildPercent, journal, null, null);
        }
    }

    /**
     * A drive's service window: since when ({@code since}, ISO time), how it logs ({@code logMode}),
     * what its delta holds, and its {@code phase}: {@code window} while it is OFFLINE, {@code resync}
     * while it comes back. {@code repository} is the SPARE holding a repository (null: meta/).
     */
    public record ServiceView(String volume, OfflineReason reason, LogMode logMode, String since, String phase,
                              long deltaTracks, long deltaBytes, String repository) { }

    /**
     * A volume as shown: {@code stateReason} is e.g. "d3 FAILED", empty when OPTIMAL;
     * {@code lastBackup} the image of its last completed backup (or null); {@code restore} the
     * instant restore under way (or null).
     */
    public record VolumeView(String name, Layout layout, VolumeState state, String stateReason, long size,
                             List<String> drives, int stripUnit, long bytesRead, long bytesWritten,
                             long dirtyTracks, String lastBackup, RestoreView restore, List<Long> lostTracks,
                             StripeJournalView stripeJournal, List<VolumeProblem> problems) {
        public VolumeView(String name, Layout layout, VolumeState state, String stateReason, long size,
                          List<String> drives, int stripUnit, long bytesRead, long bytesWritten,
                          long dirtyTracks, String lastBackup, RestoreView restore, List<Long> lostTracks,
                          StripeJournalView stripeJournal) {
            this(name, layout, state, stateReason, size, drives, stripUnit, bytesRead, bytesWritten, dirtyTracks,
                    lastBackup, restore, lostTracks, stripeJournal, List.of());
        }

        /** The drive that holds every stripe's parity (RAID 3's), or null where parity rotates or there is none. */
        public String parityDrive() {
            int m = layout.parityMemberOfAll(drives.size());
            return m < 0 ? null : drives.get(m);
        }

        /** The worst of its problems in one sentence, or null when it has none. */
        public String problemLine() {
            return problems.stream().filter(VolumeProblem::critical).findFirst()
                    .or(() -> problems.stream().findFirst()).map(VolumeProblem::sentence).orElse(null);
        }

        public VolumeView(String name, Layout layout, VolumeState state, String stateReason, long size,
                          List<String> drives, int stripUnit, long bytesRead, long bytesWritten,
                          long dirtyTracks, String lastBackup, RestoreView restore) {
            this(name, layout, state, stateReason, size, drives, stripUnit, bytesRead, bytesWritten, dirtyTracks,
                    lastBackup, restore, List.of(), null, List.of());
        }
    }

    /**
     * A parity volume's stripe journal (the redo log of degraded writes): {@code liveBytes} its
     * entries not yet retired hold, within a ring of {@code capacity} bytes; {@code fileBytes} the
     * size of its file, which never grows past the ring (its header included).
     */
    public record StripeJournalView(long liveBytes, long capacity, long fileBytes) { }

    /**
     * An instant restore as shown: from which image, how many tracks are current, how many reads
     * were fetched on demand; {@code waiting} says why it cannot go on (its store cannot be read), else null;
     * {@code rebuild}: a rebuild from backup + journal (the image with {@code journalEntries} of the
     * journal's entries on top); {@code copyStopped} why its bulk copy does not run though the store
     * reads (tracks damaged in the backup, a failure, a thread that could not start), else null.
     */
    public record RestoreView(String image, long currentTracks, long totalTracks, long onDemandFetches, String waiting,
                              boolean rebuild, long journalEntries, String copyStopped) {
        public double fraction() {
            return totalTracks == 0 ? 1.0 : (double) currentTracks / totalTracks;
        }
    }

    /** Health in three levels for the status bar. */
    public Health health() {
        Health h = Health.HEALTHY;
        for (VolumeView v : volumes) {
            if (v.state() == VolumeState.FAILED) {
                return Health.CRITICAL;
            }
            if (v.problems().stream().anyMatch(VolumeProblem::critical)) {
                return Health.CRITICAL; // a lost write
            }
            if (!v.lostTracks().isEmpty()) {
                return Health.CRITICAL; // a second failure lost tracks: reads of them fail until rewritten or restored
            }
            if (v.state() != VolumeState.OPTIMAL || !v.problems().isEmpty() || restoreStopped(v)) {
                h = Health.WARNING;
            }
        }
        for (DriveView d : drives) {
            if (d.state() == DriveState.FAILED || d.state() == DriveState.MISSING) {
                h = Health.WARNING;
            }
        }
        if (!problems.isEmpty() || !warnings.isEmpty()) {
            h = Health.WARNING; // a standing problem (a drive image that lost writes at a flush, say) is not healthy
        }
        return h;
    }

    public enum Health { HEALTHY, WARNING, CRITICAL }

    /**
     * True when {@code v} is being restored but its copy does not run: it waits for a store that
     * cannot be read, or stopped (tracks damaged in the backup, another failure, a thread that could
     * not start); its owed tracks cannot be read.
     */
    public boolean restoreStopped(VolumeView v) {
        if (v.restore() == null) {
            return false;
        }
        if (v.restore().waiting() != null) {
            return true;
        }
        // no copy under way: its job FAILED, or is gone from the list (only the last few finished are kept)
        return jobs.stream().noneMatch(j -> j.id().equals(RestoreAdmin.restoreJobId(v.name())) && !j.state().isFinished());
    }

    /** Why {@link #restoreStopped} for {@code v}, for the CLI's status and the app's problems line (each adds what ends it). */
    public String restoreStoppedLine(VolumeView v) {
        long owed = v.restore().totalTracks() - v.restore().currentTracks();
        RestoreView r = v.restore();
        // the reason the copy gave: before, every stop that was no unreadable store was said to be damaged tracks
        String why = r.waiting() != null ? "its backup store cannot be read"
                : r.copyStopped() != null ? r.copyStopped() : "its copy does not run";
        return "the restore of " + v.name() + " is stopped (" + why + "): " + Sizes.count(owed, "track") + " cannot be read";
    }

    public VolumeView volume(String name) {
        return volumes.stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
    }

    /**
     * Why overwriting all of {@code volume} (an instant restore from a backup) may cost its
     * snapshots, one sentence, or null: each track written over keeps its old bytes in the save area
     * for the volume's snapshots, and once the area is full the snapshots that need a track saved
     * become invalid. Said when the area has room for fewer tracks than the volume has; not of a
     * FAILED volume, whose data is lost already.
     */
    public String overwriteRisksSnapshots(String volume) {
        VolumeView v = volume(volume);
        long kept = snapshotsOf(volume).stream().filter(i -> !SnapshotAdmin.INVALID.equals(i.state())).count();
        if (v == null || v.state() == VolumeState.FAILED || kept == 0 || saveArea == null || saveArea.slots() == 0) {
            return null;
        }
        long tracks = (v.size() + trackSize - 1) / trackSize;
        long free = Math.max(0, saveArea.slots() - saveArea.usedSlots());
        if (free >= tracks) {
            return null;
        }
        return "volume " + volume + " has " + Sizes.count(kept, "snapshot") + ": the restore writes up to "
                + Sizes.count(tracks, "track") + " over it, whose old bytes they keep in the save area " + saveArea.volume()
                + ", which has room for only " + Sizes.count(free, "track") + " more; once it is full, the snapshots that"
                + " need a track saved become invalid (delete snapshots first to be sure)";
    }

    /**
     * Why snapshot {@code snapshot} of {@code volumes}, just taken, is invalid at the first write
     * to one of them, one sentence, or null: the save area has no room left for the track that
     * write must save.
     */
    public String newSnapshotAtRisk(java.util.List<String> volumes, String snapshot) {
        if (saveArea == null || saveArea.slots() == 0 || saveArea.usedSlots() < saveArea.slots()) {
            return null;
        }
        return "the save area " + saveArea.volume() + " is full (" + saveArea.usedSlots() + " of " + Sizes.count(saveArea.slots(), "track")
                + "): the first write to " + String.join(" or ", volumes) + " makes snapshot " + snapshot
                + " invalid; delete snapshots to make room";
    }

    public DriveView drive(String name) {
        return drives.stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
    }
}
