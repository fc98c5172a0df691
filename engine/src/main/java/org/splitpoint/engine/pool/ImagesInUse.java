package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.meta.CheckedJson;
import org.splitpoint.engine.meta.CorruptMetadataException;

/**
 * Which images of a store a pool still needs, so that {@code backup delete} (and the app's delete)
 * can refuse them: the chain an instant restore reads its owed tracks from and the unfinished image
 * its writes go through to (deleted, the restore can never finish: those tracks are lost), and the
 * chain a staged journal builds on (deleted, the journal can no longer rebuild the volume).
 *
 * <p>Design. The store lists the pools that use it ({@link DirectoryStore#addUser}, recorded when a
 * pool backs up to it, restores from it or journals into it); each pool's own pool.json says what it
 * needs, and is read here, from any process: it is replaced atomically, so it is read whole. Nothing
 * has to be released when a restore ends or a journal goes, and no crash leaves a stale claim: a
 * pool whose pool.json is gone, or is another pool's now, needs nothing. A record of {@code users/}
 * that cannot be read is never read as "no one": every image counts as needed while it stands; nor is
 * a pool.json this process cannot read (another user's pool, a read that failed): only one that is
 * damaged, whose pool cannot open, needs nothing.
 */
public final class ImagesInUse {

    private ImagesInUse() {
    }

    /**
     * Records that {@code pool} uses {@code store} (called before it starts to need any of its
     * images). A store that cannot be written (backup media mounted read-only) is still restored
     * from: nobody deletes images there either, so the record is skipped.
     */
    static void register(Pool pool, DirectoryStore store) {
        try {
            store.addUser(pool.uuid(), pool.paths.dir());
        } catch (IOException e) {
            // read-only store: see above
        }
    }

    /** The images of {@code store} some pool needs now, each with one sentence saying who and why. */
    public static Map<String, String> of(DirectoryStore store) throws IOException {
        Map<String, ImageInfo> images = new HashMap<>();
        for (ImageInfo i : store.list()) {
            images.put(i.id(), i);
        }
        Map<String, String> out = new LinkedHashMap<>();
        java.util.List<Path> damaged = new java.util.ArrayList<>();
        String unreadable = null;
        for (DirectoryStore.StoreUser u : store.users(damaged)) {
            Path dir = Path.of(u.poolDir());
            Path json = new PoolPaths(dir).config();
            if (!Files.isRegularFile(json)) {
                continue; // that pool is gone
            }
            PoolConfig config;
            try {
                config = CheckedJson.read(store.storage(), json, PoolConfig.MAGIC, PoolConfig.VERSION, PoolConfig.class);
            } catch (CorruptMetadataException e) {
                continue; // a pool whose pool.json is damaged cannot open, so it restores and journals nothing
            } catch (IOException e) {
                // Not read is not "needs nothing": a pool.json this process may not read (another user's
                // pool), or whose disk failed the read, may well be restoring from this store right now
                if (unreadable == null) {
                    unreadable = "the pool at " + dir + " uses this store, and its pool.json could not be read here ("
                            + e.getMessage() + "), so whether it needs this image is unknown; delete from a shell that"
                            + " can read it, or once that pool no longer restores from this store or journals into it,"
                            + " move its record (users/" + u.poolUuid() + "-*.json in the store) away";
                }
                continue;
            }
            if (!u.poolUuid().equals(config.uuid())) {
                continue; // another pool lives there now
            }
            java.util.List<String> unfinished = store.unfinished();
            for (PoolConfig.RestoreRecord r : config.restores()) {
                // by the image (ids are unique), not the path: the store may be reached by another one now
                if (!images.containsKey(r.image()) && !sameDir(r.store(), store.dir())) {
                    continue;
                }
                String why = "volume " + r.volume() + " of the pool at " + dir + " is being restored from image " + r.image()
                        + ": its tracks not yet restored are read from it; wait for the restore to finish, or cancel it"
                        + " (splitpoint job cancel " + dir + " " + RestoreAdmin.restoreJobId(r.volume()) + ")";
                for (String id : chain(images, r.image())) {
                    out.putIfAbsent(id, why);
                }
                if (r.writeThrough() != null && (unfinished.contains(r.writeThrough()) || images.containsKey(r.writeThrough()))) {
                    out.putIfAbsent(r.writeThrough(), "the writes made during the restore of volume " + r.volume()
                            + " of the pool at " + dir + " go into image " + r.writeThrough() + ", sealed when the"
                            + " restore finishes; wait for it, or cancel it (splitpoint job cancel " + dir
                            + " " + RestoreAdmin.restoreJobId(r.volume()) + ")");
                }
            }
            for (PoolConfig.JournalRecord j : config.journals()) {
                if (j.base() == null || !store.uuid().equals(j.storeUuid()) && !images.containsKey(j.base())) {
                    continue;
                }
                String why = "the staged journal of volume " + j.volume() + " of the pool at " + dir + " builds on image "
                        + j.base() + ": the volume is rebuilt from it and the journal; take a --full backup of the volume"
                        + " (its journal then builds on the new chain) or disable the journal first";
                for (String id : chain(images, j.base())) {
                    out.putIfAbsent(id, why);
                }
            }
        }
        if (unreadable != null) {
            for (String id : images.keySet()) {
                out.putIfAbsent(id, unreadable);
            }
        }
        if (!damaged.isEmpty()) {
            // a record that cannot be read may name a pool restoring from this store or journaling into it: every
            // image is taken as needed (before, it was skipped, and a delete took the chain a restore read from)
            String why = "the store's record of a pool that uses it (" + damaged.get(0) + ") is damaged, so whether that"
                    + " pool needs this image is unknown; once no pool restores from this store or journals into it,"
                    + " move that file away";
            for (String id : images.keySet()) {
                out.putIfAbsent(id, why);
            }
        }
        return out;
    }

    /** {@code id} and the images it builds on. */
    private static List<String> chain(Map<String, ImageInfo> images, String id) {
        List<String> out = new java.util.ArrayList<>();
        for (String at = id; at != null && !out.contains(at); ) {
            out.add(at);
            ImageInfo i = images.get(at);
            at = i == null ? null : i.parent();
        }
        return out;
    }

    private static boolean sameDir(String recorded, Path store) {
        try {
            Path r = Path.of(recorded);
            return Files.exists(r) && Files.isSameFile(r, store);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
