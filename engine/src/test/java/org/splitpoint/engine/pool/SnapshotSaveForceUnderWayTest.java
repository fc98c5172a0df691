package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.BlockDevice;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A snapshot is taken without a flush: a host's write acknowledged before it (0x55 on track 0,
 * read back as such at the take) is the snapshot's, flushed or not. The first write to track 0
 * after the take saves the track as the snapshot needs it, reading the volume: a host flush's
 * force of d1 failed for want of space then, d1's pages of 0x55 dropped and the error not back yet
 * (the loss not counted), and the save read d1's old bytes (0x11), its comparison of the losses
 * equal, and kept them for good: the snapshot read 0x11 where the volume read 0x55 when it was
 * taken, while the heal gave the volume its write back. A save must compare once the forces under
 * way have ended, and read again.
 */
class SnapshotSaveForceUnderWayTest {

    @TempDir
    Path tmp;

    private static final int TRACK = ServicePools.TRACK;

    @Test
    void aSnapshotsSaveDoesNotKeepTheOldBytesOfAWriteAFailingForceDroppedUnderItsRead() throws Exception {
        Path dir = SnapshotPools.create(tmp.resolve("p"), TRACK, 2L << 20);
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            p.snapshots().setSaveArea("save");
            RaidVolume v = p.volume("v");
            v.write(0, ByteBuffer.wrap(TestPools.filled(TRACK, 0x11)));
            v.flush();
            BlockDevice host = p.device("v");
            host.write(0, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55))); // acknowledged, not flushed
            p.snapshots().create("v", "s1");
            HeldFailingFlush flush = HeldFailingFlush.start(inj, p, v, "d1"); // d1's pages of 0x55 dropped
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            Thread writer = StuckThreads.start("host-write", // saves track 0 first, read from d1 (track 0's reader)
                    () -> host.write(0, ByteBuffer.wrap(TestPools.filled(4096, 0x66))), writeFailure);
            flush.releaseOnceWaiting(writer);
            writer.join();
            assertThat(writeFailure.get()).as("the host's write after the take").isNull();
            ServicePools.flushes(v); // heals d1 from d2
            byte[] s1 = new byte[TRACK];
            p.snapshots().reader("v@s1").read(0, ByteBuffer.wrap(s1));
            assertThat(TestPools.only(s1)).as("track 0 of s1, read 0x55 from v when s1 was taken").isEqualTo(0x55);
        } finally {
            inj.releaseHolds();
            inj.cutNow();
            inj.crash();
            p.abandon();
        }
    }
}
