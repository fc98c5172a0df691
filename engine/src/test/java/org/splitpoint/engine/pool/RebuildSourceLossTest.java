package org.splitpoint.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.splitpoint.engine.TestPools;
import org.junit.jupiter.api.io.TempDir;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A rebuild copies from a drive whose host flush fails for want of space while the copy runs: the
 * copy passed its check that no source lost writes, then the failed force dropped the source's
 * pages (a host write's among them), then the copy read the source's old bytes and wrote them to
 * the blank, over the host's write the blank held. The rows counted as rebuilt at once, so the
 * flush's heal took the source's lost track back from the blank, old, and the next flush succeeded
 * over a write no drive held. A rebuild must compare its sources' losses across its copy, as a
 * return does at its checkpoint (ServiceResync), and not count rows a loss may have tainted.
 */
class RebuildSourceLossTest {

    @TempDir
    Path tmp;

    private static final int TRACK = ServicePools.TRACK;

    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"RAID1", "RAID3"})
    void aCopyThatReadAFailedFlushsDroppedPagesIsNotCountedRebuilt(Layout layout) throws Exception {
        Path dir = ServicePools.writtenPool(tmp, layout, drives(layout));
        long at = above(layout);
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false)); // the rebuild stepped by hand
        RaidVolume v = p.volume("v");
        p.admin().failDrive("d2");
        Job rebuild = p.admin().replaceDrive("d2");
        rebuild.stepOnce(); // tracks 0..15
        v.write(at, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55))); // above the mark: d1 and the blank take it
        Path d1 = p.paths.image("d1").toAbsolutePath();
        inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d1), 1);
        Runnable forceGoes = inj.holdReleasable(FaultInjector.Op.ANY, f -> f.toAbsolutePath().equals(d1),
                t -> true, 60_000); // on whichever thread forces it
        Runnable readGoes = inj.holdReleasable(FaultInjector.Op.READ, f -> f.toAbsolutePath().equals(d1),
                t -> !t.getName().equals("main"), 60_000); // the copy's, on whichever thread reads
        AtomicReference<Throwable> flushFailure = new AtomicReference<>();
        Thread flusher = StuckThreads.start("host-flush", v::flush, flushFailure);
        inj.awaitHeld(1); // the host's flush is about to force d1 (its writes in flight drained)
        Thread stepper = new Thread(rebuild::stepOnce, "rebuild-step");
        stepper.start();
        inj.awaitHeld(2); // the rebuild's copy of tracks 16..31 checked d1 (no loss yet) and is about to read it
        forceGoes.run();
        flusher.join();
        assertThat(flushFailure.get()).as("the host flush whose force of d1 fails").isInstanceOf(IOException.class);
        readGoes.run(); // the copy reads d1 now, which dropped the write to track 20
        stepper.join();
        afterTheCopy(dir, p, inj, v, rebuild, at);
    }

    /**
     * The same loss a moment later: d1's failing force has dropped the pages, its error not back
     * yet (its loss not counted), when the copy reads d1 and compares the sources' losses. The copy
     * must wait for the forces under way before it counts the rows rebuilt.
     */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"RAID1", "RAID3"})
    void aCopyWaitsForAFailingForceUnderWayBeforeItCountsRowsRebuilt(Layout layout) throws Exception {
        Path dir = ServicePools.writtenPool(tmp, layout, drives(layout));
        long at = above(layout);
        FaultInjector inj = FaultInjector.losingUnforcedWrites();
        Pool p = Pool.open(dir, inj, new PoolOptions(false)); // the rebuild stepped by hand
        RaidVolume v = p.volume("v");
        p.admin().failDrive("d2");
        Job rebuild = p.admin().replaceDrive("d2");
        rebuild.stepOnce(); // tracks 0..15
        v.write(at, ByteBuffer.wrap(TestPools.filled(TRACK, 0x55))); // above the mark: d1 and the blank take it
        Path d1 = p.paths.image("d1").toAbsolutePath();
        inj.failForcesNoSpace(f -> f.toAbsolutePath().equals(d1), 1);
        Runnable errorGoes = inj.holdReleasable(FaultInjector.Op.FORCE_FAILED, f -> f.toAbsolutePath().equals(d1),
                t -> true, 60_000);
        AtomicReference<Throwable> flushFailure = new AtomicReference<>();
        Thread flusher = StuckThreads.start("host-flush", v::flush, flushFailure);
        inj.awaitHeld(1); // d1's pages of 0x55 are dropped; the force's error is on its way back
        Thread stepper = new Thread(rebuild::stepOnce, "rebuild-step");
        stepper.start();
        // until the copy of tracks 16..31 ends, or waits (for the force under way, or the flush's lock)
        while (stepper.isAlive() && stepper.getState() != Thread.State.WAITING && stepper.getState() != Thread.State.BLOCKED) {
            Thread.onSpinWait();
        }
        errorGoes.run();
        flusher.join();
        assertThat(flushFailure.get()).as("the host flush whose force of d1 fails").isInstanceOf(IOException.class);
        stepper.join();
        afterTheCopy(dir, p, inj, v, rebuild, at);
    }

    private static int drives(Layout layout) {
        return layout == Layout.RAID1 ? 2 : 3;
    }

    /**
     * A track above the rebuild's mark after its first step (a megabyte of each member's rows): a
     * mirror's track 20; RAID 3's first step covers volume bytes 0..2 MiB (two data drives), so track 48.
     */
    private static long above(Layout layout) {
        return (layout == Layout.RAID1 ? 20L : 48L) * TRACK;
    }

    /** Track 20 holds 0x55 after any flush that succeeds, the rebuild's end, and the reopen after a power cut. */
    private static void afterTheCopy(Path dir, Pool p, FaultInjector inj, RaidVolume v, Job rebuild, long at) throws Exception {
        boolean flushed = ServicePools.flushes(v);
        if (flushed) {
            assertThat(TestPools.only(ServicePools.read(v, at, TRACK))).as("track 20, a write a flush acknowledged")
                    .isEqualTo(0x55);
        }
        while (rebuild.stepOnce()) {
            // to its end (or its refusal)
        }
        flushed |= ServicePools.flushes(v);
        inj.cutNow();
        inj.crash();
        p.abandon();
        try (Pool q = Pool.open(dir)) {
            q.awaitJobs(j -> { });
            assertThat(q.admin().verify("v", false, null)).as("mismatched sectors after the reopen").isZero();
            byte[] t20 = ServicePools.read(q.volume("v"), at, TRACK);
            if (flushed) {
                assertThat(TestPools.only(t20)).as("track 20 after the reopen, acknowledged by a flush").isEqualTo(0x55);
            }
            for (long a = 0; a < 32L * TRACK; a += TRACK) {
                if (a != at) {
                    assertThat(TestPools.only(ServicePools.read(q.volume("v"), a, TRACK))).as("track at %d", a).isEqualTo(0x11);
                }
            }
        }
    }
}
