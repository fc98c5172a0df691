package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.pool;
import static org.splitpoint.engine.pool.ServicePools.read;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.AckOracle;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.backup.ImageReader;
import org.splitpoint.engine.backup.StoreTimeLimit;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A backup store that hangs (its writes never answer: an NFS server gone, a disk that does not
 * answer) while hosts write to tracks the backup has not copied. The copy-before-write of their old
 * bytes has a time limit ({@link StoreTimeLimit}, 1 s here): past it the backup fails saying which
 * track and why, and the host's write goes on. Before, the host's write hung as long as the store
 * did (the hold here: two minutes), and so did a cancel of the backup.
 */
class BackupStoreHangTest {

    private static final long LIMIT = 1000;
    private static final long SLACK = HungStore.SLACK;
    private static final long HANG = HungStore.HANG;

    @TempDir
    Path tmp;
    @RegisterExtension
    final HungStore.Limit limit = new HungStore.Limit(LIMIT);

    /** The data files of the store's images (the writes of their tracks). */
    private static Predicate<Path> imageData(Path store) {
        Path s = store.toAbsolutePath().normalize();
        return f -> f.toAbsolutePath().normalize().startsWith(s) && f.getFileName().toString().equals("data");
    }

    private static byte[] filledPool(Path dir, long seed) throws Exception {
        try (Pool p = Pool.open(dir)) {
            RaidVolume v = p.volume("v");
            byte[] model = new byte[(int) v.size()];
            new Random(seed).nextBytes(model); // no all-zero track: a full image stores every one
            v.write(0, ByteBuffer.wrap(model));
            v.flush();
            return model;
        }
    }

    @Test
    void aHostWriteToAnUncopiedTrackGoesOnWhenTheStoreHangsAndTheBackupFailsSayingWhy() throws Exception {
        Path dir = pool(tmp, "p", Layout.RAID1, 2);
        byte[] model = filledPool(dir, 5);
        Path store = tmp.resolve("store").toAbsolutePath();
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        List<Event> events = new CopyOnWriteArrayList<>();
        Pool p = Pool.open(dir, inj, new PoolOptions(false)); // the copier runs when the test says
        try {
            p.addListener(events::add);
            RaidVolume v = p.volume("v");
            Job backup = p.backups().backup("v", store, true, 0);
            inj.hold(FaultInjector.Op.WRITE, imageData(store), t -> true, HANG);
            byte[] write = new byte[TRACK];
            Arrays.fill(write, (byte) 0x6b);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            long t0 = System.nanoTime();
            Thread host = StuckThreads.start("host-write", () -> v.write(3L * TRACK, ByteBuffer.wrap(write)), failed);
            host.join(LIMIT + SLACK);
            long took = (System.nanoTime() - t0) / 1_000_000;
            assertThat(host.isAlive()).as("the host's write returned within the limit (%d ms) and some slack", LIMIT)
                    .isFalse();
            assertThat(failed.get()).as("the host's write").isNull();
            assertThat(took).as("the host's write waited for the store about the limit").isGreaterThanOrEqualTo(LIMIT);
            System.arraycopy(write, 0, model, 3 * TRACK, TRACK);

            // later writes copy nothing: none waits on the store (only the first copy's write is there)
            long held = inj.waitingOnHolds();
            v.write(7L * TRACK + 100, ByteBuffer.wrap(write, 0, 4000));
            System.arraycopy(write, 0, model, 7 * TRACK + 100, 4000);
            assertThat(inj.waitingOnHolds()).as("writes to the hung store after the break").isEqualTo(held);

            backup.start();
            assertThat(backup.await(LIMIT + SLACK)).as("the backup ended").isTrue();
            String why = "the backup store did not answer a copy-before-write of track 3 within 1 s";
            assertThat(backup.state()).isEqualTo(JobState.FAILED);
            assertThat(backup.progress().message()).contains(why).contains("the host's write went ahead");
            // the job's end is published by its thread just after the state it awaits (once in CI, asserted between)
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events)
                    .anySatisfy(e -> assertThat(e.message()).contains("backup of v failed: " + why)));
            // the line of the app's Jobs > History (and its 'Job ended' notice)
            assertThat(p.jobHistory().list()).anySatisfy(e -> assertThat(e.line()).startsWith("backup v FAILED in ")
                    .contains("(" + why + ", writing images/v-").contains(".partial/data; the host's write went ahead"));
            assertThat(Arrays.mismatch(read(v, 0, model.length), model)).as("the volume's bytes").isNegative();
            DirectoryStore s = DirectoryStore.open(store, StorageFactory.real(), false);
            assertThat(s.list()).as("images in the store").isEmpty();
            assertThat(s.unfinished()).as("unfinished images in the store (removed: only writes hang)").isEmpty();
        } finally {
            inj.releaseHolds(); // the hung write goes on now, into a file no image holds
            p.close();
        }
        try (Pool p2 = Pool.open(dir)) {
            RaidVolume v = p2.volume("v");
            assertThat(Arrays.mismatch(read(v, 0, model.length), model)).as("after a reopen").isNegative();
            Job again = p2.backups().backup("v", store, true, 0);
            again.start();
            assertThat(again.await(60_000)).isTrue();
            assertThat(again.state()).as(again.progress().message()).isEqualTo(JobState.DONE);
            assertVerifiedImageOf(store, model);
        }
    }

    @Test
    void severalHostWritersAndACancelDuringTheHangAllReturnWithinTheLimit() throws Exception {
        for (int seed = 1; seed <= 3; seed++) {
            Path dir = pool(tmp, "p" + seed, seed % 2 == 0 ? Layout.RAID1 : Layout.RAID5, seed % 2 == 0 ? 2 : 3);
            byte[] model = filledPool(dir, seed);
            Path store = tmp.resolve("store" + seed).toAbsolutePath();
            FaultInjector inj = new FaultInjector(StorageFactory.real());
            Pool p = Pool.open(dir, inj, new PoolOptions(false));
            try {
                RaidVolume v = p.volume("v");
                Job backup = p.backups().backup("v", store, true, 0);
                backup.setThrottle(4L * TRACK); // the copier's first tracks go in, then it copies slowly
                backup.start();
                StuckThreads.awaitTrue(() -> backup.progress().doneTracks() > 0, "the copier's first track");
                inj.hold(FaultInjector.Op.WRITE, imageData(store), t -> true, HANG);
                long t0 = System.nanoTime();
                OwnTrackWriters hosts = new OwnTrackWriters(v, model, TRACK, 30, seed);
                StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0, "a copy held by the store");
                long c0 = System.nanoTime();
                backup.cancel();
                assertThat(backup.await(LIMIT + SLACK)).as("seed %d: the backup ended after the cancel", seed).isTrue();
                long cancelTook = (System.nanoTime() - c0) / 1_000_000;
                hosts.finish("seed " + seed);
                long hostsTook = (System.nanoTime() - t0) / 1_000_000;
                assertThat(cancelTook).as("seed %d: the cancel's end (ms)", seed).isLessThan(LIMIT + SLACK);
                assertThat(hostsTook).as("seed %d: the host writers' run (ms)", seed).isLessThan(LIMIT + SLACK);
                assertThat(backup.state()).as("seed %d", seed).isIn(JobState.CANCELLED, JobState.FAILED);
                if (backup.state() == JobState.FAILED) {
                    assertThat(backup.progress().message()).as("seed %d", seed)
                            .contains("the backup store did not answer").contains("within 1 s");
                }
                // the observer is gone: a write now copies nothing (none waits on the store besides the hung ones)
                long held = inj.waitingOnHolds();
                v.write(0, ByteBuffer.wrap(new byte[TRACK]));
                Arrays.fill(model, 0, TRACK, (byte) 0);
                assertThat(inj.waitingOnHolds()).as("seed %d: writes to the store after the end", seed).isEqualTo(held);
                v.flush();
                assertThat(Arrays.mismatch(read(v, 0, model.length), model)).as("seed %d: the volume", seed).isNegative();
            } finally {
                inj.releaseHolds();
                p.close();
            }
            try (Pool p2 = Pool.open(dir)) {
                assertThat(Arrays.mismatch(read(p2.volume("v"), 0, model.length), model)).as("seed %d: after a reopen",
                        seed).isNegative();
            }
            assertThat(DirectoryStore.open(store, StorageFactory.real(), false).list()).as("seed %d: images", seed)
                    .isEmpty();
        }
    }

    /**
     * A store that hangs whole: the image's data writes and the sync of its images/ directory (the
     * removal's, after its rename to the trash). The failed backup ends within the limit and a
     * second anyway, saying its unfinished image stays; once the store answers again, the removal
     * goes on by itself (the lock let go, the trash emptied) and a new backup into the store verifies.
     */
    @Test
    void aRemovalTheHungStoreDoesNotAnswerIsLeftToItselfAndTheBackupEndsAnyway() throws Exception {
        Path dir = pool(tmp, "whole", Layout.RAID1, 2);
        byte[] model = filledPool(dir, 11);
        Path store = tmp.resolve("wholestore").toAbsolutePath().normalize();
        Path images = store.resolve("images");
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        List<Event> events = new CopyOnWriteArrayList<>();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            p.addListener(events::add);
            RaidVolume v = p.volume("v");
            Job backup = p.backups().backup("v", store, true, 0);
            inj.hold(FaultInjector.Op.WRITE, imageData(store), t -> true, HANG);
            inj.hold(FaultInjector.Op.SYNC_DIR, d -> d.toAbsolutePath().normalize().equals(images), t -> true, HANG);
            byte[] write = new byte[TRACK];
            Arrays.fill(write, (byte) 0x3c);
            long t0 = System.nanoTime();
            v.write(5L * TRACK, ByteBuffer.wrap(write));
            System.arraycopy(write, 0, model, 5 * TRACK, TRACK);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("the host's write (ms)").isLessThan(LIMIT + SLACK);
            long s0 = System.nanoTime();
            backup.start();
            assertThat(backup.await(LIMIT + 1000 + SLACK)).as("the backup ended").isTrue();
            assertThat((System.nanoTime() - s0) / 1_000_000).as("its end (ms)").isLessThan(LIMIT + 1000 + SLACK);
            assertThat(backup.state()).isEqualTo(JobState.FAILED);
            // the job's end is published by its thread just after the state it awaits (once in CI, asserted between)
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events)
                    .anySatisfy(e -> assertThat(e.message())
                    .contains("the backup store did not answer a copy-before-write of track 5 within 1 s")
                    .contains("stays in the store, which does not answer; it is never made valid")));
            assertThat(inj.waitingOnHolds()).as("the hung write and the removal's sync").isEqualTo(2);
            assertThat(Arrays.mismatch(read(v, 0, model.length), model)).as("the volume's bytes").isNegative();
            inj.releaseHolds();
            StuckThreads.awaitTrue(() -> {
                try (var s = java.nio.file.Files.list(images)) {
                    return s.findAny().isEmpty();
                }
            }, "the removal's end once the store answers");
            Job again = p.backups().backup("v", store, true, 0);
            again.start();
            assertThat(again.await(60_000)).isTrue();
            assertThat(again.state()).as(again.progress().message()).isEqualTo(JobState.DONE);
            assertVerifiedImageOf(store, model);
        } finally {
            inj.releaseHolds();
            p.close();
        }
    }

    /** The image's own files in the store: its data and index. */
    private static Predicate<Path> imageFiles(Path store) {
        Path s = store.toAbsolutePath().normalize();
        return f -> f.toAbsolutePath().normalize().startsWith(s)
                && (f.getFileName().toString().equals("data") || f.getFileName().toString().equals("index"));
    }

    /**
     * A store whose syncs hang (its writes land in the page cache, its fsyncs never return): the
     * backup's checkpoint waits at most the limit and the backup fails saying so, as a cancel of one
     * does; before, the job's thread sat in the sync as long as the store did, and a cancel with it.
     */
    @Test
    void aStoreWhoseSyncsHangFailsTheBackupWithinTheLimitAndACancelEndsToo() throws Exception {
        for (boolean cancel : new boolean[] {false, true}) {
            Path dir = pool(tmp, "s" + cancel, Layout.RAID5, 3);
            byte[] model = filledPool(dir, 9);
            Path store = tmp.resolve("syncstore" + cancel).toAbsolutePath();
            FaultInjector inj = new FaultInjector(StorageFactory.real());
            Pool p = Pool.open(dir, inj, new PoolOptions(false));
            try {
                RaidVolume v = p.volume("v");
                Job backup = p.backups().backup("v", store, true, 0);
                inj.holdForces(imageFiles(store), t -> true, HANG);
                if (cancel) {
                    backup.cancel(); // its end syncs what it put (nothing yet: the files' creation)
                }
                long t0 = System.nanoTime();
                backup.start();
                OwnTrackWriters hosts = new OwnTrackWriters(v, model, TRACK, 20, cancel ? 2 : 1);
                assertThat(backup.await(LIMIT + SLACK)).as("cancel %s: the backup ended", cancel).isTrue();
                long took = (System.nanoTime() - t0) / 1_000_000;
                hosts.finish("cancel " + cancel);
                assertThat(took).as("cancel %s: the backup's run (ms)", cancel).isLessThan(LIMIT + SLACK);
                assertThat(backup.state()).as("cancel %s", cancel).isEqualTo(JobState.FAILED);
                assertThat(backup.progress().message()).as("cancel %s", cancel)
                        .contains("the backup store did not answer a sync of the image within 1 s, syncing images/");
                v.flush();
                assertThat(Arrays.mismatch(read(v, 0, model.length), model)).as("cancel %s: the volume", cancel)
                        .isNegative();
                DirectoryStore s = DirectoryStore.open(store, StorageFactory.real(), false);
                assertThat(s.list()).as("cancel %s: images", cancel).isEmpty();
                assertThat(s.unfinished()).as("cancel %s: unfinished images (removed: only syncs hang)", cancel).isEmpty();
            } finally {
                inj.releaseHolds();
                p.close();
            }
            try (Pool p2 = Pool.open(dir)) {
                RaidVolume v = p2.volume("v");
                assertThat(Arrays.mismatch(read(v, 0, model.length), model)).as("cancel %s: after a reopen", cancel)
                        .isNegative();
                Job again = p2.backups().backup("v", store, true, 0);
                again.start();
                assertThat(again.await(60_000)).isTrue();
                assertThat(again.state()).as(again.progress().message()).isEqualTo(JobState.DONE);
                assertVerifiedImageOf(store, model);
            }
        }
    }

    private static final int CUT_SEEDS = Boolean.getBoolean("splitpoint.longTests") ? 24 : 6;

    /**
     * A break, then a power cut: three host writers (own tracks, unaligned) and a flusher while the
     * store hangs and the backup breaks, the power cut at a seeded moment from before the break to
     * after the image's removal (the hung write let go before the cut for some seeds, after it for
     * others). The reopened pool holds every acknowledged write, its members agree, the store holds
     * no valid image, and a new backup into it (a second opening) seals one that verifies; a third
     * opening still names it as the volume's last.
     */
    @Test
    void aBreakThenAPowerCutLeavesNoValidImageAndEveryAcknowledgedWrite() throws Exception {
        for (int seed = 1; seed <= CUT_SEEDS; seed++) {
            cutRun(seed);
        }
    }

    private void cutRun(int seed) throws Exception {
        Random rnd = new Random(seed);
        Path dir = pool(tmp, "cut" + seed, seed % 2 == 0 ? Layout.RAID1 : Layout.RAID5, seed % 2 == 0 ? 2 : 3);
        byte[] initial = filledPool(dir, seed);
        Path store = tmp.resolve("cutstore" + seed).toAbsolutePath();
        AckOracle oracle = new AckOracle(initial);
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
        FaultInjector inj = CutRuns.injector(0, seed); // caching from the start; cut when the scene says
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        List<Thread> threads = new java.util.ArrayList<>();
        boolean releaseFirst = seed % 3 == 0;
        try {
            RaidVolume v = p.volume("v");
            Job backup = p.backups().backup("v", store, true, 0);
            backup.setThrottle(4L * TRACK);
            backup.start();
            StuckThreads.awaitTrue(() -> backup.progress().doneTracks() > 0, "seed " + seed + ": the copier's first track");
            inj.hold(FaultInjector.Op.WRITE, imageData(store), t -> true, HANG);
            int tracks = initial.length / TRACK;
            for (int w = 0; w < 3; w++) {
                int mine = w;
                Random wr = new Random(seed * 31L + w);
                threads.add(StuckThreads.start("host-" + w, () -> {
                    try {
                        while (!stop.get()) {
                            int t = wr.nextInt(tracks / 3) * 3 + mine;
                            int at = wr.nextInt(TRACK);
                            byte[] b = new byte[1 + wr.nextInt(Math.min(8192, TRACK - at))];
                            wr.nextBytes(b);
                            long off = (long) t * TRACK + at;
                            int i = oracle.wrote(off, b, Long.MAX_VALUE);
                            v.write(off, ByteBuffer.wrap(b));
                            oracle.returned(i, clock.incrementAndGet());
                            Thread.sleep(1); // hundreds of writes, not tens of thousands for the oracle
                        }
                    } catch (Exception e) {
                        CutRuns.cutOrFail(inj, e, "seed " + seed + ": host-" + mine);
                    }
                }, failed));
            }
            threads.add(StuckThreads.start("flusher", () -> {
                try {
                    while (!stop.get()) {
                        long start = clock.incrementAndGet();
                        v.flush();
                        oracle.flushed(start);
                        Thread.sleep(2);
                    }
                } catch (Exception e) {
                    CutRuns.cutOrFail(inj, e, "seed " + seed + ": the flusher");
                }
            }, failed));
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0, "seed " + seed + ": a copy held by the store");
            Thread.sleep(rnd.nextInt((int) (3 * LIMIT))); // before the break, at it, or after the image's removal
            if (releaseFirst) {
                inj.releaseHolds(); // the hung write lands now, in whatever is left of the image
                Thread.sleep(rnd.nextInt(50));
            }
            inj.cutNow();
            stop.set(true);
            for (Thread t : threads) {
                t.join(LIMIT + SLACK);
                assertThat(t.isAlive()).as("seed %d: %s returned", seed, t.getName()).isFalse();
            }
            assertThat(failed.get()).as("seed %d: a host's write or flush before the cut", seed).isNull();
            assertThat(backup.await(LIMIT + SLACK)).as("seed %d: the backup ended", seed).isTrue();
            assertThat(backup.state()).as("seed %d", seed).isEqualTo(JobState.FAILED);
        } finally {
            stop.set(true);
            inj.crash();
            inj.releaseHolds();
            p.abandon();
        }
        oracle.crashed();
        String image;
        try (Pool p2 = Pool.open(dir)) {
            RaidVolume v = p2.volume("v");
            String bad = oracle.check(read(v, 0, initial.length));
            assertThat(bad).as("seed %d: the volume as reopened", seed).isNull();
            assertThat(p2.admin().verify("v", false, null)).as("seed %d: the members agree", seed).isZero();
            if (java.nio.file.Files.exists(store.resolve("store.json"))) {
                assertThat(DirectoryStore.open(store, StorageFactory.real(), false).list())
                        .as("seed %d: valid images after the cut", seed).isEmpty();
            }
            byte[] now = read(v, 0, initial.length);
            Job again = p2.backups().backup("v", store, true, 0);
            again.start();
            assertThat(again.await(60_000)).isTrue();
            assertThat(again.state()).as("seed %d: %s", seed, again.progress().message()).isEqualTo(JobState.DONE);
            assertVerifiedImageOf(store, now);
            image = p2.backups().lastBackup("v").image();
        }
        try (Pool p3 = Pool.open(dir)) {
            assertThat(p3.backups().lastBackup("v").image()).as("seed %d: the last backup", seed).isEqualTo(image);
        }
    }

    /** The store holds one image, it verifies, and it reads {@code expected}. */
    static void assertVerifiedImageOf(Path store, byte[] expected) throws Exception {
        DirectoryStore s = DirectoryStore.open(store, StorageFactory.real(), false);
        assertThat(s.list()).hasSize(1);
        ImageInfo info = s.list().get(0);
        try (ImageReader r = s.open(info.id())) {
            r.verify(null);
        }
        assertThat(Arrays.mismatch(BackupTest.imageBytes(store, info.id()), expected)).as("the image").isNegative();
    }
}
