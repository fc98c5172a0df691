package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.bitmap.DurableBitmap;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.raid.Member;
import org.splitpoint.engine.raid.RaidVolume;
import org.splitpoint.engine.service.DeltaLog;

/**
 * An open service window of one volume: its drive is OFFLINE on purpose and what it misses is
 * logged (the mechanism; the rules are {@link ServiceAdmin}'s).
 *
 * <p>Design. Every mode keeps the member-row tracks written in the window in a durable bitmap
 * ({@code meta/<volume>.delta}), set and forced before the write reaches any member, exactly as a
 * write-intent bit is (a bit whose force failed is written again before a write relies on it):
 * after a crash the bitmap still names every track the offline drive may be missing. In {@code data} mode the bytes the drive would have got go to a {@link DeltaLog}
 * ({@code meta/<volume>.delta.log}), forced by the volume's flush before its write-intent bits may
 * clear; a crash between a member write and its log record leaves the track write-intent dirty,
 * and the reopen logs that track again as the other members have it. In {@code repository} mode
 * the window is a {@link RaidVolume.Redirect}: writes go to a DeltaLog on a SPARE drive (then to
 * files in meta/ once it is full) or in meta/, the members are not written, and reads see the
 * repository over the volume. A data window whose log lost a record (a failed force) goes on as a
 * pointers window ({@link #fallBackToPointers}); a repository window cannot (its log is the only
 * copy of its writes): it says so once, and its flushes and its return fail until the pool is
 * opened again ({@link #repositoryLostARecord}). A pointers or data window whose delta bitmap cannot
 * be written goes on with a whole rebuild of the drive on record ({@link #rebuildWholeInstead}).
 *
 * <p>A log's file in meta/ (a data log, a repository without a SPARE or its overflow past a full
 * one) is compacted once it holds more than twice the bytes of the positions written (DeltaLog;
 * before, it grew with every write and filled the file system, ServiceLogGrowthTest): on a thread
 * of its own that a flush starts, into {@code <file>.next} renamed over the file; an opening
 * deletes a {@code .next} a crash left. A return freezes compaction (it reads the pieces it
 * took), a return that stops thaws it, and the window's end stops it.
 */
final class ServiceWindow implements RaidVolume.ServiceLog {

    final Pool pool;
    final RaidVolume volume;
    final Member member;
    final Drive drive;
    volatile PoolConfig.ServiceRecord record;
    private final DurableBitmap delta;
    /** The bytes (data mode) or writes (repository mode); null in pointers mode. */
    final DeltaLog log;
    /** The member-row tracks the log's records change (data: the drive's own; repository: every member's). */
    private final TrackBitmap logTracks;
    /** The return under way (phase resync), or null. */
    volatile ServiceResync returning;
    /**
     * Set at open when the data log lost records its flushes acknowledged and the other members
     * could not give them again (ServiceReopen): why the drive cannot come back from its log.
     */
    volatile String logDamage;

    private ServiceWindow(Pool pool, RaidVolume volume, Member member, Drive drive, PoolConfig.ServiceRecord record,
                          DurableBitmap delta, DeltaLog log, TrackBitmap logTracks) {
        this.pool = pool;
        this.volume = volume;
        this.member = member;
        this.drive = drive;
        this.record = record;
        this.delta = delta;
        this.log = log;
        this.logTracks = logTracks;
    }

    /**
     * Opens the window of {@code record}: its files are created when {@code fresh} (a new window,
     * made durable with their directory), else read back.
     */
    static ServiceWindow open(Pool pool, RaidVolume v, Member m, Drive d, PoolConfig.ServiceRecord record, boolean fresh)
            throws IOException {
        PoolPaths paths = pool.paths;
        String name = v.name();
        DurableBitmap delta = null;
        DeltaLog log = null;
        List<StorageFile> opened = new ArrayList<>();
        try {
            if (fresh) {
                pool.storage.delete(paths.delta(name));
                delta = DurableBitmap.create(pool.storage, paths.delta(name), v.rowTracks(), false);
            } else {
                delta = MetaFiles.bitmap(pool, paths.delta(name), v.rowTracks(),
                        "the service delta of volume " + name, "every track of " + d.name + " is resynced");
            }
            if (pool.isReadOnly()) {
                log = openForLooking(pool, record, name, opened); // a look: read what is there, change nothing
            } else if (record.mode() == LogMode.DATA) {
                Path p = paths.deltaLog(name);
                if (fresh) {
                    pool.storage.delete(p);
                }
                StorageFile f = Files.exists(p) ? pool.storage.open(p) : pool.storage.create(p);
                opened.add(f);
                pool.storage.delete(nextGeneration(p)); // a compaction's new file that did not switch (a crash)
                log = openLog(List.of(f), List.of(DeltaLog.UNBOUNDED), null, generations(pool, seg -> p),
                        why -> "the delta log of " + d.name + "'s service window (" + p + ") is damaged (" + why + "); move it"
                                + " aside and open the pool again: the drive's return then rebuilds the tracks its bitmap"
                                + " names from the other members");
            } else if (record.mode() == LogMode.REPOSITORY) {
                if (fresh) {
                    for (int old = 0; old < 64; old++) { // an earlier window's leftovers must not be read as this one's
                        pool.storage.delete(paths.repository(name, old));
                    }
                }
                List<StorageFile> files = new ArrayList<>();
                List<Long> caps = new ArrayList<>();
                int seg = 0;
                if (record.repository() != null) {
                    Drive spare = pool.drives.get(record.repository());
                    StorageFile f = pool.storage.open(paths.image(spare.name));
                    opened.add(f);
                    if (fresh) {
                        f.writeFully(0, ByteBuffer.allocate((int) org.splitpoint.engine.log.RingLog.DATA)); // no old log
                        f.force();
                    }
                    files.add(f);
                    caps.add(spare.size);
                    seg = 1;
                }
                for (; ; seg++) {
                    Path p = paths.repository(name, seg);
                    if (fresh) {
                        pool.storage.delete(p);
                    }
                    if (seg > 0 && !Files.exists(p)) {
                        break;
                    }
                    boolean missing = !Files.exists(p);
                    StorageFile f = missing ? pool.storage.create(p) : pool.storage.open(p);
                    opened.add(f);
                    files.add(f);
                    caps.add(DeltaLog.UNBOUNDED);
                    if (fresh) {
                        break;
                    }
                    if (missing) {
                        // a lost first segment made again (said at open): the writes it now takes
                        // are acknowledged at flushes, so its name must survive a power cut too
                        pool.storage.syncDirectory(paths.meta());
                    }
                }
                for (int s = 0; s < Math.max(2, seg + 1); s++) {
                    pool.storage.delete(nextGeneration(paths.repository(name, s))); // (see data mode)
                }
                log = openRepository(d, record, files, caps, i -> {
                    Path p = paths.repository(name, i);
                    StorageFile f = pool.storage.create(p);
                    pool.storage.syncDirectory(paths.meta());
                    return f;
                }, generations(pool, s -> paths.repository(name, s)));
            }
            if (fresh) {
                pool.storage.syncDirectory(paths.meta());
            }
        } catch (IOException | RuntimeException e) {
            for (StorageFile f : opened) {
                try {
                    f.close();
                } catch (IOException ignored) {
                    // closing what could be opened
                }
            }
            if (delta != null) {
                delta.close();
            }
            throw e;
        }
        TrackBitmap tracks = new TrackBitmap(v.rowTracks());
        ServiceWindow w = new ServiceWindow(pool, v, m, d, record, delta, log, tracks);
        if (log != null) {
            for (DeltaLog.Piece p : log.pieces()) {
                w.markLogTracks(p.start(), p.length());
            }
        }
        return w;
    }

    /** Where a compaction writes the next generation of log file {@code file}. */
    static Path nextGeneration(Path file) {
        return file.resolveSibling(file.getFileName() + ".next");
    }

    /**
     * A compaction's files (DeltaLog): the next generation of segment {@code s}'s file {@code at(s)}
     * written beside it, renamed over it, meta/ synced.
     */
    private static DeltaLog.Generations generations(Pool pool, java.util.function.IntFunction<Path> at) {
        return new DeltaLog.Generations() {
            @Override
            public StorageFile create(int segment) throws IOException {
                Path next = nextGeneration(at.apply(segment));
                pool.storage.delete(next);
                return pool.storage.create(next);
            }

            @Override
            public void install(int segment) throws IOException {
                pool.storage.rename(nextGeneration(at.apply(segment)), at.apply(segment));
            }

            @Override
            public void sync() throws IOException {
                pool.storage.syncDirectory(pool.paths.meta());
            }

            @Override
            public void discard(int segment) throws IOException {
                pool.storage.delete(nextGeneration(at.apply(segment)));
            }
        };
    }

    /** The log as a read-only open sees it (null when its files are not there, or in pointers mode). */
    /**
     * The repository's log opened; a damaged one (a header no check passes) refused in one sentence
     * that names the window and where its writes are (the whole pool's open stops there: the
     * window's writes are nowhere else, so nothing is served without them).
     */
    private static DeltaLog openRepository(Drive d, PoolConfig.ServiceRecord record, List<StorageFile> files, List<Long> caps,
                                           DeltaLog.Overflow overflow, DeltaLog.Generations generations) throws IOException {
        String where = record.repository() != null ? "on SPARE drive " + record.repository() + " and in meta/" : "in meta/";
        return openLog(files, caps, overflow, generations, why -> "the repository of " + d.name + "'s service window"
                + " (" + where + ") is damaged (" + why + "): the writes made to volume " + record.volume()
                + " since " + record.since() + " are only there; put back a good copy of it, or move it aside to open the pool"
                + " without those writes");
    }

    /**
     * A window's log opened; one whose header no check passes refused with {@code sentence} of the
     * log's own reason, which names the window, the file and what to do (the log alone names none).
     */
    private static DeltaLog openLog(List<StorageFile> files, List<Long> caps, DeltaLog.Overflow overflow,
                                    DeltaLog.Generations generations, java.util.function.UnaryOperator<String> sentence)
            throws IOException {
        try {
            return DeltaLog.open(files, caps, overflow, generations);
        } catch (org.splitpoint.engine.meta.CorruptMetadataException e) {
            throw new org.splitpoint.engine.meta.CorruptMetadataException(sentence.apply(e.getMessage()));
        }
    }

    private static DeltaLog openForLooking(Pool pool, PoolConfig.ServiceRecord record, String name, List<StorageFile> opened)
            throws IOException {
        List<Path> paths = new ArrayList<>();
        List<Long> caps = new ArrayList<>();
        if (record.mode() == LogMode.DATA) {
            paths.add(pool.paths.deltaLog(name));
            caps.add(DeltaLog.UNBOUNDED);
        } else if (record.mode() == LogMode.REPOSITORY) {
            if (record.repository() != null) {
                if (pool.drives.get(record.repository()).problem != null) {
                    return null; // another drive put in its place (its size): read as lost, as a missing one is
                }
                paths.add(pool.paths.image(record.repository()));
                caps.add(pool.drives.get(record.repository()).size);
            }
            for (int seg = record.repository() == null ? 0 : 1; Files.exists(pool.paths.repository(name, seg)); seg++) {
                paths.add(pool.paths.repository(name, seg));
                caps.add(DeltaLog.UNBOUNDED);
            }
        }
        if (paths.isEmpty() || !Files.exists(paths.get(0))) {
            return null;
        }
        List<StorageFile> files = new ArrayList<>();
        for (Path p : paths) {
            StorageFile f = pool.storage.openRead(p);
            opened.add(f);
            files.add(f);
        }
        return DeltaLog.open(files, caps, null);
    }

    /** Marks the member-row tracks a record changes (a repository's records are volume bytes: their rows). */
    private void markLogTracks(long at, long len) {
        long[] rows = record.mode() == LogMode.REPOSITORY ? volume.rowRange(at, len) : new long[] {at, at + len};
        logTracks.setRange(rows[0] / pool.trackSize, (rows[1] + pool.trackSize - 1) / pool.trackSize);
    }

    // ---- RaidVolume.ServiceLog -----------------------------------------------------------------

    @Override
    public void beforeWrite(long fromTrack, long toTrack) throws IOException {
        if (record.mode() == LogMode.REPOSITORY || member.takesWrites()) {
            // a repository window writes no member but its replay, which writes the drive too; a
            // pointers resync gives the drive the write itself
            return;
        }
        // (a data replay keeps the drive OFFLINE: its log has the write, and the bitmap still names
        // every track the drive lacks, for the recovery after a crash)
        if (deltaGivenUp) {
            return; // the drive is rebuilt whole when it comes back, on record: the bitmap says nothing more
        }
        IOException unwritten = null;
        synchronized (delta) {
            TrackBitmap b = delta.bits();
            boolean all = true;
            for (long t = fromTrack; t < toTrack && all; t++) {
                all = b.get(t);
            }
            if (all && !delta.hasUnwrittenPages()) {
                return; // (set in memory is not enough: a force that failed leaves the pages to write again)
            }
            b.setRange(fromTrack, toTrack);
            delta.markChanged(fromTrack, toTrack);
            try {
                delta.persist(true); // on record before any member has the write (and so before it is acknowledged)
            } catch (IOException e) {
                unwritten = e; // (what to do is decided outside the bitmap's monitor: it writes pool.json)
            }
        }
        if (unwritten == null) {
            return;
        }
        if (unwritten instanceof org.splitpoint.engine.io.StorageHaltedException || !rebuildWholeInstead(unwritten)) {
            throw unwritten; // not on record (pool.json could not say it either), or the window's end took over
        }
        if (wholeRebuildSaid.compareAndSet(false, true)) {
            pool.events.publish(org.splitpoint.engine.event.Event.critical("SERVICE_RESYNC", drive.name, "the delta"
                    + " bitmap of " + drive.name + "'s service window (meta/" + volume.name() + ".delta) could not be"
                    + " written (" + unwritten.getMessage() + "), so it cannot say which tracks " + drive.name
                    + " misses: " + drive.name + " is rebuilt whole from the other members when it comes back, and "
                    + volume.name() + " goes on taking writes without it; look at the file system holding meta/"));
        }
    }

    /** Set once a whole rebuild stands on record for a delta bitmap that could not be written: writes no longer set its bits. */
    private volatile boolean deltaGivenUp;

    /** Set once that whole rebuild is said (writes beside the first one fail alike). */
    private final java.util.concurrent.atomic.AtomicBoolean wholeRebuildSaid = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * The delta bitmap could not be written ({@code why}): the window goes on with a whole rebuild
     * of the drive on record (pool.json's {@code wholeRebuild}, which a return and an open after a
     * crash both honour), so the host's write goes on without the drive as every write of the window
     * does. Before, the write failed, and so did every write after it while meta/ failed: a drill
     * stopped the volume taking writes although its other members held them, for bookkeeping the
     * drive's return can do without, at the price of a whole rebuild (as md gives up a write-intent
     * bitmap it cannot write, and re-adds the drive with a full resync). False, nothing changed,
     * when pool.json cannot say it either (the write then fails as before) or the window has ended.
     */
    private synchronized boolean rebuildWholeInstead(IOException why) {
        if (ended) {
            return false;
        }
        PoolConfig.ServiceRecord was = record;
        if (was.wholeRebuild() == null) {
            PoolConfig.ServiceRecord whole = was.withWholeRebuild("the delta bitmap of its service window could not"
                    + " be written (" + why.getMessage() + ")");
            if (!putOnRecord(was, whole, why)) {
                return false;
            }
            record = whole; // only once on record: a write that finds it so goes on without the bitmap
        }
        deltaGivenUp = true;
        return true;
    }

    @Override
    public void missed(long row, ByteBuffer bytes) throws IOException {
        if (record.mode() != LogMode.DATA) {
            return;
        }
        try {
            log.append(row, bytes);
        } catch (IOException e) {
            if (e instanceof org.splitpoint.engine.io.StorageHaltedException) {
                throw e;
            }
            // the log cannot take the bytes (its file fails, its file system is full, a force of its
            // own failed): as for a failed force, the window goes on by pointers, on record, and the
            // host's write goes on; the rows are in the durable bitmap already (beforeWrite or the
            // layout's offlineRowsChange comes first), so the return rebuilds them from the others
            goOnByPointers(e, "could not take a write", "the write went ahead");
            if (logDropped) {
                return;
            }
            throw e; // not on record (pool.json could not say it), or the window's end took over
        }
        synchronized (logTracks) {
            markLogTracks(row, bytes.remaining());
        }
    }

    /**
     * Set once a data window's log lost a record and the window went on by pointers (on record):
     * the log counts no more (see {@link #force}).
     */
    private volatile boolean logDropped;

    @Override
    public void force() throws IOException {
        force(true);
    }

    /**
     * The window's end forces its log (every byte on the members, forced, before pool.json says the
     * window is over; until then a crash reopens the window and replays the log): as {@link #force},
     * without waiting for a host's flush forcing the log beside it to tell how its fsync ended
     * (DeltaLog.forceLettingGo). The end acknowledges nothing by it, and no flush is acknowledged
     * over a record that flush's failure dropped (RingLog's note).
     */
    void forceAsTheWindowEnds() throws IOException {
        force(false);
    }

    private void force(boolean confirmed) throws IOException {
        if (log == null || logDropped) {
            return;
        }
        try {
            if (confirmed) {
                log.force();
            } else {
                log.forceLettingGo();
            }
            nameDurableAgain();
            compactIfDue();
        } catch (IOException e) {
            if (e instanceof org.splitpoint.engine.io.StorageHaltedException) {
                throw e;
            }
            if (e instanceof DeltaLog.NameNotDurableException) {
                nameNotDurable(e); // nothing lost: the flush fails, and the next one syncs again
                throw e;
            }
            if (record.mode() == LogMode.REPOSITORY) {
                repositoryLostARecord(e);
            }
            if (record.mode() == LogMode.DATA) {
                goOnByPointers(e, "lost a record", "the volume's flush went ahead");
            }
            if (logDropped && confirmed) {
                // (a host's flush; the window's end fails as before and finds the window by pointers)
                // by pointers on record (now, or by a flush beside this one, the mode then no longer DATA):
                // the log counts no more, and this flush's writes are durable where a pointers window keeps
                // them, on the members (forced before the log: RaidVolume.forceCompleted) under the durable
                // bitmap; a host's flush is not failed for the log of a side feature (before, this one was,
                // an fsync error a database takes as fatal)
                return;
            }
            throw e; // not on record (pool.json could not say it), or the window's end took over
        }
    }

    /**
     * {@link #fallBackToPointers}, and a warning when the window went on by pointers now (said outside
     * the window's monitor: listeners run on this thread): the log {@code happened} ({@code e}), and
     * {@code wentAhead} (the host's I/O it failed in).
     */
    private void goOnByPointers(IOException e, String happened, String wentAhead) {
        if (fallBackToPointers(e)) {
            pool.events.publish(org.splitpoint.engine.event.Event.warning("SERVICE_RESYNC", drive.name, "the delta log of "
                    + drive.name + "'s service window (meta/" + volume.name() + ".delta.log) " + happened + " ("
                    + e.getMessage() + "): the window goes on by pointers, and the tracks written in it are rebuilt"
                    + " from the other members when " + drive.name + " comes back; " + wentAhead));
        }
    }

    /**
     * A data window whose log force failed: the log may have lost records, so it refuses every
     * later force (RingLog), and before, every later flush of the volume failed and the return
     * failed at its end until the pool was reopened: the window could not end (LostLogRecordTest).
     * Its bitmap names every track written in the window (set and forced before any member had the
     * write), which is what a pointers window is: the window goes on as one, on record before any
     * later flush relies on it, and the drive's return rebuilds those tracks from the others. A
     * pool.json that cannot say so leaves the window as it was (the next flush tries again).
     * True when it went on by pointers now.
     */
    private synchronized boolean fallBackToPointers(IOException why) {
        if (logDropped || ended) {
            return false; // (ended: the members hold every byte, forced; the window is not brought back)
        }
        PoolConfig.ServiceRecord was = record;
        PoolConfig.ServiceRecord byPointers = was.withMode(LogMode.POINTERS);
        if (!putOnRecord(was, byPointers, why)) {
            return false;
        }
        // only once on record: missed() appends no more, and a force failing beside this one, which
        // waits for this monitor, finds the window by pointers; set before the persist, a write beside
        // it went on unlogged while the window could still stay DATA (its persist failing), and a
        // host's flush whose force failed meanwhile found the mode not DATA and failed
        record = byPointers;
        logDropped = true;
        return true;
    }

    /**
     * Writes pool.json with {@code next} as this window's record in place of {@code was}; true once it is
     * durable. When it cannot be written, {@code was} stands again in memory (as on disk) and the failure
     * is added to {@code why}, the failure the change was to answer.
     */
    private boolean putOnRecord(PoolConfig.ServiceRecord was, PoolConfig.ServiceRecord next, IOException why) {
        pool.serviceRecords.put(volume.name(), next);
        try {
            pool.persist();
            return true;
        } catch (IOException e) {
            pool.serviceRecords.put(volume.name(), was);
            why.addSuppressed(e);
            return false;
        }
    }

    /** True once the window's data log lost a record and the window went on by pointers. */
    boolean logDropped() {
        return logDropped;
    }

    /**
     * Set, under this monitor, once the window's end is going on record (ServiceResync). A host's
     * flush that took the log before the end may force it after: when that force fails, nothing is
     * lost (the end forced every byte onto the members) and nothing may change. Before, a data
     * window's fall back to pointers put the window's record back and wrote it into pool.json after
     * the end had taken it out: d2 ONLINE and v OPTIMAL, with a window on record that the reopen kept
     * (FlushFailingAfterWindowEndTest); a repository said it could not come back.
     */
    private volatile boolean ended;

    /**
     * The window's end goes on record now; false, and nothing changes, when the end replays the
     * data log ({@code replaysLog}) and the log lost a record and the window went on by pointers
     * first (a data replay does not read the writes since).
     */
    synchronized boolean endsNow(boolean replaysLog) {
        if (replaysLog && logDropped) {
            return false;
        }
        ended = true;
        return true;
    }

    /** The window's end was not recorded: the window goes on, and a failed force of its log counts again. */
    synchronized void endUndone() {
        ended = false;
    }

    /** The repository as the volume's redirect (repository mode). */
    RaidVolume.Redirect redirect() {
        return new RaidVolume.Redirect() {
            @Override
            public void write(long offset, ByteBuffer src) throws IOException {
                log.append(offset, src);
                synchronized (logTracks) {
                    markLogTracks(offset, src.remaining());
                }
            }

            @Override
            public boolean covers(long offset, long length) {
                return log.covers(offset, length);
            }

            @Override
            public void overlay(long offset, ByteBuffer dst) throws IOException {
                log.overlay(offset, dst);
            }

            @Override
            public void force() throws IOException {
                try {
                    log.force();
                    nameDurableAgain();
                    compactIfDue();
                } catch (DeltaLog.NameNotDurableException e) {
                    nameNotDurable(e); // nothing lost: the flush fails, and the next one syncs again
                    throw e;
                } catch (IOException e) {
                    if (!(e instanceof org.splitpoint.engine.io.StorageHaltedException)) {
                        repositoryLostARecord(e);
                    }
                    throw e;
                }
            }
        };
    }

    // ---- compaction ----------------------------------------------------------------------------

    /** The compaction under way (its thread), or none; one at a time. */
    private final java.util.concurrent.atomic.AtomicBoolean compacting = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Thread compactor;

    /**
     * Starts compacting the log on a thread of its own when its dead bytes are due (DeltaLog): a
     * flush that made the log durable does not wait for it. A compaction that fails leaves the log
     * as it was (or whole in its new generation) and says so; a later flush tries again once the
     * log grew some more. A thread that cannot start is tried again at the next flush.
     */
    private void compactIfDue() {
        if (logDropped || !log.compactionDue() || !compacting.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                if (log.compact()) {
                    compactionFailureSaid.set(false); // a later failure is a new episode
                }
            } catch (Throwable e) {
                if (compactionFailureSaid.compareAndSet(false, true)) {
                    pool.events.publish(org.splitpoint.engine.event.Event.warning("SERVICE_RESYNC", drive.name,
                            compactionFailed(e)));
                }
            } finally {
                compacting.set(false);
            }
        }, "compact-" + volume.name());
        t.setDaemon(true);
        compactor = t;
        try {
            t.start();
        } catch (Throwable e) { // (no thread to be had now: the next flush tries again)
            compacting.set(false);
        }
    }

    /**
     * Set once a compaction's failure is said, until one succeeds: a log the compaction cannot copy
     * (no room in meta/ for the new generation beside the old one) finds it due again at nearly
     * every flush, and said each time it filled the event log (CompactionNoRoomTest).
     */
    private final java.util.concurrent.atomic.AtomicBoolean compactionFailureSaid =
            new java.util.concurrent.atomic.AtomicBoolean();

    /** The sentence of a compaction that failed (the window goes on: the log is as it was). */
    private String compactionFailed(Throwable e) {
        String what = "the " + (record.mode() == LogMode.REPOSITORY ? "repository" : "delta log") + " of " + drive.name
                + "'s service window could not be compacted";
        String why = e.getMessage() != null ? e.getMessage() : e.toString();
        String after = ". The window goes on and keeps every write in full, so its file in meta/ grows with each write;"
                + " later flushes try again, and this is said again only after a compaction succeeded";
        if (e instanceof org.splitpoint.engine.io.NoSpaceException) {
            return what + ": there is no space left in meta/ for its compacted copy, which needs room beside the log"
                    + " until it replaces it (" + why + ")" + after;
        }
        return what + " (" + why + ")" + after;
    }

    /** Waits for the compaction under way, if any (tests). */
    void awaitCompaction() throws InterruptedException {
        Thread t = compactor;
        if (t != null) {
            t.join();
        }
    }

    /** Set while flushes fail for the name of a compacted file not yet durable, once said (an episode). */
    private final java.util.concurrent.atomic.AtomicBoolean nameNotDurableSaid = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * A flush forced every record of the log into its file, but the directory sync that makes the
     * name of a compacted file durable failed (DeltaLog.NameNotDurableException): a power cut could
     * give the name back to the file before the compaction, without the records since, so the flush
     * fails. Nothing is lost (before, this was said as a lost record, and a data window went on by
     * pointers for it): the next flush syncs again and, once that succeeds, acknowledges them. Said
     * once until a flush succeeds.
     */
    private void nameNotDurable(IOException why) {
        if (!nameNotDurableSaid.compareAndSet(false, true)) {
            return;
        }
        String what = record.mode() == LogMode.REPOSITORY ? "repository" : "delta log";
        pool.events.publish(org.splitpoint.engine.event.Event.warning("SERVICE_RESYNC", drive.name, "a flush of volume "
                + volume.name() + " failed: the " + what + " of " + drive.name + "'s service window holds its writes, but"
                + " the new name of its compacted file in meta/ could not be made durable (" + why.getCause().getMessage()
                + "). Nothing is lost; each later flush tries again and succeeds once meta/ can be synced"));
    }

    /** A flush succeeded: a later failure to make the name durable is a new episode, said again. */
    private void nameDurableAgain() {
        nameNotDurableSaid.set(false);
    }

    /** Set once a repository's loss is said: every later force fails the same way, and says nothing new. */
    private final java.util.concurrent.atomic.AtomicBoolean repositoryLossSaid = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * A repository whose force failed may have lost records (RingLog): it is the only copy of the
     * window's writes, so it cannot go on by pointers as a data window does, and every later flush
     * of the volume and the drive's return fail until the pool is opened again, which reads back
     * what it holds (LostLogRecordTest). Before, nothing said so: hosts saw their flushes fail and
     * the return failed with "service log record N cannot be read back". Said once, critical.
     */
    private void repositoryLostARecord(IOException why) {
        if (ended || !repositoryLossSaid.compareAndSet(false, true)) { // (ended: the members hold every byte)
            return;
        }
        String where = record.repository() != null ? "on SPARE " + record.repository() : "in meta/";
        pool.events.publish(org.splitpoint.engine.event.Event.critical("SERVICE_RESYNC", drive.name, "the repository of "
                + drive.name + "'s service window (" + where + ") lost a record at a failed flush (" + why.getMessage()
                + "): it is the only copy of the window's writes, so every flush of volume " + volume.name() + " fails and "
                + drive.name + " cannot come back until the pool is opened again (restart serve or the app); what earlier"
                + " flushes acknowledged is kept"));
    }

    // ---- what it holds --------------------------------------------------------------------------

    /** The durable delta bitmap's live bits (member-row tracks written in the window). */
    TrackBitmap deltaBits() {
        return delta.bits();
    }

    /** Adds tracks to the delta, durably (tracks a crash left uncertain). */
    void addToDelta(TrackBitmap tracks) throws IOException {
        synchronized (delta) {
            for (long t = tracks.nextSetBit(0); t >= 0 && t < delta.bits().size(); t = tracks.nextSetBit(t + 1)) {
                if (delta.bits().set(t)) {
                    delta.markChanged(t, t + 1);
                }
            }
            delta.persist(true);
        }
    }

    /** Clears resynced tracks from the delta, durably (after the drive's copy of them is durable). */
    void clearFromDelta(List<Long> tracks) throws IOException {
        synchronized (delta) {
            for (long t : tracks) {
                if (delta.bits().clear(t)) {
                    delta.markChanged(t, t + 1);
                }
            }
            delta.persist(true);
        }
    }

    /** Tracks the drive misses: the log's tracks in data and repository mode, the bitmap's in pointers mode. */
    long deltaTracks() {
        if (record.mode() == LogMode.POINTERS) {
            return delta.bits().cardinality();
        }
        synchronized (logTracks) {
            return logTracks.cardinality();
        }
    }

    /** Bytes the delta keeps: the log's payload, or the tracks the bitmap names (pointers). */
    long deltaBytes() {
        return log != null && !logDropped ? log.bytes() : delta.bits().cardinality() * pool.trackSize;
    }

    /** The log's member-row tracks, a copy. */
    TrackBitmap logTracks() {
        synchronized (logTracks) {
            TrackBitmap c = new TrackBitmap(logTracks.size());
            c.loadWords(logTracks.toWords());
            return c;
        }
    }

    /** Releases the window's files and deletes them (the window is over, its end on record). */
    void closeAndDelete() throws IOException {
        closeQuietly();
        deleteFiles(pool, volume.name());
        pool.storage.syncDirectory(pool.paths.meta());
    }

    /**
     * Deletes the files a window of volume {@code name} keeps in meta/ (not synced); true when
     * there was one.
     */
    static boolean deleteFiles(Pool pool, String name) throws IOException {
        List<Path> files = new ArrayList<>(List.of(pool.paths.delta(name), pool.paths.deltaLog(name),
                nextGeneration(pool.paths.deltaLog(name))));
        for (int seg = 0; seg < 64 && (seg < 2 || Files.exists(pool.paths.repository(name, seg))); seg++) {
            files.add(pool.paths.repository(name, seg)); // (a fresh repository drops any left over)
            files.add(nextGeneration(pool.paths.repository(name, seg)));
        }
        boolean any = false;
        for (Path f : files) {
            any |= Files.exists(f);
            pool.storage.delete(f);
        }
        return any;
    }

    /**
     * Releases the window's files. The log is retired: a flush may have taken it from the volume
     * before it went (at the window's end, FlushAtWindowEndTest, or an opening that failed to be
     * recorded, FlushAtFailedOfflineTest) and force it still; that force ends first, and a later
     * one returns (the log's end was forced by the end, or never took a write).
     */
    void closeQuietly() {
        try {
            delta.close();
        } catch (IOException ignored) {
            // closing
        }
        if (log != null) {
            try {
                log.retire();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
