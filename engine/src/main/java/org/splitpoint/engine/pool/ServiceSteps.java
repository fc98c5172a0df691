package org.splitpoint.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.io.StorageFile;
import org.splitpoint.engine.job.Job;
import org.splitpoint.engine.job.JobState;

/**
 * The steps of a service window's reason, as a job: a firmware update (download, verify, activate,
 * reset) and a reset are simulated, timed steps; diagnostics is a real read scan of the drive's
 * image that counts the reads that fail. The drive stays OFFLINE after them, until 'drive online'.
 * Not persisted: a crash ends the steps, never the window (an event says so at the next open).
 *
 * <p>The simulated steps' length scales with the system property {@code splitpoint.serviceStepScale}
 * (1 = four seconds for a firmware update; tests use less). The ticks keep to the clock: each ends
 * a tick after the one before, so what the job does between them (its progress, a busy machine's
 * late wake-ups) is taken out of the next wait instead of added to it; a fixed 20 ms sleep per
 * tick made the four seconds about six on a loaded host. {@link #lengthMillis} is that length, the
 * one the app's forms announce.
 */
final class ServiceSteps implements org.splitpoint.engine.job.JobWork {

    /** A simulated step: its name and its length in milliseconds at scale 1. */
    record Step(String name, long millis) { }

    private static final long TICK_MILLIS = 20;
    private static final long TICK_NANOS = TICK_MILLIS * 1_000_000L;
    /**
     * Behind the clock by more than this, the ticks start again from now instead of running
     * without waits to catch up: the job was paused, or the machine stalled (not a tick's overhead).
     */
    private static final long RESTART_AFTER_NANOS = 10 * TICK_NANOS;

    /** The time the ticks keep to: the system's, or a test's that moves only when told. */
    interface Clock {
        long nanoTime();

        void sleepNanos(long nanos) throws InterruptedException;

        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleepNanos(long nanos) throws InterruptedException {
                Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
            }
        };
    }
    private static final int SCAN_CHUNK = 1 << 20;

    private final Pool pool;
    private final String drive;
    private final OfflineReason reason;
    private final List<Step> steps;
    private final long[] stepEnds; // cumulative ticks
    private final StorageFile scan;
    private final long scanBytes;
    private int announced = -1;
    private long badReads;
    private final long startNanos = System.nanoTime();
    private final Clock clock;
    /** When the tick under way ends, on {@link #clock}; 0 before the first. */
    private long tickDue;

    private ServiceSteps(Pool pool, String drive, OfflineReason reason, List<Step> steps, StorageFile scan, long scanBytes) {
        this(pool, drive, reason, steps, scan, scanBytes, Clock.SYSTEM);
    }

    /** The timed steps of {@code reason} on {@code clock}, not started as a job (tests drive them). */
    ServiceSteps(Pool pool, String drive, OfflineReason reason, Clock clock) {
        this(pool, drive, reason, stepsOf(reason), null, 0, clock);
    }

    private ServiceSteps(Pool pool, String drive, OfflineReason reason, List<Step> steps, StorageFile scan, long scanBytes,
                         Clock clock) {
        this.clock = clock;
        this.pool = pool;
        this.drive = drive;
        this.reason = reason;
        this.steps = steps;
        this.scan = scan;
        this.scanBytes = scanBytes;
        this.stepEnds = new long[steps.size()];
        long acc = 0;
        for (int i = 0; i < steps.size(); i++) {
            acc += ticks(steps.get(i));
            stepEnds[i] = acc;
        }
    }

    /** A step's ticks at the current scale: at least one, so each step is announced and counted. */
    private static long ticks(Step s) {
        return Math.max(1, scaled(s.millis()) / TICK_MILLIS);
    }

    /** True when the ticks wait (scale above 0); at scale 0 the steps take no time. */
    private static boolean ticksWait() {
        return scaled(TICK_MILLIS) > 0;
    }

    /** How long the simulated steps of {@code reason} take at the current scale, in ms (0 for none, or scale 0). */
    static long lengthMillis(OfflineReason reason) {
        if (!ticksWait()) {
            return 0;
        }
        return stepsOf(reason).stream().mapToLong(ServiceSteps::ticks).sum() * TICK_MILLIS;
    }

    /** The ticks of all the steps: the job's total. */
    long totalTicks() {
        return stepEnds.length == 0 ? 0 : stepEnds[stepEnds.length - 1];
    }

    static long scaled(long millis) {
        double scale = 1.0;
        try {
            scale = Double.parseDouble(System.getProperty("splitpoint.serviceStepScale", "1"));
        } catch (NumberFormatException ignored) {
            // the default
        }
        return Math.max(0, (long) (millis * scale));
    }

    /** The simulated steps of {@code reason} (diagnostics: none, its scan is real). */
    static List<Step> stepsOf(OfflineReason reason) {
        return switch (reason) {
            case FIRMWARE -> List.of(new Step("download", 1600), new Step("verify", 800), new Step("activate", 800),
                    new Step("reset", 800));
            case RESET -> List.of(new Step("reset", 800));
            default -> List.of();
        };
    }

    /** Starts the steps of {@code reason} for {@code drive} (pool monitor held); null when it has none. */
    static Job start(Pool pool, String drive, OfflineReason reason) throws IOException {
        if (reason == OfflineReason.REPLACEMENT) {
            return null;
        }
        String id = reason.word() + "-" + drive;
        ServiceSteps w;
        long total;
        long unit;
        if (reason == OfflineReason.DIAGNOSTICS) {
            StorageFile f = pool.storage.openRead(pool.paths.image(drive));
            long size = f.size();
            w = new ServiceSteps(pool, drive, reason, List.of(), f, size);
            total = (size + SCAN_CHUNK - 1) / SCAN_CHUNK;
            unit = SCAN_CHUNK;
        } else {
            w = new ServiceSteps(pool, drive, reason, stepsOf(reason), null, 0);
            total = w.totalTicks();
            unit = 0;
        }
        Job job = new Job(id, reason.word(), drive, 0, total, unit, false, 0, w,
                p -> pool.events.publish(Event.info("JOB_PROGRESS", id, p.line())));
        pool.startJob(job);
        return job;
    }

    /** The steps job of {@code drive} still running, or null. */
    static Job running(Pool pool, String drive) {
        for (Job j : pool.jobs) {
            if (j.target().equals(drive) && !j.state().isFinished() && isStepKind(j.kind())) {
                return j;
            }
        }
        return null;
    }

    /** True for the kinds of a service window's step jobs. */
    static boolean isStepKind(String kind) {
        return kind.equals("firmware") || kind.equals("diagnostics") || kind.equals("reset");
    }

    @Override
    public org.splitpoint.engine.job.JobWork.Step copyNext(long done) throws IOException {
        if (scan != null) {
            long at = done * SCAN_CHUNK;
            int len = (int) Math.min(SCAN_CHUNK, scanBytes - at);
            if (done == 0) {
                step("scan", "reading every byte of its image");
            }
            try {
                scan.readFully(at, ByteBuffer.allocate(len));
            } catch (IOException e) {
                badReads++;
                pool.events.publish(Event.warning("SERVICE_STEP", drive, "diagnostics of " + drive + ": bad read at byte "
                        + at + " (" + e.getMessage() + ")"));
            }
            return new org.splitpoint.engine.job.JobWork.Step(1, len);
        }
        int i = 0;
        while (i < stepEnds.length - 1 && done >= stepEnds[i]) {
            i++;
        }
        if (i != announced) {
            announced = i;
            step(steps.get(i).name(), "step " + (i + 1) + " of " + steps.size());
        }
        try {
            awaitTickEnd();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("the " + reason.word() + " steps of " + drive + " were interrupted");
        }
        return new org.splitpoint.engine.job.JobWork.Step(1, 0);
    }

    /** Waits until this tick ends: a tick after the last one ended, less what passed since. */
    private void awaitTickEnd() throws InterruptedException {
        if (!ticksWait()) {
            return;
        }
        long now = clock.nanoTime();
        if (tickDue == 0 || now - tickDue > RESTART_AFTER_NANOS) {
            tickDue = now; // the first tick, or after a pause: the rest take their time from now
        }
        tickDue += TICK_NANOS;
        long wait = tickDue - now;
        if (wait > 0) {
            clock.sleepNanos(wait);
        }
    }

    private void step(String name, String detail) {
        pool.events.publish(Event.info("SERVICE_STEP", drive, reason.word() + " of " + drive + ": " + name + " (" + detail + ")"));
    }

    /** A firmware update's or a reset's steps finished by {@code done} ticks; null for the scan, which reads bytes. */
    @Override
    public org.splitpoint.engine.job.JobWork.Steps steps(long done) {
        if (scan != null) {
            return null;
        }
        int finished = 0;
        while (finished < stepEnds.length && done >= stepEnds[finished]) {
            finished++;
        }
        return new org.splitpoint.engine.job.JobWork.Steps(finished, steps.size());
    }

    /** The scan counts its reads of {@link #SCAN_CHUNK} bytes: mebibytes, not tracks. */
    @Override
    public String unit() {
        return scan != null ? "MiB" : "ticks";
    }

    @Override
    public void checkpoint(long doneUpTo) {
        // nothing durable: the steps are not resumed
    }

    @Override
    public void finished() {
        closeScan();
        double secs = (System.nanoTime() - startNanos) / 1e9;
        String what = scan != null
                ? "diagnostics of " + drive + " done: read " + Sizes.format(scanBytes) + ", " + badReads + " bad reads"
                : reason.word() + " of " + drive + " done (" + String.join(", ", steps.stream().map(Step::name).toList()) + ")";
        pool.events.publish((badReads > 0 ? Event.warning("SERVICE_STEP", drive, what + String.format(" in %.1f s", secs))
                : Event.info("SERVICE_STEP", drive, what + String.format(" in %.1f s", secs) + (Drill.runsOn(pool, drive)
                        // a drill's steps: the drill brings the drive back itself ("bring it back" sent the
                        // administrator to the bay in the middle of a drill's writes)
                        ? "; the drill brings it back when its window ends" : "; bring it back with 'drive online'"))));
    }

    @Override
    public void stopped(JobState state, Exception error) {
        closeScan();
        pool.events.publish(Event.warning("SERVICE_STEP", drive, reason.word() + " of " + drive + " "
                + (state == JobState.CANCELLED ? "cancelled" : "failed: " + (error == null ? "" : error.getMessage()))
                + (Drill.runsOn(pool, drive) ? "; the drill brings it back" : "; the drive stays OFFLINE")));
    }

    private void closeScan() {
        if (scan != null) {
            try {
                scan.close();
            } catch (IOException ignored) {
                // read-only
            }
        }
    }

    /** Bad reads the scan met (diagnostics). */
    long badReads() {
        return badReads;
    }
}
