package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;

/**
 * A journal that protects nothing while its volume is restored from an image outside its store gets
 * its new base as soon as the restore ends, also when an opening resumed that restore, and never
 * from a backup taken before the restore is back in front of the volume.
 *
 * <p>The journal's watch started with the journals, early in the opening, and looked a second later:
 * an opening still short of resuming the restore (here held in the read of the restore's overwrite
 * map, as a slow disk or a large map holds it) had no restore in memory yet, so the watch counted a
 * try and started the base backup. In scene "open" that backup began at once, of the volume as its
 * members hold it, the tracks the restore still owed not restored: it became the journal's base,
 * and the base plus the journal was no longer the volume. In scene "refused" (the watch's read of
 * the store slower than the opening) the backup was refused once the restore was resumed, but the
 * try counted: the status said the next try was in 59 s while the restore ran, and the base backup
 * waited that minute after the restore had ended.
 */
class JournalBaseAfterRestoreTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"open", "refused"})
    void aResumedRestoreFromElsewhereIsFollowedByTheJournalsBaseAtOnce(String scene) throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store").toAbsolutePath();
        Path other = tmp.resolve("other").toAbsolutePath();
        JournaledPools.journaled(dir, store);
        try (Pool pool = Pool.open(dir)) {
            Files.createDirectories(other);
            assertThat(pool.backups().backup("v", other, true, 0).await(60_000)).isTrue(); // an image outside the journal's store
            byte[] d = new byte[256 << 10];
            new Random(3).nextBytes(d);
            pool.device("v").write(0, ByteBuffer.wrap(d)); // undone by the restore
            pool.device("v").flush();
            pool.instantRestores().restore("v", other, null, false, 256 << 10); // about 8 s for the 2 MiB
            assertThat(pool.journals().status("v").protecting()).as("restored from elsewhere: no base").isFalse();
            Thread.sleep(500);
        } // a clean close: the restore is on record, resumed by the next opening
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        Thread opener = Thread.currentThread();
        AtomicBoolean once = new AtomicBoolean();
        // the opening held in its read of the restore's overwrite map, before the restore is in memory
        inj.hold(FaultInjector.Op.READ, p -> p.getFileName().toString().equals("v.restore.inv"),
                t -> t == opener && once.compareAndSet(false, true), scene.equals("open") ? 2500 : 2000);
        Runnable storeReads = scene.equals("refused")
                ? inj.holdReleasable(FaultInjector.Op.READ, p -> p.toAbsolutePath().startsWith(store),
                        t -> t.getName().equals("splitpoint-journal-watch"), 10_000)
                : () -> { };
        try (Pool pool = Pool.open(dir, inj)) {
            storeReads.run();
            assertThat(pool.restores.containsKey("v")).as("the restore resumed").isTrue();
            assertBaseFollowsTheRestore(pool, "restore of v from a backup", java.util.List.of());
        }
    }

    /**
     * A journal whose base backup failed (its store's file system full) waits a minute before the
     * next try; a restore from elsewhere begun meanwhile, once that file system has room again, is
     * followed by the base backup at once, not when the minute of the try before the restore is over.
     */
    @org.junit.jupiter.api.Test
    void triesBeforeARestoreDoNotHoldBackTheBaseAfterIt() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store").toAbsolutePath();
        Path other = tmp.resolve("other").toAbsolutePath();
        JournaledPools.journaled(dir, store);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, inj)) {
            Files.createDirectories(other);
            assertThat(pool.backups().backup("v", other, true, 0).await(60_000)).isTrue();
            inj.diskFullAfter(p -> p.toAbsolutePath().startsWith(store.resolve("images")), 16 << 10);
            loseTheBaseToAFailedTry(pool, other);
            inj.diskFreed();
            java.util.List<Job> failed = java.util.List.copyOf(pool.jobs);
            pool.instantRestores().restore("v", other, null, false, 512 << 10); // about 4 s
            assertBaseFollowsTheRestore(pool, "restore of v from a backup", failed);
        }
    }

    /**
     * As the first test, for a restore to a snapshot that an opening resumes: the watch looked before
     * the opening resumed it and started the base backup of the volume as its members held it.
     */
    @org.junit.jupiter.api.Test
    void aResumedRestoreToASnapshotIsFollowedByTheJournalsBaseAtOnce() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store").toAbsolutePath();
        Path other = tmp.resolve("other").toAbsolutePath();
        SnapshotPools.create(dir, JournaledPools.TRACK);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, inj)) {
            java.util.List<String> legs = java.util.List.of(pool.admin().addDrive(8L << 20), pool.admin().addDrive(8L << 20));
            byte[] d = new byte[(int) pool.volume("v").size()];
            new Random(1).nextBytes(d);
            pool.device("v").write(0, ByteBuffer.wrap(d));
            Files.createDirectories(store);
            Files.createDirectories(other);
            assertThat(pool.journals().enable("v", legs, store, 6L << 20, 0).await(60_000)).isTrue();
            assertThat(pool.backups().backup("v", other, true, 0).await(60_000)).isTrue();
            inj.diskFullAfter(p -> p.toAbsolutePath().startsWith(store.resolve("images")), 16 << 10);
            loseTheBaseToAFailedTry(pool, other);
            pool.snapshots().setSaveArea("save");
            pool.snapshots().create("v", "s");
            new Random(2).nextBytes(d);
            pool.device("v").write(0, ByteBuffer.wrap(d)); // every track back to s by the restore
            pool.device("v").flush();
            pool.snapshots().restore("v", "s", false, 512 << 10); // a few seconds
            Thread.sleep(300);
        } // a clean close: the restore is on record, resumed by the next opening
        FaultInjector again = new FaultInjector(StorageFactory.real()); // the store's file system has room again
        Thread opener = Thread.currentThread();
        AtomicBoolean once = new AtomicBoolean();
        again.hold(FaultInjector.Op.READ, p -> p.getFileName().toString().equals("v.snaprestore.inv"),
                t -> t == opener && once.compareAndSet(false, true), 2500);
        try (Pool pool = Pool.open(dir, again)) {
            assertThat(pool.snapshotCatalog.restores.containsKey("v")).as("the restore resumed").isTrue();
            assertBaseFollowsTheRestore(pool, "restore of v to a snapshot", java.util.List.of());
        }
    }

    /**
     * v is restored from {@code other} (outside the journal's store) at once: its journal has no base,
     * and the watch's base backup into the journal's store (its file system full) fails: the next
     * try is a minute away.
     */
    private static void loseTheBaseToAFailedTry(Pool pool, Path other) throws Exception {
        assertThat(pool.instantRestores().restore("v", other, null, false, 0).await(60_000)).isTrue();
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        // tried (the job, or its start, failed) and nothing of it running. Looked at under the pool's
        // monitor: the watch counts the try and starts its job under it, and a look between the two
        // saw a try and no job, which then ran into the restore that follows ("a backup of v is
        // running"; one run in three under load)
        while (System.nanoTime() < until) {
            synchronized (pool) {
                if (pool.journals().status("v").nextBaseTrySeconds() != null
                        && pool.jobs.stream().noneMatch(j -> j.kind().equals("backup") && !j.state().isFinished())) {
                    break;
                }
            }
            Thread.sleep(50);
        }
        JournalAdmin.Status s = pool.journals().status("v");
        assertThat(s.protecting()).isFalse();
        assertThat(s.nextBaseTrySeconds()).as("the base backup was tried and failed").isNotNull().isPositive();
    }

    /**
     * While a restore of v is on record (from the opening's start, before it is resumed) no base
     * backup of v starts and the status counts no try: it says the base backup waits for the
     * restore ({@code waits}); once the restore has ended the base backup starts within a few
     * seconds, and the journal's base plus its entries is v. Backup jobs in {@code earlier} are not
     * the base backup looked for (none after an opening: one started by it is).
     */
    private static void assertBaseFollowsTheRestore(Pool pool, String waits, java.util.List<Job> earlier) throws Exception {
        java.util.Set<Job> before = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        before.addAll(earlier);
        long restoreEnded = -1;
        long backupStarted = -1;
        String earlyBackup = null;
        String earlyTry = null;
        String said = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (backupStarted < 0 && System.nanoTime() < deadline) {
            boolean restoring = pool.restoreRecords.containsKey("v") || pool.snapshotCatalog.restoreRecords.containsKey("v");
            Job backup = pool.jobs.stream().filter(j -> j.kind().equals("backup") && j.target().equals("v")
                    && !before.contains(j)).findFirst().orElse(null);
            if (restoring) {
                JournalAdmin.Status s = pool.journals().status("v");
                if (backup != null && earlyBackup == null) {
                    earlyBackup = "backup job " + backup.id() + " exists while the restore is on record";
                }
                if (s.nextBaseTrySeconds() != null && earlyTry == null) {
                    earlyTry = "next base try in " + s.nextBaseTrySeconds() + " s; next ship: " + s.nextShip();
                }
                // a status read as the restore ended says what follows it (once in CI): kept only when
                // the restore is still on record after the read
                if (pool.restoreRecords.containsKey("v") || pool.snapshotCatalog.restoreRecords.containsKey("v")) {
                    said = s.nextShip();
                }
            } else if (restoreEnded < 0) {
                restoreEnded = System.nanoTime();
            }
            if (!restoring && backup != null) {
                backupStarted = System.nanoTime();
            }
            Thread.sleep(50);
        }
        assertThat(earlyBackup).as("no base backup starts before the restore has ended").isNull();
        assertThat(earlyTry).as("while the restore runs, no try is counted nor said").isNull();
        assertThat(said).as("the journal's status while the restore runs").endsWith("; it starts as soon as the " + waits
                + " has ended");
        assertThat(restoreEnded).as("the restore ended").isPositive();
        assertThat(backupStarted).as("the base backup started").isPositive();
        assertThat(Duration.ofNanos(backupStarted - restoreEnded)).as("from the restore's end to the base backup's start")
                .isLessThan(Duration.ofSeconds(5));
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!pool.journals().status("v").protecting() && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(pool.journals().status("v").protecting()).as("the journal has its base again").isTrue();
        pool.device("v").flush();
        TestPools.assertSameBytes(JournaledPools.chainPlusJournal(pool, "v"), TestPools.readAll(pool.volume("v")),
                "the journal's base plus its entries");
    }
}
