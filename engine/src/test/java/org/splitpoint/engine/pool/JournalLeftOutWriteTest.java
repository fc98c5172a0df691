package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.StorageFile;

/**
 * A write the staged journal leaves out (it is full and no ship can come, or no journal drive is
 * left to take it) is acknowledged only once pool.json says the journal protects nothing: the
 * journal stopped protecting with a persist whose failure it swallowed, and the write was
 * acknowledged while pool.json still named the base; after a power cut the journal claimed to
 * rebuild the volume from that base, and the write was in neither. Now such a write is refused
 * with an I/O error (said in a critical event) until pool.json can say it, and a journal that lost
 * both its drives stops protecting (before, it kept its base, and a backup could give it a new
 * one): a write no leg takes is a write left out.
 */
class JournalLeftOutWriteTest {

    /** A write journaled before the members take it (below the size written to both at once). */
    private static final int SMALL = 8192;

    @TempDir
    Path tmp;

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private List<String> legs;

    /** Real files; pool.json cannot be written, and the journal's drives fail, while asked. */
    private static final class Faults extends ForwardingStorage {
        volatile boolean poolJsonFails;
        volatile boolean legsFail;
        volatile List<String> legImages = List.of();
        /** Holds the journal-drive writes of the thread named host-write until released. */
        volatile java.util.concurrent.CountDownLatch holdHostLegWrites;
        final java.util.concurrent.CountDownLatch legWriteHeld = new java.util.concurrent.CountDownLatch(1);

        /** A slow backup store: files and directories made under a "store" directory wait this long first. */
        volatile long slowStoreMillis;

        @Override
        public StorageFile create(Path path) throws IOException {
            if (poolJsonFails && path.getFileName().toString().startsWith("pool.json")) {
                throw new IOException("Input/output error (injected) writing " + path.getFileName());
            }
            slowIfInTheStore(path);
            return super.create(path);
        }

        @Override
        public void createDirectory(Path dir) throws IOException {
            slowIfInTheStore(dir);
            super.createDirectory(dir);
        }

        private void slowIfInTheStore(Path path) {
            long ms = slowStoreMillis;
            if (ms > 0 && path.toAbsolutePath().toString().contains("/store/")) {
                try {
                    Thread.sleep(ms);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        protected StorageFile wrap(Path path, StorageFile file) {
            if (!legImages.contains(path.getFileName().toString())) {
                return file;
            }
            return new ForwardingFile(file) {
                @Override
                public void writeFully(long position, ByteBuffer src) throws IOException {
                    java.util.concurrent.CountDownLatch hold = holdHostLegWrites;
                    if (hold != null && Thread.currentThread().getName().equals("host-write")) {
                        legWriteHeld.countDown();
                        try {
                            hold.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    failIfAsked();
                    super.writeFully(position, src);
                }

                @Override
                public void force() throws IOException {
                    failIfAsked();
                    super.force();
                }

                private void failIfAsked() throws IOException {
                    if (legsFail) {
                        throw new IOException("Input/output error (injected) on a journal drive");
                    }
                }
            };
        }
    }

    private Path journaled() throws Exception {
        Path dir = tmp.resolve("pool");
        legs = JournaledPools.journaled(dir, tmp.resolve("store"));
        return dir;
    }

    private Faults faults() {
        Faults f = new Faults();
        f.legImages = legs.stream().map(n -> n + ".img").toList();
        return f;
    }

    /** Until a {@link #SMALL} write at 0 does not fit in the journal. */
    private static void fill(Pool pool) throws Exception {
        JournaledPools.fillPastTheFirstTracks(pool, SMALL, 2);
        pool.device("v").flush();
    }

    private static void smallWrite(Pool pool, int seed) throws Exception {
        byte[] d = new byte[SMALL];
        new Random(seed).nextBytes(d);
        pool.device("v").write(0, ByteBuffer.wrap(d));
        pool.device("v").flush();
    }

    /** What pool.json says now: true when it names the journal's base (a read-only open reads only it). */
    private boolean protectingOnRecord(Path dir) throws Exception {
        try (Pool ro = Pool.open(dir, org.splitpoint.engine.io.StorageFactory.real(), PoolOptions.READ_ONLY)) {
            return ro.journalRecords.get("v").base() != null;
        }
    }

    private boolean said(String text) throws InterruptedException {
        return JournaledPools.said(events, text);
    }

    @Test
    void aWriteTheFullJournalLeavesOutIsRefusedWhilePoolJsonCannotSayItProtectsNothing() throws Exception {
        Path dir = journaled();
        Faults storage = faults();
        // no jobs: no ship can make room, so the write that does not fit is left out at once
        try (Pool pool = Pool.open(dir, storage, new PoolOptions(false))) {
            pool.addListener(events::add);
            fill(pool);
            byte[] before = TestPools.readAll(pool.volume("v"));
            storage.poolJsonFails = true;
            assertThatThrownBy(() -> smallWrite(pool, 3)).isInstanceOf(IOException.class)
                    .hasMessageContaining("the write was not done").hasMessageContaining("pool.json could not record");
            assertThat(said("was refused with an I/O error")).isTrue();
            // pool.json names the base still: base + journal hold every acknowledged write, and the
            // volume did not take the refused one (journaled first, it never reached the members)
            assertThat(protectingOnRecord(dir)).isTrue();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), before, "the volume after the refused write");
            assertThatThrownBy(() -> smallWrite(pool, 4)).as("refused again while pool.json cannot be written")
                    .isInstanceOf(IOException.class);

            storage.poolJsonFails = false;
            smallWrite(pool, 5); // left out too, now on record first
            assertThat(protectingOnRecord(dir)).isFalse();
            assertThat(said("the journal of v stopped protecting it")).isTrue();
            assertThat(pool.journals().status("v").protecting()).isFalse();
        }
    }

    /**
     * A write the full journal leaves out stops it protecting, which starts a backup for a new base
     * on a thread of its own (a rebase). The pool's close did not wait for it: closed right after
     * the write, the rebase went on opening the store and creating its image after the close had
     * returned (a CI run's temporary directory held an entry its cleanup had not seen). The close
     * now waits for the journal's threads, as it does for its jobs.
     */
    @Test
    void theCloseWaitsForTheRebaseAWriteLeftOutStarted() throws Exception {
        Path dir = journaled();
        Faults storage = faults();
        Pool pool = Pool.open(dir, storage, new PoolOptions(false));
        try {
            fill(pool);
            storage.slowStoreMillis = 300; // the rebase's image is made slowly: the close comes first
            smallWrite(pool, 5); // left out: the journal stops protecting v, a rebase starts beside
        } finally {
            pool.close();
        }
        java.util.List<String> atClose = list(tmp.resolve("store").resolve("images"));
        Thread.sleep(1000);
        assertThat(list(tmp.resolve("store").resolve("images"))).as("the store's images a second after the close")
                .isEqualTo(atClose);
        assertThat(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName).filter(n -> n.equals("splitpoint-journal-rebase") || n.equals("splitpoint-journal-ship")))
                .as("the journal's threads of the moment once the close returned (not the pooled leg writers)").isEmpty();
    }

    private static java.util.List<String> list(Path dir) throws IOException {
        try (var s = java.nio.file.Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void aWriteNoJournalDriveTakesIsRefusedWhilePoolJsonCannotSayItProtectsNothing() throws Exception {
        Path dir = journaled();
        Faults storage = faults();
        try (Pool pool = Pool.open(dir, storage, new PoolOptions(false))) {
            pool.addListener(events::add);
            byte[] before = TestPools.readAll(pool.volume("v"));
            storage.poolJsonFails = true;
            storage.legsFail = true;
            assertThatThrownBy(() -> smallWrite(pool, 3)).isInstanceOf(IOException.class)
                    .hasMessageContaining("both its drives failed").hasMessageContaining("pool.json could not record");
            assertThat(protectingOnRecord(dir)).isTrue();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), before, "the volume after the refused write");

            storage.poolJsonFails = false;
            smallWrite(pool, 5);
            assertThat(protectingOnRecord(dir)).isFalse();
        }
    }

    /**
     * The journal's drives fail as a flush forces them: the writes it acknowledges reached no
     * journal drive durably, so the flush returns only once pool.json says the journal protects
     * nothing, and fails while it cannot.
     */
    @Test
    void aFlushWhoseJournalLostBothDrivesFailsWhilePoolJsonCannotSayItProtectsNothing() throws Exception {
        Path dir = journaled();
        Faults storage = faults();
        try (Pool pool = Pool.open(dir, storage, new PoolOptions(false))) {
            byte[] d = new byte[SMALL];
            new Random(3).nextBytes(d);
            pool.device("v").write(0, ByteBuffer.wrap(d)); // journaled, not yet forced
            storage.poolJsonFails = true;
            storage.legsFail = true;
            assertThatThrownBy(() -> pool.device("v").flush()).isInstanceOf(IOException.class)
                    .hasMessageContaining("injected");
            assertThat(protectingOnRecord(dir)).isTrue();
            storage.poolJsonFails = false;
            pool.device("v").flush();
            assertThat(protectingOnRecord(dir)).isFalse();
        }
    }

    /**
     * Both legs fail under a write's append, which holds the journal's monitor, while a backup's
     * completion holds journalLock and waits for that monitor: the leg's failure must not take
     * journalLock there (it stopped the journal protecting, under the monitor: a deadlock); the
     * write that found no leg does, once out of the journal.
     */
    @Test
    void bothLegsFailingUnderAWriteWhileABackupCompletesDoNotDeadlock() throws Exception {
        Path dir = journaled();
        Faults storage = faults();
        Pool pool = Pool.open(dir, storage, new PoolOptions(true));
        boolean finished = false;
        try {
            // ten changed tracks away from the write's, for an incremental backup at a track a second
            pool.device("v").write(300L * JournaledPools.TRACK, ByteBuffer.allocate(10 * JournaledPools.TRACK));
            org.splitpoint.engine.job.Job backup = pool.backups().backup("v", tmp.resolve("store"), false,
                    JournaledPools.TRACK);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            storage.holdHostLegWrites = release;
            java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
            Thread writer = StuckThreads.start("host-write", () -> smallWrite(pool, 3), failed);
            assertThat(storage.legWriteHeld.await(30, TimeUnit.SECONDS)).as("the write appending to the journal").isTrue();
            backup.setThrottle(0);
            StuckThreads.awaitTrue(() -> Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> StuckThreads.waitsIn(t, "backupCompleted")), "the backup's end waiting for the journal");
            storage.legsFail = true;
            release.countDown();
            finished = StuckThreads.finished(n -> true, writer);
            assertThat(finished).as("the write returned").isTrue();
            assertThat(failed.get()).as("the write (acknowledged: pool.json says the journal protects nothing)").isNull();
            assertThat(backup.await(20_000)).isTrue();
            assertThat(pool.journals().status("v").protecting()).isFalse();
            assertThat(protectingOnRecord(dir)).isFalse();
        } finally {
            if (finished) {
                pool.close();
            } else {
                pool.abandon(); // threads deadlocked: a close would wait for them
            }
        }
    }

    /** An administrator fails both journal drives: the journal protects nothing, on record at once, before any write. */
    @Test
    void failingBothJournalDrivesByCommandStopsProtectingAtOnce() throws Exception {
        Path dir = journaled();
        try (Pool pool = Pool.open(dir)) {
            pool.admin().failDrive(legs.get(0));
            assertThat(protectingOnRecord(dir)).as("one journal drive left").isTrue();
            pool.admin().failDrive(legs.get(1));
            assertThat(protectingOnRecord(dir)).isFalse();
            assertThat(pool.journals().status("v").protecting()).isFalse();
        }
    }

    /**
     * Both journal drives failed: writes go on unjournaled and the journal protects nothing, on
     * record; a backup into its store gives it no base (there is no journal to build on), and the
     * volume lost beyond its redundancy is not rebuilt from it, the rebuild saying why.
     */
    @Test
    void aJournalThatLostBothItsDrivesProtectsNothingAndNoBackupMakesItProtect() throws Exception {
        Path dir = journaled();
        Faults storage = faults();
        try (Pool pool = Pool.open(dir, storage, new PoolOptions(true))) {
            pool.addListener(events::add);
            storage.legsFail = true;
            smallWrite(pool, 3); // acknowledged: the volume keeps serving
            JournalAdmin.Status s = pool.journals().status("v");
            assertThat(s.unprotected()).isTrue();
            assertThat(s.protecting()).isFalse();
            assertThat(s.nextShip()).contains("both its drives failed");
            assertThat(protectingOnRecord(dir)).isFalse();
            assertThat(said("the journal of v stopped protecting it: both its drives failed")).isTrue();
            assertThat(pool.backups().backup("v", tmp.resolve("store"), false, 0).await(60_000)).isTrue();
            assertThat(pool.journals().status("v").protecting()).as("after a backup into its store").isFalse();
        }
        try (Pool pool = Pool.open(dir)) {
            pool.admin().failDrive("d1");
        }
        Files.delete(dir.resolve("drives/d2.img"));
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.journals().status("v").protecting()).isFalse();
            assertThatThrownBy(() -> pool.journals().rebuildFromBackup("v", List.of(), 0))
                    .isInstanceOf(PoolException.class).hasMessageContaining("lost both its drives");
        }
    }
}
