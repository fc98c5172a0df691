package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.splitpoint.engine.io.NewDirectories;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.meta.CheckedJson;

/**
 * Making a pool's files: the directory, blank drive images (sparse), the first pool.json.
 *
 * <p>A create that fails part way (a file system that cannot hold a file that large, a full disk,
 * a permission) removes everything it made — images, {@code .new} files, {@code drives/},
 * {@code meta/}, {@code pool.json}, and the directory and parents it created — so the directory
 * is as it was and a corrected retry works; the sentence says what the file system refused. The
 * directories it makes have their names synced into their parents ({@link NewDirectories}; drives/
 * and meta/ with pool.json's directory sync), so a created pool is not lost to a power cut.
 */
final class PoolFiles {

    /** The most drives a pool holds, at its creation and after drives are added. */
    static final int MAX_DRIVES = 256;

    private PoolFiles() {
    }

    /** Creates a pool of {@code count} blank drives in {@code dir} (absent or empty); on failure leaves nothing. */
    static void create(Path dir, int count, long driveSize, int trackSize, StorageFactory storage)
            throws IOException, PoolException {
        Validation.trackSize(trackSize);
        if (count < 1 || count > MAX_DRIVES) {
            throw new IllegalArgumentException("--drives must be between 1 and " + MAX_DRIVES + ", not " + count);
        }
        Validation.driveSize(driveSize, trackSize);
        String notHere = whyNotIn(dir);
        if (notHere != null) {
            throw new PoolException(notHere);
        }
        PoolPaths paths = new PoolPaths(dir);
        List<Path> madeDirs = new ArrayList<>();
        try {
            NewDirectories.create(storage, dir.toAbsolutePath(), madeDirs); // the pool's name durable in its parent
            // the names of these two, of the images and of pool.json are made durable by the syncs below
            storage.createDirectory(paths.drives());
            madeDirs.add(paths.drives());
            storage.createDirectory(paths.meta());
            madeDirs.add(paths.meta());
            List<PoolConfig.DriveRecord> records = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                String name = "d" + i;
                createImage(storage, paths, name, driveSize);
                records.add(new PoolConfig.DriveRecord(name, driveSize, DriveState.SPARE, null, null));
            }
            storage.syncDirectory(paths.drives());
            PoolConfig config = new PoolConfig(UUID.randomUUID().toString(), trackSize, driveSize, count + 1,
                    records, List.of(), List.of(), List.of());
            // pool.json last: a crash before it leaves a directory that is not (yet) a pool.
            CheckedJson.write(storage, paths.config(), PoolConfig.MAGIC, PoolConfig.VERSION, config);
        } catch (IOException | RuntimeException e) {
            boolean clean = undo(storage, paths, count, madeDirs);
            String[] why = refusal(e, driveSize);
            throw new PoolException("cannot create pool " + dir + ": " + why[0] + "; "
                    + (clean ? "nothing was left behind" : "some of what was made could not be removed") + "; " + why[1], e);
        }
    }

    /**
     * Why no pool can be created in {@code dir}, in one sentence, or null when it can (absent or
     * empty). A directory with drives/ and no pool.json is said as what it most likely is: a create
     * cut short by a crash (pool.json is written last), or a pool whose pool.json was lost. Both
     * 'pool create' and an open of it used to answer with the other's advice ('not empty' / 'create
     * one with pool create'), sending the administrator round in a circle.
     */
    static String whyNotIn(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return null;
        }
        if (!Files.isDirectory(dir)) {
            return dir + " exists and is not a directory";
        }
        PoolPaths paths = new PoolPaths(dir);
        if (Files.isRegularFile(paths.config())) {
            return dir + " is a Splitpoint pool already; a pool is created in a new or empty directory";
        }
        if (Files.isDirectory(paths.drives())) {
            return dir + cutShort() + "; nothing was changed: " + cutShortAdvice(dir);
        }
        try (var s = Files.list(dir)) {
            if (s.findAny().isPresent()) {
                return dir + " is not empty; a pool is created in a new or empty directory";
            }
        }
        return null;
    }

    /** What a directory with drives/ and no pool.json is, after its name (see {@link #whyNotIn}). */
    static String cutShort() {
        return " has a drives/ directory but no pool.json: a 'pool create' cut short leaves that (its drive images"
                + " are blank, as pool.json is written last), and so does a pool whose pool.json was lost";
    }

    /** What to do with such a directory, said by the create and the open alike. */
    static String cutShortAdvice(Path dir) {
        return "if it is a create cut short, remove " + dir + " and create the pool again";
    }

    /**
     * Removes what a failed create made: the files it names (the directory was absent or empty,
     * so they are its own), then the directories it made, innermost first. True when all went.
     */
    private static boolean undo(StorageFactory storage, PoolPaths paths, int count, List<Path> madeDirs) {
        boolean clean = true;
        List<Path> files = new ArrayList<>(List.of(paths.config(), paths.config().resolveSibling("pool.json.tmp")));
        for (int i = 1; i <= count; i++) {
            files.add(paths.image("d" + i));
            files.add(paths.drives().resolve("d" + i + ".img.new"));
        }
        for (Path f : files) {
            try {
                storage.delete(f);
            } catch (IOException | RuntimeException e) {
                clean &= !Files.exists(f);
            }
        }
        for (int i = madeDirs.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(madeDirs.get(i));
            } catch (IOException e) {
                clean = false; // not empty (someone else's file) or not ours to remove: left as it is
            }
        }
        return clean;
    }

    /** What the file system refused, and what to do about it: {what, hint}. */
    private static String[] refusal(Exception e, long driveSize) {
        String reason = e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null ? fse.getReason()
                : String.valueOf(e.getMessage());
        String where = e instanceof java.nio.file.FileSystemException fse && fse.getFile() != null
                ? " " + fse.getFile() : "";
        if (reason.contains("File too large")) {
            return new String[] {"the file system refused a drive image of " + Sizes.format(driveSize) + " (File too large)",
                    "choose a smaller --drive-size or a file system that holds files this large"};
        }
        if (reason.contains("No space left")) {
            return new String[] {"the file system is full (No space left on device)",
                    "free some space, or choose a smaller --drive-size or fewer --drives"};
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return new String[] {"permission denied on" + where, "choose a directory you may write to"};
        }
        if (reason.contains("Read-only file system")) {
            return new String[] {"the file system of" + where + " is read-only", "choose another directory"};
        }
        return new String[] {"the file system refused" + where + " (" + reason + ")", "correct that and try again"};
    }

    static void createImage(StorageFactory storage, PoolPaths paths, String name, long size) throws IOException {
        Path tmp = paths.drives().resolve(name + ".img.new");
        createSized(storage, tmp, size);
        storage.rename(tmp, paths.image(name));
    }

    /**
     * Where {@code drive replace}'s blank image for a volume member waits until pool.json records the
     * rebuild that fills it (at its own path earlier, a crash before that record would leave a blank
     * file the old record takes for the drive's image come back).
     */
    static Path blank(PoolPaths paths, String name) {
        return paths.drives().resolve(name + ".img.blank");
    }

    /**
     * Where a FAILED volume's restore ({@code PoolAdmin.replaceLostDrives}) puts a lost drive's blank
     * image until pool.json records the restore that fills it. A name of its own, not
     * {@link #blank}'s: the open takes each for the drive's image on its own record only, and a
     * restore already under way is no record of a {@code drive replace} given meanwhile.
     */
    static Path restoreBlank(PoolPaths paths, String name) {
        return paths.drives().resolve(name + ".img.restore-blank");
    }

    /**
     * Where {@code drive replace} (and a FAILED volume's restore, for its lost drives) sets a volume
     * member's old image aside until pool.json records what fills its blank: a crash before that record
     * puts it back at the next open (the drive as pool.json has it, FAILED over its image, not
     * MISSING), one after it gives it its {@code .replaced-<time>} name, kept for forensics.
     */
    static Path setAside(PoolPaths paths, String name) {
        return paths.drives().resolve(name + ".img.replacing");
    }

    /** The name an image replaced at {@code now} keeps for forensics, one per replacement. */
    static Path replaced(PoolPaths paths, String name, java.time.Instant now) {
        return paths.drives().resolve(name + ".img.replaced-" + now.toString().replace(":", "").replace(".", ""));
    }

    /** Creates a blank image of {@code size} at {@code blank} ({@link #blank} or {@link #restoreBlank}), durably (not its name: the caller syncs the directory). */
    static void createBlank(StorageFactory storage, Path blank, long size) throws IOException {
        createSized(storage, blank, size);
    }

    private static void createSized(StorageFactory storage, Path tmp, long size) throws IOException {
        storage.delete(tmp);
        try (StorageFile f = storage.create(tmp)) {
            f.setLength(size);
            f.force();
        } catch (IOException | RuntimeException e) {
            try {
                storage.delete(tmp); // no .new debris, for a create or a replace alike
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
