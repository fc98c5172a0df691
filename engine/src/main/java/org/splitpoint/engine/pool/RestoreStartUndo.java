package org.splitpoint.engine.pool;

import java.io.IOException;
import org.splitpoint.engine.bitmap.ChangeTracker;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.pair.InvalidTracks;

/**
 * Undoes an instant restore's start that failed after its record was written to pool.json (its
 * volume's changed-block map could not be reset: the file system full, an I/O error). Its caller is
 * told the restore did not start, and hosts write the volume directly from then on, unmarked in the
 * overwrite map; left on record, the next opening resumed the restore from its map and copied the
 * backup over those writes.
 *
 * <p>Design. As a cancel's end (RestoreAdmin.restoreCancelled): the overwrite map goes first, its
 * directory synced, then the record; an opening that still finds the record (this pool.json write
 * failed too, or a crash came between) finds no map and ends the restore instead of resuming it.
 * The journal's record is put back as it was (its entries were not retired yet), and the marks the
 * changed-block map gave up for the restore are given back. Called with the hosts' way held, so no
 * request is inside the restore's view while it goes.
 */
final class RestoreStartUndo {

    private RestoreStartUndo() {
    }

    /**
     * Takes the restore of {@code volume} out of memory and off record; {@code taken} (or null) are
     * the marks its changed-block map gave up, {@code journalBefore} the journal's record before it.
     * What cannot be done is added to {@code failure}, the error the caller gets.
     */
    static void undo(Pool pool, String volume, InvalidTracks owed, TrackBitmap taken,
                     PoolConfig.JournalRecord journalBefore, Exception failure) {
        pool.restores.remove(volume);
        try {
            owed.close();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
        try {
            pool.storage.delete(pool.paths.restoreMap(volume));
            pool.storage.syncDirectory(pool.paths.meta());
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
        pool.restoreRecords.remove(volume);
        JournalBase.restoreNotStarted(pool, volume, journalBefore);
        ChangeTracker cbt = pool.changeTrackers.get(volume);
        if (taken != null && cbt != null) {
            try {
                cbt.giveBack(taken);
            } catch (IOException e) {
                pool.events.publish(Event.critical("BACKUP", volume, "the changed tracks of " + volume + " could not be"
                        + " given back after its restore failed to start (" + e.getMessage() + "): take a --full backup next"));
            }
        }
        try {
            pool.persist();
        } catch (IOException e) {
            failure.addSuppressed(e); // on record still, its map gone: the next opening ends it
        }
    }
}
