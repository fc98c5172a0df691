package org.splitpoint.app.bridge;

import java.time.Duration;

/**
 * Where the app runs background work: worker threads in the app ({@link BackgroundTaskExecutor}),
 * the calling thread in view-model tests ({@link CurrentThreadTaskExecutor}). Nothing that may block
 * on the engine (I/O, the pool's lock) ever runs on the FX thread; it goes through here.
 */
public interface TaskExecutor {

    /** Runs {@code task} in the background (or at once, on the caller's thread, in tests). */
    void execute(Runnable task);

    /** Runs {@code task} every {@code period} until the handle is cancelled (tests may never run it). */
    Repeating repeat(Duration period, Runnable task);

    /** Stops taking work; running tasks finish. */
    void shutdown();

    /** A handle on a repeating task. */
    interface Repeating {
        void cancel();
    }
}
