package org.splitpoint.app.restore;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javafx.beans.binding.Bindings;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleLongProperty;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.jobs.JobsViewModel;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.job.JobState;

/**
 * The bulk copy of an instant restore (its job; a restore from a backup or to a snapshot): a throttle bound to the job's — shown as the job
 * has it when first seen (a restore resumed at open keeps its saved limit), applied at once when
 * moved, values set while one is on its way folded into the next — pause or resume, and cancel.
 */
public final class BulkControl {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final AtomicLong pendingThrottle = new AtomicLong(-1);
    private final AtomicBoolean throttleInFlight = new AtomicBoolean();
    private String jobId;
    private boolean adopting;
    private boolean adopted;

    // ---- properties
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper paused = new ReadOnlyBooleanWrapper();
    private final LongProperty throttle = new SimpleLongProperty(0);
    private final ReadOnlyStringWrapper pauseBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper cancelBlocked = new ReadOnlyStringWrapper();

    public BulkControl(PoolBridge bridge, ActionStatus status) {
        this.bridge = bridge;
        this.status = status;
        throttle.addListener((o, was, now) -> {
            if (!adopting) {
                applyThrottle(now.longValue());
            }
        });
        pauseBlocked.bind(Bindings.when(running).then("").otherwise("no bulk copy is running"));
        cancelBlocked.bind(Bindings.when(running).then("").otherwise("no restore is running"));
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty pausedProperty() {
        return paused.getReadOnlyProperty();
    }

    /** The bulk copy's limit in bytes per second, 0 = unlimited (input; applies at once). */
    public LongProperty throttleProperty() {
        return throttle;
    }

    public ReadOnlyStringProperty pauseBlockedProperty() {
        return pauseBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty cancelBlockedProperty() {
        return cancelBlocked.getReadOnlyProperty();
    }

    /** The job as the latest snapshot shows it (null: none). */
    public void apply(JobProgress j) {
        boolean live = j != null && !j.state().isFinished();
        running.set(live);
        paused.set(live && j.state() == JobState.PAUSED);
        if (j != null && j.state().isFinished()) {
            adopted = false; // the next restore's limit is shown as it has it
        }
        if (!live) {
            // a sample that does not show the job (not listed yet, or for a moment) is no new job:
            // adopting its limit again would undo a limit the user just set and the job has not yet
            return;
        }
        jobId = j.id();
        if (!adopted) {
            adopted = true;
            long wanted = pendingThrottle.get();
            if (wanted >= 0) {
                applyThrottle(wanted); // the user chose a limit before the job showed: it stands
            } else {
                adopting = true;
                throttle.set(j.throttle());
                adopting = false;
            }
        }
    }

    // ---- commands

    public void pauseOrResume() {
        if (jobId != null && pauseBlocked.get().isEmpty()) {
            JobsViewModel.pauseOrResume(bridge, status, jobId, paused.get(), "the bulk copy");
        }
    }

    /** Cancels the restore (after the typed confirmation): the volume stays partly restored. */
    public void cancel() {
        String id = jobId;
        if (id == null || !cancelBlocked.get().isEmpty()) {
            return;
        }
        status.started("Cancelling " + id + "…");
        bridge.run(pool -> {
            var job = pool.job(id);
            job.cancel();
            job.await(30_000);
            return job.state().name();
        }, st -> status.succeeded("Job " + id + " is " + st + "; the volume stays partly restored"), status::failed);
    }

    private void applyThrottle(long bytesPerSecond) {
        pendingThrottle.set(bytesPerSecond);
        if (jobId == null || !running.get() || !throttleInFlight.compareAndSet(false, true)) {
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
}
