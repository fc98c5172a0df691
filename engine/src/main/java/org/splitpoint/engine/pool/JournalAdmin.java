package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.splitpoint.engine.backup.ChainReader;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.backup.ImageReader;
import org.splitpoint.engine.backup.ImageWriter;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.job.JobWork;
import org.splitpoint.engine.log.WriteJournal;
import org.splitpoint.engine.raid.RaidVolume;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * The staged backup journal of volumes (seed 003), as policy: enabling it on two spare drives,
 * shipping it into the backup store, rebuilding a volume beyond its redundancy from the backup
 * chain plus the journal, and the journal's life in the pool.
 *
 * <p>Design. The journal ({@link WriteJournal}) is put on the volume as its write log, so every
 * write goes to both schemes in one order; the volume's flush forces the journal's legs too, so a
 * write is acknowledged only when both hold it. The journal builds on a base image: the volume's
 * backup into the journal's store taken at an instant when the journal was already recording; the
 * entries after that instant, applied to the base's chain in order, are the volume at its last
 * acknowledged write. Any backup into that store re-bases it (the entries before its instant
 * retire); shipping makes an incremental image from the base's chain and the entries themselves,
 * verifies it, records it as the base (pool.json), and only then retires the entries. A crash at
 * any point loses no entry, and one shipped is never applied again: the record says through which
 * entry the base holds the writes.
 *
 * <p>A full journal. A write that finds no room waits for a ship only while one can come
 * ({@link ShipForRoom}: not one refused, nor one held up by an operation that holds the pool's
 * monitor and waits for this very write); otherwise the journal stops protecting the volume at
 * once, durably before the write goes on, and a backup whose instant came before a write left
 * out is not its base: a base never claims a write the journal does not hold. Nor is a backup
 * taken before the journal was enabled (a disable and enable while it ran): the writes between
 * are in neither.
 *
 * <p>A write left out. A write the journal does not take (full as above, or no drive of it left:
 * a journal that lost both its legs protects nothing, and no backup gives it a base) is
 * acknowledged only once pool.json says the journal protects nothing; while pool.json cannot be
 * written such a write is refused with an I/O error, and a flush that finds no leg left fails: after
 * a power cut, pool.json naming the base would claim a write that is in neither.
 */
public final class JournalAdmin {

    /** The journal's state as {@code volume journal status} shows it. */
    public record Status(String volume, List<String> drives, List<Boolean> legsHealthy, String store, String base,
                         int entries, long bytes, long capacity, long oldestAgeSeconds, long maxSize, long maxAgeSeconds,
                         String lastShipAt, String lastShipResult, List<PoolConfig.ShipRecord> recentShips,
                         boolean protecting, boolean unprotected, String nextShip) { }

    /**
     * What gives a journal without a base its base. It has none before its first backup completes,
     * and again after it stopped protecting the volume (a crash's uncertain tracks or a write it
     * could not take); "its first backup has not completed" was said then too, of a journal whose
     * first backup had long completed. The watch starts that backup (again within a minute).
     */
    static final String NO_BASE_YET = "a backup into %s gives it one (its first, or a new one after the journal stopped"
            + " protecting the volume; a pool held open starts it within a minute)";

    private final Pool pool;

    JournalAdmin(Pool pool) {
        this.pool = pool;
    }

    // ---- life in the pool ---------------------------------------------------------------------

    /** An open journal and what the pool keeps with it. */
    static final class Open {
        final String volume;
        final WriteJournal journal;
        final RaidVolume.IoAction flushHook;
        /** Volume byte ranges a resumed restore still owes that entries written during it touch (see {@link #restoreResumed}). */
        volatile List<long[]> owedButJournaled = List.of();
        /** Volume tracks a resumed restore still owes that no entry written during it touches (see {@link #restoreResumed}), or null. */
        volatile TrackBitmap owedAsBase;
        /**
         * Operations holding the pool's monitor, which a ship needs to start, that wait for the
         * volume's writes under way (a restore's beginning or end, a backup's start, a pair made, a pair's
         * establish, split or restore, a flush of the volume's sides under the monitor): a write
         * waiting for a ship to make room in the full journal would wait for them in vain.
         */
        final java.util.concurrent.atomic.AtomicInteger shipHolders = new java.util.concurrent.atomic.AtomicInteger();
        /**
         * A write was left out of the journal (it was full, or protecting nothing) since the last
         * backup's instant ({@link #backupInstant}): that backup cannot be its base.
         */
        volatile boolean leftOutSinceInstant;
        /**
         * The journal stopped protecting the volume (its base dropped in memory) but pool.json could
         * not record it: a write the journal leaves out is refused until a persist succeeds, for
         * after a power cut pool.json would still name the base, and base + journal miss the write.
         */
        volatile boolean stopUnrecorded;
        /** A write refused for {@link #stopUnrecorded} was said in an event (once until it is on record). */
        volatile boolean refusalSaid;

        Open(String volume, WriteJournal journal, RaidVolume.IoAction flushHook) {
            this.volume = volume;
            this.journal = journal;
            this.flushHook = flushHook;
        }
    }

    /** At open: every journal's legs are read back and levelled, and it records its volume's writes again. */
    static void openJournals(Pool pool) throws IOException {
        for (PoolConfig.JournalRecord rec : Pool.copy(pool.journalRecords)) {
            RaidVolume v = pool.volumes.get(rec.volume());
            if (v == null) {
                continue;
            }
            attach(pool, v, rec, openLegs(pool, rec));
        }
        if (!pool.journalRecords.isEmpty() && !pool.isReadOnly()) {
            startWatch(pool);
        }
    }

    private static StorageFile[] openLegs(Pool pool, PoolConfig.JournalRecord rec) throws IOException {
        StorageFile[] files = new StorageFile[2];
        for (int i = 0; i < 2; i++) {
            Drive d = pool.drives.get(rec.drives().get(i));
            if (d == null || d.state() == DriveState.FAILED || d.missing || !java.nio.file.Files.exists(pool.paths.image(d.name))) {
                continue;
            }
            files[i] = pool.isReadOnly() ? pool.storage.openRead(pool.paths.image(d.name)) : pool.storage.open(pool.paths.image(d.name));
        }
        return files;
    }

    private static long capacityOf(Pool pool, PoolConfig.JournalRecord rec) {
        long min = Long.MAX_VALUE;
        for (String name : rec.drives()) {
            Drive d = pool.drives.get(name);
            min = Math.min(min, d == null ? pool.driveSize : d.size);
        }
        return min;
    }

    private static void attach(Pool pool, RaidVolume v, PoolConfig.JournalRecord rec, StorageFile[] files) throws IOException {
        String volume = v.name();
        // entries below shippedThrough were shipped before a crash: dropped, never applied twice
        WriteJournal journal = WriteJournal.open(files, capacityOf(pool, rec), rec.shippedThrough(), pool.isReadOnly(),
                (leg, why) -> legFailed(pool, volume, leg, why));
        RaidVolume.IoAction hook = () -> {
            journal.sync();
            if (journal.unprotected()) {
                // both legs went (here or before): the writes this flush acknowledges are in no
                // journal, so the volume's flush returns only once pool.json says it protects nothing
                stopProtecting(pool, volume, "both its drives failed");
            }
        };
        Open open = new Open(volume, journal, hook);
        pool.journals.put(volume, open);
        if (!pool.isReadOnly()) {
            if (rec.base() != null) { // again at each opening: the pool may have been moved or copied since
                try {
                    ImagesInUse.register(pool, DirectoryStore.open(Path.of(rec.store()), pool.storage, false));
                } catch (IOException e) {
                    // the store cannot be read now: a ship says so when it runs
                }
            }
            v.addFlushHook(hook);
            // every write but a restore's refills (which bypass the log: they are the base, or the
            // base with the journal's own entries), in the order the volume applies them
            v.setWriteLog(new RaidVolume.WriteLog() {
                @Override
                public void append(long offset, ByteBuffer data) throws IOException {
                    JournalAdmin.append(pool, volume, offset, data);
                }

                @Override
                public void exclusiveWaiting(boolean waiting) {
                    shipHeld(pool, open, waiting); // told on the waiting thread itself: only it can say what it holds
                }
            });
        }
        if (journal.unprotected()) {
            String msg = "the journal of volume " + volume + " has lost both its drives (" + String.join(", ", rec.drives())
                    + "): the volume's writes are not journaled; replace them, or enable the journal on other drives";
            pool.openNotes.add(msg);
            pool.events.publish(Event.critical("JOURNAL", volume, msg));
            if (!pool.isReadOnly()) {
                try {
                    stopProtecting(pool, volume, "both its drives failed");
                } catch (IOException e) {
                    // not on record: the first write or flush tries again, and fails if it cannot
                }
            }
        }
    }

    /**
     * After an unclean shutdown a write may have reached the volume while its journal entry did not
     * (neither was acknowledged: the flush forces the journal before write-intent bits clear). The
     * volume shows such a write from now on, so the journal takes the tracks that may hold one
     * again, as hosts see them after recovery (through a restore under way, which was resumed
     * first), forced before any host writes: base + journal equals the volume again. A resumed
     * restore's owed tracks that entries written during it touch are taken too ({@link #restoreResumed}).
     */
    static void rejournalAfterCrash(Pool pool) throws IOException {
        if (pool.isReadOnly()) {
            return;
        }
        for (Open o : pool.journals.values()) {
            RaidVolume v = pool.volumes.get(o.volume);
            List<long[]> dirty = v == null ? List.of()
                    : merged(without(v.crashDirtyVolumeRanges(), o.owedAsBase, pool.trackSize), o.owedButJournaled);
            o.owedButJournaled = List.of();
            o.owedAsBase = null;
            if (dirty.isEmpty() || v.state() == VolumeState.FAILED && !pool.restores.containsKey(o.volume)) {
                continue;
            }
            org.splitpoint.engine.io.BlockDevice view;
            try {
                view = pool.device(o.volume);
            } catch (PoolException e) {
                continue;
            }
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            for (long[] r : dirty) {
                for (long at = r[0]; at < r[1]; at += buf.capacity()) {
                    buf.clear().limit((int) Math.min(buf.capacity(), r[1] - at));
                    view.read(at, buf);
                    buf.flip();
                    if (o.journal.append(at, buf) == -2) { // no ship runs during an open: it cannot wait for one
                        o.journal.sync();
                        stopProtecting(pool, o.volume, "after an unclean shutdown the journal could not take the"
                                + " tracks the crash left uncertain (" + Sizes.format(r[1] - r[0]) + " at " + at + ")");
                        return;
                    }
                }
            }
            o.journal.sync();
        }
    }

    /**
     * An instant restore of a journaled volume is resumed at open, its copy not yet started: the
     * tracks it still owes that journal entries written during the restore touch are taken again by
     * {@link #rejournalAfterCrash}. Such an entry is a host write that reached the journal while its
     * track's owed bit was not yet cleared durably (a write to an owed track commits that clear
     * after a volume flush, and other writers' flushes may clear the track's write-intent bit
     * first), so the write-intent bits need not name it: the restore copies the track again from
     * its source, over whatever of the write the volume took, and the journal must say so too.
     * Entries before {@code from} are the restore's source already (a rebuild's overlay), or
     * predate the journal's base (a plain restore re-bases it).
     */
    static void restoreResumed(Pool pool, PoolConfig.RestoreRecord restore, TrackBitmap owed, long volumeSize) {
        Open o = pool.journals.get(restore.volume());
        PoolConfig.JournalRecord rec = pool.journalRecords.get(restore.volume());
        if (o == null || rec == null || rec.base() == null || pool.isReadOnly()) {
            return;
        }
        long from = Math.max(restore.journalTo(), rec.shippedThrough());
        List<long[]> ranges = new ArrayList<>();
        TrackBitmap asBase = new TrackBitmap(owed.size());
        asBase.loadWords(owed.toWords());
        for (WriteJournal.Entry e : o.journal.entries(from, o.journal.nextSeq())) {
            long t1 = (e.end() + pool.trackSize - 1) / pool.trackSize;
            for (long t = e.offset() / pool.trackSize; t < t1; t++) {
                if (owed.get(t)) {
                    ranges.add(new long[] {t * pool.trackSize, Math.min(volumeSize, (t + 1) * pool.trackSize)});
                    asBase.clear(t);
                }
            }
        }
        o.owedButJournaled = merged(ranges, List.of());
        // an owed track no entry since the restore began touches is, through the restore, its
        // source: the base's chain (plus, for a rebuild, the entries of its overlay, all before
        // {@code from}); base + journal says it already, whatever the crash left on the members
        // (the restore copies it again over them). Journaling it again as the crash's dirty
        // tracks are made the next ship carry the tracks the copy had not reached, up to the whole volume.
        o.owedAsBase = asBase;
    }

    /** Byte ranges {from, to} less their parts in the tracks {@code skip} names (null: none). */
    private static List<long[]> without(List<long[]> ranges, TrackBitmap skip, int trackSize) {
        if (skip == null) {
            return ranges;
        }
        List<long[]> out = new ArrayList<>();
        for (long[] r : ranges) {
            long at = r[0];
            while (at < r[1]) {
                long t = at / trackSize;
                long end = Math.min(r[1], (t + 1) * trackSize);
                if (t >= skip.size() || !skip.get(t)) {
                    long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
                    if (last != null && last[1] == at) {
                        last[1] = end;
                    } else {
                        out.add(new long[] {at, end});
                    }
                }
                at = end;
            }
        }
        return out;
    }

    /** Byte ranges {from, to} of both lists, sorted and merged where they touch. */
    private static List<long[]> merged(List<long[]> a, List<long[]> b) {
        List<long[]> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        all.sort(java.util.Comparator.comparingLong(r -> r[0]));
        List<long[]> out = new ArrayList<>();
        for (long[] r : all) {
            long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && r[0] <= last[1]) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                out.add(new long[] {r[0], r[1]});
            }
        }
        return out;
    }

    /**
     * Appends a write to the volume's journal. When it is full, a ship makes room: the write waits
     * for one (up to 20 s) only while one can come ({@link ShipForRoom}); a write that waited for a
     * ship no one could start or one that was refused stalled its host for the 20 s, and with the
     * journal then protecting nothing every later write did too. Otherwise, or past the 20 s, the
     * journal stops protecting the volume (persisted before the write goes on) and the write goes
     * on without it.
     */
    private static void append(Pool pool, String volume, long offset, ByteBuffer data) throws IOException {
        Open o = pool.journals.get(volume);
        if (o == null) {
            return;
        }
        long seq;
        try {
            seq = o.journal.append(offset, data);
        } catch (RuntimeException e) {
            // the members may take this write while the journal did not: base + journal would no
            // longer make the volume, so the journal stops protecting it until a new base
            try {
                leaveOut(pool, o, "a write could not be journaled (" + e + ")");
            } catch (IOException notRecorded) {
                e.addSuppressed(notRecorded);
            }
            throw e;
        }
        if (seq == -1) {
            // no leg left: the write is in no journal, like one a full journal leaves out
            leaveOut(pool, o, "both its drives failed");
            return;
        }
        if (seq != -2) {
            return;
        }
        boolean noBase;
        synchronized (pool.journalLock) {
            // the look and the mark as one step against backupCompleted, which reads the mark and
            // makes the base under this lock: between the two, a backup whose instant came before
            // this write could become the base unmarked, holding the write nowhere (helper 61)
            PoolConfig.JournalRecord rec = pool.journalRecords.get(volume);
            noBase = rec == null || rec.base() == null;
            if (noBase) {
                // protecting nothing: a ship needs a base, so none can make room; a backup under way
                // whose instant came before this write must not become the base (see backupCompleted)
                o.leftOutSinceInstant = true;
            }
        }
        if (noBase) {
            leaveOut(pool, o, "the journal is full"); // refused if "protecting nothing" is not on record yet
            return;
        }
        // full: a ship frees room; wait for it a while rather than leave a write out of the journal
        if (!pool.jobsRunning()) {
            leaveOut(pool, o, "the journal is full and no job can run to ship it");
            return;
        }
        ShipForRoom ship = ShipForRoom.ask(pool, volume);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            seq = o.journal.append(offset, data);
            if (seq != -2) {
                return;
            }
            String vain = ship.whyInVain(o);
            if (vain != null) {
                if (o.journal.append(offset, data) != -2) {
                    return; // room made just now
                }
                leaveOut(pool, o, vain);
                return;
            }
            if (ship.endedWithoutRoom()) {
                ship = ShipForRoom.ask(pool, volume); // others took the room it made: the next ship
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        leaveOut(pool, o, "the journal filled up before a ship could empty it");
    }

    /**
     * A write goes on without the journal: it stops protecting, and no backup whose instant came
     * before is its base. Throws, and the write is refused (an I/O error its host sees), when
     * pool.json cannot record that the journal stopped protecting: acknowledged, the write would be
     * in neither the base that pool.json still names nor the journal.
     */
    private static void leaveOut(Pool pool, Open o, String why) throws IOException {
        o.leftOutSinceInstant = true;
        try {
            stopProtecting(pool, o.volume, why);
        } catch (IOException e) {
            if (!o.refusalSaid) { // once until it is on record: every write refused meanwhile says it to its host
                o.refusalSaid = true;
                pool.events.publish(Event.critical("JOURNAL", o.volume, "a write to " + o.volume + " was refused with an"
                        + " I/O error: the journal left it out (" + why + ") and pool.json could not record that the"
                        + " journal no longer protects " + o.volume + " (" + e.getMessage() + "); writes the journal"
                        + " cannot take are refused until pool.json can be written"));
            }
            throw new IOException("volume " + o.volume + ": the write was not done: the journal left it out (" + why
                    + ") and pool.json could not record that the journal no longer protects the volume: " + e.getMessage(), e);
        }
    }

    /**
     * An operation holding the pool's monitor begins ({@code waiting}) or ends waiting for the
     * writes under way to the journal's volume (told by {@link RaidVolume#awaitingWrites} through the
     * write log); see {@link Open#shipHolders}.
     */
    private static void shipHeld(Pool pool, Open o, boolean waiting) {
        if (Thread.holdsLock(pool)) {
            if (waiting) {
                o.shipHolders.incrementAndGet();
            } else {
                o.shipHolders.decrementAndGet();
            }
        }
    }

    /**
     * The journal misses writes from now on: it protects nothing until a backup into its store
     * re-bases it (one is started now), or, with both its drives lost, until it is enabled again.
     * Returns once pool.json says so; throws when it cannot be written (the base stays dropped in
     * memory, {@link Open#stopUnrecorded}, and the next call writes it again): a writer must then
     * refuse the write it leaves out, a flush the writes it would acknowledge.
     */
    static void stopProtecting(Pool pool, String volume, String why) throws IOException {
        Open o = pool.journals.get(volume);
        synchronized (pool.journalLock) {
            PoolConfig.JournalRecord rec = pool.journalRecords.get(volume);
            if (rec == null || rec.base() == null && (o == null || !o.stopUnrecorded)) {
                return; // protecting nothing, on record
            }
            if (rec.base() != null) {
                pool.journalRecords.put(volume, rec.based(null, rec.shippedThrough()));
                if (o != null) {
                    o.stopUnrecorded = true; // until the persist below succeeds
                }
            }
            pool.persist();
            if (o != null) {
                o.stopUnrecorded = false;
                o.refusalSaid = false;
            }
        }
        boolean lost = o != null && o.journal.unprotected();
        pool.events.publish(Event.critical("JOURNAL", volume, "the journal of " + volume + " stopped protecting it: " + why
                + (lost ? "; enable the journal on other drives (disable it first)"
                : "; a backup into its store gives it a new base (started now, or once a restore or backup of " + volume
                + " under way ended)")));
        // on another thread: a writer may be the caller, holding the volume's gate that the
        // backup's start takes exclusively
        inBackground(pool, "rebase", () -> new JournalAdmin(pool).rebaseQuietly(volume));
    }

    /** Runs {@code work} on a thread of its own, unless the pool is closing. */
    static void inBackground(Pool pool, String what, Runnable work) {
        if (pool.isClosed()) {
            return;
        }
        Thread t = new Thread(work, "splitpoint-journal-" + what);
        t.setDaemon(true);
        t.start();
    }

    private static void legFailed(Pool pool, String volume, int leg, IOException why) {
        PoolConfig.JournalRecord rec = pool.journalRecords.get(volume);
        if (rec == null) {
            return;
        }
        String drive = rec.drives().get(leg);
        Drive d = pool.drives.get(drive);
        if (d != null) {
            d.state = DriveState.FAILED;
            // an I/O failure is a standing problem (commands exit 1 until it is replaced); a drive
            // failed by command is not
            d.problem = why instanceof FailedByCommand ? null
                    : "journal drive " + drive + " of volume " + volume + " failed: " + why.getMessage();
        }
        try {
            pool.persist();
        } catch (IOException e) {
            // the next persist records it
        }
        Open o = pool.journals.get(volume);
        boolean both = o != null && o.journal.unprotected();
        pool.events.publish(both
                ? Event.critical("JOURNAL", volume, "both journal drives of " + volume + " failed (" + drive + ": "
                        + why.getMessage() + "): the volume keeps serving, but its writes are no longer journaled")
                : Event.warning("JOURNAL", volume, "journal drive " + drive + " of " + volume + " failed ("
                        + why.getMessage() + "); the journal carries on on the other one; replace " + drive));
        // the journal stops protecting in the write that finds no leg (append's -1) or the flush
        // that syncs none, not here: this may run under the journal's monitor (a leg failing in an
        // append), which backupCompleted takes under journalLock, the lock stopProtecting takes
    }

    /** Why a leg was dropped when an administrator failed its drive. */
    private static final class FailedByCommand extends IOException {
        FailedByCommand(String why) {
            super(why);
        }
    }

    /** An administrator failed journal drive {@code d}: its leg is dropped; the journal carries on on the other. */
    static void failLeg(Pool pool, Drive d, String why) throws IOException {
        PoolConfig.JournalRecord rec = pool.journalRecords.get(d.journal);
        Open o = pool.journals.get(d.journal);
        int leg = rec == null ? -1 : rec.drives().indexOf(d.name);
        if (o != null && leg >= 0) {
            o.journal.dropLeg(leg);
        }
        legFailed(pool, d.journal, Math.max(0, leg), new FailedByCommand(why));
        if (o != null && o.journal.unprotected()) {
            stopProtecting(pool, d.journal, "both its drives failed"); // on record now, not at the next write
        }
    }

    /** A replaced journal drive (a blank image now) gets the live entries from the other leg. */
    static void rejoinLeg(Pool pool, Drive d) throws IOException {
        PoolConfig.JournalRecord rec = pool.journalRecords.get(d.journal);
        Open o = pool.journals.get(d.journal);
        int leg = rec == null ? -1 : rec.drives().indexOf(d.name);
        if (o == null || leg < 0) {
            return;
        }
        if (o.journal.unprotected()) {
            d.state = DriveState.FAILED;
            throw new IOException("both journal drives of " + d.journal + " failed: there is no journal left to copy to "
                    + d.name + "; disable the journal and enable it again");
        }
        o.journal.rejoin(leg, pool.storage.open(pool.paths.image(d.name)));
        d.state = DriveState.ONLINE;
        pool.persist();
        pool.events.publish(Event.info("JOURNAL", d.journal, "journal drive " + d.name + " of " + d.journal
                + " replaced: it holds the journal again"));
    }

    /** The overlay of a rebuild from backup being resumed at open, or null for a plain restore. */
    static JournalOverlay overlayFor(Pool pool, PoolConfig.RestoreRecord rec) throws IOException {
        if (!rec.withJournal()) {
            return null;
        }
        Open o = pool.journals.get(rec.volume());
        if (o == null) {
            throw new IOException("the rebuild of " + rec.volume() + " needs its journal, which is no longer enabled");
        }
        return new JournalOverlay(pool.trackSize, o.journal, rec.journalFrom(), rec.journalTo());
    }

    /**
     * A backup's instant on the volume's journal: the journal then ({@code null}: none) and its next
     * entry. Entry numbers are the journal's own: a journal enabled since numbers afresh.
     */
    record BackupInstant(Open journal, long seq) {
        static final BackupInstant NONE = new BackupInstant(null, -1);
    }

    /** A backup of {@code volume} into {@code storeUuid} completed, taken at {@code at}. */
    static void backupCompleted(Pool pool, String volume, String storeUuid, String image, BackupInstant at) throws IOException {
        if (at.journal() == null) {
            return;
        }
        long seqAtInstant = at.seq();
        Open o = pool.journals.get(volume);
        synchronized (pool.journalLock) {
            PoolConfig.JournalRecord rec = pool.journalRecords.get(volume);
            if (rec == null || o == null || !rec.storeUuid().equals(storeUuid)) {
                return;
            }
            if (o.journal.unprotected()) {
                pool.events.publish(Event.warning("JOURNAL", volume, "backup " + image + " of " + volume + " is not the"
                        + " journal's base: both journal drives failed, so the journal holds no write to build on it;"
                        + " enable the journal on other drives (disable it first)"));
                return;
            }
            if (o != at.journal()) {
                // taken on the journal of before a disable and enable: the writes between its instant
                // and this journal's start are in neither, and its entry number is the old journal's
                pool.events.publish(Event.warning("JOURNAL", volume, "backup " + image + " of " + volume + " is not the"
                        + " journal's base: it was taken before the journal was enabled; the next backup into its store"
                        + " gives it one"));
                return;
            }
            boolean wasProtecting = rec.base() != null;
            if (o.leftOutSinceInstant) {
                // a write after the backup's instant is in neither the image nor the journal: the
                // entries before the instant go (the image holds them), the base waits for another
                // backup (the journal's watch starts one)
                pool.journalRecords.put(volume, rec.based(null, Math.max(seqAtInstant, rec.shippedThrough())));
                pool.persist();
                o.journal.retire(seqAtInstant);
                pool.events.publish(Event.warning("JOURNAL", volume, "backup " + image + " of " + volume + " is not the"
                        + " journal's base: a write made while it ran was left out of the journal (it was full); the"
                        + " next backup into its store gives it one"));
                return;
            }
            pool.journalRecords.put(volume, rec.based(image, Math.max(seqAtInstant, rec.shippedThrough())));
            pool.persist();
            o.journal.retire(seqAtInstant);
            if (!wasProtecting) {
                pool.events.publish(Event.info("JOURNAL", volume, "the journal of " + volume + " protects it now: it builds"
                        + " on image " + image));
            }
        }
    }

    /**
     * A plain restore of {@code volume} from image {@code image} is starting: the volume will be that
     * image plus the writes made from now on. From an image in the journal's store, that image is
     * the journal's base and the entries so far go; from elsewhere the journal protects nothing
     * until a backup into its store (the journal's watch starts one when the restore ends).
     * Changes the record only (the caller persists); returns the entry the new base holds up to,
     * or -1.
     */
    static long restoreStarting(Pool pool, String volume, String storeUuid, String image) {
        Open o = pool.journals.get(volume);
        synchronized (pool.journalLock) {
            PoolConfig.JournalRecord rec = pool.journalRecords.get(volume);
            if (rec == null || o == null) {
                return -1;
            }
            if (!rec.storeUuid().equals(storeUuid)) {
                pool.journalRecords.put(volume, rec.based(null, rec.shippedThrough()));
                return -1;
            }
            long seq = o.journal.nextSeq();
            pool.journalRecords.put(volume, rec.based(image, seq));
            return seq;
        }
    }

    /** After {@link #restoreStarting} was recorded: the entries before the new base go. */
    static void restoreStarted(Pool pool, String volume, String image, long journalBase) {
        Open o = pool.journals.get(volume);
        if (o == null) {
            return;
        }
        if (journalBase >= 0) {
            o.journal.retire(journalBase);
            pool.events.publish(Event.info("JOURNAL", volume, "the journal of " + volume + " builds on image " + image
                    + " now (the volume is being restored from it); its earlier entries are removed"));
        } else {
            pool.events.publish(Event.warning("JOURNAL", volume, "the journal of " + volume + " protects nothing while "
                    + volume + " is restored from an image outside its store; a backup into its store gives it a base"
                    + " again once the restore ends"));
        }
    }

    /**
     * A backup's instant (no write in flight): the journal now and its next entry, or
     * {@link BackupInstant#NONE} when the volume has no journal. Writes left out before it do not
     * count against that backup as the base.
     */
    static BackupInstant backupInstant(Pool pool, String volume) {
        Open o = pool.journals.get(volume);
        if (o == null) {
            return BackupInstant.NONE;
        }
        o.leftOutSinceInstant = false;
        return new BackupInstant(o, o.journal.nextSeq());
    }

    // ---- enable, disable ----------------------------------------------------------------------

    /**
     * Enables the journal of {@code volume} on two SPARE drives, shipping into the store at
     * {@code storeDir}; a backup into that store starts at once and is the journal's base.
     * Returns that backup's job.
     */
    public Job enable(String volume, List<String> driveNames, Path storeDir, long maxSize, long maxAgeSeconds)
            throws IOException, PoolException {
        synchronized (pool) {
            RaidVolume v = pool.volume(volume);
            Refusal.check(JournalRules.enableVolume(PoolSnapshots.of(pool), volume, statusOrNull(volume)));
            if (driveNames.size() != 2 || driveNames.get(0).equals(driveNames.get(1))) {
                throw new IllegalArgumentException("--drives names the journal's two drives, two different ones, not "
                        + String.join(",", driveNames));
            }
            if (maxSize < 0 || maxAgeSeconds < 0 || (maxSize == 0 && driveNames.isEmpty())) {
                throw new IllegalArgumentException("--max-size and --max-age must be positive");
            }
            for (String dn : driveNames) {
                Drive d = pool.driveNamed(dn);
                if (v.members().stream().anyMatch(m -> m.drive().equals(dn))) {
                    throw new PoolException("drive " + dn + " is a member of volume " + volume + "; its journal must be on"
                            + " drives outside it (the second redundancy scheme)");
                }
                if (d.state() != DriveState.SPARE) {
                    throw new PoolException("drive " + dn + " is " + d.state() + (d.volume != null ? " in volume " + d.volume : "")
                            + (d.journal != null ? ", holding the journal of " + d.journal : "")
                            + "; a journal needs SPARE drives");
                }
                ServiceAdmin.refuseIfLent(d, "a journal needs free SPARE drives");
            }
            long capacity = Math.min(pool.drives.get(driveNames.get(0)).size, pool.drives.get(driveNames.get(1)).size);
            long max = maxSize == 0 ? capacity / 2 : maxSize;
            if (max > capacity * 9 / 10) {
                throw new IllegalArgumentException("--max-size " + Sizes.format(max) + " leaves no room in journal drives of "
                        + Sizes.format(capacity) + "; give at most " + Sizes.format(capacity * 9 / 10));
            }
            Path store = storeDir.toAbsolutePath().normalize();
            if (store.startsWith(pool.dir().toAbsolutePath().normalize())) {
                throw new PoolException("the backup store " + storeDir + " is inside the pool; keep backups outside it");
            }
            refuseStore(volume, storeDir);
            DirectoryStore st = DirectoryStore.open(storeDir, pool.storage, true);
            ImagesInUse.register(pool, st);
            for (String dn : driveNames) { // blank legs: an earlier use of the drive leaves nothing to read back
                Drive d = pool.drives.get(dn); // a SPARE's bytes belong to nothing: not kept
                pool.storage.delete(pool.paths.image(dn));
                PoolFiles.createImage(pool.storage, pool.paths, dn, d.size);
            }
            pool.storage.syncDirectory(pool.paths.drives());
            PoolConfig.JournalRecord rec = new PoolConfig.JournalRecord(volume, driveNames, st.dir().toString(), st.uuid(),
                    max, maxAgeSeconds, null, 0, List.of());
            StorageFile[] files = new StorageFile[2];
            for (int i = 0; i < 2; i++) {
                files[i] = pool.storage.open(pool.paths.image(driveNames.get(i)));
                Drive d = pool.drives.get(driveNames.get(i));
                d.state = DriveState.ONLINE;
                d.journal = volume;
            }
            pool.journalRecords.put(volume, rec);
            pool.persist();
            v.exclusive(() -> attach(pool, v, rec, files)); // recording from an instant with no write in flight
            startWatch(pool);
            pool.events.publish(Event.info("JOURNAL", volume, "journal of " + volume + " enabled on " + String.join(" and ",
                    driveNames) + ", shipping to " + st.describe() + " at " + Sizes.format(max)
                    + (maxAgeSeconds > 0 ? " or after " + maxAgeSeconds + " s" : "") + "; a backup gives it its base now"));
            boolean full = !BackupAdmin.hasChainIn(pool, volume, st.uuid());
            return new BackupAdmin(pool).backup(volume, storeDir, full, 0);
        }
    }

    /**
     * A journal's store must exist (an empty directory becomes one) and be the volume's own: not
     * another journal's, not one holding only other volumes' images.
     */
    private void refuseStore(String volume, Path storeDir) throws IOException, PoolException {
        if (!java.nio.file.Files.isDirectory(storeDir)) {
            throw new PoolException("no backup store at " + storeDir + ": the directory does not exist; create it (an empty"
                    + " directory becomes a store) or name the store the volume is backed up to");
        }
        boolean empty;
        try (var list = java.nio.file.Files.list(storeDir)) {
            empty = list.findAny().isEmpty();
        }
        if (empty) {
            return;
        }
        DirectoryStore st = DirectoryStore.open(storeDir, pool.storage, false);
        for (PoolConfig.JournalRecord r : Pool.copy(pool.journalRecords)) {
            if (r.storeUuid().equals(st.uuid())) {
                throw new PoolException("store " + storeDir + " is the journal store of volume " + r.volume() + "; give each"
                        + " journaled volume a store of its own");
            }
        }
        java.util.Set<String> others = new java.util.TreeSet<>();
        for (ImageInfo i : st.list()) {
            if (i.volume().equals(volume)) {
                return;
            }
            others.add(i.volume());
        }
        if (!others.isEmpty()) {
            throw new PoolException("store " + storeDir + " holds backups of " + String.join(", ", others) + ", none of "
                    + volume + ": a journal ships into its own volume's store");
        }
    }

    /** Disables the journal of {@code volume}: its drives become SPARE again (their contents are dropped). */
    public void disable(String volume) throws IOException, PoolException {
        synchronized (pool) {
            RaidVolume v = pool.volume(volume);
            Refusal.check(JournalRules.disable(PoolSnapshots.of(pool), volume, statusOrNull(volume)));
            PoolConfig.JournalRecord rec = record(volume);
            Open o = pool.journals.remove(volume);
            v.exclusive(() -> v.setWriteLog(null));
            if (o != null) {
                v.removeFlushHook(o.flushHook);
                o.journal.close();
            }
            for (String dn : rec.drives()) {
                Drive d = pool.drives.get(dn);
                if (d != null) {
                    d.journal = null;
                    if (d.state != DriveState.FAILED) {
                        d.state = DriveState.SPARE;
                    }
                }
            }
            pool.journalRecords.remove(volume);
            pool.persist();
            pool.events.publish(Event.warning("JOURNAL", volume, "journal of " + volume + " disabled; "
                    + String.join(" and ", rec.drives()) + " are SPARE again"));
        }
    }

    private PoolConfig.JournalRecord record(String volume) throws PoolException {
        PoolConfig.JournalRecord rec = pool.journalRecords.get(volume);
        if (rec == null) {
            throw new PoolException("volume " + volume + " has no journal; enable one with 'volume journal enable'");
        }
        return rec;
    }

    /** The journal's status for its rules, or null when the volume has none. */
    private Status statusOrNull(String volume) throws PoolException {
        return pool.journalRecords.containsKey(volume) ? status(volume) : null;
    }

    // ---- status -------------------------------------------------------------------------------

    /** The journal of {@code volume} as {@code journal status} shows it. */
    public Status status(String volume) throws PoolException {
        pool.volume(volume);
        PoolConfig.JournalRecord rec = record(volume);
        Open o = pool.journals.get(volume);
        WriteJournal j = o == null ? null : o.journal;
        long oldest = j == null ? -1 : j.oldestTime();
        long age = oldest < 0 ? 0 : Math.max(0, (System.currentTimeMillis() - oldest) / 1000);
        long bytes = j == null ? 0 : j.liveBytes();
        String next = j != null && j.unprotected() ? "never: both its drives failed; enable the journal on other drives"
                + " (disable it first)"
                : rec.base() == null ? "once " + NO_BASE_YET.formatted(rec.store())
                : "at " + Sizes.format(rec.maxSize()) + " (now " + Sizes.format(bytes) + ")"
                + (rec.maxAgeSeconds() > 0 ? " or when the oldest entry is " + rec.maxAgeSeconds() + " s old (now " + age + " s)" : "")
                + ", or on 'volume journal ship'";
        return new Status(volume, rec.drives(), List.of(j != null && j.legHealthy(0), j != null && j.legHealthy(1)),
                rec.store(), rec.base(), j == null ? 0 : j.entries(), bytes, j == null ? 0 : j.capacity(), age,
                rec.maxSize(), rec.maxAgeSeconds(), rec.lastShipAt(), rec.lastShipResult(), rec.ships(), rec.base() != null,
                j == null || j.unprotected(), next);
    }

    /** Volumes with a journal. */
    public List<String> volumes() {
        return new ArrayList<>(pool.journalRecords.keySet());
    }

    // ---- ship ---------------------------------------------------------------------------------

    /** Ships the journal of {@code volume} into its store now; returns the job. */
    public Job ship(String volume) throws IOException, PoolException {
        synchronized (pool) {
            pool.refuseIfClosed();
            pool.volume(volume);
            Refusal.check(JournalRules.ship(PoolSnapshots.of(pool), volume, statusOrNull(volume)));
            PoolConfig.JournalRecord rec = record(volume);
            Open o = pool.journals.get(volume);
            long from = Math.max(rec.shippedThrough(), o.journal.oldestSeq());
            long to = o.journal.nextSeq();
            DirectoryStore store = DirectoryStore.open(Path.of(rec.store()), pool.storage, false);
            JournalShipWork work = new JournalShipWork(pool, volume, store, rec.base(),
                    new JournalOverlay(pool.trackSize, o.journal, from, to), to);
            Job job = new Job("journal-ship-" + volume, "journal-ship", volume, 0, work.tracks(), pool.trackSize, false, 0,
                    work, p -> pool.events.publish(Event.info("JOB_PROGRESS", "journal-ship-" + volume, p.line())));
            pool.events.publish(Event.info("JOURNAL", volume, "shipping the journal of " + volume + ": " + (to - from)
                    + (to - from == 1 ? " entry" : " entries") + " over " + Sizes.count(work.tracks(), "track") + " into "
                    + store.describe()));
            pool.startJob(job);
            return job;
        }
    }

    private void shipQuietly(String volume, String why) {
        try {
            ship(volume);
        } catch (IOException | PoolException e) {
            // running already, or nothing to ship, or no base: the caller goes on as it can
        }
    }

    private void rebaseQuietly(String volume) {
        try {
            PoolConfig.JournalRecord rec = pool.journalRecords.get(volume);
            Open o = pool.journals.get(volume);
            // not while a restore or a backup of the volume runs: a restore's start may have given
            // the base already, and the watch starts the backup once either ended; nor for a
            // journal with no drive left, which no base makes protect anything
            if (rec != null && rec.base() == null && o != null && !o.journal.unprotected() && !pool.restores.containsKey(volume)
                    && !pool.snapshotCatalog.restores.containsKey(volume) && !busy(pool, volume)) {
                new BackupAdmin(pool).backup(volume, Path.of(rec.store()), !BackupAdmin.hasChainIn(pool, volume, rec.storeUuid()), 0);
            }
        } catch (IOException | PoolException e) {
            pool.events.publish(Event.critical("JOURNAL", volume, "could not start the backup that gives the journal of "
                    + volume + " a new base: " + e.getMessage()));
        }
    }

    /** Ends the watch (a pool closing or abandoned): interrupted, and waited for while it starts a ship. */
    static void stopWatch(Pool pool) {
        Thread t = pool.journalWatch;
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        t.interrupt();
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Every second: ships the journals that reached their size or age limit, and starts a backup
     * for a journal without a base (its first backup failed, or a restore from elsewhere or a full
     * journal left it protecting nothing), at most once a minute.
     */
    private static void startWatch(Pool pool) {
        if (pool.journalWatch != null) {
            return;
        }
        Map<String, Long> rebaseTried = new HashMap<>();
        Thread t = new Thread(() -> {
            while (!pool.isClosed()) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                if (pool.isClosed()) {
                    return; // closed while it slept: a ship now would write behind the pool's back
                }
                for (PoolConfig.JournalRecord rec : Pool.copy(pool.journalRecords)) {
                    String volume = rec.volume();
                    Open o = pool.journals.get(volume);
                    RaidVolume v = pool.volumes.get(volume);
                    if (o == null || v == null || pool.restores.containsKey(volume) || v.state() == VolumeState.FAILED
                            || busy(pool, volume)) {
                        continue;
                    }
                    if (rec.base() == null) {
                        long now = System.nanoTime();
                        Long last = rebaseTried.get(volume);
                        if (last == null || now - last > Duration.ofMinutes(1).toNanos()) {
                            rebaseTried.put(volume, now);
                            new JournalAdmin(pool).rebaseQuietly(volume);
                        }
                        continue;
                    }
                    if (o.journal.entries() == 0) {
                        continue;
                    }
                    long age = o.journal.oldestTime() < 0 ? 0 : (System.currentTimeMillis() - o.journal.oldestTime()) / 1000;
                    if (o.journal.liveBytes() >= rec.maxSize() || (rec.maxAgeSeconds() > 0 && age >= rec.maxAgeSeconds())) {
                        new JournalAdmin(pool).shipQuietly(volume, "limit reached");
                    }
                }
            }
        }, "splitpoint-journal-watch");
        t.setDaemon(true);
        pool.journalWatch = t;
        t.start();
    }

    /** True while a backup or a ship of {@code volume} runs. */
    private static boolean busy(Pool pool, String volume) {
        for (Job j : pool.jobs) {
            if ((j.kind().equals("journal-ship") || j.kind().equals("backup")) && j.target().equals(volume)
                    && !j.state().isFinished()) {
                return true;
            }
        }
        return false;
    }

    // ---- rebuild ------------------------------------------------------------------------------

    /**
     * What a rebuild from backup would do: the chain it reads (the full image first), the entries
     * it applies, what it copies.
     */
    public record RebuildPreview(String volume, String reason, List<String> lostDrives, String store, List<String> chain,
                                 int entries, long entryBytes, long oldestEntryMillis, long tracks, long bytes) { }

    /**
     * The rebuild of {@code volume} as {@link #rebuildFromBackup} would do it now (the same checks:
     * a volume it refuses has no preview, only the reason).
     */
    public RebuildPreview previewRebuild(String volume) throws IOException, PoolException {
        synchronized (pool) {
            RaidVolume v = pool.volume(volume);
            PoolConfig.JournalRecord rec = rebuildable(v);
            WriteJournal j = pool.journals.get(volume).journal;
            List<WriteJournal.Entry> es = j.entries(rec.shippedThrough(), j.nextSeq());
            long entryBytes = es.stream().mapToLong(WriteJournal.Entry::length).sum();
            List<String> chain = new ArrayList<>();
            DirectoryStore store = DirectoryStore.open(Path.of(rec.store()), pool.storage, false);
            try (ChainReader c = ChainReader.open(store, rec.base())) {
                for (ImageInfo i : c.images()) {
                    chain.add(0, i.id()); // the full image first, then each incremental on it
                }
            }
            List<String> lost = new PoolAdmin(pool).checkReplacements(v, List.of()).stream()
                    .map(org.splitpoint.engine.raid.Member::drive).toList();
            long tracks = (v.size() + pool.trackSize - 1) / pool.trackSize;
            return new RebuildPreview(volume, v.stateReason(), lost, store.describe(), chain, es.size(), entryBytes,
                    es.isEmpty() ? -1 : es.get(0).timeMillis(), tracks, v.size());
        }
    }

    /** The journal record a rebuild of {@code v} works from, or why there can be none. */
    private PoolConfig.JournalRecord rebuildable(RaidVolume v) throws PoolException {
        String volume = v.name();
        if (v.state() != VolumeState.FAILED) {
            throw new PoolException("volume " + volume + " is " + v.state() + (v.stateReason().isEmpty() ? "" : " ("
                    + v.stateReason() + ")") + ": it is within its redundancy; replace its failed drives instead ('drive replace')");
        }
        PoolConfig.JournalRecord rec = pool.journalRecords.get(volume);
        if (rec == null) {
            throw new PoolException("volume " + volume + " has no journal to rebuild it from; restore it from a backup"
                    + " instead ('backup restore', which loses the writes since that backup)");
        }
        Open o = pool.journals.get(volume);
        if (o == null || o.journal.unprotected()) { // first: it has no base either, but this is why
            throw new PoolException("the journal of " + volume + " lost both its drives: the writes it held are gone;"
                    + " restore from a backup ('backup restore', which loses them)");
        }
        if (rec.base() == null) {
            throw new PoolException("the journal of " + volume + " protects nothing yet (it has no base image); restore it"
                    + " from a backup instead ('backup restore')");
        }
        return rec;
    }

    /**
     * Rebuilds {@code volume}, FAILED beyond its redundancy, from the journal's base image and the
     * entries not yet shipped, applied in order: it is usable at once (an instant restore) and ends
     * as of its last acknowledged write. Its lost drives get blank images. Returns the copy's job.
     */
    public Job rebuildFromBackup(String volume, List<String> replacements, long throttle) throws IOException, PoolException {
        synchronized (pool) {
            RaidVolume v = pool.volume(volume);
            PoolConfig.JournalRecord rec = rebuildable(v);
            Open o = pool.journals.get(volume);
            RestoreAdmin restores = new RestoreAdmin(pool);
            restores.refuseRestoreNow(v);
            new PoolAdmin(pool).checkReplacements(v, replacements);
            long from = rec.shippedThrough();
            long to = o.journal.nextSeq();
            JournalOverlay overlay = new JournalOverlay(pool.trackSize, o.journal, from, to);
            DirectoryStore store = DirectoryStore.open(Path.of(rec.store()), pool.storage, false);
            pool.events.publish(Event.critical("JOURNAL", volume, "volume " + volume + " is FAILED (" + v.stateReason()
                    + "), beyond its redundancy: rebuilding it from image " + rec.base() + " and " + (to - from)
                    + (to - from == 1 ? " journal entry" : " journal entries")));
            return restores.startRestore(v, store, rec.base(), false, throttle, overlay, from, to, replacements);
        }
    }
}
