package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.splitpoint.engine.backup.BackupException;
import org.splitpoint.engine.backup.DirectoryStore;

/**
 * Whether each journal's backup store can take its next ship, asked at open: a store whose
 * store.json is garbage left the pool HEALTHY until the next ship failed, perhaps days later, with
 * the journal filling meanwhile. A damaged store is a warning now (an open note, pool status, the
 * health), standing until a ship opens that store again or the journal takes another store.
 *
 * <p>Design. Only a store that is there and damaged is said: a store directory that is absent (a
 * disk not mounted yet) is what the ship's own refusal and the restore's wait already say, and an
 * empty one is made a store again ({@link DirectoryStore#wouldMake}). The check reads store.json
 * once per opening, never on the status path, which the app polls.
 *
 * <p>A store that goes away while the pool is open (moved, its disk unmounted) was said only by the
 * watch's event when a ship fell due: the journal's status, its card, the health all read as if it
 * could ship, while its base image was out of reach. The status now says it ({@link #problem}: one
 * stat of the directory, cheap enough for the polled path), and a due ship the store refused stands
 * as a warning ({@link #shipRefused}) until a ship opens the store again.
 */
final class JournalStoreCheck {

    /** A store found damaged: which store, and the sentence. */
    record Warning(String store, String sentence, String why) { }

    private JournalStoreCheck() { }

    /** At open: every journal's store checked, the damaged ones said in the open's notes and kept as warnings. */
    static void atOpen(Pool pool) {
        for (PoolConfig.JournalRecord rec : Pool.copy(pool.journalRecords)) {
            String why = whyDamaged(pool, Path.of(rec.store()));
            if (why != null) {
                String sentence = "the journal of " + rec.volume() + " cannot ship: " + why + "; its next ship fails and"
                        + " its entries stay in the journal: repair the store, or disable the journal and enable it with"
                        + " another store";
                pool.journalStoreWarnings.put(rec.volume(), new Warning(rec.store(), sentence, why));
                pool.openNotes.add(sentence);
            }
        }
    }

    /**
     * A ship due by the journal's limit was refused by {@code store} ({@code why}, the store's words): a
     * warning (the health, pool status, the snapshot's warnings) until a ship opens that store again.
     */
    static void shipRefused(Pool pool, String volume, String store, String why) {
        pool.journalStoreWarnings.put(volume, new Warning(store, refusedSentence(volume, why), why));
    }

    static String refusedSentence(String volume, String why) {
        return "the journal of " + volume + " cannot ship: " + why + "; its entries stay in the journal until it"
                + " can: bring the store back, or disable the journal and enable it with another store";
    }

    /**
     * Why the journal of {@code volume} cannot ship into {@code store} now, in the store's words, or
     * null: the directory is not there, or a warning stands for that store (found damaged at open, or a
     * due ship refused).
     */
    static String problem(Pool pool, String volume, String store) {
        Warning w = pool.journalStoreWarnings.get(volume);
        if (w != null && w.store().equals(store)) {
            return w.why();
        }
        return Files.isDirectory(Path.of(store)) ? null : "there is no backup store at " + store
                + " (the directory is gone: moved, deleted, or its disk not mounted)";
    }

    /** A ship opened {@code store} (its store.json reads): what was said of it no longer stands. */
    static void opened(Pool pool, String volume, String store) {
        pool.journalStoreWarnings.computeIfPresent(volume, (k, w) -> w.store().equals(store) ? null : w);
    }

    /** The warnings that stand: of journals still there, into the store they were found for. */
    static java.util.List<String> standing(Pool pool) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (var e : pool.journalStoreWarnings.entrySet()) {
            PoolConfig.JournalRecord rec = pool.journalRecords.get(e.getKey());
            if (rec != null && rec.store().equals(e.getValue().store())) {
                out.add(e.getValue().sentence());
            }
        }
        return out;
    }

    private static String whyDamaged(Pool pool, Path dir) {
        try {
            if (!Files.isDirectory(dir) || DirectoryStore.wouldMake(dir)) {
                return null;
            }
            DirectoryStore.open(dir, pool.storage, false);
            return null;
        } catch (BackupException e) {
            return e.getMessage();
        } catch (IOException e) {
            return "its store.json cannot be read (" + e.getMessage() + ")";
        }
    }
}
