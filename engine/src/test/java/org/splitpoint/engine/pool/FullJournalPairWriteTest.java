package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;

/**
 * A host write into a full staged journal of a pair's STD as the pair's establish begins. The
 * establish holds the pool's monitor (which the ship that would make room needs to start) and
 * waits for the pair's writes under way, taking the pair's gate; the write waits inside the gate
 * for that ship. {@link Pool#holdHostWay} and {@code RaidVolume.exclusive} tell the journal they
 * wait (FullJournalWriteTest); the pair's gate did not, so the write waited the 20 s, and with
 * it the establish, holding the pool's monitor all along. Here the establish is held in its
 * storage under the monitor until the write's ship request waits for that monitor.
 */
class FullJournalPairWriteTest {

    private static final int TRACK = 4096;
    private static final long DRIVE = 1 << 20;
    private static final int BIG = 256 * 1024;
    private static final long FILLED = 800 * 1024;
    private static final long PROMPT_MILLIS = 5_000;

    @TempDir
    Path tmp;

    /** Pool with RAID 5 volume v (journal of 1 MiB legs, --max-size 900K, based in store/) and pair p of v and w. */
    private Path paired(boolean establish) throws Exception {
        Path dir = tmp.resolve("pool");
        org.splitpoint.engine.TestPools.create(dir, Layout.RAID5, 3, DRIVE, TRACK);
        try (Pool pool = Pool.open(dir)) {
            List<String> legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            Files.createDirectories(tmp.resolve("store"));
            assertThat(pool.journals().enable("v", legs, tmp.resolve("store"), 900 * 1024, 0).await(60_000)).isTrue();
            List<String> w = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0), pool.admin().addDrive(0));
            pool.admin().createVolume("w", Layout.RAID5, w, 0);
            pool.pairs().create("p", "v", "w");
            if (establish) {
                assertThat(pool.pairs().establish("p", true).await(60_000)).isTrue();
            }
        }
        return dir;
    }


    /** A host write of {@link #BIG} bytes at 0 on thread "host-write"; {@code took[0]} gets its time. */
    private static Thread bigWrite(Pool pool, long[] took, AtomicReference<Throwable> failed) {
        return StuckThreads.start("host-write", () -> {
            long t0 = System.nanoTime();
            byte[] d = new byte[BIG];
            new Random(99).nextBytes(d);
            pool.device("v").write(0, ByteBuffer.wrap(d));
            took[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        }, failed);
    }

    /** The establish's flush of both sides, under the pool's monitor, waits for the write under way. */
    @Test
    void aWriteIntoAFullJournalDoesNotWaitForTheShipAnEstablishsBeginningHolds() throws Exception {
        Path dir = paired(false);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, inj, new PoolOptions(true))) {
            JournaledPools.fill(pool, new Random(7), FILLED, BIG);
            // the establish's first storage work under the pool's monitor (its settings on record, its flush) is held
            inj.hold(FaultInjector.Op.WRITE, f -> true, t -> t.getName().equals("establish"), 60_000);
            inj.holdForces(f -> true, t -> t.getName().equals("establish"), 60_000);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            AtomicReference<Job> copy = new AtomicReference<>();
            Thread establish = StuckThreads.start("establish", () -> copy.set(pool.pairs().establish("p", true)), failed);
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0, "the establish held under the pool's monitor");

            long[] took = new long[1];
            Thread host = bigWrite(pool, took, failed);
            StuckThreads.awaitTrue(FullJournalPairWriteTest::shipAskedAndHeld, "the write's ship request waiting for the monitor");
            inj.releaseHolds(); // the establish goes on to flush the sides, waiting for the writes under way: this one
            host.join(60_000);
            establish.join(60_000);
            assertThat(failed.get()).isNull();
            assertThat(took[0]).as("the write's time (ms), the establish's beginning held until the ship was asked")
                    .isLessThan(PROMPT_MILLIS);
            assertThat(copy.get().await(60_000)).isTrue();
        } finally {
            inj.releaseHolds();
        }
    }

    /** A split takes the pair's gate under the pool's monitor, once the write under way ended. */
    @Test
    void aWriteIntoAFullJournalDoesNotWaitForTheShipASplitHolds() throws Exception {
        Path dir = paired(true);
        FaultInjector inj = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, inj, new PoolOptions(true))) {
            JournaledPools.fill(pool, new Random(7), FILLED, BIG);
            // the write is held at its fsync of the changed-block map, inside the pair's gate, before its journal entry
            Path map = pool.paths.changeMap("v").toAbsolutePath().normalize();
            inj.holdForces(f -> f.toAbsolutePath().normalize().equals(map), t -> t.getName().equals("host-write"), 60_000);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            long[] took = new long[1];
            Thread host = bigWrite(pool, took, failed);
            StuckThreads.awaitTrue(() -> inj.waitingOnHolds() > 0, "the write fsyncing the changed-block map");
            Thread split = StuckThreads.start("split", () -> pool.pairs().split(List.of("p")), failed);
            StuckThreads.awaitTrue(() -> waitsForAGate(split), "the split waiting for the pair's gate");
            inj.releaseHolds(); // the write goes on, finds the journal full and asks for a ship the split holds up
            host.join(60_000);
            split.join(60_000);
            assertThat(failed.get()).isNull();
            assertThat(took[0]).as("the write's time (ms), a split waiting for it under the pool's monitor")
                    .isLessThan(PROMPT_MILLIS);
            assertThat(pool.pairs().get("p").state()).isEqualTo(org.splitpoint.engine.pair.PairState.Split);
        } finally {
            inj.releaseHolds();
        }
    }

    /** True when {@code t} waits to take a read/write lock exclusively (the pair's gate). */
    private static boolean waitsForAGate(Thread t) {
        return t.getState() == Thread.State.WAITING && java.util.Arrays.stream(t.getStackTrace())
                .anyMatch(f -> f.getClassName().endsWith("ReentrantReadWriteLock$WriteLock") && f.getMethodName().equals("lock"));
    }

    private static boolean shipAskedAndHeld() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("splitpoint-journal-ship") && t.getState() == Thread.State.BLOCKED) {
                return true;
            }
        }
        return false;
    }
}
