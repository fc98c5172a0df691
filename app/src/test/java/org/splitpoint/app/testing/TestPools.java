package org.splitpoint.app.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.splitpoint.app.bridge.DemoPool;

/** Small demo pools for tests: 6 drives of 4 MiB, 64 KiB tracks, "db" (raid5 d1..d4) and "logs" (raid1 d5,d6). */
public final class TestPools {

    public static final long DRIVE_SIZE = 4L << 20;

    private TestPools() {
    }

    public static Path demo(Path parent) throws Exception {
        Path dir = parent.resolve("pool");
        DemoPool.create(dir, DRIVE_SIZE, DemoPool.TRACK_SIZE);
        return dir;
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
