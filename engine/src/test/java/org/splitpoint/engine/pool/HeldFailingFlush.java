package org.splitpoint.engine.pool;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.splitpoint.engine.io.FaultInjector;
import org.splitpoint.engine.raid.RaidVolume;

/**
 * A host flush whose force of one drive fails for want of space (or with EIO: {@link #startEio}),
 * held after the failed force dropped the drive's unforced pages and before its error is back (the
 * loss not counted yet, the drive not failed yet): the moment the lost-write scenes put a reader
 * in, which takes the old bytes while no count shows it.
 */
final class HeldFailingFlush {

    private final Thread flusher;
    private final AtomicReference<Throwable> failure;
    private final Runnable errorGoes;

    private HeldFailingFlush(Thread flusher, AtomicReference<Throwable> failure, Runnable errorGoes) {
        this.flusher = flusher;
        this.failure = failure;
        this.errorGoes = errorGoes;
    }

    /** Starts {@code v}'s flush on a thread "host-flush" and returns once {@code drive}'s failed force holds. */
    static HeldFailingFlush start(FaultInjector inj, Pool p, RaidVolume v, String drive) throws InterruptedException {
        return start(inj, p, v, drive, true);
    }

    /** As {@link #start}, the force failing with EIO (a writeback error of the drive itself). */
    static HeldFailingFlush startEio(FaultInjector inj, Pool p, RaidVolume v, String drive) throws InterruptedException {
        return start(inj, p, v, drive, false);
    }

    private static HeldFailingFlush start(FaultInjector inj, Pool p, RaidVolume v, String drive, boolean noSpace)
            throws InterruptedException {
        Predicate<Path> image = ServicePools.image(p, drive);
        if (noSpace) {
            inj.failForcesNoSpace(image, 1);
        } else {
            inj.failForces(image, 1);
        }
        Runnable errorGoes = inj.holdReleasable(FaultInjector.Op.FORCE_FAILED, image, t -> true, 60_000);
        long held = inj.waitingOnHolds();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread flusher = StuckThreads.start("host-flush", v::flush, failure);
        inj.awaitHeld(held + 1); // the pages are dropped; the force's error is on its way back
        return new HeldFailingFlush(flusher, failure, errorGoes);
    }

    /**
     * Lets the force's error return once {@code reader} waits (for the force under way, or for a
     * lock after it) or has ended, then waits for the flush to end; returns what it threw.
     */
    Throwable releaseOnceWaiting(Thread reader) throws Exception {
        StuckThreads.awaitTrue(() -> !reader.isAlive() || StuckThreads.waiting(reader), reader.getName() + " to wait or end");
        errorGoes.run();
        flusher.join();
        return failure.get();
    }
}
