package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.TestPools;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.WritesLostException;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A repair ('volume verify --repair', a flush's resync of pinned tracks) checks once that no drive
 * lost writes, then reads every drive's rows and writes what it takes for good over the others: a
 * mirror's first holder, a parity recomputed from the data strips. A host flush's force of d1 fails
 * for want of space between that check and the repair's read of d1, dropping d1's pages of a write:
 * the repair read d1's old bytes and wrote them (or a parity computed from them) over the others'
 * copies of the write. The next flush healed d1 from the others, old, and succeeded over an
 * acknowledged write no drive held. A repair must compare the drives' losses across its reads and
 * write nothing when they moved.
 */
class RepairReferenceLossTest {

    @TempDir
    Path tmp;

    private static final int TRACK = ServicePools.TRACK;
    private static final int STRIP = 64 * 1024;

    @Test
    void aMirrorsRepairDoesNotCopyTheOldBytesOfAWriteItsReferenceDroppedUnderItsRead() throws Exception {
        afterAReferenceLossUnderTheRepairsRead(Layout.RAID1, 2L * TRACK, TRACK); // in the repair's first step; d1, the first holder, is its reference
    }

    @Test
    void aParityRepairDoesNotComputeParityFromTheOldBytesOfAStripADroppedWriteLeft() throws Exception {
        afterAReferenceLossUnderTheRepairsRead(Layout.RAID5, 0, STRIP); // stripe 0: data on d1, d2; parity on d3
    }

    @Test
    void aRaid3RepairDoesNotComputeParityFromTheOldBytesOfAStripADroppedWriteLeft() throws Exception {
        afterAReferenceLossUnderTheRepairsRead(Layout.RAID3, 0, 512); // stripe 0: data on d1, d2; parity on d3, always
    }

    private void afterAReferenceLossUnderTheRepairsRead(Layout layout, long at, int len) throws Exception {
        Path dir = ServicePools.writtenPool(tmp, layout, layout == Layout.RAID1 ? 2 : 3);
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            RaidVolume v = p.volume("v");
            v.write(at, ByteBuffer.wrap(TestPools.filled(len, 0x55))); // acknowledged; d1 takes it (and d2, or the parity on d3)
            Predicate<Path> d1 = ServicePools.image(p, "d1");
            inj.failForcesNoSpace(d1, 1);
            Runnable forceGoes = inj.holdReleasable(FaultInjector.Op.ANY, d1, t -> true, 60_000);
            Runnable readGoes = inj.holdReleasable(FaultInjector.Op.READ, d1, t -> t.getName().equals("verify"), 60_000);
            AtomicReference<Throwable> flushFailure = new AtomicReference<>();
            Thread flusher = StuckThreads.start("host-flush", v::flush, flushFailure);
            inj.awaitHeld(1); // the flush drained its writes and is about to force d1
            AtomicReference<Throwable> repairFailure = new AtomicReference<>();
            Thread repairer = StuckThreads.start("verify", () -> p.admin().verify("v", true, null), repairFailure);
            inj.awaitHeld(2); // the repair checked that no drive lost writes and is about to read d1
            forceGoes.run();
            flusher.join();
            assertThat(flushFailure.get()).as("the flush whose force of d1 fails").isInstanceOf(WritesLostException.class);
            readGoes.run(); // the repair reads d1 now, which dropped the write
            repairer.join();
            assertThat(repairFailure.get()).as("the repair, a drive having lost writes").isInstanceOf(java.io.IOException.class);
            assertThat(ServicePools.flushes(v)).as("a flush that heals d1 from the others").isTrue();
            assertThat(TestPools.only(ServicePools.read(v, at, len))).as("the write, flushed (the repair: %s)",
                    repairFailure.get().getMessage()).isEqualTo(0x55);
            assertThat(p.admin().verify("v", false, null)).as("mismatched sectors, flushed").isZero();
        } finally {
            inj.releaseHolds();
            inj.cutNow();
            inj.crash();
            p.abandon();
        }
    }

    /**
     * The same loss a moment later: d1's force has dropped the pages, and its error is not back yet
     * (so its loss is not counted) when the repair reads d1 and compares the losses. The repair must
     * wait for the forces under way before it takes what it read for good.
     */
    @Test
    void aRepairWaitsForAForceUnderWayBeforeItTrustsWhatItRead() throws Exception {
        Path dir = ServicePools.writtenPool(tmp, Layout.RAID1, 2);
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            RaidVolume v = p.volume("v");
            v.write(2L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55)));
            HeldFailingFlush flush = HeldFailingFlush.start(inj, p, v, "d1"); // d1's pages of 0x55 dropped
            AtomicReference<Throwable> repairFailure = new AtomicReference<>();
            Thread repairer = StuckThreads.start("verify", () -> p.admin().verify("v", true, null), repairFailure);
            // released once the repair waits: for the force under way, or (having written) for the flush's lock
            Throwable flushFailure = flush.releaseOnceWaiting(repairer);
            repairer.join();
            assertThat(flushFailure).as("the flush whose force of d1 fails").isInstanceOf(WritesLostException.class);
            assertThat(ServicePools.flushes(v)).as("a flush that heals d1 from d2").isTrue();
            assertThat(TestPools.only(ServicePools.read(v, 2L * TRACK, TRACK))).as("the write, flushed (the repair: %s)",
                    repairFailure.get()).isEqualTo(0x55);
            assertThat(repairFailure.get()).as("the repair, a drive having lost writes under its read")
                    .isInstanceOf(java.io.IOException.class);
        } finally {
            inj.releaseHolds();
            inj.cutNow();
            inj.crash();
            p.abandon();
        }
    }

}
