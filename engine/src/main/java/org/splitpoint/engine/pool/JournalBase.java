package org.splitpoint.engine.pool;

import java.io.IOException;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.pool.JournalAdmin.Open;

/**
 * The journal's base image: a backup's instant on the journal, a backup completed into the
 * journal's store re-basing it (the entries before its instant retire), and a plain restore
 * starting giving it a base, or none.
 *
 * <p>Design. The record changes under the pool's journalLock, persisted before the entries retire:
 * a crash loses no entry, and one shipped is never applied again. A backup is not the base when a
 * write was left out of the journal since its instant, or when it was taken on the journal of
 * before a disable and enable: a base never claims a write the journal does not hold.
 */
final class JournalBase {

    private JournalBase() { }

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
     * Changes the record only (the caller persists, or puts it back by {@link #restoreNotStarted});
     * returns the entry the new base holds up to, or -1.
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

    /**
     * The restore {@link #restoreStarting} was told of did not start (its record could not be
     * written): the journal's record is {@code before} again (null: it had none).
     */
    static void restoreNotStarted(Pool pool, String volume, PoolConfig.JournalRecord before) {
        synchronized (pool.journalLock) {
            if (before == null) {
                pool.journalRecords.remove(volume);
            } else {
                pool.journalRecords.put(volume, before);
            }
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
}
