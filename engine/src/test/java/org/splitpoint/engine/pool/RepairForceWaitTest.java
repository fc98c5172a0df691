package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A repair waits, before each write, for the forces of the drives' images under way
 * (Member.settledLosses), holding the gate's shared side and the rows it repairs. A force is an
 * fsync that takes no lock, so the wait ends with it: meanwhile a host's write and read of other
 * rows go on, and once the force answers the repair ends and repairs. Were the wait taken under a
 * lock a writer or a force needs (the gate's exclusive side, a volume-wide lock, the member's
 * monitor held across it), this scene hangs and the test fails at its timeouts. (A host flush
 * waits for the repair, as for a write in flight: by design.)
 */
class RepairForceWaitTest {

    @TempDir
    Path tmp;

    private static final int TRACK = ServicePools.TRACK;

    @Test
    void aRepairWaitingForAForceUnderWayHoldsNoWriterOrFlushOfOtherRows() throws Exception {
        Path dir = ServicePools.writtenPool(tmp, Layout.RAID1, 2);
        try (FileChannel d2 = FileChannel.open(dir.resolve("drives").resolve("d2.img"), StandardOpenOption.WRITE)) {
            d2.write(ByteBuffer.wrap(TestPools.filled(TRACK, 0x77)), 2L * TRACK); // d2 disagrees on track 2
        }
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            RaidVolume v = p.volume("v");
            v.write(30L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x22))); // something for the force to write back
            Runnable forceGoes = inj.holdReleasable(FaultInjector.Op.ANY, ServicePools.image(p, "d1"), t -> true, 60_000);
            AtomicReference<Throwable> besideFailure = new AtomicReference<>();
            Thread forcer = StuckThreads.start("beside-force", v::forceCompleted, besideFailure); // a snapshot's save commit
            inj.awaitHeld(1);
            AtomicReference<Throwable> repairFailure = new AtomicReference<>();
            long[] repaired = {-1};
            Thread repairer = StuckThreads.start("verify", () -> repaired[0] = p.admin().verify("v", true, null),
                    repairFailure);
            StuckThreads.awaitWaitingIn("verify", "settledLosses"); // before its write of track 2
            AtomicReference<Throwable> hostFailure = new AtomicReference<>();
            Thread host = StuckThreads.start("host-write", () -> {
                v.write(20L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55)));
                assertThat(TestPools.only(ServicePools.read(v, 20L * TRACK, TRACK))).isEqualTo(0x55);
            }, hostFailure);
            assertThat(StuckThreads.finished(n -> true, host)).as("a host write and read of track 20 beside the waiting repair")
                    .isTrue();
            assertThat(hostFailure.get()).as("the host's write and read").isNull();
            assertThat(repairer.isAlive()).as("the repair, its force still under way").isTrue();
            forceGoes.run();
            assertThat(StuckThreads.finished(n -> true, forcer, repairer)).as("the force and the repair, once it answered")
                    .isTrue();
            assertThat(besideFailure.get()).as("the force beside").isNull();
            assertThat(repairFailure.get()).as("the repair").isNull();
            assertThat(repaired[0]).as("mismatched sectors repaired").isPositive();
            v.flush();
            assertThat(p.admin().verify("v", false, null)).as("mismatched sectors after the repair").isZero();
            assertThat(TestPools.only(ServicePools.read(v, 2L * TRACK, TRACK))).as("track 2, as d1 held it").isEqualTo(0x11);
        } finally {
            inj.releaseHolds();
            inj.cutNow();
            inj.crash();
            p.abandon();
        }
    }
}
