package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageWriter;
import org.splitpoint.engine.backup.StoreTimeLimit;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.meta.AtomicFile;

/**
 * The backup images this pool started and has not seen end, so that one a process left unfinished
 * (killed, a power cut, the pool closed while it ran) is said where an administrator looks first,
 * {@code pool status}, and not only by {@code backup list} of its store.
 *
 * <p>Design. One small file per image, {@code meta/IMAGE.backup-started} (the volume, then the
 * store's directory), replaced atomically before the image is created, so no unfinished image can
 * exist that the pool has no record of; removed once the image is sealed or abandoned. A record
 * whose image is no longer unfinished in its store (sealed, removed by the volume's next backup or
 * by {@code backup delete}) says nothing, and a writable open removes it. What an unfinished image
 * costs is space only: a backup's tracks stay marked in the volume's changed-block map until an
 * image holds them. A look at a store is bounded ({@link #lookMillis}): a store that hangs keeps its
 * records and is said as not answering; it never hangs the pool's opening or its status.
 */
final class BackupsStarted {

    private static final String SUFFIX = ".backup-started";

    private BackupsStarted() {
    }

    /** Records, durably, that image {@code id} of {@code volume} is about to be created in the store at {@code store}. */
    static void starting(Pool pool, String volume, String id, Path store) throws IOException {
        AtomicFile.replace(pool.storage, file(pool, id),
                (volume + "\n" + store.toAbsolutePath().normalize() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Image {@code id} was sealed or abandoned: its record goes (a record left over says nothing once its image is gone). */
    static void ended(Pool pool, String id) {
        try {
            pool.storage.delete(file(pool, id));
            pool.storage.syncDirectory(pool.paths.meta());
        } catch (IOException e) {
            // a record left behind names an image that is no longer unfinished: it says nothing
        }
    }

    /**
     * Gives up the unfinished image {@code writer} writes (a backup that did not start, or that was
     * cancelled or failed): abandoned (its lock let go, its partial directory removed), then its
     * record goes, unless the pool closed meanwhile (the next opening drops a record whose image is
     * gone). With {@code waitMillis} >= 0 on a thread of its own, waited for at most that long: the
     * store may be why the backup ended, and the removal's calls could hang with it; false when it did
     * not end in time (it goes on alone, the record kept). With -1, on this thread (a helper already).
     * The abandon's error is thrown here.
     */
    static boolean giveUp(Pool pool, ImageWriter writer, long waitMillis) throws IOException {
        String id = writer.header().id();
        StoreTimeLimit.Call<Void> abandon = () -> {
            writer.abandon();
            return null;
        };
        if (waitMillis < 0) {
            abandon.run();
        } else if (!StoreTimeLimit.aside("the removal of image " + id, waitMillis, abandon)) {
            return false;
        }
        if (!pool.isClosed()) {
            ended(pool, id);
        }
        return true;
    }

    /** One record: image {@code id} of {@code volume}, started in the store at {@code store}. */
    private record Started(String id, String volume, Path store) {
        Path partial() {
            return DirectoryStore.unfinishedImage(store, id);
        }
    }

    /** One sentence per image a backup of this pool left unfinished in its store, with what to do. */
    static List<String> unfinished(Pool pool) {
        List<String> out = new ArrayList<>();
        Set<Path> silent = new HashSet<>();
        for (Started s : records(pool)) {
            Job running = BackupAdmin.runningJob(pool, "backup", s.volume());
            if (running != null && running.isStarted()) {
                continue; // being written here
            }
            Boolean left = silent.contains(s.store()) ? null
                    : look(s.store(), () -> LOOK.test(s.partial()) && writer(pool, s.partial()) == null);
            if (left == null) {
                if (silent.add(s.store())) {
                    out.add("the backup store " + s.store() + " does not answer (a look at it did not end within "
                            + new StoreTimeLimit(lookMillis).said() + "): whether the backup of volume " + s.volume()
                            + " it holds (image " + s.id() + ") finished cannot be told until it does");
                }
                continue;
            }
            if (!left) {
                continue; // being written (by the process that holds the pool: a foreground 'backup create'), or gone
            }
            out.add("a backup of volume " + s.volume() + " did not finish (its process stopped): its unfinished image " + s.id()
                    + " stays in the backup store " + s.store() + "; the next backup of " + s.volume() + " into that store"
                    + " removes it, or 'splitpoint backup delete " + s.store() + " " + s.id() + "' does now");
        }
        return out;
    }

    /** Drops the records whose image is no longer unfinished in its (readable) store: sealed, or removed since. */
    static void dropEnded(Pool pool) {
        Set<Path> silent = new HashSet<>();
        for (Started s : records(pool)) {
            if (silent.contains(s.store())) {
                continue;
            }
            Boolean gone = look(s.store(), () -> LOOK.test(s.store()) && !LOOK.test(s.partial()));
            if (gone == null) {
                silent.add(s.store()); // kept: the next opening looks again
            } else if (gone) {
                ended(pool, s.id());
            }
        }
    }

    /**
     * How long a look at a store may take. A store is any directory (an NFS mount, a USB disk): one
     * that hangs hung every opening of the pool in a stat of it, and {@code pool status} with it,
     * for a record that only says something about that store.
     */
    static volatile long lookMillis = 5_000; // (a test shortens it)

    /** Whether a path is a directory: {@link Files#isDirectory}; a test puts a store that hangs here. */
    static volatile java.util.function.Predicate<Path> LOOK = Files::isDirectory;

    /** {@code question} about {@code store}, answered within {@link #lookMillis}; null when it was not. */
    private static Boolean look(Path store, StoreTimeLimit.Call<Boolean> question) {
        try {
            return new StoreTimeLimit(lookMillis).call("a look at " + store, question);
        } catch (StoreTimeLimit.NotAnsweredException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static List<Started> records(Pool pool) {
        List<Started> out = new ArrayList<>();
        List<Path> files;
        try (var s = Files.list(pool.paths.meta())) {
            files = s.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        } catch (IOException e) {
            return out;
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            try {
                // the volume's line, then the store's path to the last newline: a path may hold newlines
                String text = new String(AtomicFile.read(pool.storage, f), StandardCharsets.UTF_8);
                int nl = text.indexOf('\n');
                int end = text.endsWith("\n") ? text.length() - 1 : text.length();
                if (nl > 0 && end > nl + 1) {
                    out.add(new Started(name.substring(0, name.length() - SUFFIX.length()), text.substring(0, nl),
                            Path.of(text.substring(nl + 1, end))));
                }
            } catch (IOException | RuntimeException e) {
                // unreadable: it says nothing
            }
        }
        return out;
    }

    /** Who holds the writer's lock of the unfinished image in {@code partial}, or null (nobody, or it cannot be told). */
    private static String writer(Pool pool, Path partial) {
        try {
            return pool.storage.lockHolder(partial.resolve(DirectoryStore.WRITER_LOCK));
        } catch (IOException e) {
            return null;
        }
    }

    private static Path file(Pool pool, String id) {
        return pool.paths.meta().resolve(id + SUFFIX);
    }
}
