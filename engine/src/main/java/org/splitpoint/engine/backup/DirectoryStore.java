package org.splitpoint.engine.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.splitpoint.engine.io.NewDirectories;
import org.splitpoint.engine.io.PoolLockHandle;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.meta.CheckedJson;
import org.splitpoint.engine.meta.CorruptMetadataException;

/**
 * A backup store in a directory outside the pool.
 *
 * <p>Layout: {@code store.json} (the store's uuid, in a CRC-checked envelope), and per image
 * {@code images/<id>/} holding {@code data} (the tracks' bytes, appended), {@code index} (a 64-byte
 * record per track: where, how long, SHA-256) and {@code manifest.json} (the {@link ImageInfo},
 * with the SHA-256 of both files). An image is written in {@code images/<id>.partial/} and becomes
 * visible by one rename once its files and manifest are durable; the directory is synced after, so
 * a crash leaves either no image or a whole one, and a partial directory is never listed as one.
 * A store made in a directory that did not exist has that directory's name synced into its parent
 * before anything is written inside ({@link NewDirectories}): else a power cut after the first
 * backup was acknowledged could take the whole store.
 * {@code users/} names the pools that back up to or restore from the store ({@link StoreUser}), so a
 * delete can ask them whether an image is in use. A store is made under {@code store.lock} (held from
 * before {@code images/} until store.json is durable, then removed): a directory holding only what a
 * creation leaves before its store.json is made a store again, unless another pool holds that lock.
 * A directory the file system will not let us write (read-only, not ours) is refused as the store's
 * problem in one sentence, before anything is written there; {@link #whyNotWritable} says it before
 * a form's path is accepted.
 */
public final class DirectoryStore implements BackupStore {

    private static final String MAGIC = "splitpoint-backup-store";
    private static final int VERSION = 1;
    static final String PARTIAL = ".partial";

    /** The body of store.json. */
    public record StoreRecord(String uuid, String createdAt) { }

    private static final String USER_MAGIC = "splitpoint-store-user";

    /**
     * A pool that uses this store ({@code users/<pool uuid>-<place>.json}): what it needs of the store (the
     * images a restore reads, a journal's base) is in its own pool.json, which a delete reads, so
     * nothing here has to be taken back when the pool stops needing an image — or is lost in a crash.
     */
    public record StoreUser(String poolUuid, String poolDir) { }

    private final Path dir;
    private final StorageFactory storage;
    private final String uuid;

    private DirectoryStore(Path dir, StorageFactory storage, String uuid) {
        this.dir = dir;
        this.storage = storage;
        this.uuid = uuid;
    }

    /**
     * Opens the store in {@code dir}. With {@code create}, a directory that does not exist or is
     * empty becomes a new store; otherwise it must be one already.
     */
    public static DirectoryStore open(Path dir, StorageFactory storage, boolean create) throws IOException {
        Path json = dir.resolve("store.json");
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BackupException("--store " + dir + " is a file, not a backup store directory");
        }
        if (!Files.exists(json)) {
            boolean empty = wouldMake(dir);
            if (!create || !empty) {
                throw new BackupException(!Files.exists(dir) ? "there is no backup store at " + dir
                        : dir + " is not a Splitpoint backup store (it has no store.json"
                        + (empty ? "" : " and is not empty") + ")");
            }
            DirectoryStore made = create(dir, storage);
            if (made != null) {
                return made;
            }
        }
        StoreRecord r;
        try {
            r = CheckedJson.read(storage, json, MAGIC, VERSION, StoreRecord.class);
        } catch (CorruptMetadataException e) {
            throw new BackupException("the backup store at " + dir + " is damaged: " + e.getMessage());
        }
        if (!Files.isDirectory(dir.resolve("images"))) {
            throw new BackupException("the backup store at " + dir + " has no images/ directory (damaged)");
        }
        return new DirectoryStore(dir, storage, r.uuid());
    }

    /**
     * Why this process could not write a store into {@code dir} (make it, or add images to it), or null
     * when it can: the directory, or the nearest of its parents that exists when it does not yet, is
     * read-only to this process (a read-only file system, or not ours). Asked before anything is
     * written, so a form can refuse the path as it is typed rather than at the first backup.
     */
    public static String whyNotWritable(Path dir) {
        Path existing = dir.toAbsolutePath().normalize();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || Files.isWritable(existing)) {
            return null; // (a file on the way is refused where it is made, in its own words)
        }
        return "a backup store cannot be made in " + dir + ": " + (existing.equals(dir) ? "it" : existing)
                + " is read-only to this process; choose a directory this process can write";
    }

    /**
     * True when {@link #open} with {@code create} would make a new store in {@code dir}: it has no
     * store.json and is absent, empty, or a creation cut short ({@link #creationCutShort}).
     */
    public static boolean wouldMake(Path dir) throws IOException {
        return !Files.exists(dir.resolve("store.json")) && (!Files.exists(dir) || isEmpty(dir) || creationCutShort(dir));
    }

    /**
     * Makes a new store in {@code dir} (absent, empty, or a creation cut short) under the creation
     * lock, or returns null when another finished making it meanwhile (its store.json is there to
     * read). The lock is held from before images/ until store.json is durable: a directory that looks
     * like a creation cut short may be one under way in another pool, which a second creation would
     * have undone (its store.json.tmp deleted, its store.json replaced by one of another uuid).
     */
    private static DirectoryStore create(Path dir, StorageFactory storage) throws IOException {
        try {
            return createIn(dir, storage);
        } catch (java.nio.file.FileSystemException e) {
            // a read-only file system or a directory not ours: said as the store's, not as an I/O error of
            // the lock file ("I/O error: /backups/store.lock: Read-only file system", read in the app)
            // the JDK gives EACCES no reason: said in words, not as the exception's name
            String why = e.getReason() != null ? e.getReason()
                    : e instanceof java.nio.file.AccessDeniedException
                            ? "permission denied" + (e.getFile() != null ? " on " + e.getFile() : "")
                            : e.getClass().getSimpleName();
            throw new BackupException("a backup store cannot be made in " + dir + ": " + why
                    + "; choose a directory this process can write");
        }
    }

    private static DirectoryStore createIn(Path dir, StorageFactory storage) throws IOException {
        NewDirectories.create(storage, dir); // its name synced into its parent when it is new
        Path lockFile = dir.resolve(CREATION_LOCK);
        PoolLockHandle lock = storage.tryLock(lockFile, "pid " + ProcessHandle.current().pid());
        if (lock == null) {
            String holder = storage.lockHolder(lockFile);
            throw new BackupException("the backup store at " + dir + " is being made by another pool"
                    + (holder == null ? "" : " (" + holder + ")") + "; try again in a moment");
        }
        try {
            Path json = dir.resolve("store.json");
            if (Files.exists(json)) {
                return null; // made by the holder before us
            }
            NewDirectories.create(storage, dir.resolve("images"));
            StoreRecord r = new StoreRecord(UUID.randomUUID().toString(), Instant.now().toString());
            CheckedJson.write(storage, json, MAGIC, VERSION, r);
            storage.delete(lockFile); // durable or not: a leftover one is what a cut creation leaves
            return new DirectoryStore(dir, storage, r.uuid());
        } finally {
            lock.close();
        }
    }

    /** Held while a store is made in its directory (see {@link #create}). */
    static final String CREATION_LOCK = "store.lock";

    /**
     * True when {@code dir} holds only what making a store writes before its store.json (an empty
     * {@code images/}, the store.json being written, the creation's lock): a crash cut that creation
     * short, and the next backup makes the store again instead of refusing a directory nobody else
     * wrote. One under way in another pool looks the same: its lock tells them apart ({@link #create}).
     */
    private static boolean creationCutShort(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                boolean emptyImages = name.equals("images") && Files.isDirectory(p) && isEmpty(p);
                if (!emptyImages && !name.equals("store.json.tmp") && !name.equals(CREATION_LOCK)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    @Override
    public String uuid() {
        return uuid;
    }

    @Override
    public String describe() {
        return dir.toString();
    }

    public Path dir() {
        return dir;
    }

    Path images() {
        return dir.resolve("images");
    }

    /** Where unfinished image {@code id} is in the store at {@code dir} (being written, or left by a writer that stopped). */
    public static Path unfinishedImage(Path dir, String id) {
        return dir.resolve("images").resolve(id + PARTIAL);
    }

    public StorageFactory storage() {
        return storage;
    }

    /**
     * The sealed images whose manifest reads back, oldest first. One whose manifest is damaged or
     * missing is left out (see {@link #damaged}): it hid every other image before, and could not
     * even be deleted.
     */
    @Override
    public List<ImageInfo> list() throws IOException {
        return contents().images();
    }

    /** Image directories whose manifest is damaged or missing, each with why (sorted by id). */
    public java.util.SortedMap<String, String> damaged() throws IOException {
        return contents().damaged();
    }

    /** The sealed images (oldest first) and the damaged ones (by id), from one reading of the manifests. */
    public record Contents(List<ImageInfo> images, java.util.SortedMap<String, String> damaged) { }

    /** {@link #list} and {@link #damaged} at once, for a caller that needs both. */
    public Contents contents() throws IOException {
        List<ImageInfo> images = new ArrayList<>();
        java.util.SortedMap<String, String> damaged = new java.util.TreeMap<>();
        for (String name : sealedNames()) {
            try {
                images.add(manifest(name));
            } catch (BackupException e) {
                damaged.put(name, e.getMessage()); // listed apart
            }
        }
        images.sort(Comparator.comparing(ImageInfo::createdAt).thenComparing(ImageInfo::id));
        return new Contents(parentsFirst(images), damaged);
    }

    /**
     * {@code images} (by creation time) with every image after the image it builds on. The times come from the
     * clock of the host that wrote them, which may have been set back between two backups (corrected, NTP stepping
     * back, a VM restored): an incremental then sorted before its own parent, and the newest image of a volume, the
     * one 'backup restore' takes without --at, was its parent, restoring the volume as of the older backup.
     */
    private static List<ImageInfo> parentsFirst(List<ImageInfo> images) {
        java.util.Map<String, ImageInfo> byId = new java.util.HashMap<>();
        images.forEach(i -> byId.put(i.id(), i));
        java.util.Set<String> placed = new java.util.HashSet<>();
        List<ImageInfo> out = new ArrayList<>(images.size());
        for (ImageInfo i : images) {
            java.util.Deque<ImageInfo> line = new java.util.ArrayDeque<>(); // i and its ancestors not placed yet
            for (ImageInfo a = i; a != null && !placed.contains(a.id()) && !line.contains(a); a = byId.get(a.parent())) {
                line.push(a); // (a parent loop, a hand edit, ends at the image met twice)
            }
            while (!line.isEmpty()) {
                ImageInfo a = line.pop();
                placed.add(a.id());
                out.add(a);
            }
        }
        return out;
    }

    private List<String> sealedNames() throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(images())) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && !name.endsWith(PARTIAL) && !name.startsWith(TRASH)) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    @Override
    public List<String> unfinished() throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(images())) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && name.endsWith(PARTIAL) && !name.startsWith(TRASH)) {
                    out.add(name.substring(0, name.length() - PARTIAL.length()));
                }
            }
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /**
     * An image id is one entry's name in images/, never a path: '..' or 'a/b' would reach outside this store
     * (another store's image restored while the pool records this one; '' is images/ itself, which a delete
     * would remove whole). Such an id names no image here.
     */
    private static boolean isImageName(String id) {
        return id != null && !id.isEmpty() && !id.equals(".") && !id.equals("..") && id.indexOf('/') < 0
                && id.indexOf('\\') < 0 && id.indexOf('\0') < 0;
    }

    private void requireImageName(String id) throws BackupException {
        if (!isImageName(id)) {
            throw new BackupException("no image '" + id + "' in the backup store " + dir);
        }
    }

    /** The manifest of sealed image {@code id}; a missing or damaged one is an error naming the image. */
    ImageInfo manifest(String id) throws IOException {
        requireImageName(id);
        Path m = images().resolve(id).resolve("manifest.json");
        if (!Files.exists(m)) {
            throw new BackupException("image " + id + " in " + dir + " has no manifest (damaged or not a Splitpoint image)");
        }
        ImageInfo info;
        try {
            info = CheckedJson.read(storage, m, ImageInfo.MAGIC, ImageInfo.VERSION, ImageInfo.class);
        } catch (CorruptMetadataException e) {
            throw new BackupException("image " + id + " in " + dir + ": " + e.getMessage());
        }
        if (!id.equals(info.id())) {
            // a directory copied or renamed by hand: listed as the image it names, it was that image twice, and a
            // 'backup delete' of that id removed the other directory
            throw new BackupException("image " + id + " in " + dir + ": manifest.json names image " + info.id()
                    + ", not its directory's " + id + " (copied or renamed by hand)");
        }
        String impossible = info.impossible();
        if (impossible != null) {
            throw new BackupException("image " + id + " in " + dir + ": manifest.json is damaged: " + impossible);
        }
        return info;
    }

    @Override
    public ImageReader open(String id) throws IOException {
        requireImageName(id);
        if (!Files.isDirectory(images().resolve(id))) {
            throw new BackupException("no image '" + id + "' in the backup store " + dir);
        }
        return ImageReader.open(this, manifest(id), images().resolve(id));
    }

    @Override
    public ImageWriter create(ImageInfo header) throws IOException {
        Path partial = images().resolve(header.id() + PARTIAL);
        if (idTaken(header.id())) {
            throw new BackupException("an image '" + header.id() + "' exists already in " + dir);
        }
        return ImageWriter.create(this, header, partial);
    }

    @Override
    public ImageWriter resume(String id) throws IOException {
        requireImageName(id);
        Path partial = images().resolve(id + PARTIAL);
        if (!Files.isDirectory(partial)) {
            throw new BackupException("no unfinished image '" + id + "' in " + dir);
        }
        return ImageWriter.resume(this, partial);
    }

    /** True when an image {@code id}, sealed or unfinished, is in this store: a new image needs another id. */
    public boolean idTaken(String id) {
        return Files.exists(images().resolve(id + PARTIAL)) || Files.exists(images().resolve(id));
    }

    /** True when a sealed image {@code id} is in this store with a manifest that reads back (only that one is read). */
    public boolean holds(String id) {
        if (!isImageName(id) || !Files.isRegularFile(images().resolve(id).resolve("manifest.json"))) {
            return false;
        }
        try {
            manifest(id);
            return true;
        } catch (IOException e) {
            return false; // damaged: nothing can build on it
        }
    }

    @Override
    public void delete(String id) throws IOException {
        requireImageName(id);
        Path p = images().resolve(id);
        if (Files.isDirectory(p)) {
            deleteTree(p);
            return;
        }
        p = images().resolve(id + PARTIAL);
        if (!Files.isDirectory(p)) {
            throw new BackupException("no image '" + id + "' in the backup store " + dir);
        }
        if (!deleteIfAbandoned(id)) {
            String who = writer(id);
            throw new BackupException("the unfinished image " + id + " is being written now"
                    + (who == null || who.isBlank() ? "" : " (" + who + ")") + ": it goes when its backup ends or stops");
        }
    }

    /**
     * Deletes unfinished image {@code id} unless something writes it now (a backup, a restore's
     * write-through image, a journal's ship, in this process or another); false when it does or the
     * image is gone already. Its writer's lock is held while it goes.
     */
    public boolean deleteIfAbandoned(String id) throws IOException {
        Path p = images().resolve(id + PARTIAL);
        PoolLockHandle lock;
        try {
            lock = storage.tryLock(p.resolve(WRITER_LOCK), CLEAN_UP + " (a clean-up in pid " + ProcessHandle.current().pid() + ")");
        } catch (java.nio.file.NoSuchFileException e) {
            return false; // sealed or removed meanwhile
        }
        if (lock == null) {
            return false;
        }
        try {
            if (beingCreated(p)) {
                return false;
            }
            removePartial(p);
            return true;
        } catch (java.nio.file.NoSuchFileException e) {
            return false; // another clean-up of the same leftover got there first
        } finally {
            lock.close();
        }
    }

    /** How long an unfinished image without its header counts as one being created (see {@link #beingCreated}). */
    private static final long CREATING_MILLIS = 60_000;

    /**
     * True for an image directory made moments ago whose writer has not taken its lock yet: a writer
     * makes the directory, then takes the lock, then writes the header. One without a header that is
     * older than a minute is a crash's leftover.
     */
    private static boolean beingCreated(Path partial) throws IOException {
        if (Files.exists(partial.resolve("header.json"))) {
            return false;
        }
        long age = System.currentTimeMillis() - Files.getLastModifiedTime(partial).toMillis();
        return age < CREATING_MILLIS;
    }

    /** Who writes unfinished image {@code id} now (the text its writer recorded), or null when nobody does. */
    public String writer(String id) throws IOException {
        return storage.lockHolder(unfinishedImage(dir, id).resolve(WRITER_LOCK));
    }

    /** The lock of the writer of an unfinished image, in its directory. */
    public static final String WRITER_LOCK = "writer.lock";

    /** Takes the writer's lock of unfinished image {@code id} in {@code partial}, or fails naming who holds it. */
    PoolLockHandle lockWriter(String id, Path partial) throws IOException {
        String me = PoolLockHandle.thisProcess();
        // a clean-up looking at it (a moment: it finds it being created and lets go) is waited for
        for (int attempt = 0; ; attempt++) {
            PoolLockHandle h = storage.tryLock(partial.resolve(WRITER_LOCK), me);
            if (h != null) {
                return h;
            }
            String who = storage.lockHolder(partial.resolve(WRITER_LOCK));
            if (attempt >= 50 || who != null && !isCleanUp(who)) {
                throw new BackupException("the unfinished image " + id + " in " + dir + " is being written by another"
                        + " backup" + (who == null || who.isBlank() ? "" : " (" + who + ")"));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted waiting for a clean-up of " + dir);
            }
        }
    }

    /** How a clean-up's hold on an image's lock starts its text. */
    private static final String CLEAN_UP = "removing it";

    /** True when {@code holderText} (from {@link #writer}) is a clean-up's, not a writer's. */
    public static boolean isCleanUp(String holderText) {
        return holderText != null && holderText.startsWith(CLEAN_UP);
    }

    /**
     * Where removed unfinished images go first: {@code images/.trash-<name>-<tag>}. Renamed there with
     * the writer's lock held, an image is gone for every other clean-up at once (one deleting it in
     * place had unlinked the lock file while the directory still stood, and a second clean-up took a
     * fresh lock there and made the first one's removal fail). Listings skip these; a crash's
     * leftovers go with the next backup's clean-up ({@link #removeTrash}).
     */
    static final String TRASH = ".trash-";

    /** Removes unfinished image directory {@code partial}, whose writer's lock the caller holds. */
    void removePartial(Path partial) throws IOException {
        Path trash = images().resolve(TRASH + partial.getFileName() + "-"
                + String.format("%08x", java.util.concurrent.ThreadLocalRandom.current().nextInt()));
        storage.rename(partial, trash);
        storage.syncDirectory(images());
        deleteTree(trash);
    }

    /** Deletes what removals cut short by a crash left in the trash. */
    public void removeTrash() throws IOException {
        List<Path> left;
        try (var s = Files.list(images())) {
            left = s.filter(p -> p.getFileName().toString().startsWith(TRASH) && Files.isDirectory(p)).toList();
        }
        for (Path p : left) {
            deleteTree(p);
        }
    }

    /** Removes an image's directory: the manifest first, so whatever a crash leaves of it is no image. */
    void deleteTree(Path p) throws IOException {
        storage.delete(p.resolve("manifest.json"));
        storage.syncDirectory(p);
        try (var s = Files.list(p)) {
            for (Path f : s.toList()) {
                storage.delete(f);
            }
        }
        Files.deleteIfExists(p);
        storage.syncDirectory(images());
    }

    /** Records that the pool {@code poolUuid} at {@code poolDir} uses this store (durable; once per place). */
    public void addUser(String poolUuid, Path poolDir) throws IOException {
        Path users = dir.resolve("users");
        StoreUser u = new StoreUser(poolUuid, poolDir.toAbsolutePath().normalize().toString());
        // one record per pool and place: a copied pool directory keeps its uuid, and both copies count
        String place = java.util.HexFormat.of().formatHex(IndexRecord.newDigest()
                .digest(u.poolDir().getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0, 4);
        Path file = users.resolve(poolUuid + "-" + place + ".json");
        if (Files.isRegularFile(file)) {
            try {
                if (u.equals(CheckedJson.read(storage, file, USER_MAGIC, VERSION, StoreUser.class))) {
                    return;
                }
            } catch (CorruptMetadataException e) {
                // written again below
            }
        }
        if (!Files.isDirectory(users)) {
            NewDirectories.create(storage, users);
        }
        CheckedJson.write(storage, file, USER_MAGIC, VERSION, u);
    }

    /** The pools recorded as using this store (a damaged record is skipped: its pool records itself again). */
    public List<StoreUser> users() throws IOException {
        return users(null);
    }

    /**
     * The records of {@code users/}, as {@link #users()}; those that cannot be read (damaged: a hand edit, a disk's
     * fault) are skipped and their files added to {@code damaged} (when not null): which pool they name, and what it
     * needs of the store, is then unknown.
     */
    public List<StoreUser> users(List<Path> damaged) throws IOException {
        Path users = dir.resolve("users");
        List<StoreUser> out = new ArrayList<>();
        if (!Files.isDirectory(users)) {
            return out;
        }
        try (var s = Files.list(users)) {
            for (Path p : s.sorted().toList()) {
                if (p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)) {
                    try {
                        out.add(CheckedJson.read(storage, p, USER_MAGIC, VERSION, StoreUser.class));
                    } catch (CorruptMetadataException e) {
                        if (damaged != null) {
                            damaged.add(p);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Seals {@code partial}: its manifest written durably, then renamed into place (see the class note). */
    ImageInfo seal(Path partial, ImageInfo sealed, java.util.function.BooleanSupplier mayRename) throws IOException {
        CheckedJson.write(storage, partial.resolve("manifest.json"), ImageInfo.MAGIC, ImageInfo.VERSION, sealed);
        if (!mayRename.getAsBoolean()) {
            throw new java.io.InterruptedIOException("the seal of image " + sealed.id() + " was given up before its rename");
        }
        storage.rename(partial, images().resolve(sealed.id()));
        storage.syncDirectory(images());
        return sealed;
    }
}
