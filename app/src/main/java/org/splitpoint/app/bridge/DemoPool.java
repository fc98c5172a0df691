package org.splitpoint.app.bridge;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;
import org.splitpoint.engine.pool.PoolException;
import org.splitpoint.engine.pool.PoolPaths;

/**
 * The demo pool the app opens on first run: six drives, a RAID5 volume "prod" on d1..d3 (the STD)
 * holding recognizable text records ("prod 00012340 splitpoint demo..."), a RAID5 volume
 * "prod-bcv" on d4..d6 (the BCV), and the pair "prod-pair" of the two, already established and
 * Synchronized, so a newcomer can split and restore at once; and a RAID1 volume "snaps" on two more
 * drives, the save area, so snapshots of prod can be taken at once. The first-run demo ({@link
 * #ensure}) has the rest of what the SPEC lists ready too: a RAID1 volume "db" (records "db ...")
 * and prod with full backups in the store {@code demo-backups} beside the pool (the app knows the
 * store from them), db to lose both legs of and restore instantly or rebuild from backup, and two
 * SPARE drives, for a staged journal on prod (shipping to that store) or a drill's repository; a newcomer found no spare drive for
 * the journal and no backup to restore from. It is built in a sibling directory and renamed into
 * place, so an interrupted first run leaves no half-made pool behind; the backup is taken after the
 * rename (a store records the pools that use it by their path), so one interrupted there leaves a
 * whole pool without it. A store left beside by a demo deleted by hand (its directory removed, the
 * way to start over) goes before the new demo backs up, when the demo at this path is the only pool
 * it records as a user: else the new demo's Backups listed the old demo's images as its own. A store
 * another pool uses too stays, and the new demo's backups are added to it.
 */
public final class DemoPool {

    public static final int DRIVES = 6;
    public static final long DRIVE_SIZE = 64L << 20;
    public static final int TRACK_SIZE = 64 << 10;
    /** Bytes of records written at the start of each volume (less if the volume is smaller). */
    public static final long DATA_BYTES = 8L << 20;
    static final int RECORD = 32;
    public static final String STD = "prod";
    public static final String BCV = "prod-bcv";
    public static final String PAIR = "prod-pair";
    /** The first-run demo's save area for snapshots. */
    public static final String SAVE_AREA = "snaps";
    /** The first-run demo's RAID1 volume, backed up to {@link #STORE} beside the pool. */
    public static final String MIRROR = "db";
    /** The first-run demo's backup store, a sibling of the pool's directory. */
    public static final String STORE = "demo-backups";

    private DemoPool() {
    }

    /** True when {@code dir} holds a pool already. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(new PoolPaths(dir).config());
    }

    /** Creates the demo pool in {@code dir} unless a pool is there already. Returns true if it created one. */
    public static boolean ensure(Path dir) throws IOException, PoolException {
        if (exists(dir)) {
            return false;
        }
        Path work = dir.resolveSibling(dir.getFileName() + ".creating");
        deleteTree(work); // left over from an interrupted first run: ours to remove
        Files.createDirectories(work.getParent());
        dropStoreOfADeletedDemo(dir);
        create(work, DRIVE_SIZE, TRACK_SIZE);
        addSaveArea(work);
        addMirrorAndSpares(work);
        Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
        backUp(dir);
        return true;
    }

    /** The store of the first-run demo pool in {@code dir}. */
    public static Path store(Path dir) {
        return dir.resolveSibling(STORE);
    }

    /**
     * Removes the store beside {@code dir} (no pool there now) when its only recorded user was the
     * demo at {@code dir}: nothing else can need its images. Anything else there is left as it is.
     */
    private static void dropStoreOfADeletedDemo(Path dir) throws IOException {
        Path store = store(dir);
        if (!Files.isRegularFile(store.resolve("store.json"))) {
            return; // not a store (or none): the backup says what is wrong with it
        }
        String demo = dir.toAbsolutePath().normalize().toString();
        List<DirectoryStore.StoreUser> users = DirectoryStore.open(store, StorageFactory.real(), false).users();
        if (!users.isEmpty() && users.stream().allMatch(u -> u.poolDir().equals(demo))) {
            deleteTree(store);
        }
    }

    /** A RAID1 volume "db" on two more drives, holding records, and two SPARE drives. */
    static void addMirrorAndSpares(Path dir) throws IOException, PoolException {
        try (Pool pool = Pool.open(dir)) {
            String a = pool.admin().addDrive(DRIVE_SIZE);
            String b = pool.admin().addDrive(DRIVE_SIZE);
            pool.admin().createVolume(MIRROR, Layout.RAID1, List.of(a, b), 0);
            fill(pool.device(MIRROR), MIRROR);
            pool.admin().addDrive(DRIVE_SIZE);
            pool.admin().addDrive(DRIVE_SIZE);
        }
    }

    /**
     * Full backups of "db" and of prod into the store beside the pool (made there, or added to one left
     * by an earlier demo): prod's lets its journal ship there (a journal's store holds its volume's
     * backups) and lets prod be restored too.
     */
    static void backUp(Path dir) throws IOException, PoolException {
        Path store = store(dir);
        try (Pool pool = Pool.open(dir)) {
            for (String volume : List.of(MIRROR, STD)) {
                await(pool.backups().backup(volume, store, true, 0), "the demo's backup of " + volume);
            }
        }
    }

    private static void await(Job job, String what) throws IOException {
        try {
            if (!job.await(600_000) || job.state() != JobState.DONE) {
                throw new IOException(what + " ended " + job.state() + " " + job.progress().message());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + what, e);
        }
    }

    /** Creates a demo pool of {@code driveSize} drives in the new or empty directory {@code dir}. */
    public static void create(Path dir, long driveSize, int trackSize) throws IOException, PoolException {
        Pool.create(dir, DRIVES, driveSize, trackSize, StorageFactory.real());
        try (Pool pool = Pool.open(dir)) {
            pool.admin().createVolume(STD, Layout.RAID5, List.of("d1", "d2", "d3"), 0);
            pool.admin().createVolume(BCV, Layout.RAID5, List.of("d4", "d5", "d6"), 0);
            fill(pool.device(STD), STD);
            pool.pairs().create(PAIR, STD, BCV);
            await(pool.pairs().establish(PAIR, false), "the demo pair's establish");
        }
    }

    /**
     * Two more drives with a RAID1 volume on them, designated as the save area for snapshots: twice
     * prod's size (sparse images), so the demo's workload, which writes all over prod, does not fill
     * it with the first snapshot or two.
     */
    static void addSaveArea(Path dir) throws IOException, PoolException {
        try (Pool pool = Pool.open(dir)) {
            String a = pool.admin().addDrive(4 * DRIVE_SIZE);
            String b = pool.admin().addDrive(4 * DRIVE_SIZE);
            pool.admin().createVolume(SAVE_AREA, Layout.RAID1, List.of(a, b), 0);
            pool.snapshots().setSaveArea(SAVE_AREA);
        }
    }

    /** The 32-byte record the demo writes at {@code offset} of {@code volume}. */
    public static String record(String volume, long offset) {
        String head = String.format("%s %08x splitpoint demo", volume, offset);
        StringBuilder b = new StringBuilder(head);
        while (b.length() < RECORD - 1) {
            b.append(' ');
        }
        return b.append('\n').toString();
    }

    private static void fill(BlockDevice v, String name) throws IOException {
        long total = Math.min(DATA_BYTES, v.size());
        int chunk = 1 << 20;
        ByteBuffer buf = ByteBuffer.allocate(chunk);
        for (long at = 0; at < total; at += chunk) {
            buf.clear();
            int len = (int) Math.min(chunk, total - at);
            for (int i = 0; i < len; i += RECORD) {
                buf.put(record(name, at + i).getBytes(StandardCharsets.US_ASCII), 0, Math.min(RECORD, len - i));
            }
            buf.flip();
            v.write(at, buf);
        }
        v.flush();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
