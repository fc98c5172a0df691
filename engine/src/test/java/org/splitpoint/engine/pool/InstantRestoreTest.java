package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.bitmap.TrackBitmap;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.restore.InstantRestore;

/**
 * Instant restore from a backup (issue 11, seed 002): usable at once, never a bulk-copied track
 * over one written or fetched meanwhile, nothing acknowledged lost to a crash.
 */
class InstantRestoreTest {

    private static final int TRACK = 4096;
    private static final int WRITERS = 3;

    @TempDir
    Path tmp;

    private byte[] image;
    private String imageId;

    /** A pool with volume v of {@code layout}, backed up (full) with a random image, then scribbled over. */
    private Path backedUpThenScribbled(Layout layout, int seed) throws Exception {
        Path dir = TestPools.create(tmp.resolve("pool"), layout, layout == Layout.RAID1 ? 2 : 3, 1 << 20, TRACK);
        try (Pool pool = Pool.open(dir)) {
            BlockDevice v = pool.device("v");
            image = new byte[(int) v.size()];
            new Random(seed).nextBytes(image);
            Arrays.fill(image, TRACK * 10, TRACK * 20, (byte) 0); // all-zero tracks: left out of the image
            v.write(0, ByteBuffer.wrap(image));
            assertThat(pool.backups().backup("v", store(), true, 0).await(60_000)).isTrue();
            imageId = pool.backups().lastBackup("v").image();
            byte[] other = new byte[image.length];
            new Random(seed + 100).nextBytes(other);
            v.write(0, ByteBuffer.wrap(other));
            v.flush();
        }
        return dir;
    }

    private Path store() {
        return tmp.resolve("store");
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @CsvSource({"RAID5, 1", "RAID5, 2", "RAID1, 3", "RAID3, 4", "RAID5, 5", "RAID1, 6"})
    void aRestoredVolumeIsUsableAtOnceAndEndsAsTheImageWithTheWritesMadeMeanwhile(Layout layout, int seed) throws Exception {
        Path dir = backedUpThenScribbled(layout, seed);
        try (Pool pool = Pool.open(dir)) {
            Job bulk = pool.instantRestores().restore("v", store(), null, false, image.length); // about a second
            InstantRestore r = pool.instantRestores().restoreOf("v");
            BlockDevice v = pool.device("v");
            AckOracle model = new AckOracle(image);
            byte[] first = new byte[TRACK];
            v.read(5L * TRACK + 100, ByteBuffer.wrap(first, 0, 100));
            assertThat(Arrays.copyOfRange(first, 0, 100)).as("the first read, at once")
                    .isEqualTo(Arrays.copyOfRange(image, 5 * TRACK + 100, 5 * TRACK + 200));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<String> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            AtomicLong clock = new AtomicLong();
            for (int w = 0; w < WRITERS; w++) {
                int id = w;
                Thread t = new Thread(() -> {
                    Random rnd = new Random(seed * 7L + id);
                    int region = image.length / WRITERS;
                    try {
                        while (!stop.get()) {
                            int len = 1 + rnd.nextInt(2 * TRACK);
                            int off = id * region + rnd.nextInt(region - len);
                            if (rnd.nextInt(3) == 0) {
                                byte[] d = new byte[len];
                                rnd.nextBytes(d);
                                int i = model.wrote(off, d, Long.MAX_VALUE);
                                v.write(off, ByteBuffer.wrap(d));
                                model.returned(i, clock.incrementAndGet());
                            } else {
                                byte[] got = new byte[len];
                                v.read(off, ByteBuffer.wrap(got));
                                byte[] want = model.currentRange(off, len);
                                if (!Arrays.equals(got, want)) {
                                    int m = Arrays.mismatch(got, want);
                                    failure.compareAndSet(null, "a read at " + (off + m) + " returned " + got[m] + " instead of "
                                            + want[m]);
                                }
                            }
                        }
                    } catch (Exception e) {
                        failure.compareAndSet(null, e.toString());
                    }
                });
                threads.add(t);
                t.start();
            }
            Thread flusher = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        v.flush();
                        Thread.sleep(20);
                    } catch (Exception e) {
                        failure.compareAndSet(null, e.toString());
                    }
                }
            });
            flusher.start();
            assertThat(bulk.await(60_000)).isTrue();
            Thread.sleep(50);
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            flusher.join();
            assertThat(failure.get()).isNull();
            assertThat(bulk.state()).isEqualTo(JobState.DONE);
            assertThat(pool.instantRestores().restoreOf("v")).isNull();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), model.currentCopy(), "the volume after the restore");
            assertThat(r.onDemandFetches()).as("reads were served from the backup").isPositive();
            TrackBitmap both = new TrackBitmap(r.totalTracks());
            for (long t = r.fetchedOnDemand().nextSetBit(0); t >= 0; t = r.fetchedOnDemand().nextSetBit(t + 1)) {
                if (r.bulkCopied().get(t)) {
                    both.set(t);
                }
            }
            assertThat(both.cardinality()).as("tracks both fetched on demand and copied in bulk").isZero();
            assertThat(pool.admin().verify("v", false, null)).isZero();
            assertThat(pool.snapshot().volume("v").state()).isEqualTo(VolumeState.OPTIMAL);
        }
    }

    @Test
    void aFailedVolumeGetsBlankDrivesAndComesBackFromTheBackup() throws Exception {
        Path dir = backedUpThenScribbled(Layout.RAID5, 9);
        try (Pool pool = Pool.open(dir)) {
            pool.admin().failDrive("d2");
        }
        Files.delete(dir.resolve("drives/d3.img"));
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.volume("v").state()).isEqualTo(VolumeState.FAILED);
            Job bulk = pool.instantRestores().restore("v", store(), imageId, false, 0);
            assertThat(pool.volume("v").state()).isEqualTo(VolumeState.OPTIMAL);
            byte[] atOnce = new byte[image.length];
            pool.device("v").read(0, ByteBuffer.wrap(atOnce)); // as hosts see it: through the restore
            TestPools.assertSameBytes(atOnce, image, "read at once");
            assertThat(bulk.await(60_000)).isTrue();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), image, "after the bulk copy");
            assertThat(pool.snapshot().drive("d3").state()).isEqualTo(DriveState.ONLINE);
        }
    }

    @Test
    void aSplitPairsStdRestoredFromABackupKeepsThePairsBooksRight() throws Exception {
        Path dir = tmp.resolve("pairs");
        Pool.create(dir, 4, 1 << 20, TRACK, StorageFactory.real());
        byte[] img = new byte[1 << 20];
        new Random(21).nextBytes(img);
        try (Pool pool = Pool.open(dir)) {
            pool.admin().createVolume("std", Layout.RAID1, List.of("d1", "d2"), 0);
            pool.admin().createVolume("bcv", Layout.RAID1, List.of("d3", "d4"), 0);
            pool.pairs().create("p1", "std", "bcv");
            pool.device("std").write(0, ByteBuffer.wrap(img));
            assertThat(pool.backups().backup("std", store(), true, 0).await(60_000)).isTrue();
            assertThat(pool.pairs().establish("p1", true).await(60_000)).isTrue();
            assertThatThrownBy(() -> pool.instantRestores().restore("std", store(), null, false, 0))
                    .isInstanceOf(PoolException.class).hasMessageContaining("split the pair before restoring");
            pool.pairs().split(List.of("p1"));
            pool.device("std").write(0, ByteBuffer.wrap(new byte[5 * TRACK])); // a change to undo
            assertThat(pool.instantRestores().restore("std", store(), null, false, 0).await(60_000)).isTrue();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("std")), img, "the STD after its restore");
            assertThat(pool.pairs().get("p1").stdInvalidTracks()).as("the restore's writes count as STD changes").isPositive();
            assertThat(pool.pairs().establish("p1", false).await(60_000)).isTrue();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("bcv")), img, "the BCV after an incremental establish");
        }
    }

    @Test
    void writeThroughPutsTheWritesMadeDuringTheRestoreIntoANewImage() throws Exception {
        Path dir = backedUpThenScribbled(Layout.RAID1, 11);
        byte[] expect = image.clone();
        try (Pool pool = Pool.open(dir)) {
            Job bulk = pool.instantRestores().restore("v", store(), imageId, true, image.length / 2);
            BlockDevice v = pool.device("v");
            Random rnd = new Random(3);
            for (int i = 0; i < 30; i++) {
                byte[] d = new byte[1 + rnd.nextInt(3 * TRACK)];
                rnd.nextBytes(d);
                int off = rnd.nextInt(image.length - d.length);
                v.write(off, ByteBuffer.wrap(d));
                System.arraycopy(d, 0, expect, off, d.length);
            }
            assertThat(bulk.await(60_000)).isTrue();
            String wt = pool.backups().lastBackup("v").image();
            ImageInfo info = DirectoryStore.open(store(), StorageFactory.real(), false).list().stream()
                    .filter(i -> i.id().equals(wt)).findFirst().orElseThrow();
            assertThat(info.kind()).isEqualTo(ImageInfo.Kind.INCREMENTAL);
            assertThat(info.parent()).isEqualTo(imageId);
            TestPools.assertSameBytes(BackupTest.imageBytes(store(), wt), expect, "the write-through image's chain");
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), expect, "the volume");
        }
    }

    @Test
    void aRestoreWaitsForAStoreThatCannotBeReadAndGoesOnWhenItCan() throws Exception {
        Path dir = backedUpThenScribbled(Layout.RAID5, 13);
        try (Pool pool = Pool.open(dir, StorageFactory.real(), new PoolOptions(false))) {
            pool.instantRestores().restore("v", store(), imageId, false, 0);
            pool.device("v").write(0, ByteBuffer.wrap(new byte[TRACK])); // a whole track: current without the backup
            pool.device("v").flush();
        }
        Path away = tmp.resolve("store-away");
        Files.move(store(), away);
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.openNotes()).anyMatch(n -> n.contains("waits: the backup store cannot be read"));
            assertThat(pool.read("v", 0, TRACK)).isEqualTo(new byte[TRACK]); // not through the restore: the volume
            assertThat(readVia(pool, 0)).isEqualTo(new byte[TRACK]);
            assertThatThrownBy(() -> readVia(pool, 3)).hasMessageContaining("is being restored from a backup that cannot"
                    + " be read now");
        }
        Files.move(away, store());
        try (Pool pool = Pool.open(dir)) {
            pool.awaitJobs(null);
            byte[] expect = image.clone();
            Arrays.fill(expect, 0, TRACK, (byte) 0);
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), expect, "after the store came back");
        }
    }

    private static byte[] readVia(Pool pool, long track) throws Exception {
        byte[] b = new byte[TRACK];
        pool.device("v").read(track * TRACK, ByteBuffer.wrap(b));
        return b;
    }

    @Test
    void aProcessCrashDuringARestoreKeepsEveryWriteTheProcessMade() throws Exception {
        Path dir = backedUpThenScribbled(Layout.RAID5, 15);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(0, 0, 1);
        Pool pool = Pool.open(dir, inj, new PoolOptions(false));
        Job bulk = pool.instantRestores().restore("v", store(), imageId, false, 4L * TRACK); // one track a step
        assertThat(bulk.stepOnce()).isTrue(); // track 0 restored in bulk (not committed)
        byte[] expect = image.clone();
        Random rnd = new Random(4);
        for (long t : new long[] {0, 40, 41}) {
            byte[] d = new byte[t == 41 ? 100 : TRACK];
            rnd.nextBytes(d);
            int off = (int) (t * TRACK) + (t == 41 ? 300 : 0);
            pool.device("v").write(off, ByteBuffer.wrap(d));
            System.arraycopy(d, 0, expect, off, d.length);
        }
        inj.processCrash();
        pool.abandon();
        try (Pool reopened = Pool.open(dir)) {
            // the holder's start says what it resumed (serve prints these notes), not only the dirty tracks
            assertThat(reopened.openNotes()).anyMatch(n -> n.matches("instant restore of v from image " + imageId
                    + " resumed: \\d+ tracks? still to restore"));
            reopened.jobs().forEach(j -> j.setThrottle(0));
            reopened.awaitJobs(null);
            TestPools.assertSameBytes(TestPools.readAll(reopened.volume("v")), expect, "the volume after the crash");
        }
    }

    /**
     * The power goes anywhere during a restore with host writers, readers and flushes beside the
     * bulk copy (and during the pool's reopen after a clean close): after reopening and finishing,
     * every byte holds the image's value overlaid with the acknowledged writes (or a later one).
     */
    @Test
    void aPowerCutDuringARestoreLosesNoAcknowledgedWrite() throws Exception {
        powerCuts(Layout.RAID5, 17);
    }

    /**
     * The same with every track copied in pieces, as tracks over 8 MiB are (a read's fetch, a
     * partial write's merge and the bulk copy go from the backup to the volume a piece at a time,
     * under the track's lock): RAID 1 in four pieces of 1 KiB a track, RAID 5 a stripe at a time.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"RAID1", "RAID5"})
    void aPowerCutDuringARestoreOfTracksCopiedInPiecesLosesNoAcknowledgedWrite(Layout layout) throws Exception {
        System.setProperty("splitpoint.restoreWholeTrackMax", "0");
        System.setProperty("splitpoint.restorePieceBytes", "1024");
        try {
            powerCuts(layout, 19);
        } finally {
            System.clearProperty("splitpoint.restoreWholeTrackMax");
            System.clearProperty("splitpoint.restorePieceBytes");
        }
    }

    /**
     * The same with a write-through image: a write reaches the volume before the image, so a cut
     * between them left the sealed image without it (restoring it gave a state the volume never
     * had). After finishing, when the image is the volume's last backup, its chain is the volume.
     */
    @Test
    void aPowerCutDuringARestoreWithWriteThroughLeavesAnImageOfTheVolume() throws Exception {
        writeThrough = true;
        powerCuts(Layout.RAID1, 23);
    }

    /** Whether the power-cut runs restore with a write-through image. */
    private boolean writeThrough;

    private void powerCuts(Layout layout, int imageSeed) throws Exception {
        Path template = backedUpThenScribbled(layout, imageSeed);
        Path storeTemplate = store();
        long total = restoreRun(template, storeTemplate, tmp.resolve("count"), 0, 1);
        // a run writes about 1,200 times: 30 cut points spread over it, 3 seeds each (every index
        // with -Dsplitpoint.longTests=true)
        boolean all = Boolean.getBoolean("splitpoint.longTests");
        int points = all ? (int) total : "true".equals(System.getenv("CI")) ? 16 : 30;
        for (int i = 1; i <= points; i++) {
            long cut = all ? i : Math.max(1, total * i / points + (i % 3));
            for (int seed = 1; seed <= 3; seed++) {
                restoreRun(template, storeTemplate, tmp.resolve("cut-" + cut + "-" + seed), cut, seed * 100L + cut);
            }
        }
    }

    private long restoreRun(Path template, Path storeTemplate, Path run, long cut, long seed) throws Exception {
        Path dir = run.resolve("pool");
        Path st = run.resolve("store");
        TestPools.copyDir(template, dir);
        TestPools.copyDir(storeTemplate, st);
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(cut, (int) (seed % 2) * 512, seed)
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"));
        AckOracle model = new AckOracle(image);
        AtomicLong clock = new AtomicLong();
        AtomicReference<String> failure = new AtomicReference<>();
        // tracks written by a write that may have come after the restore ended: the write-through
        // image, sealed at the end, need not hold them (the next incremental backup copies them)
        BitSet late = new BitSet();
        Pool pool = null;
        boolean started = false;
        try {
            pool = Pool.open(dir, inj);
            Job bulk = pool.instantRestores().restore("v", st, imageId, writeThrough, image.length * 2L);
            started = true;
            Pool p = pool;
            InstantRestore restore = pool.instantRestores().restoreOf("v");
            // every third run's writers outlast the restore (0.5 s), so its end meets their writes
            boolean slowWriters = seed / 100 == 3;
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int id = w;
                Thread t = new Thread(() -> {
                    Random rnd = new Random(seed * 13 + id);
                    int region = image.length / WRITERS;
                    try {
                        for (int k = 0; k < 25 && !inj.isCut(); k++) {
                            if (slowWriters) {
                                Thread.sleep(20);
                            }
                            int len = 1 + rnd.nextInt(2 * TRACK);
                            int off = id * region + rnd.nextInt(region - len);
                            if (rnd.nextBoolean()) {
                                byte[] d = new byte[len];
                                rnd.nextBytes(d);
                                int i = model.wrote(off, d, Long.MAX_VALUE);
                                try {
                                    p.device("v").write(off, ByteBuffer.wrap(d));
                                } finally {
                                    if (restore.hostIoEnded()) { // it may have come after the restore ended
                                        synchronized (late) {
                                            late.set(off / TRACK, (off + len - 1) / TRACK + 1);
                                        }
                                    }
                                }
                                model.returned(i, clock.incrementAndGet());
                            } else if (rnd.nextInt(4) == 0) {
                                long start = clock.incrementAndGet();
                                p.device("v").flush();
                                model.flushed(start);
                            } else {
                                byte[] got = new byte[len];
                                p.device("v").read(off, ByteBuffer.wrap(got));
                                if (!Arrays.equals(got, model.currentRange(off, len)) && !inj.isCut()) {
                                    failure.compareAndSet(null, "a read during the restore returned other bytes");
                                }
                            }
                        }
                    } catch (Exception e) {
                        if (!inj.isCut()) {
                            failure.compareAndSet(null, e.toString());
                        }
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            bulk.await(30_000);
            long start = clock.incrementAndGet();
            pool.close(); // a clean close: all acknowledged
            model.flushed(start);
            pool = Pool.open(dir, inj); // and the restore resumes, or ends, in a second opening
            pool.awaitJobs(null);
        } catch (Exception e) {
            if (!inj.isCut()) {
                throw new AssertionError("cut " + cut + ": failed without a cut: " + e, e);
            }
        }
        assertThat(failure.get()).as("cut %d seed %d", cut, seed).isNull();
        long writes = inj.writeCount();
        inj.crash();
        if (pool != null) {
            pool.abandon();
        }
        if (cut > 0) {
            try (Pool reopened = Pool.open(dir)) {
                // the restore took effect when restore() returned, or when it is found under way
                boolean tookEffect = started || reopened.instantRestores().restoreOf("v") != null;
                reopened.jobs().forEach(j -> j.setThrottle(0));
                reopened.awaitJobs(null);
                byte[] got = TestPools.readAll(reopened.volume("v"));
                if (tookEffect) {
                    String bad = model.check(got);
                    assertThat(bad).as("cut %d seed %d: the volume after the restore finished", cut, seed).isNull();
                    String last = reopened.backups().lastBackup("v").image();
                    if (writeThrough && !last.equals(imageId)) { // kept (not dropped, or sealed but not recorded)
                        byte[] chain = BackupTest.imageBytes(st, last);
                        synchronized (late) {
                            for (int t = late.nextSetBit(0); t >= 0; t = late.nextSetBit(t + 1)) {
                                System.arraycopy(got, t * TRACK, chain, t * TRACK, TRACK);
                            }
                        }
                        TestPools.assertSameBytes(chain, got,
                                "cut " + cut + " seed " + seed + ": the write-through image's chain against the volume");
                    }
                    if (writeThrough) { // what the image does not hold, the next incremental copies
                        assertThat(reopened.backups().backup("v", st, false, 0).await(60_000)).isTrue();
                        TestPools.assertSameBytes(BackupTest.imageBytes(st, reopened.backups().lastBackup("v").image()), got,
                                "cut " + cut + " seed " + seed + ": the chain after the next incremental against the volume");
                    }
                }
                assertThat(reopened.admin().verify("v", false, null)).isZero();
            }
        }
        TestPools.deleteDir(run);
        return writes;
    }
}
