package org.splitpoint.app.bridge;

import java.time.Duration;

/**
 * Runs every task at once on the calling thread and never runs repeating tasks, so a view-model test
 * is deterministic: after a command returns, its engine call and the refresh that follows are done.
 */
public final class CurrentThreadTaskExecutor implements TaskExecutor {

    @Override
    public void execute(Runnable task) {
        task.run();
    }

    @Override
    public Repeating repeat(Duration period, Runnable task) {
        return () -> { };
    }

    @Override
    public void shutdown() {
        // nothing to stop
    }
}
