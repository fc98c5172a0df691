package org.splitpoint.app.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.splitpoint.app.bridge.DemoPool;

/**
 * Small demo pools for tests: 6 drives of 4 MiB, 64 KiB tracks, "prod" (raid5 d1..d3, 8 MiB = 128
 * tracks) and "prod-bcv" (raid5 d4..d6), paired as "prod-pair", Synchronized.
 */
public final class TestPools {

    public static final long DRIVE_SIZE = 4L << 20;

    private TestPools() {
    }

    /**
     * Drives of 32 MiB: volumes of 1024 tracks, for pair tests whose copy must last long enough for
     * host reads to overtake it (the engine copies up to 8 MiB in one step).
     */
    public static final long PAIR_DRIVE_SIZE = 32L << 20;

    public static Path demo(Path parent) throws Exception {
        return demo(parent, DRIVE_SIZE);
    }

    public static Path demo(Path parent, long driveSize) throws Exception {
        Path dir = parent.resolve("pool");
        DemoPool.create(dir, driveSize, DemoPool.TRACK_SIZE);
        return dir;
    }

    /**
     * A plain pool for drills: five drives of {@code driveSize}, "prod" (raid5 d1..d3, blank, no pair),
     * d4 and d5 SPARE. Quicker to make than the demo (nothing is filled or copied).
     */
    public static Path plain(Path parent, long driveSize) throws Exception {
        Path dir = parent.resolve("pool");
        org.splitpoint.engine.pool.Pool.create(dir, 5, driveSize, DemoPool.TRACK_SIZE,
                org.splitpoint.engine.io.StorageFactory.real());
        try (org.splitpoint.engine.pool.Pool pool = org.splitpoint.engine.pool.Pool.open(dir)) {
            pool.admin().createVolume("prod", org.splitpoint.engine.pool.Layout.RAID5, java.util.List.of("d1", "d2", "d3"), 0);
        }
        return dir;
    }

    /** Runs {@code call} on the bridge's executor and waits for its result (a host, in a test). */
    public static <T> T call(org.splitpoint.app.bridge.PoolBridge bridge, org.splitpoint.app.bridge.EngineCall<T> call)
            throws Exception {
        java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
        bridge.run(call, f::complete, why -> f.completeExceptionally(new AssertionError(why)));
        return f.get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Polls {@code condition}, running {@code tick} between polls, until it holds or {@code timeout} passes. */
    public static boolean await(Duration timeout, Runnable tick, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            tick.run();
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        tick.run();
        return condition.getAsBoolean();
    }
}
