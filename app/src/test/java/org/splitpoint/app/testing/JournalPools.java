package org.splitpoint.app.testing;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.Pool;

/**
 * Pools for the staged backup journal's tests: eight drives of 8 MiB, 64 KiB tracks, a RAID5 volume
 * "data" on d1..d3 (16 MiB = 256 tracks) holding {@link BackupPools#pattern} on every byte, a RAID1
 * volume "logs" on d4 and d5, three SPARE drives d6..d8, and an empty store directory beside the
 * pool. {@link Made#expect} is what "data" holds, kept up to date by {@link #write}.
 */
public final class JournalPools {

    public static final String VOLUME = "data";
    public static final String OTHER = "logs";
    public static final int TRACK = 64 << 10;
    public static final int TRACKS = 256;
    public static final List<String> SPARES = List.of("d6", "d7", "d8");

    /** A pool, its empty store, and what "data" holds. */
    public record Made(Path pool, Path store, byte[] expect) { }

    private JournalPools() {
    }

    public static Made fresh(Path parent) throws Exception {
        Path dir = parent.resolve("pool");
        Path store = parent.resolve("store");
        Files.createDirectories(store);
        Pool.create(dir, 8, 8L << 20, TRACK, StorageFactory.real());
        byte[] expect;
        try (Pool pool = Pool.open(dir)) {
            pool.admin().createVolume(VOLUME, Layout.RAID5, List.of("d1", "d2", "d3"), 0);
            pool.admin().createVolume(OTHER, Layout.RAID1, List.of("d4", "d5"), 0);
            BlockDevice v = pool.device(VOLUME);
            expect = new byte[(int) v.size()];
            for (int i = 0; i < expect.length; i++) {
                expect[i] = BackupPools.pattern(i);
            }
            v.write(0, ByteBuffer.wrap(expect));
            v.flush();
        }
        return new Made(dir, store, expect);
    }

    /**
     * A journaled "data" lost beyond its redundancy: the journal enabled on d6 and d7 (its full base
     * backup taken), {@code shipped} tracks written from track 10 and shipped (an incremental image
     * on the base), then {@code pending} tracks written from track 100 and left in the journal; then
     * d1 failed by command and d2's image deleted: "data" opens FAILED.
     */
    public static Made lostWithJournal(Path parent, int shipped, int pending) throws Exception {
        Made m = fresh(parent);
        try (Pool pool = Pool.open(m.pool())) {
            done(pool.journals().enable(VOLUME, List.of("d6", "d7"), m.store(), 0, 0), "the base backup");
            write(pool, m, 10, shipped, 1);
            done(pool.journals().ship(VOLUME), "the ship");
            write(pool, m, 100, pending, 2);
            pool.admin().failDrive("d1");
        }
        Files.delete(m.pool().resolve("drives/d2.img"));
        return m;
    }

    /** Writes {@code tracks} tracks of "data" from {@code track} (a pattern of {@code seed}), flushed, into the model too. */
    public static void write(Pool pool, Made m, int track, int tracks, int seed) throws Exception {
        byte[] b = new byte[tracks * TRACK];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7 + seed * 13 + i / 4096);
        }
        pool.device(VOLUME).write((long) track * TRACK, ByteBuffer.wrap(b));
        pool.device(VOLUME).flush();
        System.arraycopy(b, 0, m.expect(), track * TRACK, b.length);
    }

    /** The SHA-256 of {@code bytes}, in hex. */
    public static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Reads all of "data" as hosts see it. */
    public static byte[] read(Pool pool) throws Exception {
        BlockDevice v = pool.device(VOLUME);
        ByteBuffer b = ByteBuffer.allocate((int) v.size());
        v.read(0, b);
        return b.array();
    }

    private static void done(Job job, String what) throws Exception {
        if (!job.await(60_000) || job.state() != JobState.DONE) {
            throw new IllegalStateException("the fixture's " + what + " ended " + job.state() + " " + job.progress().message());
        }
    }
}
