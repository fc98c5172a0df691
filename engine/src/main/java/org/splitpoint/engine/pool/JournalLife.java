package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.log.WriteJournal;
import org.splitpoint.engine.pool.JournalAdmin.Open;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A journal's life in the pool: opened at pool open (its legs read back and levelled, put on its
 * volume as the write log and a flush hook), attached when enabled, and its legs' drives failing,
 * failed by command or rejoining once replaced.
 *
 * <p>Design. The journal is put on the volume as its write log ({@link JournalWrites#append} takes
 * every write) and its flush hook forces the legs, so a write is acknowledged only when both schemes
 * hold it. A leg failing only marks its drive and says so: the journal stops protecting in the write
 * that finds no leg or the flush that syncs none ({@link JournalWrites}), not here, for this may run
 * under the journal's monitor, which the base's making takes under the pool's journalLock.
 */
final class JournalLife {

    private JournalLife() { }

    /** The clocks every journal of this process dates its entries and counts their age on (a test steps them). */
    static volatile WriteJournal.Clock clock = WriteJournal.Clock.SYSTEM;

    /**
     * At open: every journal's legs are read back and levelled, and it records its volume's writes
     * again. Its watch starts once the opening has ended ({@link Pool#open}).
     */
    static void openJournals(Pool pool) throws IOException {
        for (PoolConfig.JournalRecord rec : Pool.copy(pool.journalRecords)) {
            RaidVolume v = pool.volumes.get(rec.volume());
            if (v == null) {
                continue;
            }
            attach(pool, v, rec, openLegs(pool, rec));
        }
        // (the watch starts at the end of the opening: Pool.open)
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

    static void attach(Pool pool, RaidVolume v, PoolConfig.JournalRecord rec, StorageFile[] files) throws IOException {
        String volume = v.name();
        // entries below shippedThrough were shipped before a crash: dropped, never applied twice
        WriteJournal journal = WriteJournal.open(files, capacityOf(pool, rec), rec.shippedThrough(), pool.isReadOnly(),
                (leg, why) -> legFailed(pool, volume, leg, why), clock);
        RaidVolume.IoAction hook = () -> {
            journal.sync();
            if (journal.unprotected()) {
                // both legs went (here or before): the writes this flush acknowledges are in no
                // journal, so the volume's flush returns only once pool.json says it protects nothing
                JournalWrites.stopProtecting(pool, volume, "both its drives failed");
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
                    JournalWrites.append(pool, volume, offset, data);
                }

                @Override
                public void exclusiveWaiting(boolean waiting) {
                    JournalWrites.shipHeld(pool, open, waiting); // told on the waiting thread itself: only it can say what it holds
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
                    JournalWrites.stopProtecting(pool, volume, "both its drives failed");
                } catch (IOException e) {
                    // not on record: the first write or flush tries again, and fails if it cannot
                }
            }
        }
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
            if (!(why instanceof FailedByCommand)) { // (failLeg put its drive's problem, and pool.json, first)
                // an I/O failure is a standing problem (commands exit 1 until it is replaced)
                d.problem = "journal drive " + drive + " of volume " + volume + " failed: " + why.getMessage();
                try {
                    pool.persist();
                } catch (IOException e) {
                    // the next persist records it; meanwhile an opening that finds the drive
                    // ONLINE reads its leg back and levels it with the other (entries of either kept)
                }
            }
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

    /** Why {@link #failLeg} dropped a leg (an administrator's command, or the image check): its drive is on record already. */
    private static final class FailedByCommand extends IOException {
        FailedByCommand(String why) {
            super(why);
        }
    }

    /**
     * Journal drive {@code d} is failed by an administrator or by the image check ({@code problem}
     * its standing problem, null by command): on record first, then its leg is dropped and the
     * journal carries on on the other. When pool.json cannot be written it is refused and changes
     * nothing: before, the leg was dropped and the command said done while pool.json still said
     * ONLINE, so the next opening used the drive again (UnrecordedJournalLegFailTest). The leg taking
     * entries between the record and the drop is harmless: an opening leaves a FAILED drive's leg
     * out, and the other holds every entry.
     */
    static void failLeg(Pool pool, Drive d, String why, String problem) throws IOException {
        PoolConfig.JournalRecord rec = pool.journalRecords.get(d.journal);
        Open o = pool.journals.get(d.journal);
        int leg = rec == null ? -1 : rec.drives().indexOf(d.name);
        DriveState was = d.state;
        String wasProblem = d.problem;
        d.state = DriveState.FAILED;
        d.problem = problem;
        try {
            pool.persist();
        } catch (IOException | RuntimeException e) {
            d.state = was;
            d.problem = wasProblem;
            throw e;
        }
        if (o != null && leg >= 0) {
            o.journal.dropLeg(leg);
        }
        legFailed(pool, d.journal, Math.max(0, leg), new FailedByCommand(why));
        if (o != null && o.journal.unprotected()) {
            JournalWrites.stopProtecting(pool, d.journal, "both its drives failed"); // on record now, not at the next write
        }
    }

    /**
     * A replaced journal drive (a blank image now) gets the live entries from the other leg, and is
     * used once pool.json says it is ONLINE. When anything fails, the drive is as it was (FAILED) in
     * memory as in pool.json and its leg unused; the caller puts its old image back.
     */
    static void rejoinLeg(Pool pool, Drive d) throws IOException {
        PoolConfig.JournalRecord rec = pool.journalRecords.get(d.journal);
        Open o = pool.journals.get(d.journal);
        int leg = rec == null ? -1 : rec.drives().indexOf(d.name);
        if (o == null || leg < 0) {
            // before, it returned without a word: the replacement said done, the drive still FAILED
            // with a blank in its image's place (RejoinUnopenedJournalTest)
            throw new IOException("journal drive " + d.name + " cannot be replaced now: the journal of volume " + d.journal
                    + (o == null ? " is not open in this opening of the pool" : " does not name it as a leg")
                    + "; open the pool again, or disable the journal and enable it again");
        }
        if (o.journal.unprotected()) {
            throw new IOException("both journal drives of " + d.journal + " failed: there is no journal left to copy to "
                    + d.name + "; disable the journal and enable it again");
        }
        DriveState was = d.state;
        // recorded under the journal's monitor once the copy is durable, before the leg takes an entry
        // (persistLock is innermost): before, the leg was used and pool.json, when it could not be
        // written, still said FAILED, so the next opening left that leg out
        o.journal.rejoin(leg, pool.storage.open(pool.paths.image(d.name)), () -> {
            d.state = DriveState.ONLINE;
            try {
                pool.persist();
            } catch (IOException | RuntimeException e) {
                d.state = was;
                throw e;
            }
        });
        pool.events.publish(Event.info("JOURNAL", d.journal, "journal drive " + d.name + " of " + d.journal
                + " replaced: it holds the journal again"));
    }
}
