package org.splitpoint.engine.pool;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a holder of the pool ({@code serve}, the app) looks at every {@link #PERIOD}: the drive
 * images under it ({@link DriveImageCheck}: one removed or resized is found within a period), and
 * restores waiting for a backup store that could not be read ({@link BackupAdmin#retryWaiting}:
 * they go on once it can, every ten seconds at most). A short CLI command holds the pool too briefly
 * to need either.
 */
public final class HolderChecks {

    /** How often a holder looks. */
    public static final java.time.Duration PERIOD = java.time.Duration.ofSeconds(2);

    private HolderChecks() {
    }

    /** One pass; returns the sentences of what it found or changed now (empty when nothing). */
    public static List<String> run(Pool pool) throws IOException {
        List<String> out = new ArrayList<>(DriveImageCheck.run(pool));
        out.addAll(RestoreAdmin.retryWaiting(pool));
        return out;
    }

    /**
     * Runs {@link #run} every {@link #PERIOD} on a daemon thread of its own until closed ({@code
     * serve}; the app runs it on its own timer). A pass that fails is logged and the next one tries again.
     */
    public static AutoCloseable watch(Pool pool) {
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "splitpoint-holder-checks");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                run(pool);
            } catch (IOException | RuntimeException e) {
                System.getLogger(HolderChecks.class.getName()).log(System.Logger.Level.WARNING,
                        "holder checks: " + e.getMessage());
            }
        }, PERIOD.toMillis(), PERIOD.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        // not shutdownNow: an interrupt reaching a pass's I/O (a drive failed on record, a restore
        // resumed) made the JDK close the channel under it; a pass under way ends, waited for a while
        return () -> {
            timer.shutdown();
            try {
                timer.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }
}
