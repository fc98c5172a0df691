package org.splitpoint.engine.pool;

import java.util.List;

/**
 * The durable state of a pool, as stored in {@code pool.json} (inside a {@code CheckedJson}
 * envelope). Immutable; the pool writes a new one atomically on every change.
 */
public record PoolConfig(String uuid, int trackSize, long driveSize, int nextDrive,
                         List<DriveRecord> drives, List<VolumeRecord> volumes, List<JobRecord> jobs,
                         List<PairRecord> pairs, List<BackupRecord> backups, List<RestoreRecord> restores,
                         List<JournalRecord> journals, List<ServiceRecord> services, List<LostRecord> lost,
                         SnapshotConfig snapshots) {

    public static final String MAGIC = "splitpoint-pool";
    public static final int VERSION = 1;

    public PoolConfig {
        drives = List.copyOf(drives);
        volumes = List.copyOf(volumes);
        jobs = jobs == null ? List.of() : List.copyOf(jobs);
        pairs = pairs == null ? List.of() : List.copyOf(pairs);
        backups = backups == null ? List.of() : List.copyOf(backups);
        restores = restores == null ? List.of() : List.copyOf(restores);
        journals = journals == null ? List.of() : List.copyOf(journals);
        services = services == null ? List.of() : List.copyOf(services);
        lost = lost == null ? List.of() : List.copyOf(lost);
        snapshots = snapshots == null ? SnapshotConfig.NONE : snapshots;
    }

    /** A pool without snapshots. */
    public PoolConfig(String uuid, int trackSize, long driveSize, int nextDrive, List<DriveRecord> drives,
                      List<VolumeRecord> volumes, List<JobRecord> jobs, List<PairRecord> pairs,
                      List<BackupRecord> backups, List<RestoreRecord> restores, List<JournalRecord> journals,
                      List<ServiceRecord> services, List<LostRecord> lost) {
        this(uuid, trackSize, driveSize, nextDrive, drives, volumes, jobs, pairs, backups, restores, journals,
                services, lost, SnapshotConfig.NONE);
    }

    /**
     * Snapshots: the volume designated as the save area (null: none), the next generation to give,
     * the snapshots, and the restores to a snapshot under way. The saved tracks are listed in
     * {@code meta/snapshots.log}.
     */
    public record SnapshotConfig(String saveArea, long nextGen, List<SnapshotRecord> snapshots,
                                 List<SnapshotRestoreRecord> restores) {
        public static final SnapshotConfig NONE = new SnapshotConfig(null, 1, List.of(), List.of());

        public SnapshotConfig {
            nextGen = Math.max(1, nextGen);
            snapshots = snapshots == null ? List.of() : List.copyOf(snapshots);
            restores = restores == null ? List.of() : List.copyOf(restores);
        }
    }

    /**
     * Snapshot {@code name} of {@code volume}, taken at {@code createdAt} (ISO time), generation
     * {@code gen} (unique in the pool, increasing). {@code why} says why it is invalid (it can no
     * longer show its image), or is null while it is valid. {@code afterBackup} names the volume's
     * last completed backup when the snapshot was taken ("storeUuid/image"), or is null: an
     * incremental backup from the snapshot may build on that image only (its instant came before).
     */
    public record SnapshotRecord(String volume, String name, long gen, String createdAt, String why, String afterBackup) {
        public boolean valid() {
            return why == null;
        }

        public SnapshotRecord invalid(String reason) {
            return new SnapshotRecord(volume, name, gen, createdAt, reason, afterBackup);
        }
    }

    /**
     * A restore of {@code volume} to snapshot {@code snapshot} of {@code source} (generation
     * {@code gen}; the source is the volume itself unless restored from another volume's
     * snapshot); its tracks still owed are in {@code meta/<volume>.snaprestore.inv}. {@code safety}
     * names the snapshot taken first, or null. The copy's settings and starting size for a resume.
     */
    public record SnapshotRestoreRecord(String volume, String source, String snapshot, long gen, String safety,
                                        long throttle, boolean paused, long total) {
        public SnapshotRestoreRecord with(long newThrottle, boolean newPaused) {
            return new SnapshotRestoreRecord(volume, source, snapshot, gen, safety, newThrottle, newPaused, total);
        }
    }

    /** A pool without service windows or lost tracks. */
    public PoolConfig(String uuid, int trackSize, long driveSize, int nextDrive, List<DriveRecord> drives,
                      List<VolumeRecord> volumes, List<JobRecord> jobs, List<PairRecord> pairs,
                      List<BackupRecord> backups, List<RestoreRecord> restores, List<JournalRecord> journals) {
        this(uuid, trackSize, driveSize, nextDrive, drives, volumes, jobs, pairs, backups, restores, journals,
                List.of(), List.of());
    }

    /**
     * A service window: {@code drive} of {@code volume} is OFFLINE on purpose since {@code since}
     * (ISO time). Its delta: the tracks written ({@code meta/<volume>.delta}, every mode), and in
     * {@code data} mode the bytes the drive missed ({@code meta/<volume>.delta.log}), in
     * {@code repository} mode every write ({@code repository}: a SPARE drive's image, or null for
     * {@code meta/<volume>.repo}). {@code phase} is {@code window} until {@code drive online},
     * then {@code resync} until the drive is current. {@code samples} are CRC32Cs of a few tracks of
     * the drive's image at offline time ("track:crc"), to see whether it was changed meanwhile.
     * {@code wholeRebuild}, once a {@code drive online} found the drive must be rebuilt whole (its
     * image was swapped or changed), says why, until the window ends: a return resumed after a crash,
     * or started again after a failed one, finds the samples no longer say it (the return wrote the
     * drive), and a repository window's return ends in that rebuild; null otherwise (and in a
     * pool.json of before).
     */
    public record ServiceRecord(String volume, String drive, OfflineReason reason, LogMode mode, String since,
                                String phase, String repository, List<String> samples, String wholeRebuild) {
        public ServiceRecord {
            samples = samples == null ? List.of() : List.copyOf(samples);
        }

        /** A window just opened: no whole rebuild decided. */
        public ServiceRecord(String volume, String drive, OfflineReason reason, LogMode mode, String since,
                             String phase, String repository, List<String> samples) {
            this(volume, drive, reason, mode, since, phase, repository, samples, null);
        }

        public ServiceRecord withSamples(List<String> s) {
            return new ServiceRecord(volume, drive, reason, mode, since, phase, repository, s, wholeRebuild);
        }

        public ServiceRecord withPhase(String p) {
            return new ServiceRecord(volume, drive, reason, mode, since, p, repository, samples, wholeRebuild);
        }

        public ServiceRecord withMode(LogMode m) {
            return new ServiceRecord(volume, drive, reason, m, since, phase, repository, samples, wholeRebuild);
        }

        /** The window's repository on SPARE drive {@code spare}, or in meta/ when null. */
        public ServiceRecord withRepository(String spare) {
            return new ServiceRecord(volume, drive, reason, mode, since, phase, spare, samples, wholeRebuild);
        }

        /** A whole rebuild on record from now ({@code why}), or the one already there. */
        public ServiceRecord withWholeRebuild(String why) {
            return new ServiceRecord(volume, drive, reason, mode, since, phase, repository, samples,
                    wholeRebuild != null ? wholeRebuild : why);
        }

        /** The drive's return begins ({@code resync}); {@code why} (or null) joins a whole rebuild already on record. */
        public ServiceRecord returning(String why) {
            return new ServiceRecord(volume, drive, reason, mode, since, "resync", repository, samples,
                    wholeRebuild != null ? wholeRebuild : why);
        }

        public boolean resyncing() {
            return "resync".equals(phase);
        }
    }

    /**
     * Member-row tracks of {@code volume} whose data a second failure in a service window lost on
     * {@code drives} (the offline drive and the one that failed): reads there fail until the track
     * is written whole.
     */
    public record LostRecord(String volume, List<String> drives, String why, List<Long> tracks) {
        public LostRecord {
            drives = List.copyOf(drives);
            tracks = List.copyOf(tracks);
        }
    }

    /** A pool as it was before backups existed (tests and tools that build configs by hand). */
    public PoolConfig(String uuid, int trackSize, long driveSize, int nextDrive, List<DriveRecord> drives,
                      List<VolumeRecord> volumes, List<JobRecord> jobs, List<PairRecord> pairs) {
        this(uuid, trackSize, driveSize, nextDrive, drives, volumes, jobs, pairs, List.of(), List.of(), List.of());
    }

    /**
     * A volume's last completed backup: the image an incremental backup builds on, in the store with
     * that uuid (at {@code store}, where it was last seen). The volume's changed-block map
     * ({@code meta/<volume>.cbt}) holds what changed since, unless {@code changeMapLost} says why
     * it could not mark a write: then every track counts as changed until a backup takes the map.
     */
    public record BackupRecord(String volume, String storeUuid, String store, String image, String changeMapLost) {
        /** A last backup whose changed-block map missed no write. */
        public BackupRecord(String volume, String storeUuid, String store, String image) {
            this(volume, storeUuid, store, image, null);
        }

        /** This record, saying the changed-block map missed writes since ({@code why}; null: it missed none). */
        public BackupRecord withChangeMapLost(String why) {
            return new BackupRecord(volume, storeUuid, store, image, why);
        }
    }

    /**
     * An instant restore under way: volume {@code volume} from image {@code image} of the store at
     * {@code store}; its overwrite map is {@code meta/<volume>.restore.inv}. {@code writeThrough}
     * names the image the writes made meanwhile go to, if asked. The bulk copy's settings and
     * starting size are kept for a resume.
     */
    public record RestoreRecord(String volume, String store, String image, String writeThrough, long throttle,
                                boolean paused, long total, long journalFrom, long journalTo) {
        public RestoreRecord with(long newThrottle, boolean newPaused) {
            return new RestoreRecord(volume, store, image, writeThrough, newThrottle, newPaused, total, journalFrom,
                    journalTo);
        }

        /** This restore without its write-through image (dropped). */
        public RestoreRecord withoutWriteThrough() {
            return new RestoreRecord(volume, store, image, null, throttle, paused, total, journalFrom, journalTo);
        }

        /** True for a rebuild from backup: the journal's entries [journalFrom, journalTo) go on top of the image. */
        public boolean withJournal() {
            return journalTo > journalFrom;
        }
    }

    /**
     * A volume's staged backup journal (seed 003): its two legs, the store it ships to, the limits
     * that ship it. {@code base} is the image the journal builds on (null until the volume's first
     * backup into the store after the journal began: until then it protects nothing); the entries
     * from {@code shippedThrough} on, applied to {@code base}'s chain in order, give the volume as of
     * its last acknowledged write.
     */
    public record JournalRecord(String volume, List<String> drives, String store, String storeUuid, long maxSize,
                                long maxAgeSeconds, String base, long shippedThrough, List<ShipRecord> ships) {
        /** The last ships kept (newest last). */
        public static final int SHIPS_KEPT = 8;

        public JournalRecord {
            drives = List.copyOf(drives);
            ships = ships == null ? List.of() : List.copyOf(ships);
        }

        public JournalRecord based(String image, long through) {
            return new JournalRecord(volume, drives, store, storeUuid, maxSize, maxAgeSeconds, image, through, ships);
        }

        public JournalRecord shipped(String at, String result) {
            List<ShipRecord> next = new java.util.ArrayList<>(ships);
            next.add(new ShipRecord(at, result));
            while (next.size() > SHIPS_KEPT) {
                next.remove(0);
            }
            return new JournalRecord(volume, drives, store, storeUuid, maxSize, maxAgeSeconds, base, shippedThrough, next);
        }

        /** When the last ship ended, or null. */
        public String lastShipAt() {
            return ships.isEmpty() ? null : ships.get(ships.size() - 1).at();
        }

        /** How the last ship ended ("ok: image ...", "failed: ...", "cancelled"), or null. */
        public String lastShipResult() {
            return ships.isEmpty() ? null : ships.get(ships.size() - 1).result();
        }
    }

    /** One ship of a journal: when it ended and how. */
    public record ShipRecord(String at, String result) { }

    /**
     * A drive: its image is {@code drives/<name>.img} of {@code size} bytes. {@code volume} names
     * the volume it is a member of; {@code journal} the volume whose staged backup journal it holds
     * a leg of (then it is in no volume); {@code repository} the volume whose service window's
     * logging repository it holds (a SPARE lent for the window).
     */
    public record DriveRecord(String name, long size, DriveState state, OfflineReason reason, String volume,
                              String journal, String repository) {
        public DriveRecord(String name, long size, DriveState state, OfflineReason reason, String volume) {
            this(name, size, state, reason, volume, null, null);
        }

        public DriveRecord(String name, long size, DriveState state, OfflineReason reason, String volume,
                           String journal) {
            this(name, size, state, reason, volume, journal, null);
        }
    }

    /** A volume over whole drives, members in order. */
    public record VolumeRecord(String name, Layout layout, List<String> drives, long size, int stripUnit) {
        public VolumeRecord {
            drives = List.copyOf(drives);
        }
    }

    /**
     * A BCV pair. Its bitmaps are in {@code meta/<name>.std.inv} and {@code .bcv.inv}; a pair found SyncInProg or RestInProg at open resumes its copy, whose
     * settings (throttle, paused) and starting size ({@code jobTotal}, for progress) are kept here,
     * with the count of reads served on demand from the BCV over the pair's life ({@code onDemandReads}),
     * and when it was last split ({@code splitAt}, ISO time; null if never): when the BCV's
     * point-in-time image was taken.
     */
    public record PairRecord(String name, String std, String bcv, org.splitpoint.engine.pair.PairState state,
                             boolean protect, long throttle, boolean paused, long jobTotal, long onDemandReads,
                             String splitAt, boolean copyCancelled) {
        /** A pair record of before splitAt was kept (as older pool.json files have it). */
        public PairRecord(String name, String std, String bcv, org.splitpoint.engine.pair.PairState state,
                          boolean protect, long throttle, boolean paused, long jobTotal, long onDemandReads) {
            this(name, std, bcv, state, protect, throttle, paused, jobTotal, onDemandReads, null, false);
        }

        /** The same pair with another copy state, throttle, pause and total. */
        public PairRecord with(org.splitpoint.engine.pair.PairState st, boolean prot, long thr, boolean pause, long total) {
            return new PairRecord(name, std, bcv, st, prot, thr, pause, total, onDemandReads, splitAt, copyCancelled);
        }

        /** The same pair with another on-demand read count. */
        public PairRecord withOnDemandReads(long n) {
            return new PairRecord(name, std, bcv, state, protect, throttle, paused, jobTotal, n, splitAt, copyCancelled);
        }

        /** The same pair, split at {@code at} (ISO time). */
        public PairRecord withSplitAt(String at) {
            return new PairRecord(name, std, bcv, state, protect, throttle, paused, jobTotal, onDemandReads, at, copyCancelled);
        }
    }

    /**
     * A persisted background job. {@code checkpoint} is the number of tracks known durable;
     * a job found here at open resumes from it.
     */
    public record JobRecord(String id, String kind, String volume, String drive, long checkpoint,
                            long throttle, boolean paused) { }
}
