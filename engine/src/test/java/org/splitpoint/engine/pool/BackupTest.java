package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.backup.ChainReader;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * Backups into a store (issue 11): full and incremental images chain back to the volume as it
 * was, a backup is one instant while hosts keep writing, and no change is lost to a failed or
 * interrupted backup.
 */
class BackupTest {

    private static final int TRACK = 4096;

    @TempDir
    Path tmp;

    private Path pool() throws Exception {
        return TestPools.create(tmp.resolve("pool"), Layout.RAID5, 3, 1 << 20, TRACK);
    }

    private Path store() {
        return tmp.resolve("store");
    }

    /** The image {@code id} read back whole through its chain. */
    static byte[] imageBytes(Path store, String id) throws Exception {
        DirectoryStore s = DirectoryStore.open(store, StorageFactory.real(), false);
        try (ChainReader c = ChainReader.open(s, id)) {
            byte[] out = new byte[(int) c.size()];
            byte[] track = new byte[c.trackSize()];
            for (long t = 0; t < c.tracks(); t++) {
                int n = c.readTrack(t, track);
                System.arraycopy(track, 0, out, (int) (t * c.trackSize()), n);
            }
            return out;
        }
    }

    /** {@code count} writes of 1 byte to 3 tracks at random places of volume v, mirrored in {@code model}. */
    static void randomWrites(Pool pool, byte[] model, Random rnd, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            int len = 1 + rnd.nextInt(3 * TRACK);
            int off = rnd.nextInt(model.length - len);
            byte[] d = new byte[len];
            rnd.nextBytes(d);
            pool.device("v").write(off, ByteBuffer.wrap(d));
            System.arraycopy(d, 0, model, off, len);
        }
    }

    @Test
    void fullAndIncrementalImagesChainBackToTheVolumeAsItWasAtEachBackup() throws Exception {
        Path dir = pool();
        List<byte[]> states = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        try (Pool pool = Pool.open(dir)) {
            byte[] model = new byte[(int) pool.volume("v").size()];
            Random rnd = new Random(1);
            randomWrites(pool, model, rnd, 30);
            for (int round = 0; round < 4; round++) {
                Job j = pool.backups().backup("v", store(), round == 0, 0);
                assertThat(j.await(60_000)).isTrue();
                assertThat(j.state()).isEqualTo(JobState.DONE);
                states.add(model.clone());
                ids.add(pool.backups().lastBackup("v").image());
                randomWrites(pool, model, rnd, 5 + round * 3);
            }
        }
        DirectoryStore s = DirectoryStore.open(store(), StorageFactory.real(), false);
        List<ImageInfo> images = s.list();
        assertThat(images).extracting(ImageInfo::kind).containsExactly(ImageInfo.Kind.FULL,
                ImageInfo.Kind.INCREMENTAL, ImageInfo.Kind.INCREMENTAL, ImageInfo.Kind.INCREMENTAL);
        for (int i = 1; i < images.size(); i++) {
            assertThat(images.get(i).parent()).isEqualTo(images.get(i - 1).id());
            assertThat(images.get(i).tracks()).as("an incremental holds only what changed").isLessThan(images.get(0).tracks());
        }
        for (int i = 0; i < ids.size(); i++) {
            TestPools.assertSameBytes(imageBytes(store(), ids.get(i)), states.get(i), "image " + i + " read back");
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3})
    void aBackupIsTheVolumeAtItsStartWhileHostsKeepWriting(int seed) throws Exception {
        Path dir = pool();
        try (Pool pool = Pool.open(dir)) {
            byte[] model = new byte[(int) pool.volume("v").size()];
            Random rnd = new Random(seed);
            randomWrites(pool, model, rnd, 40);
            assertThat(pool.backups().backup("v", store(), true, 0).await(60_000)).isTrue();
            randomWrites(pool, model, rnd, 40);
            // writers pause at a barrier; the backup starts there, slowly; they write on meanwhile
            CyclicBarrier atStart = new CyclicBarrier(3);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            byte[][] atInstant = new byte[1][];
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int id = w;
                Thread t = new Thread(() -> {
                    Random r = new Random(seed * 31 + id);
                    int region = model.length / 2;
                    try {
                        atStart.await();
                        atStart.await(); // the backup has started
                        while (!stop.get()) {
                            int len = 1 + r.nextInt(2 * TRACK);
                            int off = id * region + r.nextInt(region - len);
                            byte[] d = new byte[len];
                            r.nextBytes(d);
                            pool.device("v").write(off, ByteBuffer.wrap(d));
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                writers.add(t);
                t.start();
            }
            atStart.await();
            atInstant[0] = model.clone();
            Job backup = pool.backups().backup("v", store(), rnd.nextBoolean(), 400_000); // ~2 s at most
            atStart.await();
            assertThat(backup.await(60_000)).isTrue();
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
            assertThat(failure.get()).isNull();
            assertThat(backup.state()).isEqualTo(JobState.DONE);
            TestPools.assertSameBytes(imageBytes(store(), pool.backups().lastBackup("v").image()), atInstant[0],
                    "the image against the volume at the backup's start");
        }
    }

    /**
     * The event at a backup's end says what its image stores against the volume's tracks, as the
     * Backups page does: its start says "N tracks to read" (every track of a full), and the end said
     * "K tracks" (those that held data), which read as if most had been missed.
     */
    @Test
    void theFinishedEventSaysWhatTheImageStoresOfTheVolumesTracks() throws Exception {
        Path dir = pool();
        try (Pool pool = Pool.open(dir)) {
            long tracks = pool.volume("v").size() / TRACK;
            pool.device("v").write(3L * TRACK, ByteBuffer.wrap(TestPools.filled(2 * TRACK, 0x5a)));
            List<org.splitpoint.engine.event.Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            pool.events().addListener(events::add);
            assertThat(pool.backups().backup("v", store(), true, 0).await(60_000)).isTrue();
            pool.events().drain();
            assertThat(events).extracting(org.splitpoint.engine.event.Event::message)
                    .anyMatch(m -> m.contains(tracks + " tracks to read (full; all-zero tracks are not stored)"))
                    .anyMatch(m -> m.contains("finished: image") && m.contains("stored: 2 of " + tracks + " tracks")
                            && m.contains("all-zero tracks not stored"));
        }
    }

    @Test
    void incrementalsBuildOnTheLastBackupInItsStoreOnly() throws Exception {
        Path dir = pool();
        try (Pool pool = Pool.open(dir)) {
            assertThatThrownBy(() -> pool.backups().backup("v", store(), false, 0)).isInstanceOf(PoolException.class)
                    .hasMessage("volume v has no backup yet for an incremental one to build on; take a --full backup first");
            assertThat(pool.backups().backup("v", store(), true, 0).await(60_000)).isTrue();
            Path other = tmp.resolve("other");
            assertThatThrownBy(() -> pool.backups().backup("v", other, false, 0)).isInstanceOf(PoolException.class)
                    .hasMessageContaining("an incremental one builds on it there: use that store, or take a --full backup"
                            + " into " + other);
            assertThatThrownBy(() -> pool.backups().backup("v", dir.resolve("inside"), true, 0))
                    .isInstanceOf(PoolException.class).hasMessageContaining("is inside the pool");
            assertThat(Files.exists(other)).isFalse();
        }
    }

    @Test
    void aCancelledBackupGivesItsTracksBackAndLeavesNoImage() throws Exception {
        Path dir = pool();
        try (Pool pool = Pool.open(dir)) {
            byte[] model = new byte[(int) pool.volume("v").size()];
            Random rnd = new Random(5);
            randomWrites(pool, model, rnd, 10);
            assertThat(pool.backups().backup("v", store(), true, 0).await(60_000)).isTrue();
            randomWrites(pool, model, rnd, 20);
            Job slow = pool.backups().backup("v", store(), false, 8 * TRACK);
            Thread.sleep(300);
            slow.cancel();
            slow.await(30_000);
            assertThat(slow.state()).isEqualTo(JobState.CANCELLED);
            assertThat(DirectoryStore.open(store(), StorageFactory.real(), false).list()).hasSize(1);
            assertThat(DirectoryStore.open(store(), StorageFactory.real(), false).unfinished()).isEmpty();
            Job again = pool.backups().backup("v", store(), false, 0);
            assertThat(again.await(60_000)).isTrue();
            TestPools.assertSameBytes(imageBytes(store(), pool.backups().lastBackup("v").image()), model,
                    "the next incremental after a cancelled one");
        }
    }

    /**
     * The power goes after every write index of an incremental backup under host writes (two crash
     * seeds each; with concurrency the index is not the same point in every run): after reopening,
     * the store lists no half image, and the next incremental (with the tracks the interrupted one
     * had taken given back) is the volume exactly.
     */
    @Test
    void aPowerCutDuringABackupLosesNoChange() throws Exception {
        Path template = pool();
        try (Pool pool = Pool.open(template)) {
            byte[] model = new byte[(int) pool.volume("v").size()];
            randomWrites(pool, model, new Random(7), 30);
            assertThat(pool.backups().backup("v", store(), true, 0).await(60_000)).isTrue();
        }
        // every write index (a run writes about 140 times), two crash seeds each
        atEveryWriteIndex(2, (cut, seed) -> cutRun(template, store(), tmp.resolve("cut-" + cut + "-" + seed), cut, seed,
                (pool, st) -> pool.backups().backup("v", st, false, 0),
                (reopened, st, what) -> {
                    DirectoryStore s = DirectoryStore.open(st, StorageFactory.real(), false);
                    s.list(); // every listed image has a valid manifest
                    Job b = reopened.backups().backup("v", st, false, 0);
                    assertThat(b.await(60_000)).isTrue();
                    assertThat(b.state()).as("%s: the next incremental", what).isEqualTo(JobState.DONE);
                    TestPools.assertSameBytes(imageBytes(st, reopened.backups().lastBackup("v").image()),
                            TestPools.readAll(reopened.volume("v")), what + ": the incremental after the crash against"
                            + " the volume");
                }));
    }

    /** One run of a power-cut test: cut after write {@code cut} (0: none, its writes counted), seed {@code seed}. */
    interface CutRun {
        long run(long cut, long seed) throws Exception;
    }

    /** Runs {@code run} once to count its writes, then once per write index (and two past the last) and seed. */
    static void atEveryWriteIndex(int seeds, CutRun run) throws Exception {
        long total = run.run(0, 1);
        for (long cut = 1; cut <= total + 2; cut++) {
            for (int seed = 1; seed <= seeds; seed++) {
                run.run(cut, seed);
            }
        }
    }

    /** Starts a backup of volume v into the store at {@code store}. */
    interface BackupStart {
        Job start(Pool pool, Path store) throws Exception;
    }

    /** What a run checks after the reopen ({@code what} names the cut and seed). */
    interface AfterCut {
        void check(Pool reopened, Path store, String what) throws Exception;
    }

    /**
     * A copy of the pool at {@code template} (and of the store at {@code storeTemplate}, when there is
     * one) under a power cut after write {@code cut}: host writes on volume v, {@code start}'s backup
     * with more host writes while it runs, a flush; then the crash (unsynced writes and directory
     * entries lost), and, after a cut, {@code after} on the pool reopened. Returns the writes the run
     * made (with cut 0, uncut: how many indexes there are).
     */
    static long cutRun(Path template, Path storeTemplate, Path run, long cut, long seed, BackupStart start,
                       AfterCut after) throws Exception {
        Path dir = run.resolve("pool");
        Path st = run.resolve("store");
        TestPools.copyDir(template, dir);
        if (Files.exists(storeTemplate)) {
            TestPools.copyDir(storeTemplate, st);
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real()).powerCutAfterWrite(cut, 512, seed)
                .countOnly(p -> !p.getFileName().toString().endsWith(".jsonl"));
        Pool pool = null;
        try {
            pool = Pool.open(dir, inj);
            Random rnd = new Random(seed);
            byte[] scratch = new byte[(int) pool.volume("v").size()];
            randomWrites(pool, scratch, rnd, 10);
            Job b = start.start(pool, st);
            randomWrites(pool, scratch, rnd, 10);
            b.await(60_000);
            randomWrites(pool, scratch, rnd, 5);
            pool.device("v").flush();
        } catch (Exception e) {
            if (!inj.isCut()) {
                throw e;
            }
        }
        long writes = inj.writeCount();
        inj.crash();
        if (pool != null) {
            pool.abandon();
        }
        if (cut > 0) {
            try (Pool reopened = Pool.open(dir)) {
                after.check(reopened, st, "cut " + cut + " seed " + seed);
            }
        }
        TestPools.deleteDir(run);
        return writes;
    }

    /**
     * A backup's history line (the app's "Job ended" notice) said what it read, "2 MiB, 512/512
     * tracks", where the image stores 8 KiB: it says both, as the Backups page says the image.
     */
    @Test
    void aBackupsHistoryLineSaysWhatItReadAndWhatTheImageStores() throws Exception {
        try (Pool pool = Pool.open(pool())) {
            long size = pool.volume("v").size();
            byte[] data = new byte[2 * TRACK];
            new Random(7).nextBytes(data);
            pool.device("v").write(0, ByteBuffer.wrap(data)); // 2 tracks of data, the rest zeros
            assertThat(pool.backups().backup("v", store(), true, 0).await(60_000)).isTrue();
            String full = pool.backups().lastBackup("v").image();
            pool.device("v").write(5 * TRACK, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertThat(pool.backups().backup("v", store(), false, 0).await(60_000)).isTrue();
            List<JobHistory.Entry> h = pool.jobHistory().list();
            long tracks = size / TRACK;
            assertThat(h.get(h.size() - 2).line()).matches("backup v DONE in 0:0\\d, " + java.util.regex.Pattern.quote(
                    Sizes.format(size) + " read, 8 KiB stored: 2 of " + tracks + " tracks (all-zero tracks not stored)"));
            assertThat(h.get(h.size() - 1).line()).endsWith(", 4 KiB read, 4 KiB stored: 1 of " + tracks
                    + " tracks, changed since " + full);
        }
    }
}
