package org.splitpoint.app.pair;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javafx.beans.binding.Bindings;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleLongProperty;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.PairAdmin.PairView;

/**
 * A pair's copy (establish or restore) as the console shows it: progress with %, MB/s and ETA,
 * and its controls — a throttle that applies to the running copy at once and to the next one, pause
 * or resume, cancel. A copy that finished between two refreshes still ends at 100%.
 */
public final class CopyControl {

    /** Throttle steps offered, bytes per second; 0 (the last) is unlimited. */
    public static final long[] THROTTLE_STEPS = {1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000,
        50_000_000, 100_000_000, 200_000_000, 500_000_000, 0};

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final Expectations expectations;
    private final AtomicLong pendingThrottle = new AtomicLong(-1);
    private final AtomicBoolean throttleInFlight = new AtomicBoolean();
    private String jobId;
    private String kind;
    private boolean awaitingStart;
    private PairView last;
    private boolean adopting;
    private boolean adopted;

    // ---- properties
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper progressText = new ReadOnlyStringWrapper("no copy running");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper paused = new ReadOnlyBooleanWrapper();
    private final LongProperty throttle = new SimpleLongProperty(0);
    private final ReadOnlyStringWrapper pauseBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper cancelBlocked = new ReadOnlyStringWrapper();

    CopyControl(PoolBridge bridge, ActionStatus status, Expectations expectations) {
        this.bridge = bridge;
        this.status = status;
        this.expectations = expectations;
        throttle.addListener((o, was, now) -> {
            if (!adopting) {
                applyThrottle(now.longValue());
            }
        });
        pauseBlocked.bind(Bindings.when(running).then("").otherwise("no copy is running"));
        cancelBlocked.bind(Bindings.when(running).then("").otherwise("no copy is running"));
    }

    /** 0..1 of the running (or just finished) copy. */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    /** "42.1% · 180.3 MB/s · ETA 0:12", "restore finished · 100%", or "no copy running". */
    public ReadOnlyStringProperty progressTextProperty() {
        return progressText.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty pausedProperty() {
        return paused.getReadOnlyProperty();
    }

    /** Bytes per second for the copy, 0 = unlimited (input; applies while running). */
    public LongProperty throttleProperty() {
        return throttle;
    }

    public ReadOnlyStringProperty pauseBlockedProperty() {
        return pauseBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty cancelBlockedProperty() {
        return cancelBlocked.getReadOnlyProperty();
    }

    long limit() {
        return throttle.get();
    }

    /** A copy of {@code what} ("restore") was asked for; null when the request failed. */
    void starting(String what) {
        kind = what;
        awaitingStart = what != null;
        if (what != null) {
            progress.set(0);
            progressText.set(what + " starting…");
        }
    }

    /**
     * The engine accepted the copy. A query taken meanwhile may predate it, so only from now on does
     * "no job and not copying" mean the copy finished (a small one can finish before any refresh).
     */
    void started() {
        awaitingStart = false;
        if (last != null) {
            apply(last);
        }
    }

    void apply(PairView p) {
        last = p;
        JobProgress j = p.job();
        if (j != null && !p.state().copying()) {
            kind = j.kind(); // the pair left RestInProg/SyncInProg before its job said DONE: it is done
            awaitingStart = false;
            j = null;
        }
        if (j != null) {
            awaitingStart = false;
            jobId = j.id();
            kind = j.kind();
            running.set(true);
            paused.set(j.state() == JobState.PAUSED);
            progress.set(j.fraction());
            progressText.set(Format.progress(j.fraction(), j.bytesPerSecond(), j.etaSeconds(), paused.get()));
            if (!adopted) { // a copy resumed at open keeps its saved limit: show it rather than pretend none
                adopted = true;
                adopting = true;
                throttle.set(j.throttle());
                adopting = false;
            }
            return;
        }
        adopted = true;
        running.set(false);
        paused.set(false);
        if (p.state().copying()) {
            progressText.set(p.state() + ": the copy is not running; issue the "
                    + (p.state() == org.splitpoint.engine.pair.PairState.RestInProg ? "restore" : "establish")
                    + " again to resume it");
        } else if (kind != null && !awaitingStart) {
            progress.set(1);
            progressText.set(kind + " finished · 100%");
            kind = null;
            jobId = null;
        }
    }

    // ---- commands

    public void pauseOrResume() {
        String id = jobId;
        if (id == null || !pauseBlocked.get().isEmpty()) {
            return;
        }
        org.splitpoint.app.jobs.JobsViewModel.pauseOrResume(bridge, status, id, paused.get(), id);
    }

    /** Cancels the running copy; a cancelled restore leaves the STD partly restored and the pair Split. */
    public void cancel() {
        String id = jobId;
        if (id == null || !cancelBlocked.get().isEmpty()) {
            return;
        }
        status.started("Cancelling " + id + "…");
        bridge.run(org.splitpoint.app.bridge.HolderAction.of(org.splitpoint.app.bridge.HolderCommands.cancelJob(id),
                org.splitpoint.app.bridge.HolderCommands::jobState, pool -> PairJobs.cancel(pool, id, expectations)),
                st -> status.succeeded("Job " + id + " is " + st), status::failed);
    }

    /** Applies the latest throttle to the running copy; values set while one is on its way fold into the next. */
    private void applyThrottle(long bytesPerSecond) {
        pendingThrottle.set(bytesPerSecond);
        if (jobId == null || !throttleInFlight.compareAndSet(false, true)) {
            return;
        }
        String id = jobId;
        bridge.run(pool -> {
            long v;
            while ((v = pendingThrottle.getAndSet(-1)) >= 0) {
                pool.job(id).setThrottle(v);
            }
            return null;
        }, ok -> {
            throttleInFlight.set(false);
            if (pendingThrottle.get() >= 0) {
                applyThrottle(pendingThrottle.get());
            }
        }, why -> {
            throttleInFlight.set(false);
            status.failed(why);
        });
    }

    /** The index in {@link #THROTTLE_STEPS} of {@code v}, or of the step just below it (unlimited for 0). */
    public static int stepOf(long v) {
        long[] steps = THROTTLE_STEPS;
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] == v) {
                return i;
            }
        }
        int best = steps.length - 1; // unlimited, unless a step is close
        for (int i = 0; i < steps.length - 1; i++) {
            if (v > 0 && steps[i] <= v) {
                best = i;
            }
        }
        return best;
    }

    /** "20 MB/s" or "unlimited". */
    public static String describe(long bytesPerSecond) {
        return bytesPerSecond <= 0 ? "unlimited" : Format.rate(bytesPerSecond).replace(".0 MB/s", " MB/s");
    }
}
