package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.log.WriteJournal;

/**
 * A journal's max-age against a clock that is stepped. The watch measured the oldest entry's age on
 * the wall clock: set back an hour (NTP stepping, a VM restored), a journal with --max-age 60s
 * shipped an hour and a minute after its oldest write instead of a minute; set forward, it shipped at
 * once. An admin expects the ship no later than max-age after the oldest write, whatever the clock
 * does: the age is now counted on the monotonic clock while the pool is open, and an entry read back
 * dated after the opening (the clock set back while the pool was closed) counts as due at once.
 * The journals' clocks are stepped here ({@link JournalLife#clock}); the watch runs as in the product.
 */
class JournalMaxAgeClockTest {

    @TempDir
    Path tmp;

    /** A wall clock and a monotonic one the test moves by hand (the monotonic one also goes on with real time). */
    private static final class SteppedClock implements WriteJournal.Clock {
        final AtomicLong wallOffset = new AtomicLong();
        final AtomicLong monoOffset = new AtomicLong();

        @Override
        public long millis() {
            return System.currentTimeMillis() + wallOffset.get();
        }

        @Override
        public long nanos() {
            return System.nanoTime() + monoOffset.get();
        }
    }

    @AfterEach
    void systemClock() {
        JournalLife.clock = WriteJournal.Clock.SYSTEM;
    }

    private static List<String> journaled(Pool pool, Path store, long maxAgeSeconds) throws Exception {
        List<String> legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
        Files.createDirectories(store);
        assertThat(pool.journals().enable("v", legs, store, 900 * 1024, maxAgeSeconds).await(60_000)).isTrue();
        assertThat(pool.journals().status("v").protecting()).isTrue();
        return legs;
    }

    private static void write(Pool pool) throws Exception {
        pool.device("v").write(0, ByteBuffer.wrap(new byte[] {7, 7, 7, 7}));
        pool.device("v").flush();
    }

    /** True once v's journal has no entries (shipped) within {@code seconds}. */
    private static boolean shippedWithin(Pool pool, double seconds) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        do {
            if (pool.journals().status("v").entries() == 0) {
                return true;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return false;
    }

    @Test
    void aClockSetBackDoesNotPutOffTheShip() throws Exception {
        SteppedClock clock = new SteppedClock();
        JournalLife.clock = clock;
        Path dir = tmp.resolve("pool");
        TestPools.create(dir, Layout.RAID5, 3, JournaledPools.DRIVE, JournaledPools.TRACK);
        try (Pool pool = Pool.open(dir, StorageFactory.real())) {
            journaled(pool, tmp.resolve("store"), 60);
            write(pool);
            assertThat(pool.journals().status("v").entries()).isPositive();
            clock.wallOffset.addAndGet(-TimeUnit.HOURS.toMillis(1)); // back an hour, a minute gone by
            clock.monoOffset.addAndGet(TimeUnit.SECONDS.toNanos(60));
            assertThat(pool.journals().status("v").oldestAgeSeconds()).as("its age as the status says it")
                    .isBetween(60L, 120L);
            assertThat(shippedWithin(pool, 10)).as("a minute after the write, whatever the wall clock says").isTrue();
        }
    }

    @Test
    void aClockSetForwardDoesNotBringTheShipOn() throws Exception {
        SteppedClock clock = new SteppedClock();
        JournalLife.clock = clock;
        Path dir = tmp.resolve("pool");
        TestPools.create(dir, Layout.RAID5, 3, JournaledPools.DRIVE, JournaledPools.TRACK);
        try (Pool pool = Pool.open(dir, StorageFactory.real())) {
            journaled(pool, tmp.resolve("store"), 60);
            write(pool);
            clock.wallOffset.addAndGet(TimeUnit.HOURS.toMillis(1)); // forward an hour, a second gone by
            clock.monoOffset.addAndGet(TimeUnit.SECONDS.toNanos(1));
            assertThat(shippedWithin(pool, 2.5)).as("the oldest entry is seconds old: not due at 60 s").isFalse();
            clock.monoOffset.addAndGet(TimeUnit.SECONDS.toNanos(60));
            assertThat(shippedWithin(pool, 10)).as("due a minute after the write").isTrue();
        }
    }

    /** A max-age of 10^16 s (the CLI takes it: 115740740741d): never due, not due at once by an overflow. */
    @Test
    void aHugeMaxAgeIsNeverDue() throws Exception {
        Path dir = tmp.resolve("pool");
        TestPools.create(dir, Layout.RAID5, 3, JournaledPools.DRIVE, JournaledPools.TRACK);
        try (Pool pool = Pool.open(dir, StorageFactory.real())) {
            journaled(pool, tmp.resolve("store"), 10_000_000_000_000_000L);
            write(pool);
            assertThat(shippedWithin(pool, 2.5)).as("not due").isFalse();
        }
    }

    @Test
    void anEntryDatedAfterTheOpeningIsDueAtOnce() throws Exception {
        SteppedClock clock = new SteppedClock();
        JournalLife.clock = clock;
        Path dir = tmp.resolve("pool");
        TestPools.create(dir, Layout.RAID5, 3, JournaledPools.DRIVE, JournaledPools.TRACK);
        try (Pool pool = Pool.open(dir, StorageFactory.real())) {
            journaled(pool, tmp.resolve("store"), 3600);
            write(pool);
        }
        // the pool closed, the clock set back a day: the entry's time is after the next opening's
        clock.wallOffset.addAndGet(-TimeUnit.DAYS.toMillis(1));
        try (Pool pool = Pool.open(dir, StorageFactory.real())) {
            assertThat(shippedWithin(pool, 10)).as("how old the entry is cannot be told: shipped, not kept a day more")
                    .isTrue();
        }
    }

    @Test
    void anEntryReadBackIsAsOldAsTheWallClockSaysAtTheOpening() throws Exception {
        SteppedClock clock = new SteppedClock();
        JournalLife.clock = clock;
        Path dir = tmp.resolve("pool");
        TestPools.create(dir, Layout.RAID5, 3, JournaledPools.DRIVE, JournaledPools.TRACK);
        try (Pool pool = Pool.open(dir, StorageFactory.real())) {
            journaled(pool, tmp.resolve("store"), 60);
            write(pool);
        }
        clock.wallOffset.addAndGet(TimeUnit.SECONDS.toMillis(30)); // closed for half a minute
        try (Pool pool = Pool.open(dir, StorageFactory.real())) {
            assertThat(pool.journals().status("v").oldestAgeSeconds()).isBetween(30L, 59L);
            assertThat(shippedWithin(pool, 2.5)).as("30 s old: not due yet").isFalse();
            clock.monoOffset.addAndGet(TimeUnit.SECONDS.toNanos(30));
            assertThat(shippedWithin(pool, 10)).as("a minute old now").isTrue();
        }
    }
}
