package org.splitpoint.app.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.splitpoint.app.bridge.CurrentThreadTaskExecutor;
import org.splitpoint.app.bridge.PoolBridge;

/**
 * The app attached to a {@code serve} holder of a pool, no toolkit: the holder (in this process),
 * the bridge over its control socket, the UI queue the bridge posts to, and a wait that drains it.
 * Close it after the test: the bridge leaves, then the holder stops.
 */
public final class Attached implements AutoCloseable {

    /** How long a condition may take to show: a loaded 2-CPU CI box. */
    public static final Duration WAIT = Duration.ofSeconds(60);

    public final ManualUi ui = new ManualUi();
    public final ServeHolder holder;
    public final PoolBridge bridge;

    public Attached(Path pool) throws Exception {
        holder = new ServeHolder(pool);
        bridge = PoolBridge.open(pool, new CurrentThreadTaskExecutor(), ui);
        assertThat(bridge.attachedTo()).startsWith("serve, pid ");
    }

    /** Waits, draining the UI queue, until {@code condition} holds; fails after {@link #WAIT}. */
    public void shows(BooleanSupplier condition) throws InterruptedException {
        assertThat(TestPools.await(WAIT, ui::drain, condition)).as("shown within " + WAIT).isTrue();
    }

    @Override
    public void close() throws Exception {
        bridge.close();
        holder.close();
    }
}
