package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A volume FAILED beyond its redundancy keeps the write-intent tracks its members may disagree on
 * (they are resynced when its drives come back), so its bitmap is never all clear at a close. A
 * clean close says so in the bitmap's header, as it does for tracks a full file system left
 * pinned: the next open does not report a crash that did not happen, while a real crash still is
 * one, and the tracks stay known through any number of openings and power cuts.
 */
class FailedVolumeCloseTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;

    @TempDir
    Path tmp;

    private byte[] model;

    /**
     * Volume v (RAID 5 on d1-d3) with a random image and u (RAID 1 on d4, d5); d1 failed by command,
     * then d2 failing with EIO under a write makes v FAILED with dirty tracks; the pool closes
     * cleanly, and d2's image is moved away (a disk not mounted), so v stays FAILED at each open.
     */
    private Path failedPool(Path dir) throws Exception {
        Pool.create(dir, 5, DRIVE, TRACK, StorageFactory.real());
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, inj)) {
            pool.admin().createVolume("v", Layout.RAID5, List.of("d1", "d2", "d3"), 0);
            pool.admin().createVolume("u", Layout.RAID1, List.of("d4", "d5"), 0);
            model = new byte[(int) pool.volume("v").size()];
            new Random(3).nextBytes(model);
            pool.device("v").write(0, ByteBuffer.wrap(model));
            pool.device("v").flush();
            pool.admin().failDrive("d1");
            inj.eio(p -> p.getFileName().toString().equals("d2.img"), FaultInjector.Op.ANY, FaultInjector.Mode.FROM_NTH, 1, 1);
            // the bytes v holds already: whatever of it lands, v reads as the model
            assertThatThrownBy(() -> {
                pool.device("v").write(100 * TRACK, ByteBuffer.wrap(model, 100 * TRACK, 40 * TRACK));
                pool.device("v").flush();
            }).hasMessageContaining("FAILED");
            assertThat(pool.volume("v").state()).isEqualTo(VolumeState.FAILED);
        }
        Files.move(dir.resolve("drives/d2.img"), tmp.resolve("d2.img.away"));
        return dir;
    }

    private static TrackBitmap kept(Pool pool) {
        try {
            return pool.volume("v").crashDirtyTracks();
        } catch (PoolException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aCleanCloseWithAFailedVolumeIsNotReportedAsACrashAndItsTracksStayKnown() throws Exception {
        Path dir = failedPool(tmp.resolve("pool"));
        long dirty;
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.volume("v").state()).isEqualTo(VolumeState.FAILED);
            dirty = kept(pool).cardinality();
            assertThat(dirty).as("tracks v's members may disagree on").isPositive();
        }
        for (int i = 0; i < 3; i++) {
            try (Pool pool = Pool.open(dir, StorageFactory.real(), PoolOptions.READ_ONLY)) {
                assertThat(pool.openNotes()).as("read-only open %d", i).noneMatch(n -> n.contains("not shut down cleanly"));
                assertThat(kept(pool).cardinality()).isEqualTo(dirty);
            }
            try (Pool pool = Pool.open(dir)) {
                assertThat(pool.openNotes()).as("open %d", i).noneMatch(n -> n.contains("not shut down cleanly"));
                assertThat(pool.volume("v").state()).isEqualTo(VolumeState.FAILED);
                assertThat(kept(pool).cardinality()).as("kept at open %d", i).isEqualTo(dirty);
            }
        }
        // a real crash is still one: the open that found the mark took it off before it wrote the bitmap
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool crashed = Pool.open(dir, inj);
        crashed.device("u").write(0, ByteBuffer.wrap(new byte[100]));
        inj.processCrash();
        crashed.abandon();
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.openNotes()).anyMatch(n -> n.startsWith("volume v was not shut down cleanly"));
            assertThat(kept(pool).cardinality()).isEqualTo(dirty);
        }
        // d2 comes back: v serves again (d1 still FAILED) and its kept tracks are resynced, said as no crash
        Files.move(tmp.resolve("d2.img.away"), dir.resolve("drives/d2.img"));
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.volume("v").state()).isEqualTo(VolumeState.DEGRADED);
            assertThat(pool.openNotes()).noneMatch(n -> n.contains("not shut down cleanly"));
            assertThat(pool.openNotes()).anyMatch(n -> n.startsWith("volume v: resynced " + dirty + " track"));
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), model, "v with d2 back");
        }
    }

    /**
     * The power goes after every write of a session of a pool whose volume v is FAILED with kept
     * tracks (open, writes and flushes to u, a clean close), with several crash seeds: at the
     * reopen v still has every kept track (none is ever cleared), u every flushed write, and a run
     * the cut did not reach reports no crash; with d2 back, v reads as it was.
     */
    @Test
    void aPowerCutAnywhereAroundAFailedVolumesOpenAndCloseLosesNoKeptTrack() throws Exception {
        Path template = failedPool(tmp.resolve("template"));
        TrackBitmap kept;
        try (Pool pool = Pool.open(template)) { // once, so the template holds a clean close's mark
            kept = copy(kept(pool));
        }
        long total = session(template, 0, 0, kept);
        assertThat(total).isGreaterThan(5);
        for (long cut = 1; cut <= total + 1; cut++) {
            for (int seed = 1; seed <= 3; seed++) {
                session(template, cut, cut * 31 + seed, kept);
            }
        }
    }

    private static TrackBitmap copy(TrackBitmap b) {
        TrackBitmap out = new TrackBitmap(b.size());
        out.loadWords(b.toWords());
        return out;
    }

    /** One run cut after write {@code cut} (0: counted only); returns the writes the session made. */
    private long session(Path template, long cut, long seed, TrackBitmap kept) throws Exception {
        Path dir = tmp.resolve("run-" + cut + "-" + seed);
        TestPools.copyDir(template, dir);
        Files.copy(tmp.resolve("d2.img.away"), tmp.resolve("run-d2.img"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        FaultInjector inj = new FaultInjector(StorageFactory.real())
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"))
                .powerCutAfterWrite(cut, 512, seed);
        byte[] u = new byte[(int) (DRIVE / 2)];
        int flushed = 0;
        Pool pool = null;
        try {
            pool = Pool.open(dir, inj);
            byte[] u0 = TestPools.readAll(pool.volume("u"));
            System.arraycopy(u0, 0, u, 0, Math.min(u.length, u0.length));
            Random rnd = new Random(seed);
            for (int i = 0; i < 3; i++) {
                byte[] d = new byte[3 * TRACK];
                rnd.nextBytes(d);
                pool.device("u").write(i * 5L * TRACK, ByteBuffer.wrap(d));
                pool.device("u").flush();
                System.arraycopy(d, 0, u, i * 5 * TRACK, d.length);
                flushed = i + 1;
            }
            pool.close();
        } catch (Exception e) {
            if (!inj.isCut()) {
                throw new AssertionError("cut " + cut + ": failed without a cut: " + e, e);
            }
        }
        long writes = inj.writeCount();
        boolean wasCut = inj.isCut();
        inj.crash();
        if (pool != null) {
            pool.abandon();
        }
        String when = "cut " + cut + " seed " + seed;
        try (Pool reopened = Pool.open(dir)) {
            TrackBitmap now = reopened.volume("v").crashDirtyTracks();
            for (long t = kept.nextSetBit(0); t >= 0; t = kept.nextSetBit(t + 1)) {
                assertThat(now.get(t)).as("%s: kept track %d of v", when, t).isTrue();
            }
            if (!wasCut) {
                assertThat(reopened.openNotes()).as(when).noneMatch(n -> n.contains("not shut down cleanly"));
            }
            byte[] got = TestPools.readAll(reopened.volume("u"));
            for (int i = 0; i < flushed; i++) {
                TestPools.assertSameBytes(java.util.Arrays.copyOfRange(got, i * 5 * TRACK, i * 5 * TRACK + 3 * TRACK),
                        java.util.Arrays.copyOfRange(u, i * 5 * TRACK, i * 5 * TRACK + 3 * TRACK), when + ": u's flushed write " + i);
            }
        }
        try (Pool reopened = Pool.open(dir)) { // closed clean just before: no crash, the tracks still kept
            assertThat(reopened.openNotes()).as(when + ", opened again").noneMatch(n -> n.contains("not shut down cleanly"));
            assertThat(reopened.volume("v").crashDirtyTracks().cardinality()).as(when).isEqualTo(kept.cardinality());
        }
        Files.move(tmp.resolve("run-d2.img"), dir.resolve("drives/d2.img"));
        try (Pool back = Pool.open(dir)) {
            assertThat(back.volume("v").state()).as(when).isEqualTo(VolumeState.DEGRADED);
            assertThat(back.openNotes()).as(when).anyMatch(n -> n.startsWith("volume v: resynced " + kept.cardinality() + " track"));
            TestPools.assertSameBytes(TestPools.readAll(back.volume("v")), model, when + ": v with d2 back");
        }
        TestPools.deleteDir(dir);
        return writes;
    }
}
