package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitpoint.engine.pool.ServicePools.TRACK;
import static org.splitpoint.engine.pool.ServicePools.read;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.backup.DirectoryStore;
import org.splitpoint.engine.backup.ImageInfo;
import org.splitpoint.engine.backup.StoreTimeLimit;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * Store work that ran holding the pool's monitor, or without a time limit, against a store that
 * hangs (an NFS server gone; a FaultInjector hold on the store's reads, writes or directory syncs).
 * Holding the monitor, it made every verb that takes it (a drive fail and replace on another volume
 * here) wait as long as the store: for good. Each test says the verb, what it did and what it does
 * now: the store work without the monitor, under the store's time limit where the verb is the pool's
 * own, and the pool's part checked again under the monitor.
 */
class HungStoreHoldsNoPoolTest {

    private static final long LIMIT = 2000;
    private static final long SLACK = HungStore.SLACK;
    private static final long HANG = HungStore.HANG;

    @TempDir
    Path tmp;
    @RegisterExtension
    final HungStore.Limit limit = new HungStore.Limit(LIMIT);

    /**
     * A drive fail and replace on volume w, started while {@code waiting} waits on the store: it must
     * end within the slack (before, it waited for the monitor as long as the store hung); returns the
     * rebuild (not started).
     */
    private static Job driveVerbsEndWhile(Pool p, Thread waiting, String what) throws Exception {
        AtomicReference<Throwable> verbFailed = new AtomicReference<>();
        AtomicReference<Job> rebuild = new AtomicReference<>();
        long v0 = System.nanoTime();
        Thread verb = StuckThreads.start("drive-verbs", () -> {
            p.admin().failDrive("d3");
            rebuild.set(p.admin().replaceDrive("d3"));
        }, verbFailed);
        verb.join(SLACK);
        assertThat(verb.isAlive()).as("%s: drive fail and replace on w returned (%d ms) while %s waited on the store",
                what, (System.nanoTime() - v0) / 1_000_000, waiting.getName()).isFalse();
        assertThat(verbFailed.get()).as("%s: drive fail and replace", what).isNull();
        return rebuild.get();
    }

    /** Starts {@code rebuild} and waits for w to be OPTIMAL again. */
    private static void rebuilt(Pool p, Job rebuild, String what) throws Exception {
        rebuild.start();
        assertThat(rebuild.await(60_000)).as("%s: w's rebuild", what).isTrue();
        assertThat(p.snapshot().volume("w").state()).as("%s: w", what).isEqualTo(VolumeState.OPTIMAL);
    }

    /**
     * 'journal enable' into a store whose reads (it looks at the store's images) or writes (its base
     * backup creates its image) hang: it fails within the limit (6 s here, so that the drive verbs end
     * well before it) and slack saying the store did not answer, the drive verbs end while it still
     * waits (before: never, for the reads; after the enable, for the writes), nothing is enabled; once
     * the store answers, an enable works and the journal protects v.
     */
    @Test
    void aJournalEnableIntoAHungStoreHoldsNoPool() throws Exception {
        System.setProperty(StoreTimeLimit.PROPERTY, "6000");
        for (FaultInjector.Op op : new FaultInjector.Op[] {FaultInjector.Op.READ, FaultInjector.Op.WRITE}) {
            Path dir = tmp.resolve("e" + op);
            Path store = tmp.resolve("estore" + op).toAbsolutePath().normalize();
            HungStore.poolWithABackup(dir, store, op.ordinal() + 11);
            FaultInjector inj = new FaultInjector(StorageFactory.real());
            Pool p = Pool.open(dir, inj, new PoolOptions(false));
            try {
                List<String> legs = List.of(p.admin().addDrive(0), p.admin().addDrive(0));
                inj.hold(op, HungStore.inStore(store), t -> true, HANG);
                AtomicReference<Throwable> enableFailed = new AtomicReference<>();
                long t0 = System.nanoTime();
                Thread enable = StuckThreads.start("journal-enable",
                        () -> p.journals().enable("v", legs, store, 1 << 20, 0), enableFailed);
                StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0 || !enable.isAlive(), op + ": the enable in the store");
                assertThat(enable.isAlive()).as("%s: the enable waits on the store", op).isTrue();
                Job rebuild = driveVerbsEndWhile(p, enable, "enable " + op);
                assertThat(enable.isAlive()).as("%s: the enable still waits on the store as the drive verbs ended", op)
                        .isTrue();
                enable.join(6000 + SLACK);
                assertThat(enable.isAlive()).as("%s: the enable returned within the limit and slack (%d ms)", op,
                        (System.nanoTime() - t0) / 1_000_000).isFalse();
                assertThat(enableFailed.get()).as("%s: the enable's failure", op).isNotNull();
                assertThat(enableFailed.get().getMessage()).as("%s", op)
                        .startsWith("the backup store " + store + " did not answer within 6 s while " + (op
                                == FaultInjector.Op.READ ? "the journal of v was being enabled (opening the store " + store
                                + ")" : "the backup of v was being started (creating images/v-"))
                        .contains("nothing was changed");
                assertThat(p.journals().volumes()).as("%s: journals", op).isEmpty();
                rebuilt(p, rebuild, "enable " + op);

                inj.releaseHolds();
                Job base = p.journals().enable("v", legs, store, 1 << 20, 0);
                base.start(); // (this opening runs no job by itself)
                assertThat(base.await(60_000)).isTrue();
                assertThat(base.state()).as("%s: %s", op, base.progress().message()).isEqualTo(JobState.DONE);
                assertThat(p.journals().status("v").protecting()).as("%s: the journal protects v", op).isTrue();
            } finally {
                inj.releaseHolds();
                p.close();
            }
        }
    }

    /**
     * The journal watch's try to give a journal without a base its base, against a store whose reads
     * hang: it said the store did not answer within the limit, the drive verbs ended meanwhile (before,
     * the watch held the monitor in its look at the store for good); once the store answers, a try
     * gives the journal its base.
     */
    @Test
    void theWatchsBaseTryIntoAHungStoreHoldsNoPool() throws Exception {
        Path dir = tmp.resolve("w");
        Path store = tmp.resolve("wstore").toAbsolutePath().normalize();
        HungStore.poolWithABackup(dir, store, 21);
        try (Pool p = Pool.open(dir)) {
            List<String> legs = List.of(p.admin().addDrive(0), p.admin().addDrive(0));
            assertThat(p.journals().enable("v", legs, store, 1 << 20, 0).await(60_000)).isTrue();
            // the journal stops protecting v (what a write it left out records) and the pool closes before
            // the backup that would give it a new base ran (as JournalRebaseAfterImageDeletedTest)
            synchronized (p.journalLock) {
                PoolConfig.JournalRecord rec = p.journalRecords.get("v");
                p.journalRecords.put("v", rec.based(null, rec.shippedThrough()));
                p.persist();
            }
        }
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool p = Pool.open(dir, inj);
        List<Event> said = new CopyOnWriteArrayList<>();
        p.addListener(said::add);
        try {
            // the watch's first try is due at once
            inj.hold(FaultInjector.Op.READ, HungStore.inStore(store), t -> true, HANG);
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0, "the watch's base try in the store");
            Job rebuild = driveVerbsEndWhile(p, p.journalWatch, "the watch");
            assertThat(JournaledPools.said(said, "could not start the backup that gives the journal of v a new base: the"
                    + " backup store did not answer within 2 s, opening the store " + store)).as("the try's failure, said")
                    .isTrue();
            rebuilt(p, rebuild, "the watch");
            assertThat(p.journals().status("v").protecting()).isFalse();

            inj.releaseHolds();
            JournalWatch.rebaseQuietly(p, "v"); // the next try (the watch's is two minutes away)
            Job base = BackupAdmin.runningJob(p, "backup", "v");
            assertThat(base).as("the base backup started").isNotNull();
            assertThat(base.await(60_000)).isTrue();
            assertThat(base.state()).as(base.progress().message()).isEqualTo(JobState.DONE);
            assertThat(p.journals().status("v").protecting()).as("the journal protects v again").isTrue();
            assertThat(p.backups().lastBackup("v").image()).isEqualTo(p.journalRecords.get("v").base());
        } finally {
            inj.releaseHolds();
            p.close();
        }
    }

    /**
     * 'backup restore --write-through' into a store whose writes to its new image hang: the restore
     * waits (the administrator's own command on that store) without the monitor, and the drive verbs
     * end meanwhile (before, it made the image holding the monitor); once the store answers, the
     * restore starts, v reads the image, and the write-through image is sealed at its end.
     */
    @Test
    void aWriteThroughRestoreWaitingOnAHungStoreHoldsNoPool() throws Exception {
        Path dir = tmp.resolve("r");
        Path store = tmp.resolve("rstore").toAbsolutePath().normalize();
        byte[] model = HungStore.poolWithABackup(dir, store, 31);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            String first = p.backups().lastBackup("v").image();
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(new byte[2 * TRACK])); // what the restore takes back
            v.flush();
            inj.hold(FaultInjector.Op.WRITE, f -> HungStore.inStore(store).test(f) && f.toString().contains(".partial"), t -> true,
                    HANG);
            AtomicReference<Throwable> restoreFailed = new AtomicReference<>();
            AtomicReference<Job> restored = new AtomicReference<>();
            Thread restore = StuckThreads.start("restore",
                    () -> restored.set(p.instantRestores().restore("v", store, null, true, 0)), restoreFailed);
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0 || !restore.isAlive(), "the restore making its image");
            assertThat(restore.isAlive()).as("the restore waits on the store").isTrue();
            Job rebuild = driveVerbsEndWhile(p, restore, "the restore");
            assertThat(restore.isAlive()).as("the restore still waits on the store").isTrue();
            inj.releaseHolds();
            restore.join(SLACK);
            assertThat(restore.isAlive()).as("the restore returned once the store answered").isFalse();
            assertThat(restoreFailed.get()).as("the restore").isNull();
            rebuilt(p, rebuild, "the restore");
            restored.get().start();
            assertThat(restored.get().await(60_000)).isTrue();
            assertThat(restored.get().state()).as(restored.get().progress().message()).isEqualTo(JobState.DONE);
            assertThat(Arrays.mismatch(read(v, 0, model.length), model)).as("v, restored").isNegative();
            List<ImageInfo> images = DirectoryStore.open(store, StorageFactory.real(), false).list();
            assertThat(images).extracting(ImageInfo::id).as("the image and the write-through image").hasSize(2)
                    .contains(first);
        } finally {
            inj.releaseHolds();
            p.close();
        }
    }
    /**
     * A backup whose store hangs in the seal: the manifest's write (WRITE), or the sync of images/
     * after the rename (SYNC_DIR). Before, the seal had no time limit: the job's thread hung there for
     * good, so the job stayed running, a cancel did nothing, and the pool's close waited 30 s for it.
     * Now 'job cancel' and 'pool status' return at once, the job fails within the limit and slack
     * saying the store did not answer the seal, the close returns within the limit and slack, v's last
     * backup stays the first; once the store answers, no image but the first is valid, and a new backup
     * seals and verifies.
     */
    @Test
    void aSealThatHangsFailsTheBackupWithinTheLimit() throws Exception {
        for (FaultInjector.Op op : new FaultInjector.Op[] {FaultInjector.Op.WRITE, FaultInjector.Op.SYNC_DIR}) {
            Path dir = tmp.resolve("s" + op);
            Path store = tmp.resolve("sstore" + op).toAbsolutePath().normalize();
            byte[] model = HungStore.poolWithABackup(dir, store, op.ordinal() + 41);
            FaultInjector inj = new FaultInjector(StorageFactory.real());
            Pool p = Pool.open(dir, inj, new PoolOptions(false));
            String first = p.backups().lastBackup("v").image();
            Job job;
            try {
                job = p.backups().backup("v", store, true, 0);
                Path images = store.resolve("images");
                inj.hold(op, op == FaultInjector.Op.WRITE ? f -> HungStore.inStore(store).test(f)
                        && f.getFileName().toString().startsWith("manifest") : f -> f.equals(images), t -> true, HANG);
                job.start();
                StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0 || job.state().isFinished(), op + ": the seal");
                assertThat(job.state().isFinished()).as("%s: the job waits in the seal", op).isFalse();
                long t0 = System.nanoTime();
                job.cancel(); // (a job ending takes no cancel: it fails, as the store did not answer)
                assertThat(p.snapshot().volume("v").state()).isEqualTo(VolumeState.OPTIMAL);
                assertThat(p.backups().unfinished()).as("%s: the running backup is not said unfinished", op).isEmpty();
                assertThat((System.nanoTime() - t0) / 1_000_000).as("%s: cancel and status (ms)", op).isLessThan(SLACK);
                AtomicReference<Throwable> closeFailed = new AtomicReference<>();
                Thread close = StuckThreads.start("close", p::close, closeFailed);
                close.join(LIMIT + SLACK);
                assertThat(close.isAlive()).as("%s: the close returned (%d ms) while the seal hung", op,
                        (System.nanoTime() - t0) / 1_000_000).isFalse();
                assertThat(closeFailed.get()).as("%s: the close", op).isNull();
                assertThat(job.await(1000)).as("%s: the job ended", op).isTrue();
                assertThat(job.state()).as("%s", op).isEqualTo(JobState.FAILED);
            } finally {
                inj.releaseHolds();
                p.close();
            }
            String message = job.progress().message();
            assertThat(message).as("%s", op).startsWith("the backup store did not answer within 2 s while image v-")
                    .contains("was being sealed (sealing images/v-").endsWith("the image is never made valid");
            StuckThreads.awaitTrue(() -> DirectoryStore.open(store, StorageFactory.real(), false).list().size() == 1,
                    op + ": the given-up image gone once the store answers");
            assertThat(DirectoryStore.open(store, StorageFactory.real(), false).list()).extracting(ImageInfo::id)
                    .as("%s: valid images", op).containsExactly(first);
            try (Pool again = Pool.open(dir)) {
                assertThat(again.backups().lastBackup("v").image()).as("%s: v's last backup", op).isEqualTo(first);
                Job next = again.backups().backup("v", store, true, 0);
                assertThat(next.await(60_000)).isTrue();
                assertThat(next.state()).as("%s: %s", op, next.progress().message()).isEqualTo(JobState.DONE);
                assertThat(Arrays.mismatch(BackupTest.imageBytes(store, again.backups().lastBackup("v").image()), model))
                        .as("%s: the new image", op).isNegative();
            }
        }
    }
    private static final int CUT_SEEDS = Boolean.getBoolean("splitpoint.longTests") ? 24 : 6;

    /** The hung steps a power cut comes during. */
    private enum Scene { SEAL, ENABLE, WRITE_THROUGH }

    /**
     * A power cut while a step hangs on the store, each scene by seed: a backup's seal (the manifest's
     * write, or the sync of images/ after the rename), a journal's enable (its look at the store's
     * images), a write-through restore's creation of its image. Three host writers (writes, flushes,
     * reads) on v, the cut at a seeded moment (before the step gives up, or after; the hold let go
     * first for some seeds, but a restore's, which would make v the image under the writers). The
     * reopened pool holds every acknowledged write and its members agree; where the step hung up to
     * the cut, v's last backup is the first, no journal or restore is on record, and no image but the
     * first is valid, but for a seal hung in the sync after its rename: the image was sealed then, and
     * the cut may keep the rename (as a cut between a seal and pool.json may), unrecorded; where it was let go first, every image left verifies and the last backup is one of
     * them. A new backup seals and verifies.
     */
    @Test
    void aPowerCutDuringAHungStepLeavesNoValidImageAndThePoolOpens() throws Exception {
        for (int seed = 1; seed <= CUT_SEEDS; seed++) {
            for (Scene scene : Scene.values()) {
                cutDuring(seed, scene);
            }
        }
    }

    private void cutDuring(int seed, Scene scene) throws Exception {
        String what = scene + " seed " + seed;
        java.util.Random rnd = new java.util.Random(seed);
        boolean releaseFirst = seed % 3 == 0 && scene != Scene.WRITE_THROUGH;
        Path dir = tmp.resolve("cut" + scene + seed);
        Path store = tmp.resolve("cutstore" + scene + seed).toAbsolutePath().normalize();
        byte[] initial = HungStore.poolWithABackup(dir, store, seed);
        FaultInjector inj = CutRuns.injector(0, seed); // caching from the start; cut when the scene says
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        HostWriters w = new HostWriters(3, TRACK, initial);
        String first = p.backups().lastBackup("v").image();
        AtomicReference<Throwable> stepFailed = new AtomicReference<>();
        Thread step = null;
        Job job = null;
        try {
            List<String> legs = List.of(p.admin().addDrive(0), p.admin().addDrive(0));
            if (scene == Scene.SEAL) {
                job = p.backups().backup("v", store, true, 0);
                Path images = store.resolve("images");
                inj.hold(seed % 2 == 0 ? FaultInjector.Op.WRITE : FaultInjector.Op.SYNC_DIR, seed % 2 == 0
                        ? f -> HungStore.inStore(store).test(f) && f.getFileName().toString().startsWith("manifest")
                        : f -> f.equals(images), t -> true, HANG);
            } else if (scene == Scene.ENABLE) {
                inj.hold(FaultInjector.Op.READ, HungStore.inStore(store), t -> true, HANG);
            } else {
                inj.hold(FaultInjector.Op.WRITE, f -> HungStore.inStore(store).test(f) && f.toString().contains(".partial"),
                        t -> true, HANG);
            }
            w.start(p, seed, Integer.MAX_VALUE, inj::isCut);
            if (job != null) {
                job.start();
            } else if (scene == Scene.ENABLE) {
                step = StuckThreads.start("enable", () -> p.journals().enable("v", legs, store, 1 << 20, 0), stepFailed);
            } else {
                step = StuckThreads.start("restore", () -> p.instantRestores().restore("v", store, null, true, 0),
                        stepFailed);
            }
            Job j = job;
            Thread t = step;
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0 || (j != null ? j.state().isFinished() : !t.isAlive()),
                    what + ": the step held by the store");
            assertThat(j != null ? j.state().isFinished() : !t.isAlive()).as("%s: the step waits on the store", what)
                    .isFalse();
            Thread.sleep(rnd.nextInt((int) (2 * LIMIT))); // before the step gives up, or after
            if (releaseFirst) {
                inj.releaseHolds();
                Thread.sleep(rnd.nextInt(50));
            }
            inj.cutNow();
            if (scene == Scene.WRITE_THROUGH) {
                inj.releaseHolds(); // (the restore waits on the store without a limit: the administrator's own command)
            }
            if (job != null) {
                assertThat(job.await(LIMIT + SLACK)).as("%s: the job ended", what).isTrue();
            } else {
                step.join(LIMIT + SLACK);
                assertThat(step.isAlive()).as("%s: the step returned", what).isFalse();
            }
            assertThat(w.join(LIMIT + SLACK)).as("%s: the host writers returned", what).isTrue();
            assertThat(w.failure.get()).as("%s: a host's write, flush or read before the cut", what).isNull();
        } finally {
            inj.releaseHolds();
            inj.crash();
            p.abandon();
        }
        w.model.crashed();
        try (Pool p2 = Pool.open(dir)) {
            RaidVolume v = p2.volume("v");
            assertThat(w.model.check(read(v, 0, initial.length))).as("%s: the volume as reopened", what).isNull();
            assertThat(p2.admin().verify("v", false, null)).as("%s: the members agree", what).isZero();
            String last = p2.backups().lastBackup("v").image();
            List<ImageInfo> valid = DirectoryStore.open(store, StorageFactory.real(), false).list();
            for (ImageInfo i : valid) {
                try (var r = DirectoryStore.open(store, StorageFactory.real(), false).open(i.id())) {
                    r.verify(null);
                }
            }
            if (releaseFirst) {
                assertThat(valid).extracting(ImageInfo::id).as("%s: the last backup", what).contains(last);
            } else {
                assertThat(last).as("%s: v's last backup", what).isEqualTo(first);
                // a seal hung in the sync after its rename: the image was sealed (whole, synced, its manifest
                // durable) and the cut may keep the rename, as a cut between a seal and pool.json does; never
                // recorded, it is no one's base. Any other hung step leaves no image but the first
                assertThat(valid).extracting(ImageInfo::id).as("%s: valid images after the cut", what)
                        .startsWith(first).hasSizeLessThanOrEqualTo(scene == Scene.SEAL && seed % 2 == 1 ? 2 : 1);
                assertThat(p2.journals().volumes()).as("%s: journals", what).isEmpty();
                assertThat(p2.instantRestores().all()).as("%s: restores", what).isEmpty();
            }
            p2.awaitJobs(null); // (a base backup the enable started, let go before the cut, resumes or not)
            byte[] now = read(v, 0, initial.length);
            Job again = p2.backups().backup("v", store, true, 0);
            assertThat(again.await(60_000)).isTrue();
            assertThat(again.state()).as("%s: %s", what, again.progress().message()).isEqualTo(JobState.DONE);
            assertThat(Arrays.mismatch(BackupTest.imageBytes(store, p2.backups().lastBackup("v").image()), now))
                    .as("%s: the new image", what).isNegative();
        }
    }
}
