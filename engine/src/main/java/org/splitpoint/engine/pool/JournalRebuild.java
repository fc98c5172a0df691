package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.backup.ChainReader;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.log.WriteJournal;
import org.splitpoint.engine.pool.JournalAdmin.Open;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A rebuild from backup of a volume FAILED beyond its redundancy: the journal's base image plus the
 * entries not yet shipped, applied in order as an instant restore's overlay; its preview; and the
 * overlay again when such a rebuild is resumed at open.
 *
 * <p>Design. The preview makes the same checks as the rebuild under the pool's monitor, so a volume
 * the rebuild refuses has no preview, only the reason.
 */
final class JournalRebuild {

    private JournalRebuild() { }

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
     * The rebuild of {@code volume} as {@link JournalAdmin#rebuildFromBackup} would do it now (the same checks:
     * a volume it refuses has no preview, only the reason).
     */
    static JournalAdmin.RebuildPreview preview(Pool pool, String volume) throws IOException, PoolException {
        synchronized (pool) {
            RaidVolume v = pool.volume(volume);
            PoolConfig.JournalRecord rec = rebuildable(pool, v);
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
            return new JournalAdmin.RebuildPreview(volume, v.stateReason(), lost, store.describe(), chain, es.size(), entryBytes,
                    es.isEmpty() ? -1 : es.get(0).timeMillis(), tracks, v.size());
        }
    }

    /** The journal record a rebuild of {@code v} works from, or why there can be none. */
    private static PoolConfig.JournalRecord rebuildable(Pool pool, RaidVolume v) throws PoolException {
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
    static Job rebuildFromBackup(Pool pool, String volume, List<String> replacements, long throttle) throws IOException, PoolException {
        synchronized (pool) {
            pool.refuseIfClosed(); // its lock let go: another opening may hold the pool
            RaidVolume v = pool.volume(volume);
            PoolConfig.JournalRecord rec = rebuildable(pool, v);
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
            return restores.startRestore(v, store, rec.base(), throttle, overlay, from, to, replacements);
        }
    }
}
