package org.splitpoint.app.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.backup.BackupException;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.pool.ImagesInUse;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolConfig.BackupRecord;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * What a store directory holds, read off the UI thread: its images (oldest first) and unfinished
 * ones; or that it is a new (missing or empty) directory, which becomes a store with its first
 * backup; or the engine's sentence saying why it is no store. Also what the pool says about backups
 * at that moment: each volume's last backup, and the images that running restores read from.
 *
 * @param inRestore "storeUuid/imageId" of every image in the chain of a restore under way
 * @param inUse     images some pool (this one or another) needs now, each with the engine's sentence
 *                  ({@link ImagesInUse}: a restore reads it, a journal builds on it)
 * @param damaged   image directories whose manifest cannot be read, each with why (not in {@code images})
 */
public record StoreListing(Path dir, boolean isNew, String uuid, List<ImageInfo> images, List<String> unfinished,
                           String problem, Map<String, BackupRecord> lastBackups, Set<String> inRestore,
                           Map<String, String> inUse, Map<String, String> damaged) {

    /** Reads {@code dir} and the pool's backup records (an engine call: never on the UI thread). */
    public static StoreListing read(Pool pool, Path dir) {
        Map<String, BackupRecord> last = new HashMap<>();
        PoolSnapshot s = pool.snapshot();
        for (PoolSnapshot.VolumeView v : s.volumes()) {
            BackupRecord r = pool.backups().lastBackup(v.name());
            if (r != null) {
                last.put(v.name(), r);
            }
        }
        Set<String> inRestore = new HashSet<>();
        for (var r : pool.instantRestores().all()) {
            if (r.chain() != null) {
                r.chain().images().forEach(i -> inRestore.add(i.store() + "/" + i.id()));
            }
        }
        return readStore(dir, last, inRestore);
    }

    /**
     * As {@link #read(Pool, Path)} while the app is attached to the pool's holder: the store read
     * here, the pool's backup facts from the holder's snapshot {@code s} (null before its first):
     * each volume's last backup image (found in this store, or said to be in another one) and the
     * chain of each instant restore's image as far as this store holds it.
     */
    public static StoreListing read(PoolSnapshot s, Path dir) {
        StoreListing l = readStore(dir, Map.of(), Set.of());
        if (s == null || l.uuid() == null) {
            return l;
        }
        Map<String, BackupRecord> last = new HashMap<>();
        Set<String> inRestore = new HashSet<>();
        for (PoolSnapshot.VolumeView v : s.volumes()) {
            if (v.lastBackup() != null) {
                boolean here = l.image(v.lastBackup()) != null;
                last.put(v.name(), new BackupRecord(v.name(), here ? l.uuid() : "", here ? dir.toString()
                        : "another directory", v.lastBackup()));
            }
            for (ImageInfo i = v.restore() == null ? null : l.image(v.restore().image()); i != null;
                 i = i.parent() == null ? null : l.image(i.parent())) {
                inRestore.add(l.uuid() + "/" + i.id());
            }
        }
        return new StoreListing(l.dir(), l.isNew(), l.uuid(), l.images(), l.unfinished(), l.problem(), last, inRestore,
                l.inUse(), l.damaged());
    }

    /**
     * Work over store listings ({@code body} is handed the reader), as an action for the bridge:
     * with the pool when the app holds it, with the holder's snapshot when attached.
     */
    public static <T> org.splitpoint.app.bridge.HolderAction<T> reading(
            java.util.function.Function<java.util.function.Function<Path, StoreListing>, T> body) {
        return org.splitpoint.app.bridge.HolderAction.fromState(s -> body.apply(d -> read(s, d)),
                pool -> body.apply(d -> read(pool, d)));
    }

    private static StoreListing readStore(Path dir, Map<String, BackupRecord> last, Set<String> inRestore) {
        try {
            DirectoryStore store = DirectoryStore.open(dir, StorageFactory.real(), false);
            DirectoryStore.Contents contents = store.contents();
            return new StoreListing(dir, false, store.uuid(), contents.images(), store.unfinished(), null, last, inRestore,
                    ImagesInUse.of(store), contents.damaged());
        } catch (BackupException e) {
            if (Files.isRegularFile(dir)) { // the engine's sentence names the CLI's --store
                return new StoreListing(dir, false, null, List.of(), List.of(), dir + " is a file, not a backup store"
                        + " directory", last, inRestore, Map.of(), Map.of());
            }
            if (isNewStore(dir)) {
                return new StoreListing(dir, true, null, List.of(), List.of(), null, last, inRestore, Map.of(), Map.of());
            }
            return new StoreListing(dir, false, null, List.of(), List.of(), e.getMessage(), last, inRestore, Map.of(), Map.of());
        } catch (IOException | RuntimeException e) {
            return new StoreListing(dir, false, null, List.of(), List.of(), "cannot read " + dir + ": " + e.getMessage(),
                    last, inRestore, Map.of(), Map.of());
        }
    }

    /**
     * A directory a backup makes a store, as the engine says it ({@link DirectoryStore#wouldMake}):
     * one that does not exist yet, is empty, or holds what a store's making a power cut stopped left.
     */
    public static boolean isNewStore(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            return false;
        }
        try {
            return DirectoryStore.wouldMake(dir);
        } catch (IOException e) {
            return false;
        }
    }

    /** "3 images · 12 MiB", "new: becomes a store with its first backup", or the problem. */
    public String summary() {
        if (problem != null) {
            return problem;
        }
        if (isNew) {
            return "new: becomes a store with its first backup";
        }
        long bytes = images.stream().mapToLong(ImageInfo::dataBytes).sum();
        String n = images.size() == 1 ? "1 image" : images.size() + " images";
        return n + " · " + Format.size(bytes) + (unfinished.isEmpty() ? "" : " · " + unfinished.size() + " unfinished")
                + (damaged.isEmpty() ? "" : " · " + damaged.size() + " DAMAGED (manifest unreadable: "
                + String.join(", ", damaged.keySet()) + "; 'splitpoint backup delete' removes it)");
    }

    /** True when image {@code id} of this store is read by a restore under way. */
    public boolean restoring(String id) {
        return uuid != null && inRestore.contains(uuid + "/" + id);
    }

    /** Why some pool needs image {@code id} now (a restore reads it, a journal builds on it), or null. */
    public String inUse(String id) {
        return inUse.get(id);
    }

    public ImageInfo image(String id) {
        return images.stream().filter(i -> i.id().equals(id)).findFirst().orElse(null);
    }

    /** Images of {@code volume}, newest first. */
    public List<ImageInfo> imagesOf(String volume) {
        List<ImageInfo> out = new ArrayList<>();
        for (ImageInfo i : images) {
            if (i.volume().equals(volume)) {
                out.add(0, i);
            }
        }
        return out;
    }
}
