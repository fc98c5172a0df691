package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * 'volume journal disable' waits for a ship under way, as a ship waits for a backup: the disable
 * closed the legs the ship was reading its entries from, and the ship then failed saying 'journal
 * entry N cannot be read from either journal drive' (its entries 'stay in the journal', of a
 * journal that was gone), its half-written image left in the store.
 */
class JournalDisableDuringShipTest {

    @TempDir
    Path tmp;

    @Test
    void aDisableIsRefusedWhileTheJournalShipsAndTheShipEndsDone() throws Exception {
        Path dir = tmp.resolve("pool");
        Path store = tmp.resolve("store");
        JournaledPools.journaled(dir, store);
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            byte[] d = new byte[4 * JournaledPools.TRACK];
            new Random(2).nextBytes(d);
            pool.device("v").write(3L * JournaledPools.TRACK, ByteBuffer.wrap(d));
            pool.device("v").flush();
            // the ship held as it writes its image (its entry reads hold the leg's monitor, which
            // the disable's status would wait for)
            Runnable release = disk.holdReleasable(FaultInjector.Op.WRITE, p -> p.startsWith(store),
                    t -> t.getName().startsWith("splitpoint-job-journal-ship"), 30_000);
            Job ship = pool.journals().ship("v");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (disk.waitingOnHolds() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5); // until the ship writes its image
            }
            assertThat(disk.waitingOnHolds()).as("the ship writing its image").isPositive();
            assertThatThrownBy(() -> pool.journals().disable("v")).isInstanceOf(PoolException.class)
                    .hasMessage("a journal-ship of v is running (job journal-ship-v); disable the journal once it ended");
            release.run();
            assertThat(ship.await(30_000)).isTrue();
            assertThat(ship.state()).isEqualTo(JobState.DONE);
            pool.journals().disable("v");
            assertThat(pool.journals().volumes()).isEmpty();
        }
    }
}
