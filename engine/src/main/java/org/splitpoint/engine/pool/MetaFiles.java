package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import org.splitpoint.engine.bitmap.DurableBitmap;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.NewDirectories;
import org.splitpoint.engine.meta.CorruptMetadataException;

/**
 * Opening the files of {@code meta/} at pool open, with the rule that a lost record is never read
 * as good news.
 *
 * <p>Design. A bitmap (write intent, a pair side's invalid tracks) that is missing, truncated or
 * damaged cannot say which tracks are clean, so it is taken as "every track set": a full resync of
 * the volume, or a full copy at the pair's next establish or restore. That is said in a note and an
 * event, never silently. A writable open then sets the damaged file aside (kept for forensics) and
 * writes the all-set bitmap durably (directory synced) before anything relies on it; a read-only
 * open keeps the conservative answer in memory and says what a writable open would do.
 */
final class MetaFiles {

    private MetaFiles() {
    }

    /** A missing meta/ directory: recreated on a writable open (its files then count as missing). */
    static void checkMetaDirectory(Pool pool, boolean present) throws IOException {
        if (present) {
            return;
        }
        String msg = "the pool's meta/ directory (" + pool.paths.meta() + ") is missing: its write-intent bitmaps,"
                + " stripe journals and pair bitmaps are lost, so every volume is resynced in full and every pair"
                + " copies all its tracks at its next establish or restore";
        if (pool.isReadOnly()) {
            pool.openNotes.add(msg + " (when the pool is next opened for writing)");
            return;
        }
        NewDirectories.create(pool.storage, pool.paths.meta());
        pool.openNotes.add(msg);
        pool.events.publish(Event.critical("METADATA", "pool", msg));
    }

    /**
     * The bitmap at {@code path} of {@code bits} bits; when it is missing or damaged, one with every
     * bit set, and a note: "{@code what} (meta/x) is missing: {@code consequence}".
     */
    static DurableBitmap bitmap(Pool pool, Path path, long bits, String what, String consequence) throws IOException {
        return load(pool, path, bits, what, consequence).bitmap();
    }

    /** A bitmap as {@link #bitmap} opens it, and whether it was lost (missing or damaged: every bit set). */
    record Loaded(DurableBitmap bitmap, boolean lost) { }

    /** As {@link #bitmap}, saying whether the file was lost. */
    static Loaded load(Pool pool, Path path, long bits, String what, String consequence) throws IOException {
        String problem;
        try {
            return new Loaded(DurableBitmap.open(pool.storage, path, bits, pool.isReadOnly()), false);
        } catch (NoSuchFileException e) {
            problem = "is missing";
        } catch (CorruptMetadataException e) {
            problem = "is damaged (" + e.getMessage() + ")";
        }
        String msg = what + " (meta/" + path.getFileName() + ") " + problem + ": " + consequence;
        if (pool.isReadOnly()) {
            pool.openNotes.add(msg + " when the pool is next opened for writing");
            return new Loaded(DurableBitmap.inMemory(path.getFileName().toString(), bits, true), true);
        }
        setAside(pool, path);
        DurableBitmap b = DurableBitmap.create(pool.storage, path, bits, true);
        pool.storage.syncDirectory(path.getParent());
        pool.openNotes.add(msg);
        pool.events.publish(Event.warning("METADATA", path.getFileName().toString(), msg));
        return new Loaded(b, true);
    }

    /** Renames a damaged file to {@code name.damaged-<time>} (nothing when it is missing). */
    static void setAside(Pool pool, Path path) throws IOException {
        if (Files.exists(path)) {
            String stamp = Instant.now().toString().replace(":", "").replace(".", "");
            pool.storage.rename(path, path.resolveSibling(path.getFileName() + ".damaged-" + stamp));
        }
    }
}
