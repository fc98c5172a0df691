package org.splitpoint.app.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.splitpoint.app.backup.StoreListing;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.PoolPaths;

import org.splitpoint.engine.pool.PoolConfig.BackupRecord;

/**
 * Whether a directory can be a volume's journal store, by the engine's rules and in its words: it
 * must exist (an empty one becomes a store), lie outside the pool, be writable by this process, be no
 * other journal's store, and not hold only other volumes' images. Read off the UI thread.
 *
 * @param problem why not, or empty
 * @param note    what it holds and what the journal's base backup will be (when it can)
 */
record StoreCheck(String problem, String note) {

    /** {@code read} lists a store (with the pool's backup facts: {@link StoreListing#reading}). */
    static StoreCheck of(Path poolDir, java.util.function.Function<Path, StoreListing> read, Path dir, String volume,
                         Map<String, JournalAdmin.Status> journals) {
        if (new PoolPaths(poolDir).holds(dir)) {
            return bad("the backup store " + dir + " is inside the pool; keep backups outside it");
        }
        if (Files.isRegularFile(dir)) {
            return bad(dir + " is a file, not a backup store directory");
        }
        if (!Files.isDirectory(dir)) {
            return bad("no backup store at " + dir + ": the directory does not exist; create it (an empty directory"
                    + " becomes a store) or name the store the volume is backed up to");
        }
        String readOnly = DirectoryStore.whyNotWritable(dir); // the engine's rule: the journal ships into it
        if (readOnly != null) {
            return bad(readOnly);
        }
        for (var e : journals.entrySet()) {
            if (!e.getKey().equals(volume) && Path.of(e.getValue().store()).toAbsolutePath().normalize().equals(dir)) {
                return bad("store " + dir + " is the journal store of volume " + e.getKey() + "; give each journaled"
                        + " volume a store of its own");
            }
        }
        if (StoreListing.isNewStore(dir)) {
            return new StoreCheck("", "An empty directory: it becomes a store, and a full backup of " + volume
                    + " gives the journal its base.");
        }
        StoreListing l = read.apply(dir);
        if (l.problem() != null) {
            return bad(l.problem());
        }
        var mine = l.imagesOf(volume);
        if (mine.isEmpty() && !l.images().isEmpty()) {
            Set<String> others = new TreeSet<>();
            l.images().stream().map(ImageInfo::volume).forEach(others::add);
            return bad("store " + dir + " holds backups of " + String.join(", ", others) + ", none of " + volume
                    + ": a journal ships into its own volume's store");
        }
        BackupRecord last = l.lastBackups().get(volume);
        boolean incremental = last != null && last.storeUuid().equals(l.uuid());
        return new StoreCheck("", (mine.isEmpty() ? "A store with no image yet" : "A store with " + mine.size()
                + (mine.size() == 1 ? " image" : " images") + " of " + volume) + ": " + (incremental
                ? "an incremental backup on image " + last.image() : "a full backup of " + volume)
                + " gives the journal its base.");
    }

    private static StoreCheck bad(String why) {
        return new StoreCheck(why, "");
    }
}
