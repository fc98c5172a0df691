package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.StorageFactory;

/**
 * A host write saves a track for snapshot s; s is deleted while the save is being made durable.
 * The deletion gave back what s held, but the save was entered in the index after it, where
 * nothing would ever drop it: its slot stayed taken until the pool was opened again, so a server
 * whose snapshots come and go under writes filled its save area with saves of deleted snapshots
 * (and made the next snapshots invalid as "full"). A save no kept snapshot needs when it is
 * entered goes back at once (its snapshot's end is on record already).
 */
class SaveAfterDeleteTest {

    private static final int TRACK = 4096;

    @TempDir
    Path dir;

    @Test
    void aSaveMadeDurableAfterItsSnapshotWasDeletedGivesItsSlotBack() throws Exception {
        SnapshotPools.create(dir, TRACK);
        try (Pool p = Pool.open(dir)) {
            p.snapshots().setSaveArea("save");
        }
        FaultInjector disk = new FaultInjector(StorageFactory.real());
        try (Pool pool = Pool.open(dir, disk)) {
            pool.snapshots().create("v", "s");
            Runnable letTheSaveGoOn = disk.holdReleasable(FaultInjector.Op.WRITE,
                    f -> f.getFileName().toString().equals("snapshots.log"), t -> t.getName().equals("host-writer"), 30_000);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    pool.device("v").write(0, ByteBuffer.wrap(new byte[TRACK]));
                } catch (Throwable e) {
                    failed.set(e);
                }
            }, "host-writer");
            writer.start();
            long until = System.nanoTime() + 30_000_000_000L;
            while (disk.waitingOnHolds() == 0 && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            assertThat(disk.waitingOnHolds()).as("the save's record is held").isEqualTo(1);

            pool.snapshots().delete("v", "s");
            letTheSaveGoOn.run();
            writer.join(30_000);
            assertThat(failed.get()).isNull();

            assertThat(pool.snapshots().saveArea().usedSlots()).as("no snapshot needs the save").isZero();
        }
    }
}
