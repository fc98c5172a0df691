package org.splitpoint.engine.pool;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.event.EventBus;
import org.splitpoint.engine.event.EventListener;
import org.splitpoint.engine.io.PoolLockHandle;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.meta.CheckedJson;
import org.splitpoint.engine.meta.CorruptMetadataException;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * An open storage pool: the drives, the volumes over them, the background jobs, the events.
 *
 * <p>Design. {@code pool.json} is the one durable statement of configuration and policy state
 * (drive states, volumes, persisted jobs); it is rewritten atomically by {@link #persist()} after
 * every decision, and never on a read-only path, so inspecting a pool changes none of its files.
 * The data path lives in {@link RaidVolume}s; this class decides (policy) and the volumes carry
 * out (mechanism). Opening takes the pool's lock, then recovers: stripe journals are replayed,
 * dirty write-intent tracks resynced, persisted jobs resumed.
 *
 * <p>Administrative operations (fail, replace, add, create volume) are in {@link PoolAdmin}.
 */
public final class Pool implements AutoCloseable {

    final PoolPaths paths;
    final StorageFactory storage;
    final EventBus events;
    // Synchronized maps: snapshot() copies them under their own short lock, never the pool's
    // monitor, which persist() holds across an fsync.
    final Map<String, Drive> drives = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, RaidVolume> volumes = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, PoolConfig.VolumeRecord> volumeRecords = new LinkedHashMap<>();
    final List<Job> jobs = new CopyOnWriteArrayList<>();
    final Map<String, PoolConfig.JobRecord> jobRecords = new LinkedHashMap<>();
    final Map<String, PoolConfig.PairRecord> pairRecords = new LinkedHashMap<>();
    final Map<String, org.splitpoint.engine.pair.Pair> pairs =
            java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    final PoolOptions options;
    private final PoolLockHandle lock;
    private final String uuid;
    final int trackSize;
    final long driveSize;
    int nextDrive;
    final List<String> openNotes = new ArrayList<>();
    private volatile boolean closed;
    /** Jobs run on their own threads: from open (the default), or once {@link #startJobs()} was called. */
    private volatile boolean jobsRunning;

    private Pool(PoolPaths paths, StorageFactory storage, PoolLockHandle lock, PoolConfig config, EventBus events,
                 PoolOptions options) {
        this.paths = paths;
        this.options = options;
        this.jobsRunning = options.runJobs();
        this.storage = storage;
        this.lock = lock;
        this.events = events;
        this.uuid = config.uuid();
        this.trackSize = config.trackSize();
        this.driveSize = config.driveSize();
        this.nextDrive = config.nextDrive();
        for (PoolConfig.DriveRecord d : config.drives()) {
            drives.put(d.name(), new Drive(d));
        }
        for (PoolConfig.VolumeRecord v : config.volumes()) {
            volumeRecords.put(v.name(), v);
        }
        for (PoolConfig.JobRecord j : config.jobs()) {
            jobRecords.put(j.id(), j);
        }
        for (PoolConfig.PairRecord p : config.pairs()) {
            pairRecords.put(p.name(), p);
        }
    }

    // ---- create and open ------------------------------------------------------------------

    /** Creates a pool of {@code count} blank drives in {@code dir} (absent or empty). */
    public static void create(Path dir, int count, long driveSize, int trackSize, StorageFactory storage)
            throws IOException, PoolException {
        PoolFiles.create(dir, count, driveSize, trackSize, storage);
    }

    /** Opens the pool in {@code dir} with real files. */
    public static Pool open(Path dir) throws IOException, PoolException {
        return open(dir, StorageFactory.real());
    }

    /** Opens the pool in {@code dir}: lock, read, check images, recover, resume jobs. */
    public static Pool open(Path dir, StorageFactory storage) throws IOException, PoolException {
        return open(dir, storage, PoolOptions.DEFAULT);
    }

    /** As {@link #open(Path, StorageFactory)}, with options (e.g. jobs not started, for stepping). */
    public static Pool open(Path dir, StorageFactory storage, PoolOptions options) throws IOException, PoolException {
        PoolPaths paths = new PoolPaths(dir);
        if (!Files.isRegularFile(paths.config())) {
            throw new PoolException(dir + " is not a Splitpoint pool (no pool.json); create one with 'pool create'");
        }
        String holder = "pid " + ProcessHandle.current().pid() + " since " + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + " (" + ManagementFactory.getRuntimeMXBean().getName() + ")";
        PoolLockHandle lock = storage.tryLock(paths.lock(), holder);
        if (lock == null) {
            String who = Files.exists(paths.lock())
                    ? new String(Files.readAllBytes(paths.lock()), StandardCharsets.UTF_8).trim() : "";
            throw new PoolException("pool " + dir + " is already open in another process"
                    + (who.isEmpty() ? "" : " (" + who + ")") + "; close it there first");
        }
        Pool pool = null;
        try {
            PoolConfig config = CheckedJson.read(storage, paths.config(), PoolConfig.MAGIC, PoolConfig.VERSION,
                    PoolConfig.class);
            Validation.config(config);
            EventBus events = new EventBus(storage, Files.isDirectory(paths.meta()) ? paths.events() : null);
            pool = new Pool(paths, storage, lock, config, events, options);
            PoolRecovery.openDrivesAndVolumes(pool);
            PairAdmin.openPairs(pool);
            PoolRecovery.resumeJobs(pool);
            PairAdmin.resumeCopies(pool);
            return pool;
        } catch (CorruptMetadataException e) {
            closeAfterFailedOpen(pool, lock);
            throw new PoolException("cannot open pool " + dir + ": " + e.getMessage(), e);
        } catch (IOException | PoolException | RuntimeException e) {
            closeAfterFailedOpen(pool, lock);
            throw e;
        }
    }

    private static void closeAfterFailedOpen(Pool pool, PoolLockHandle lock) {
        if (pool != null) {
            pool.abandon();
        } else {
            try {
                lock.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    PoolConfig.JobRecord rebuildJobOf(String drive) {
        for (PoolConfig.JobRecord j : jobRecords.values()) {
            if ("rebuild".equals(j.kind()) && drive.equals(j.drive())) {
                return j;
            }
        }
        return null;
    }

    void startJob(Job job) {
        // keep the jobs list to what is running plus the few last finished ones
        List<Job> finished = jobs.stream().filter(j -> j.state().isFinished()).toList();
        for (int i = 0; i < finished.size() - 4; i++) {
            jobs.remove(finished.get(i));
        }
        jobs.removeIf(j -> j.state().isFinished() && j.id().equals(job.id()));
        jobs.add(job);
        if (jobsRunning) {
            job.start();
        }
    }

    /**
     * Starts the threads of jobs that were created without running (a pool opened with
     * {@code runJobs=false}, as a short CLI command opens it), and of every job created from now on.
     */
    public void startJobs() {
        jobsRunning = true;
        for (Job j : jobs) {
            if (!j.state().isFinished()) {
                j.start();
            }
        }
    }

    /** Called on an I/O thread when a member failed; records it without blocking the I/O. */
    void memberFailed(RaidVolume v, Member m, String why) {
        Thread t = new Thread(() -> {
            synchronized (this) {
                if (closed) {
                    return;
                }
                events.publish(Event.critical("DRIVE_STATE", m.drive(), "drive " + m.drive() + " FAILED: " + why));
                events.publish(Event.warning("VOLUME_STATE", v.name(), "volume " + v.name() + " is " + v.state()
                        + ": " + v.stateReason()));
                try {
                    persist();
                } catch (IOException e) {
                    events.publish(Event.critical("ERROR", "pool", "could not record the failure of " + m.drive()
                            + " in pool.json: " + e.getMessage()));
                }
            }
        }, "splitpoint-failure-" + m.drive());
        t.setDaemon(true);
        t.start();
    }

    // ---- state ------------------------------------------------------------------------------

    /** Writes pool.json from the live state (atomically). */
    synchronized void persist() throws IOException {
        List<PoolConfig.DriveRecord> dr = new ArrayList<>();
        for (Drive d : drives.values()) {
            dr.add(d.toRecord());
        }
        List<PoolConfig.PairRecord> pr = new ArrayList<>();
        for (PoolConfig.PairRecord r : pairRecords.values()) {
            org.splitpoint.engine.pair.Pair p = pairs.get(r.name());
            pr.add(p == null ? r : new PoolConfig.PairRecord(r.name(), r.std(), r.bcv(), p.state(), p.isProtected(),
                    r.throttle(), r.paused(), r.jobTotal()));
        }
        PoolConfig config = new PoolConfig(uuid, trackSize, driveSize, nextDrive, dr,
                new ArrayList<>(volumeRecords.values()), new ArrayList<>(jobRecords.values()), pr);
        CheckedJson.write(storage, paths.config(), PoolConfig.MAGIC, PoolConfig.VERSION, config);
    }

    public Path dir() {
        return paths.dir();
    }

    public int trackSize() {
        return trackSize;
    }

    public EventBus events() {
        return events;
    }

    public void addListener(EventListener l) {
        events.addListener(l);
    }

    /** Administrative operations: drives, volumes, verify, jobs. */
    public PoolAdmin admin() {
        return new PoolAdmin(this);
    }

    /** BCV pair operations: create, establish, split, restore, query. */
    public PairAdmin pairs() {
        return new PairAdmin(this);
    }

    /**
     * The volume called {@code name} as hosts see it: through its pair when it is a pair's STD or
     * BCV (so pair tracking, mirroring and on-demand restore apply), else the volume itself.
     */
    public org.splitpoint.engine.io.BlockDevice device(String name) throws PoolException {
        RaidVolume v = volume(name);
        for (org.splitpoint.engine.pair.Pair p : pairList()) {
            if (p.std() == v) {
                return p.stdView();
            }
            if (p.bcv() == v) {
                return p.bcvView();
            }
        }
        return v;
    }

    /** The pairs now (a copy: pairs may be created meanwhile). */
    List<org.splitpoint.engine.pair.Pair> pairList() {
        synchronized (pairs) {
            return new ArrayList<>(pairs.values());
        }
    }

    /** The volume called {@code name} (the RAID device itself, below any pair). */
    public RaidVolume volume(String name) throws PoolException {
        RaidVolume v = volumes.get(name);
        if (v == null) {
            throw new PoolException("no volume named '" + name + "' in this pool (volumes: "
                    + (volumes.isEmpty() ? "none" : String.join(", ", volumes.keySet())) + ")");
        }
        return v;
    }

    /** Sentences about problems found at open that still stand (missing or wrong-size images). */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        for (Drive d : drives.values()) {
            if (d.problem != null && (d.state() == DriveState.MISSING || d.state() == DriveState.FAILED)) {
                out.add(d.problem);
            }
        }
        return out;
    }

    /** What recovery did at open (unclean shutdown), plus problems, as sentences. */
    public List<String> openNotes() {
        return List.copyOf(openNotes);
    }

    public List<Job> jobs() {
        return List.copyOf(jobs);
    }

    /** Jobs not finished yet. */
    public List<Job> activeJobs() {
        return jobs.stream().filter(j -> !j.state().isFinished()).toList();
    }

    public Job job(String id) throws PoolException {
        for (Job j : jobs) {
            if (j.id().equals(id)) {
                return j;
            }
        }
        throw new PoolException("no job '" + id + "' in this pool");
    }

    /** Blocks until every job is finished (or paused: a paused job waits for a person). */
    public void awaitJobs(java.util.function.Consumer<List<JobProgress>> progress) throws InterruptedException {
        while (true) {
            List<Job> active = jobs.stream().filter(j -> j.state() == org.splitpoint.engine.job.JobState.RUNNING).toList();
            if (active.isEmpty()) {
                return;
            }
            if (progress != null) {
                progress.accept(active.stream().map(Job::progress).toList());
            }
            active.get(0).await(250);
        }
    }

    public PoolSnapshot snapshot() {
        return PoolSnapshots.of(this);
    }

    // ---- close ------------------------------------------------------------------------------

    /** Stops jobs at a checkpoint, flushes and closes volumes cleanly, releases the lock. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        IOException first = null;
        for (Job j : jobs) {
            j.stop();
        }
        for (Job j : jobs) {
            try {
                j.await(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (org.splitpoint.engine.pair.Pair p : pairs.values()) {
            try {
                p.flushAndClose();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        for (RaidVolume v : volumes.values()) {
            try {
                v.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        events.drain();
        events.close();
        lock.close();
        if (first != null) {
            throw first;
        }
    }

    /** Lets go of everything without flushing or writing (after a crash, or a failed open). */
    public void abandon() {
        closed = true;
        for (Job j : jobs) {
            j.stop();
        }
        for (RaidVolume v : volumes.values()) {
            v.closeQuietly();
        }
        for (org.splitpoint.engine.pair.Pair p : pairs.values()) {
            try {
                p.close();
            } catch (IOException ignored) {
                // abandoning
            }
        }
        try {
            events.close();
        } catch (IOException ignored) {
            // abandoning
        }
        try {
            lock.close();
        } catch (IOException ignored) {
            // abandoning
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Reads bytes of a volume into a new array (convenience for tools and tests). */
    public byte[] read(String volume, long offset, int length) throws IOException, PoolException {
        ByteBuffer b = ByteBuffer.allocate(length);
        volume(volume).read(offset, b);
        return b.array();
    }
}
