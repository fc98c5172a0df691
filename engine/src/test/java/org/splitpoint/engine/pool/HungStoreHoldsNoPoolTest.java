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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
    /** How long past the limit a verb may take on a loaded machine. */
    private static final long SLACK = 10_000;
    /** The store's hang: far longer than limit and slack. */
    private static final long HANG = 120_000;

    @TempDir
    Path tmp;
    private String before;

    @BeforeEach
    void shortLimit() {
        before = System.getProperty(StoreTimeLimit.PROPERTY);
        System.setProperty(StoreTimeLimit.PROPERTY, String.valueOf(LIMIT));
    }

    @AfterEach
    void limitAsItWas() {
        if (before == null) {
            System.clearProperty(StoreTimeLimit.PROPERTY);
        } else {
            System.setProperty(StoreTimeLimit.PROPERTY, before);
        }
    }

    private static Predicate<Path> inStore(Path store) {
        Path s = store.toAbsolutePath().normalize();
        return f -> f.toAbsolutePath().normalize().startsWith(s);
    }

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
            BackupStartHangTest.poolWithABackup(dir, store, op.ordinal() + 11);
            FaultInjector inj = new FaultInjector(StorageFactory.real());
            Pool p = Pool.open(dir, inj, new PoolOptions(false));
            try {
                List<String> legs = List.of(p.admin().addDrive(0), p.admin().addDrive(0));
                inj.hold(op, inStore(store), t -> true, HANG);
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
        BackupStartHangTest.poolWithABackup(dir, store, 21);
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
            inj.hold(FaultInjector.Op.READ, inStore(store), t -> true, HANG); // the watch's first try is due at once
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
        byte[] model = BackupStartHangTest.poolWithABackup(dir, store, 31);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            String first = p.backups().lastBackup("v").image();
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(new byte[2 * TRACK])); // what the restore takes back
            v.flush();
            inj.hold(FaultInjector.Op.WRITE, f -> inStore(store).test(f) && f.toString().contains(".partial"), t -> true,
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
}
