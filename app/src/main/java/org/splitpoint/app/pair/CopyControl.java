package org.splitpoint.app.pair;

import javafx.beans.binding.Bindings;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.jobs.JobThrottle;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.PairAdmin.PairView;

/**
 * A pair's copy (establish or restore) as the console shows it: progress with %, MB/s and ETA,
 * and its controls — the copy job's own limit ({@link JobThrottle}: the same value the Jobs row and
 * {@code job throttle} show and set, followed live; with no copy running, the limit the next one
 * starts with), pause or resume, cancel. When the copy ends, the last line comes from the job's own end
 * state (the engine keeps a few finished jobs): "restore finished · 100%" only when it finished, else
 * "restore cancelled at 43% · 1,204 tracks not restored" or "restore failed at 43%: why", the bar
 * staying where the copy stopped. A copy that finished between two refreshes still ends at 100%.
 */
public final class CopyControl {

    /** Throttle steps offered, bytes per second; 0 (the last) is unlimited. */
    public static final long[] THROTTLE_STEPS = {1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000,
        50_000_000, 100_000_000, 200_000_000, 500_000_000, 0};

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final Expectations expectations;
    private final JobThrottle throttle;
    private String jobId;
    private String kind;
    private boolean awaitingStart;
    private PairView last;

    // ---- properties
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper progressText = new ReadOnlyStringWrapper("no copy running");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper paused = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper pauseBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper cancelBlocked = new ReadOnlyStringWrapper();

    CopyControl(PoolBridge bridge, ActionStatus status, Expectations expectations) {
        this.bridge = bridge;
        this.status = status;
        this.expectations = expectations;
        this.throttle = new JobThrottle(bridge, status);
        pauseBlocked.bind(Bindings.when(running).then("").otherwise("no copy is running"));
        cancelBlocked.bind(Bindings.when(running).then("").otherwise("no copy is running"));
    }

    /** 0..1 of the running (or just finished) copy. */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    /** "42.1% · 180.3 MB/s · ETA 0:12", "restore finished · 100%", "restore cancelled at 43% · …", or "no copy running". */
    public ReadOnlyStringProperty progressTextProperty() {
        return progressText.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty pausedProperty() {
        return paused.getReadOnlyProperty();
    }

    /** The copy job's limit in bytes per second, 0 = unlimited (input: applies to the running copy at once). */
    public LongProperty throttleProperty() {
        return throttle.limitProperty();
    }

    public ReadOnlyStringProperty pauseBlockedProperty() {
        return pauseBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty cancelBlockedProperty() {
        return cancelBlocked.getReadOnlyProperty();
    }

    /** The limit a copy about to start gets from its first step: the one shown. */
    long limitForStart() {
        return throttle.takeForStart();
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
     * The engine accepted the copy as job {@code id}. A query taken meanwhile may predate it, so only
     * from now on does "no job and not copying" mean the copy ended (a small one can end before any refresh).
     */
    void started(String id) {
        awaitingStart = false;
        jobId = id;
        if (last != null) {
            apply(last);
        }
    }

    void apply(PairView p) {
        last = p;
        JobProgress j = p.job();
        if (j != null && !p.state().copying()) {
            kind = j.kind(); // the pair left RestInProg/SyncInProg before its job said how it ended
            jobId = j.id();
            awaitingStart = false;
            j = null;
        }
        if (j != null) {
            stalledShown = false;
            awaitingStart = false;
            jobId = j.id();
            kind = j.kind();
            running.set(true);
            paused.set(j.state() == JobState.PAUSED);
            progress.set(j.fraction());
            progressText.set(Format.progress(j.fraction(), j.bytesPerSecond(), j.etaSeconds(), paused.get()));
            throttle.follow(j); // the job's own limit, whoever set it (a copy resumed at open keeps its saved one)
            return;
        }
        throttle.follow(null);
        running.set(false);
        paused.set(false);
        if (p.copyCancelled()) {
            stalledShown = true;
            progressText.set("establish cancelled: " + p.bcv() + " holds a partly copied image (" + Format.tracks(
                    p.stdInvalidTracks()) + " still to copy); establish again to finish it");
        } else if (p.state().copying()) {
            stalledShown = true;
            progressText.set(p.state().described() + ": the copy is not running; issue the "
                    + (p.state() == org.splitpoint.engine.pair.PairState.RestInProg ? "restore" : "establish")
                    + " again to resume it");
        } else if (stalledShown && kind == null && !awaitingStart) {
            // a copy this console never saw running (the CLI's, through this app, ended between two queries)
            // left the "not running" line of a query taken before its job showed, under a Synchronized pair
            stalledShown = false;
            progress.set(0);
            progressText.set("no copy running");
        } else if (kind != null && !awaitingStart) {
            stalledShown = false; // the end line says how it ended
            throttle.ended();
            showEnd(kind, jobId);
            kind = null;
            jobId = null;
        } else if (endedIn != null && p.state() != endedIn && !awaitingStart) {
            // a later operation (a split after the establish, say) made the last copy's line old news
            endedIn = null;
            progress.set(0);
            progressText.set("no copy running");
        }
    }

    /** True while the line says the pair's copy is not running (SyncInProg or RestInProg with no job). */
    private boolean stalledShown;

    /** The pair's state when the last copy's end line was shown; null when none is shown. */
    private org.splitpoint.engine.pair.PairState endedIn;

    /** Shows how job {@code id} ended, as the engine says (in the background: it may still be writing its end). */
    private void showEnd(String what, String id) {
        if (id == null) { // ended before this console saw its id: it was accepted and is gone, so it finished
            showEnd(what, (JobProgress) null);
            return;
        }
        bridge.run(pool -> {
            org.splitpoint.engine.job.Job job = pool.job(id);
            if (!job.state().isFinished()) {
                if (pool.pairs().get(job.target()).state().copying()) {
                    return null; // still copying: the view that said otherwise predates the job (never wait on it)
                }
                job.await(5_000); // the pair leaves RestInProg a moment before its job records DONE
            }
            return job.progress();
        }, end -> {
            if (end != null) {
                showEnd(what, end);
            }
        }, why -> showEnd(what, (JobProgress) null));
    }

    private void showEnd(String what, JobProgress end) {
        if (running.get() || awaitingStart) {
            return; // a newer copy started meanwhile: its line wins
        }
        progress.set(end == null || end.state() == JobState.DONE ? 1 : end.fraction());
        progressText.set(endLine(what, end));
        endedIn = last == null ? null : last.state();
    }

    /** "restore finished · 100%", "restore cancelled at 43% · 1,204 tracks not restored", "establish failed at 12%: why". */
    static String endLine(String what, JobProgress end) {
        if (end == null || end.state() == JobState.DONE || !end.state().isFinished()) {
            return what + " finished · 100%";
        }
        String at = String.format(java.util.Locale.ROOT, " at %.0f%%", Math.floor(end.fraction() * 100));
        if (end.state() == JobState.CANCELLED) {
            long left = Math.max(0, end.totalTracks() - end.doneTracks());
            return what + " cancelled" + at + " · " + Format.tracks(left) + " not "
                    + ("restore".equals(what) ? "restored" : "copied");
        }
        return what + " failed" + at + (end.message() == null || end.message().isBlank() ? "" : ": " + end.message());
    }

    // ---- commands

    public void pauseOrResume() {
        String id = jobId;
        if (id == null || !pauseBlocked.get().isEmpty()) {
            return;
        }
        String what = (kind == null ? "copy" : kind) + " of pair " + (last == null ? "" : last.name()); // "the restore of prod-pair", not its job id
        org.splitpoint.app.jobs.JobsViewModel.pauseOrResume(bridge, status, id, paused.get(), "the " + what);
    }

    /** The kind of the running copy ("restore", "establish"), or null: for the cancel confirmation. */
    public String runningKind() {
        return running.get() ? kind : null;
    }

    /** Cancels the running copy; a cancelled restore leaves the STD partly restored and the pair Split. */
    public void cancel() {
        String id = jobId;
        if (id == null || !cancelBlocked.get().isEmpty()) {
            return;
        }
        status.started("Cancelling " + id + "…");
        bridge.run(org.splitpoint.app.bridge.HolderAction.cancelJob(id, pool -> PairJobs.cancel(pool, id, expectations)),
                st -> status.succeeded("Job " + id + " is " + st), status::failed);
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
