package org.splitpoint.engine.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Directories made durably: a directory and its missing parents created, and the parent of each one
 * made synced, before anything is put in them.
 *
 * <p>Why. A new directory's name lives in its parent, like a file's; until the parent is synced a
 * power cut may take the name away, and with it everything written inside, however durably (LazyFS
 * does this, and so may a file system that journals names lazily). Syncing the new directory itself
 * makes its contents' names durable, not its own. A backup store made by the first backup into a
 * directory that did not exist, or a pool made in one, was acknowledged with its directory's name
 * never synced.
 */
public final class NewDirectories {

    private NewDirectories() {
    }

    /**
     * Creates {@code dir} and any missing parents through {@code storage}, adding each one made to
     * {@code made} (outermost first) as it is made, so a caller that fails later can remove them;
     * then syncs the parent of each, innermost first. Nothing to do when {@code dir} exists.
     */
    public static void create(StorageFactory storage, Path dir, List<Path> made) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            storage.createDirectory(p);
            made.add(p);
        }
        for (int i = missing.size() - 1; i >= 0; i--) {
            storage.syncDirectory(missing.get(i).getParent());
        }
    }

    /** As {@link #create(StorageFactory, Path, List)}, for a caller that removes nothing on failure. */
    public static void create(StorageFactory storage, Path dir) throws IOException {
        create(storage, dir, new ArrayList<>());
    }
}
