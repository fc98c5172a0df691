package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.read;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * Starting a backup into a store that hangs (its writes, or its reads, never answer: an NFS server
 * gone). The start's calls into the store (open it, remove unfinished images, create the image)
 * ran under the pool's monitor with no time limit: the start hung for good, and every verb that
 * takes the monitor (drive fail and replace here) hung with it. Now the start fails within the
 * limit ({@link StoreTimeLimit}, 2 s here) saying what the store did not answer, the pool stays
 * manageable meanwhile, and what the hung call makes later is never a valid image. An instant
 * restore reading a hung store waits (the administrator's own command on it), without the monitor.
 */
class BackupStartHangTest {

    private static final long LIMIT = 2000;
    private static final long SLACK = HungStore.SLACK;
    private static final long HANG = HungStore.HANG;

    @TempDir
    Path tmp;
    @RegisterExtension
    final HungStore.Limit limit = new HungStore.Limit(LIMIT);

    /**
     * The store's writes hang (the start hangs creating its image), or its reads do (it hangs
     * opening the store): the start fails within the limit and some slack with one sentence
     * naming the store and the step, a drive fail and replace on volume w completes meanwhile,
     * nothing changed on v (its bytes, its last backup); once the store answers, what the hung
     * start made goes, and a new backup seals and verifies.
     */
    @Test
    void aStartIntoAHungStoreFailsWithinTheLimitWhileThePoolStaysManageable() throws Exception {
        for (FaultInjector.Op op : new FaultInjector.Op[] {FaultInjector.Op.WRITE, FaultInjector.Op.READ}) {
            Path dir = tmp.resolve("p" + op);
            Path store = tmp.resolve("store" + op).toAbsolutePath().normalize();
            byte[] model = HungStore.poolWithABackup(dir, store, op.ordinal() + 3);
            FaultInjector inj = new FaultInjector(StorageFactory.real());
            Pool p = Pool.open(dir, inj, new PoolOptions(false));
            try {
                String first = p.backups().lastBackup("v").image();
                inj.hold(op, HungStore.inStore(store), t -> true, HANG);
                AtomicReference<Throwable> startFailed = new AtomicReference<>();
                AtomicReference<Job> started = new AtomicReference<>();
                long t0 = System.nanoTime();
                Thread start = StuckThreads.start("backup-start", () -> started.set(p.backups().backup("v", store, true, 0)),
                        startFailed);
                StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0 || !start.isAlive(), op + ": the start in the store");
                assertThat(start.isAlive()).as("%s: the start waits on the store", op).isTrue();

                // another administrator's verb on the pool while the start waits on the store
                AtomicReference<Throwable> verbFailed = new AtomicReference<>();
                AtomicReference<Job> rebuild = new AtomicReference<>();
                long v0 = System.nanoTime();
                Thread verb = StuckThreads.start("drive-verbs", () -> {
                    p.admin().failDrive("d3");
                    rebuild.set(p.admin().replaceDrive("d3"));
                }, verbFailed);
                verb.join(LIMIT + SLACK);
                long verbTook = (System.nanoTime() - v0) / 1_000_000;
                assertThat(verb.isAlive()).as("%s: drive fail and replace on w returned (%d ms) while the start waited",
                        op, verbTook).isFalse();
                assertThat(verbFailed.get()).as("%s: drive fail and replace", op).isNull();

                start.join(LIMIT + SLACK);
                long took = (System.nanoTime() - t0) / 1_000_000;
                assertThat(start.isAlive()).as("%s: the start returned within the limit and slack", op).isFalse();
                assertThat(took).as("%s: the start's wait (ms)", op).isGreaterThanOrEqualTo(LIMIT);
                assertThat(started.get()).as("%s: no backup started", op).isNull();
                assertThat(startFailed.get()).as("%s: the start's failure", op).isNotNull();
                String step = op == FaultInjector.Op.WRITE ? "(creating images/v-" : "(opening the store)";
                assertThat(startFailed.get().getMessage()).as("%s", op)
                        .startsWith("the backup store " + store + " did not answer within 2 s while the backup of v was"
                                + " being started " + step)
                        .contains("nothing was changed on the volume");
                rebuild.get().start();
                assertThat(rebuild.get().await(60_000)).as("%s: w's rebuild", op).isTrue();
                assertThat(p.snapshot().volume("w").state()).as("%s: w", op).isEqualTo(VolumeState.OPTIMAL);
                assertThat(p.backups().lastBackup("v").image()).as("%s: v's last backup", op).isEqualTo(first);
                assertThat(Arrays.mismatch(read(p.volume("v"), 0, model.length), model)).as("%s: v's bytes", op)
                        .isNegative();

                inj.releaseHolds(); // the hung call goes on: what it makes is given up
                StuckThreads.awaitTrue(() -> DirectoryStore.open(store, StorageFactory.real(), false).unfinished().isEmpty(),
                        op + ": the given-up image's removal once the store answers");
                assertThat(DirectoryStore.open(store, StorageFactory.real(), false).list()).extracting(ImageInfo::id)
                        .as("%s: valid images", op).containsExactly(first);
                Job again = p.backups().backup("v", store, true, 0);
                again.start();
                assertThat(again.await(60_000)).isTrue();
                assertThat(again.state()).as("%s: %s", op, again.progress().message()).isEqualTo(JobState.DONE);
                assertVerified(store, again.target(), p.backups().lastBackup("v").image(), model);
            } finally {
                inj.releaseHolds();
                p.close();
            }
        }
    }

    /**
     * An instant restore's check and start read the store (its images, the chain's manifest and
     * index): against a store whose reads hang they wait, the administrator's own command on that
     * store, but without the pool's monitor: a drive fail and replace on w completes meanwhile
     * (before, it waited as long as the store). Once the store answers, the restore starts and
     * makes v the image again.
     */
    @Test
    void anInstantRestoreWaitingOnAHungStoreDoesNotHoldThePool() throws Exception {
        for (boolean check : new boolean[] {true, false}) {
            Path dir = tmp.resolve("r" + check);
            Path store = tmp.resolve("rstore" + check).toAbsolutePath().normalize();
            byte[] model = HungStore.poolWithABackup(dir, store, check ? 7 : 8);
            FaultInjector inj = new FaultInjector(StorageFactory.real());
            Pool p = Pool.open(dir, inj, new PoolOptions(false));
            try {
                RaidVolume v = p.volume("v");
                v.write(0, ByteBuffer.wrap(new byte[2 * TRACK])); // what the restore takes back
                v.flush();
                inj.hold(FaultInjector.Op.READ, HungStore.inStore(store), t -> true, HANG);
                AtomicReference<Throwable> restoreFailed = new AtomicReference<>();
                AtomicReference<Job> restored = new AtomicReference<>();
                Thread restore = StuckThreads.start("restore", () -> {
                    if (check) {
                        p.instantRestores().checkRestore("v", store, null);
                    } else {
                        restored.set(p.instantRestores().restore("v", store, null, false, 0));
                    }
                }, restoreFailed);
                StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0 || !restore.isAlive(),
                        "check " + check + ": the restore reading the store");
                assertThat(restore.isAlive()).as("check %s: the restore waits on the store", check).isTrue();
                AtomicReference<Throwable> verbFailed = new AtomicReference<>();
                AtomicReference<Job> rebuild = new AtomicReference<>();
                long v0 = System.nanoTime();
                Thread verb = StuckThreads.start("drive-verbs", () -> {
                    p.admin().failDrive("d3");
                    rebuild.set(p.admin().replaceDrive("d3"));
                }, verbFailed);
                verb.join(LIMIT + SLACK);
                assertThat(verb.isAlive()).as("check %s: drive fail and replace on w returned (%d ms) while the"
                        + " restore waited on the store", check, (System.nanoTime() - v0) / 1_000_000).isFalse();
                assertThat(verbFailed.get()).as("check %s: drive fail and replace", check).isNull();
                assertThat(restore.isAlive()).as("check %s: the restore still waits on the store", check).isTrue();
                inj.releaseHolds();
                restore.join(SLACK);
                assertThat(restore.isAlive()).as("check %s: the restore returned once the store answered", check)
                        .isFalse();
                assertThat(restoreFailed.get()).as("check %s: the restore", check).isNull();
                rebuild.get().start();
                assertThat(rebuild.get().await(60_000)).isTrue();
                if (!check) {
                    restored.get().start();
                    assertThat(restored.get().await(60_000)).isTrue();
                    assertThat(restored.get().state()).as(restored.get().progress().message()).isEqualTo(JobState.DONE);
                    assertThat(Arrays.mismatch(read(v, 0, model.length), model)).as("v, restored").isNegative();
                }
            } finally {
                inj.releaseHolds();
                p.close();
            }
        }
    }

    /** Every image in {@code store} verifies, and image {@code id} reads {@code expected}. */
    private static void assertVerified(Path store, String volume, String id, byte[] expected) throws Exception {
        DirectoryStore s = DirectoryStore.open(store, StorageFactory.real(), false);
        for (ImageInfo i : s.list()) {
            try (ImageReader r = s.open(i.id())) {
                r.verify(null);
            }
        }
        assertThat(s.list()).extracting(ImageInfo::id).contains(id);
        assertThat(Arrays.mismatch(BackupTest.imageBytes(store, id), expected)).as("image %s of %s", id, volume)
                .isNegative();
    }

    private static final int CUT_SEEDS = Boolean.getBoolean("splitpoint.longTests") ? 24 : 6;

    /**
     * A power cut while a start hangs on the store: three host writers (own tracks, unaligned) and a
     * flusher on v, the store's writes held, the cut at a seeded moment (before the start gives
     * up, or after; the hung write let go before the cut for some seeds). The reopened pool holds
     * every acknowledged write and its members agree; the store holds no valid image but the first;
     * a new backup (a second opening) seals one that verifies, and a third opening names it.
     */
    @Test
    void aPowerCutDuringAHungStartLeavesNoValidImageAndThePoolOpens() throws Exception {
        for (int seed = 1; seed <= CUT_SEEDS; seed++) {
            cutRun(seed);
        }
    }

    private void cutRun(int seed) throws Exception {
        Random rnd = new Random(seed);
        Path dir = tmp.resolve("cut" + seed);
        Path store = tmp.resolve("cutstore" + seed).toAbsolutePath().normalize();
        byte[] initial = HungStore.poolWithABackup(dir, store, seed);
        String first;
        AckOracle oracle = new AckOracle(initial);
        AtomicLong clock = new AtomicLong();
        FaultInjector inj = CutRuns.injector(0, seed); // caching from the start; cut when the scene says
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        AtomicReference<Throwable> startFailed = new AtomicReference<>();
        List<Thread> threads = new java.util.ArrayList<>();
        boolean releaseFirst = seed % 3 == 0;
        try {
            first = p.backups().lastBackup("v").image();
            RaidVolume v = p.volume("v");
            inj.hold(FaultInjector.Op.WRITE, HungStore.inStore(store), t -> true, HANG);
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
                            Thread.sleep(1);
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
            Thread start = StuckThreads.start("backup-start", () -> p.backups().backup("v", store, true, 0), startFailed);
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0, "seed " + seed + ": the start held by the store");
            Thread.sleep(rnd.nextInt((int) (2 * LIMIT))); // before the start gives up, or after
            if (releaseFirst) {
                inj.releaseHolds(); // the hung call goes on now: the image's creation, then its removal
                Thread.sleep(rnd.nextInt(50));
            }
            inj.cutNow();
            stop.set(true);
            for (Thread t : threads) {
                t.join(LIMIT + SLACK);
                assertThat(t.isAlive()).as("seed %d: %s returned", seed, t.getName()).isFalse();
            }
            assertThat(failed.get()).as("seed %d: a host's write or flush before the cut", seed).isNull();
            start.join(LIMIT + SLACK);
            assertThat(start.isAlive()).as("seed %d: the start returned", seed).isFalse();
            if (!releaseFirst) { // (let go within the limit, the start may have started a backup the cut then ended)
                assertThat(startFailed.get()).as("seed %d: the start failed (the store hung, or the power went)", seed)
                        .isNotNull();
            }
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
            assertThat(oracle.check(read(v, 0, initial.length))).as("seed %d: the volume as reopened", seed).isNull();
            assertThat(p2.admin().verify("v", false, null)).as("seed %d: the members agree", seed).isZero();
            assertThat(p2.backups().lastBackup("v").image()).as("seed %d: v's last backup", seed).isEqualTo(first);
            assertThat(DirectoryStore.open(store, StorageFactory.real(), false).list()).extracting(ImageInfo::id)
                    .as("seed %d: valid images after the cut", seed).containsExactly(first);
            byte[] now = read(v, 0, initial.length);
            Job again = p2.backups().backup("v", store, true, 0);
            again.start();
            assertThat(again.await(60_000)).isTrue();
            assertThat(again.state()).as("seed %d: %s", seed, again.progress().message()).isEqualTo(JobState.DONE);
            image = p2.backups().lastBackup("v").image();
            assertVerified(store, "v", image, now);
            // (a leftover the cut took the header of stays unfinished a minute, as any being created does: never listed)
            assertThat(DirectoryStore.open(store, StorageFactory.real(), false).list()).extracting(ImageInfo::id)
                    .as("seed %d: valid images after the next backup", seed).containsExactly(first, image);
        }
        try (Pool p3 = Pool.open(dir)) {
            assertThat(p3.backups().lastBackup("v").image()).as("seed %d: the last backup", seed).isEqualTo(image);
            assertThat(Files.isDirectory(store.resolve("images").resolve(image))).isTrue();
        }
    }
}
