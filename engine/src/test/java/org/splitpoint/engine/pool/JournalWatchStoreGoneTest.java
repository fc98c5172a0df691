package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A journal past its limit whose store went away (its directory moved, a disk unmounted): the
 * watch's ship failed every second and nobody was told; the card said PROTECTING with the journal
 * over its max size and filling (seen by hand). The watch says it, once a minute at most.
 */
class JournalWatchStoreGoneTest {

    @TempDir
    Path tmp;

    @Test
    void aDueShipWhoseStoreIsGoneIsSaidOnce() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        TestPools.create(dir, Layout.RAID5, 3, JournaledPools.DRIVE, JournaledPools.TRACK);
        List<Event> events = new CopyOnWriteArrayList<>();
        try (Pool pool = Pool.open(dir, StorageFactory.real())) {
            pool.addListener(events::add);
            List<String> legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            Files.createDirectories(store);
            assertThat(pool.journals().enable("v", legs, store, 64 * 1024, 0).await(60_000)).isTrue();
            Files.move(store, tmp.resolve("store.gone"));
            byte[] d = new byte[128 * 1024];
            new Random(3).nextBytes(d);
            pool.device("v").write(0, ByteBuffer.wrap(d));
            pool.device("v").flush();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
            while (!JournaledPools.said(events, "cannot ship") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(2500); // two more turns of the watch, each failing the same way
            List<String> said = events.stream().map(Event::message).filter(m -> m.contains("cannot ship")).toList();
            assertThat(said).as("said once, not each second").hasSize(1);
            assertThat(said.get(0)).startsWith("the journal of v is due to ship but cannot ship: there is no backup store at "
                    + store).contains("its entries stay in the journal");
            assertThat(pool.journals().status("v").entries()).isPositive();
        }
    }

    /**
     * The journal's status and the pool's health said nothing of a store gone: the card read
     * PROTECTING, 'can be rebuilt from image ... plus the journal', the pool HEALTHY (seen by hand, the
     * demo's store moved away). The status says why it cannot ship as soon as the directory is gone; a
     * due ship refused stands as a warning (the health) until a ship opens the store again.
     */
    @Test
    void aStoreGoneIsInTheJournalsStatusAndAWarningOnceAShipIsRefusedUntilItIsBack() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        Path gone = tmp.resolve("store.gone");
        TestPools.create(dir, Layout.RAID5, 3, JournaledPools.DRIVE, JournaledPools.TRACK);
        try (Pool pool = Pool.open(dir, StorageFactory.real())) {
            List<String> legs = List.of(pool.admin().addDrive(0), pool.admin().addDrive(0));
            Files.createDirectories(store);
            assertThat(pool.journals().enable("v", legs, store, 64 * 1024, 0).await(60_000)).isTrue();
            assertThat(pool.journals().status("v").storeProblem()).isNull();
            Files.move(store, gone);
            assertThat(pool.journals().status("v").storeProblem()).as("the directory gone, before any ship")
                    .startsWith("there is no backup store at " + store);
            assertThat(pool.snapshot().warnings()).as("not due yet: only the status says it").isEmpty();

            byte[] d = new byte[128 * 1024];
            new Random(3).nextBytes(d);
            pool.device("v").write(0, ByteBuffer.wrap(d));
            pool.device("v").flush();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
            while (pool.snapshot().warnings().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(pool.snapshot().warnings()).singleElement().asString()
                    .startsWith("the journal of v cannot ship: there is no backup store at " + store);
            assertThat(pool.snapshot().health()).isEqualTo(PoolSnapshot.Health.WARNING);

            Files.move(gone, store); // the disk is back: the watch's next turn ships
            deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while ((!pool.snapshot().warnings().isEmpty() || pool.journals().status("v").entries() > 0)
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(pool.snapshot().warnings()).isEmpty();
            assertThat(pool.journals().status("v").storeProblem()).isNull();
            assertThat(pool.journals().status("v").entries()).as("shipped").isZero();
        }
    }
}
