package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.ForwardingStorage;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.job.Job;

/**
 * A host write that finds the staged journal full waits for a ship to make room only while one
 * can come. It waited up to 20 s polling, then stopped the journal protecting the volume, also
 * when no ship could come: a restore's beginning (or its end) holds the pool's monitor (which a ship
 * needs to start) while it waits for the writes under way to end, this one among them; a restore under
 * way, a running backup or a journal without a base refuse the ship outright, so every such write
 * (and, with no base left, every later one) waited the 20 s. Now such a write stops the journal
 * protecting at once (said in a critical event, persisted before the write returns) and goes on;
 * a backup whose instant came before a write the journal left out does not become its base.
 */
class FullJournalWriteTest {

    private static final int TRACK = JournaledPools.TRACK;
    /** The write that does not fit: more than the room left once the journal holds {@link #FILLED}. */
    private static final int BIG = 256 * 1024;
    /** Below --max-size (900 KiB), so the journal's watch does not ship it meanwhile. */
    private static final long FILLED = 800 * 1024;
    /** "Not seconds": the write returns well within this; before, it took 20 s. */
    private static final long PROMPT_MILLIS = 5_000;

    @TempDir
    Path tmp;

    private final List<Event> events = new CopyOnWriteArrayList<>();

    /** RAID 5 volume v with a journal of 1 MiB legs and --max-size 900K, based in store/. */
    private Path journaled() throws Exception {
        Path dir = tmp.resolve("pool");
        JournaledPools.journaled(dir, tmp.resolve("store"));
        return dir;
    }


    /** A host write of {@link #BIG} random bytes at 0 and its flush, on a thread of its own; completes with its time. */
    private static CompletableFuture<Long> bigWrite(Pool pool, byte[] into) {
        return CompletableFuture.supplyAsync(() -> {
            long t0 = System.nanoTime();
            try {
                byte[] d = new byte[BIG];
                new Random(99).nextBytes(d);
                pool.device("v").write(0, ByteBuffer.wrap(d));
                pool.device("v").flush();
                System.arraycopy(d, 0, into, 0, BIG);
            } catch (IOException | PoolException e) {
                throw new IllegalStateException(e);
            }
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        });
    }

    private boolean said(String text) throws InterruptedException {
        return JournaledPools.said(events, text);
    }

    /** Storage whose next creation of a file {@link #armed} names waits until released: an operation's start held there. */
    private static final class HeldCreate extends ForwardingStorage {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile java.util.function.Predicate<Path> armed = p -> false;

        @Override
        public StorageFile create(Path path) throws IOException {
            if (armed.test(path)) {
                armed = p -> false;
                entered.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.create(path);
        }
    }

    @Test
    void aWriteIntoAFullJournalDoesNotWaitForTheShipARestoresBeginningHolds() throws Exception {
        Path dir = journaled();
        HeldCreate storage = new HeldCreate();
        try (Pool pool = Pool.open(dir, storage, new PoolOptions(true))) {
            pool.addListener(events::add);
            JournaledPools.fill(pool, new Random(2), FILLED, BIG);
            storage.armed = p -> p.getFileName().toString().equals("v.restore.inv"); // its overwrite map
            // the restore takes the pool's monitor and is held there, before it waits for the writes under way
            CompletableFuture<Job> restore = CompletableFuture.supplyAsync(() -> {
                try {
                    return pool.instantRestores().restore("v", tmp.resolve("store"), null, false, TRACK);
                } catch (IOException | PoolException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(storage.entered.await(30, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Long> write = bigWrite(pool, new byte[BIG]);
            awaitShipAskedAndHeld();
            storage.release.countDown(); // the restore goes on to wait for the write, which waits for the ship
            long took = write.get(60, TimeUnit.SECONDS);
            assertThat(took).as("the write's time (ms), the restore's start held until the ship was asked").isLessThan(PROMPT_MILLIS);
            assertThat(restore.get(60, TimeUnit.SECONDS)).isNotNull();
            assertThat(said("the journal of v stopped protecting it")).isTrue();
            // the restore from the journal's store gave it its base again
            assertThat(pool.journals().status("v").protecting()).isTrue();
            assertThat(pool.journals().status("v").base()).isEqualTo(pool.restoreRecords.get("v").image());
        }
    }

    /**
     * A backup's start held the pool's monitor while it made its image in the store and took its
     * instant: a write into the full journal waiting for a ship waited the 20 s for it. Now the start's
     * store work holds no monitor and no ship is asked while it runs (the journal stops protecting at
     * once). The write is not in the journal, and before the backup's instant: the backup holds it,
     * and becomes the journal's base.
     */
    @Test
    void aWriteIntoAFullJournalDoesNotWaitForTheShipABackupsStartHolds() throws Exception {
        Path dir = journaled();
        HeldCreate storage = new HeldCreate();
        byte[] expect;
        try (Pool pool = Pool.open(dir, storage, new PoolOptions(true))) {
            pool.addListener(events::add);
            JournaledPools.fill(pool, new Random(5), FILLED, BIG);
            expect = TestPools.readAll(pool.volume("v"));
            storage.armed = p -> p.startsWith(tmp.resolve("store")); // the backup's image, made before its instant
            CompletableFuture<Job> backup = CompletableFuture.supplyAsync(() -> {
                try {
                    return pool.backups().backup("v", tmp.resolve("store"), false, 0);
                } catch (IOException | PoolException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(storage.entered.await(30, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Long> write = bigWrite(pool, expect);
            // the start's store work no longer holds the pool's monitor (1bfdc863), and the journal's watch
            // counts a start as a backup under way (70b3e0dd): no ship is asked while it waits, so the write
            // ends while the store is still held, the journal no longer protecting
            long took = write.get(60, TimeUnit.SECONDS);
            assertThat(storage.release.getCount()).as("the write ended with the backup's start still held").isEqualTo(1);
            storage.release.countDown();
            assertThat(took).as("the write's time (ms), the backup's start held").isLessThan(PROMPT_MILLIS);
            assertThat(backup.get(60, TimeUnit.SECONDS).await(60_000)).isTrue();
            assertThat(said("the journal of v stopped protecting it")).isTrue();
            assertThat(pool.journals().status("v").protecting()).as("the backup holds the write: it is the base").isTrue();
        }
        try (Pool pool = Pool.open(dir)) {
            pool.admin().failDrive("d1");
        }
        Files.delete(dir.resolve("drives/d2.img"));
        try (Pool pool = Pool.open(dir)) {
            assertThat(pool.journals().rebuildFromBackup("v", List.of(), 0).await(60_000)).isTrue();
            TestPools.assertSameBytes(TestPools.readAll(pool.volume("v")), expect, "rebuilt from the backup made the base");
        }
    }

    /**
     * Two writes that find the journal full while a ship runs: each one's ship is refused (one
     * runs), so each waits for the running one. Its end makes room for one of them; the other
     * took the refusal for a ship that cannot come and stopped the journal protecting, where a
     * ship asked again makes room for it too.
     */
    @Test
    void aWriteThatFoundAShipRunningAsksAgainWhenOthersTookTheRoomItMade() throws Exception {
        Path dir = journaled();
        org.splitpoint.engine.io.FaultInjector inj = new org.splitpoint.engine.io.FaultInjector(
                org.splitpoint.engine.io.StorageFactory.real());
        Path store = tmp.resolve("store").toAbsolutePath().normalize();
        long[] took = new long[2];
        try (Pool pool = Pool.open(dir, inj, new PoolOptions(true))) {
            pool.addListener(events::add);
            JournaledPools.fill(pool, new Random(6), FILLED, BIG);
            // the running ship is held as it writes its image, until both writes wait for it
            inj.hold(org.splitpoint.engine.io.FaultInjector.Op.WRITE, f -> f.toAbsolutePath().normalize().startsWith(store),
                    t -> true, 60_000);
            Job ship = pool.journals().ship("v");
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0, "the ship writing its image");
            int room = 600 * 1024; // one fits once the ship retired the entries, two do not
            java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
            Thread[] writers = new Thread[2];
            for (int i = 0; i < 2; i++) {
                int n = i;
                writers[i] = StuckThreads.start("host-write-" + i, () -> {
                    long t0 = System.nanoTime();
                    byte[] d = new byte[room];
                    new Random(10 + n).nextBytes(d);
                    pool.device("v").write(n * (long) room, ByteBuffer.wrap(d));
                    took[n] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                }, failed);
            }
            // (a write journals on a thread of its own, beside its member writes)
            StuckThreads.awaitTrue(() -> Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> StuckThreads.waitsIn(t, "append") && java.util.Arrays.stream(t.getStackTrace())
                            .anyMatch(f -> f.getClassName().equals(JournalWrites.class.getName()))).count() == 2
                    && Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("splitpoint-journal-ship")),
                    "both writes waiting for the running ship, their own ships refused");
            inj.releaseHolds();
            assertThat(ship.await(30_000)).isTrue();
            for (Thread w : writers) {
                w.join(60_000);
            }
            assertThat(failed.get()).isNull();
        }
        assertThat(events.stream().filter(e -> e.message().contains("stopped protecting")).map(Event::message).toList())
                .as("the writes' times (ms): " + took[0] + ", " + took[1]).isEmpty();
    }

    /**
     * A restore's end holds the pool's monitor and waits for the host requests inside the
     * restore's view to end: a write among them into the full journal waited the 20 s for a ship
     * that could not start. The write is held (marking its track changed) until the end waits for
     * it, then finds the journal full.
     */
    @Test
    void aWriteIntoAFullJournalDoesNotWaitForTheShipARestoresEndHolds() throws Exception {
        Path dir = journaled();
        org.splitpoint.engine.io.FaultInjector inj = new org.splitpoint.engine.io.FaultInjector(
                org.splitpoint.engine.io.StorageFactory.real());
        try (Pool pool = Pool.open(dir, inj, new PoolOptions(true))) {
            pool.addListener(events::add);
            Job restore = pool.instantRestores().restore("v", tmp.resolve("store"), null, false, TRACK); // a track a second
            StuckThreads.awaitTrue(() -> !pool.instantRestores().restoreOf("v").owedTracks().get(0), "track 0 restored");
            // (tracks marked changed now, unlike track 0)
            JournaledPools.fillPastTheFirstTracks(pool, TRACK, 7);
            Runnable letTheWriteGoOn = inj.holdReleasable(org.splitpoint.engine.io.FaultInjector.Op.WRITE,
                    f -> f.getFileName().toString().equals("v.cbt"), t -> t.getName().equals("host-write"), 60_000);
            long[] took = new long[1];
            java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
            Thread writer = StuckThreads.start("host-write", () -> {
                byte[] d = new byte[TRACK];
                new Random(8).nextBytes(d);
                pool.device("v").write(0, ByteBuffer.wrap(d));
                took[0] = System.nanoTime();
            }, failed);
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() == 1, "the write marking track 0 changed");
            restore.setThrottle(0);
            StuckThreads.awaitTrue(() -> Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> StuckThreads.waitsIn(t, "endHostIo")), "the restore's end waiting for the write");
            long released = System.nanoTime();
            letTheWriteGoOn.run();
            writer.join(60_000);
            assertThat(failed.get()).isNull();
            assertThat(TimeUnit.NANOSECONDS.toMillis(took[0] - released)).as("the write's time (ms) once it found the"
                    + " journal full").isLessThan(PROMPT_MILLIS);
            assertThat(restore.await(60_000)).isTrue();
            assertThat(said("the journal of v stopped protecting it")).isTrue();
        }
    }

    /** Until the journal's ship request waits for the pool's monitor (which the held restore has). */
    private static void awaitShipAskedAndHeld() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals("splitpoint-journal-ship") && t.getState() == Thread.State.BLOCKED) {
                    return;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no ship was asked for");
    }

    @Test
    void writesIntoAFullJournalDuringARestoreDoNotWaitForAShipItRefuses() throws Exception {
        Path dir = journaled();
        try (Pool pool = Pool.open(dir)) {
            pool.addListener(events::add);
            Job restore = pool.instantRestores().restore("v", tmp.resolve("store"), null, false, TRACK); // a track a second
            JournaledPools.fill(pool, new Random(3), FILLED, BIG);
            long took = bigWrite(pool, new byte[BIG]).get(60, TimeUnit.SECONDS);
            assertThat(took).as("the write's time (ms)").isLessThan(PROMPT_MILLIS);
            assertThat(said("the journal of v stopped protecting it")).isTrue();
            assertThat(pool.journals().status("v").protecting()).isFalse();
            took = bigWrite(pool, new byte[BIG]).get(60, TimeUnit.SECONDS); // the journal full and protecting nothing
            assertThat(took).as("a later write's time (ms)").isLessThan(PROMPT_MILLIS);
            restore.cancel();
            assertThat(restore.await(30_000)).isTrue();
        }
    }

    /**
     * A write left out of the journal while a backup into its store runs (the journal full, the
     * ship refused meanwhile) came after the backup's instant: that backup is not the journal's
     * base (base + journal would miss the write); the next backup, which the journal's watch starts,
     * is, and the volume rebuilt from it has every write.
     */
    @Test
    void aBackupWhoseInstantCameBeforeAWriteTheJournalLeftOutIsNotItsBase() throws Exception {
        Path dir = journaled();
        byte[] expect;
        try (Pool pool = Pool.open(dir)) {
            pool.addListener(events::add);
            Random rnd = new Random(4);
            JournaledPools.fill(pool, rnd, FILLED, BIG);
            Job backup = pool.backups().backup("v", tmp.resolve("store"), false, TRACK); // a track a second
            expect = TestPools.readAll(pool.volume("v"));
            long took = bigWrite(pool, expect).get(60, TimeUnit.SECONDS);
            assertThat(took).as("the write's time (ms)").isLessThan(PROMPT_MILLIS);
            backup.setThrottle(0);
            assertThat(backup.await(60_000)).isTrue();
            assertThat(pool.journals().status("v").protecting()).as("the backup's instant came before the write").isFalse();
            // the journal's watch starts the next backup (no base, nothing running): that one is the base
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!pool.journals().status("v").protecting() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(pool.journals().status("v").protecting()).isTrue();
        }
        JournaledPools.assertRebuildsFromTheJournalsBase(dir, expect);
    }
}
