package org.splitpoint.app.bridge;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The app's executor: daemon worker threads for engine calls, one timer thread for refreshes. */
public final class BackgroundTaskExecutor implements TaskExecutor {

    private final ExecutorService workers = Executors.newCachedThreadPool(daemon("splitpoint-worker-"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("splitpoint-timer-"));

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void execute(Runnable task) {
        workers.execute(task);
    }

    @Override
    public Repeating repeat(Duration period, Runnable task) {
        long ms = period.toMillis();
        ScheduledFuture<?> f = timer.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // a failed tick must not end the timer; the next tick tries again
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void shutdown() {
        // never shutdownNow: interrupting a thread inside file I/O closes the engine's FileChannel
        // (ClosedByInterruptException), and the engine then fails the drive
        timer.shutdown();
        workers.shutdown();
    }
}
