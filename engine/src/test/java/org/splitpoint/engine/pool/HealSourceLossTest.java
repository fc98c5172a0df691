package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.splitpoint.engine.TestPools;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.io.WritesLostException;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A flush heals d1, which lost writes at a failed flush, from d2, and d2's own force fails for want
 * of space while the heal reads it (a snapshot's save commit, a rebuild's checkpoint force the
 * members beside a flush): the heal picked d2 as a drive that had lost nothing, the failed force
 * dropped d2's pages of a write made since, and the heal read d2's old bytes and wrote them over
 * d1's copy of the write. It checked only d1's losses, so d1 was trusted again; the next flush
 * healed d2 from d1, old, and succeeded over a write no drive held. The heal must compare the
 * losses of the drives it reads across its reads, as a rebuild's copy does.
 */
class HealSourceLossTest {

    @TempDir
    Path tmp;

    private static final int TRACK = ServicePools.TRACK;

    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"RAID1", "RAID3"})
    void aHealThatReadADrivesDroppedPagesDoesNotTrustTheHealedDrive(Layout layout) throws Exception {
        Path dir = ServicePools.writtenPool(tmp, layout, layout == Layout.RAID1 ? 2 : 3);
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            RaidVolume v = d1LostWritesThenTrack20Written(p, inj);
            inj.failForcesNoSpace(ServicePools.image(p, "d2"), 1);
            // the heal's read of d2, on whichever thread reads it (a parity volume's heal reads each
            // source on a thread of its own); held before the hold of d2's force is set, which
            // would otherwise take the read for its own and let it go with the force
            Runnable readGoes = inj.holdReleasable(FaultInjector.Op.READ, ServicePools.image(p, "d2"),
                    t -> !t.getName().equals("main") && !t.getName().equals("beside-force"), 60_000);
            AtomicReference<Throwable> flushFailure = new AtomicReference<>();
            Thread flusher = StuckThreads.start("host-flush", v::flush, flushFailure); // heals d1 from d2 first
            inj.awaitHeld(1); // the heal picked d2 (no loss yet) and is about to read track 20
            Runnable forceGoes = inj.holdReleasable(FaultInjector.Op.ANY, ServicePools.image(p, "d2"), t -> true, 60_000);
            Thread forcer = new Thread(() -> {
                try {
                    v.forceCompleted();
                } catch (IOException expected) {
                    // d1's force fails as it lost writes; d2's fails for want of space
                }
            }, "beside-force");
            forcer.start();
            inj.awaitHeld(2); // beside it, a force of d2
            forceGoes.run();
            forcer.join(); // d2 dropped its pages of 0x55
            readGoes.run();
            flusher.join();
            assertThat(flushFailure.get()).as("the flush whose heal read d2").isInstanceOf(IOException.class);
            ServicePools.assertKeptAfterFlush(v, ServicePools.flushes(v), 20L * TRACK, TRACK, 0x55, "track 20");
        } finally {
            inj.releaseHolds();
            inj.cutNow();
            inj.crash();
            p.abandon();
        }
    }

    /**
     * The same loss a moment later: the force of d2 beside the heal (a snapshot's save commit) has
     * dropped d2's pages of the write, and its error is not back yet (so its loss is not counted),
     * when the heal reads d2 and compares the losses. The heal must wait for the forces under way
     * before it trusts d1 again, as a repair and a rebuild's copy do.
     */
    @Test
    void aHealWaitsForAFailingForceUnderWayBeforeItTrustsTheHealedDrive() throws Exception {
        Path dir = ServicePools.writtenPool(tmp, Layout.RAID1, 2);
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false));
        try {
            RaidVolume v = d1LostWritesThenTrack20Written(p, inj);
            inj.failForcesNoSpace(ServicePools.image(p, "d2"), 1);
            Runnable errorGoes = inj.holdReleasable(FaultInjector.Op.FORCE_FAILED, ServicePools.image(p, "d2"), t -> true, 60_000);
            AtomicReference<Throwable> besideFailure = new AtomicReference<>();
            Thread forcer = StuckThreads.start("beside-force", v::forceCompleted, besideFailure);
            inj.awaitHeld(1); // d2's pages of 0x55 are dropped; the force's error is on its way back
            Runnable healWrites = inj.holdReleasable(FaultInjector.Op.WRITE, ServicePools.image(p, "d1"),
                    t -> t.getName().equals("host-flush"), 60_000);
            AtomicReference<Throwable> flushFailure = new AtomicReference<>();
            Thread flusher = StuckThreads.start("host-flush", v::flush, flushFailure); // heals d1 from d2 first
            inj.awaitHeld(2); // the heal read d2's track 20 and is about to write it to d1
            healWrites.run();
            // until the flush waits: for the force under way (in the heal, or in its own force of d2)
            StuckThreads.awaitTrue(() -> !flusher.isAlive() || StuckThreads.waiting(flusher), "the flush to wait");
            errorGoes.run();
            forcer.join();
            flusher.join();
            assertThat(besideFailure.get()).as("the force of d2 beside the heal").isInstanceOf(WritesLostException.class);
            ServicePools.assertKeptAfterFlush(v, ServicePools.flushes(v) || ServicePools.flushes(v), 20L * TRACK, TRACK,
                    0x55, "track 20 (the heal's flush: " + flushFailure.get() + ")");
        } finally {
            inj.releaseHolds();
            inj.cutNow();
            inj.crash();
            p.abandon();
        }
    }

    /**
     * Track 20 of "v" written 0x33, a flush whose force of d1 fails (d2 holds 0x33 durably, d1 lost
     * writes), then track 20 written 0x55 (d1 and d2 take it): "v".
     */
    private static RaidVolume d1LostWritesThenTrack20Written(Pool p, FaultInjector inj) throws Exception {
        RaidVolume v = p.volume("v");
        v.write(20L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x33)));
        inj.failForcesNoSpace(ServicePools.image(p, "d1"), 1);
        assertThat(ServicePools.flushes(v)).as("the flush whose force of d1 fails").isFalse();
        v.write(20L * TRACK, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55)));
        return v;
    }
}
