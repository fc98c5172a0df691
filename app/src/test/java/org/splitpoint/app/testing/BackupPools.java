package org.splitpoint.app.testing;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * Pools with backups, for the Backups and instant restore tests: four drives of 8 MiB, 64 KiB
 * tracks, a RAID5 volume "data" on d1..d3 (16 MiB = 256 tracks) holding a pattern on every track
 * (so a full image holds them all), in no pair, and a full backup of it in a store beside the pool.
 */
public final class BackupPools {

    public static final String VOLUME = "data";
    public static final int TRACK = 64 << 10;
    public static final int TRACKS = 256;

    /** A pool, its store, and the image taken. */
    public record Made(Path pool, Path store, String image) { }

    private BackupPools() {
    }

    /** The byte at {@code offset} of "data" as the pool is made (and its backup holds it). */
    public static byte pattern(long offset) {
        return (byte) (offset / 4096 * 31 + 7);
    }

    /** Makes the pool and a full backup of "data" into {@code parent}/store. */
    public static Made withBackup(Path parent) throws Exception {
        Path dir = parent.resolve("pool");
        Path store = parent.resolve("store");
        Pool.create(dir, 4, 8L << 20, TRACK, StorageFactory.real());
        String image;
        try (Pool pool = Pool.open(dir)) {
            pool.admin().createVolume(VOLUME, Layout.RAID5, java.util.List.of("d1", "d2", "d3"), 0);
            BlockDevice v = pool.device(VOLUME);
            byte[] b = new byte[1 << 20];
            for (long at = 0; at < v.size(); at += b.length) {
                for (int i = 0; i < b.length; i++) {
                    b[i] = pattern(at + i);
                }
                v.write(at, ByteBuffer.wrap(b));
            }
            v.flush();
            Job job = pool.backups().backup(VOLUME, store, true, 0);
            if (!job.await(60_000) || job.state() != JobState.DONE) {
                throw new IllegalStateException("the fixture's backup ended " + job.state());
            }
            image = pool.backups().lastBackup(VOLUME).image();
        }
        return new Made(dir, store, image);
    }

    /** As {@link #withBackup}, then 3 tracks written and an incremental image of them: {@code image} is the full one. */
    public static Made withChain(Path parent) throws Exception {
        Made m = withBackup(parent);
        try (Pool pool = Pool.open(m.pool())) {
            pool.device(VOLUME).write(5L * TRACK, ByteBuffer.allocate(3 * TRACK));
            pool.device(VOLUME).flush();
            Job job = pool.backups().backup(VOLUME, m.store(), false, 0);
            if (!job.await(60_000) || job.state() != JobState.DONE) {
                throw new IllegalStateException("the fixture's incremental backup ended " + job.state());
            }
        }
        return m;
    }

    /** As {@link #withBackup}, then two drive images of "data" deleted: it opens FAILED. */
    public static Made failed(Path parent) throws Exception {
        Made m = withBackup(parent);
        Files.delete(m.pool().resolve("drives/d1.img"));
        Files.delete(m.pool().resolve("drives/d2.img"));
        return m;
    }

    /** Flips one byte in the middle of image {@code id}'s data file (damage a verify must find). */
    public static void corrupt(Path store, String id) throws Exception {
        Path data = store.resolve("images").resolve(id).resolve("data");
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = ch.size() / 2;
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, at);
            one.flip();
            byte flipped = (byte) (one.get(0) ^ 0x5a);
            ch.write(ByteBuffer.wrap(new byte[] {flipped}), at);
            ch.force(true);
        }
    }
}
