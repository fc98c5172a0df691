package org.splitpoint.app.snapshot;

import java.util.List;
import java.util.Locale;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.splitpoint.app.bridge.Coalescer;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.bridge.TaskExecutor;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.pair.PairJobs;
import org.splitpoint.app.restore.BulkControl;
import org.splitpoint.app.restore.InstantRestoreViewModel;
import org.splitpoint.app.restore.RestoreSample;
import org.splitpoint.app.restore.RestoreSampler;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.SnapshotAdmin;

/**
 * A volume's restore to a snapshot as its snapshot card shows it: the track map (restored, still
 * to restore, served on demand; the engine runs it as an instant restore, so it is sampled and
 * drawn as the backup restore's map is, ten times a second while shown), the on-demand read
 * counter, the copy's progress with rate and ETA from its job, pause or resume ({@link
 * BulkControl}) and cancel. Shown while the restore runs and, once it ended, until dismissed.
 */
public final class SnapshotRestoreViewModel {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final Expectations expectations;
    private final String volume;
    private final String jobId;
    private final RestoreSampler sampler;
    private final Coalescer<RestoreSample> samples;
    private final BulkControl bulk;
    private TaskExecutor.Repeating sampling;
    private String safety;
    private boolean shown;
    private boolean seenRunning;

    // ---- properties
    private final ReadOnlyBooleanWrapper visible = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper ended = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper safetyLine = new ReadOnlyStringWrapper("");
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper progressText = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper onDemand = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper mapInfo = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<RestoreSample> sample = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper snapshotName = new ReadOnlyStringWrapper("");

    SnapshotRestoreViewModel(PoolBridge bridge, ActionStatus status, Expectations expectations, String volume) {
        this.bridge = bridge;
        this.status = status;
        this.expectations = expectations;
        this.volume = volume;
        this.jobId = SnapshotAdmin.restoreJobId(volume);
        this.sampler = new RestoreSampler(volume, pool -> pool.snapshots().restoreOf(volume), jobId);
        this.samples = new Coalescer<>(bridge.ui(), Coalescer.latestWins(), this::applySample);
        this.bulk = new BulkControl(bridge, status);
    }

    public String volume() {
        return volume;
    }

    /** True while the restore runs, and after it ended until dismissed. */
    public ReadOnlyBooleanProperty visibleProperty() {
        return visible.getReadOnlyProperty();
    }

    /** True while the restore's copy runs or is paused. */
    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** True once the restore seen running ended (finished or cancelled). */
    public ReadOnlyBooleanProperty endedProperty() {
        return ended.getReadOnlyProperty();
    }

    /** "Restoring prod to snapshot snap-20261202-0812", "Restored prod to …" once done. */
    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    /** The snapshot restored to (its name), or empty. */
    public ReadOnlyStringProperty snapshotProperty() {
        return snapshotName.getReadOnlyProperty();
    }

    /** What the safety snapshot keeps, or that there is none. */
    public ReadOnlyStringProperty safetyLineProperty() {
        return safetyLine.getReadOnlyProperty();
    }

    /** 0..1: tracks copied back of those to copy. */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    /** "42.1% · 12.3 MB/s · ETA 0:12 · 10/24 tracks", or how the restore ended. */
    public ReadOnlyStringProperty progressTextProperty() {
        return progressText.getReadOnlyProperty();
    }

    /** "3 tracks read on demand · 2/s". */
    public ReadOnlyStringProperty onDemandProperty() {
        return onDemand.getReadOnlyProperty();
    }

    /** "2,048 tracks × 64 KiB · 2,030 current". */
    public ReadOnlyStringProperty mapInfoProperty() {
        return mapInfo.getReadOnlyProperty();
    }

    /** The latest track map; null until sampled. */
    public ReadOnlyObjectProperty<RestoreSample> sampleProperty() {
        return sample.getReadOnlyProperty();
    }

    /** Pause, resume, cancel of the copy. */
    public BulkControl bulk() {
        return bulk;
    }

    // ---- updates

    /** Takes a new snapshot (UI thread): the restore's job and record. */
    public void apply(PoolSnapshot s) {
        JobProgress j = null;
        for (JobProgress p : s.jobs()) {
            if (p.id().equals(jobId)) {
                j = p;
            }
        }
        bulk.apply(j);
        boolean live = j != null && !j.state().isFinished();
        PoolSnapshot.SnapshotRestoreView r = s.snapshotRestore(volume);
        if (r != null) {
            snapshotName.set(r.snapshot());
            String to = r.source().equals(volume) ? r.snapshot() : r.source() + "@" + r.snapshot();
            title.set("Restoring " + volume + " to snapshot " + to);
            safety = r.safety();
        }
        safetyLine.set(safetyLine(s));
        if (live && !running.get()) {
            seenRunning = true;
            ended.set(false);
            visible.set(true);
        }
        running.set(live);
        if (live) {
            progress.set(j.fraction());
            progressText.set(Format.progress(j.fraction(), j.bytesPerSecond(), j.etaSeconds(),
                    j.state() == JobState.PAUSED) + " · " + Format.count(j.doneTracks()) + "/"
                    + Format.count(j.totalTracks()) + " tracks");
        } else if (j != null && seenRunning && !ended.get()) {
            end(j);
        }
        updateSampling();
    }

    /** What the safety snapshot keeps, as long as it does (the save area filling up makes it invalid). */
    private String safetyLine(PoolSnapshot s) {
        if (safety == null) {
            return title.get().isEmpty() ? "" : "No safety snapshot was taken: what " + volume + " held before is gone"
                    + " once restored.";
        }
        SnapshotAdmin.Info i = s.snapshotsOf(volume).stream().filter(x -> x.name().equals(safety)).findFirst().orElse(null);
        if (i == null) {
            return "Safety snapshot " + safety + " was deleted: this restore can no longer be undone.";
        }
        if (!SnapshotAdmin.VALID.equals(i.state())) {
            return "Safety snapshot " + safety + " is INVALID (" + i.why() + "): this restore can no longer be undone.";
        }
        return "Safety snapshot " + safety + " keeps what " + volume + " held before: restore it to undo this restore.";
    }

    private void end(JobProgress j) {
        ended.set(true);
        if (j.state() == JobState.DONE) {
            progress.set(1);
            title.set(title.get().replaceFirst("^Restoring ", "Restored "));
        }
        progressText.set(switch (j.state()) {
            case DONE -> "restore finished · 100% · " + Format.tracks(j.totalTracks()) + " copied back";
            case CANCELLED -> "restore cancelled with " + Format.tracks(j.totalTracks() - j.doneTracks())
                    + " not restored: they hold what " + volume + " held before; restore again to finish";
            default -> "the copy stopped: " + j.message() + "; it resumes when the pool is next opened";
        });
    }

    private void applySample(RestoreSample s) {
        if (RestoreSample.older(s, sample.get())) {
            return;
        }
        sample.set(s);
        onDemand.set(Format.count(s.fetches()) + (s.fetches() == 1 ? " track" : " tracks") + " read on demand · "
                + String.format(Locale.ROOT, "%.0f/s", s.ended() ? 0 : s.fetchesPerSecond()));
        mapInfo.set(Format.tracks(s.totalTracks()) + " × " + Format.size((long) s.trackSize()) + " · "
                + Format.count(s.currentTracks()) + " current");
        if (s.ended() && s.job() != null && s.job().state().isFinished() && !ended.get()) {
            end(s.job()); // the engine drops the restore a moment before a snapshot shows its job ended
        }
        updateSampling();
    }

    // ---- sampling

    /** The card is on screen (or not): the map is sampled only while it is and a restore runs. */
    public void setShown(boolean on) {
        shown = on;
        updateSampling();
        if (on && visible.get()) {
            sampleNow();
        }
    }

    private void updateSampling() {
        boolean want = shown && running.get();
        if (want && sampling == null && bridge.attachedTo() != null) { // the holder samples: its stream brings the map
            sampling = bridge.watchRestore(volume, true, jobId, m -> {
                try {
                    samples.offer(sampler.sample(m));
                } catch (java.io.IOException | RuntimeException e) {
                    // a message this version cannot read: the next one may
                }
            });
        } else if (want && sampling == null) {
            sampling = bridge.every(InstantRestoreViewModel.SAMPLE_PERIOD, pool -> {
                RestoreSample s = sampler.sample(pool);
                if (s != null) {
                    samples.offer(s);
                }
                return null;
            });
        } else if (!want && sampling != null) {
            sampling.cancel();
            sampling = null;
            sampleNow(); // the last picture: the map as the restore left it
        }
    }

    /** Takes one sample now, in the background. */
    public void sampleNow() {
        bridge.run(pool -> java.util.Optional.ofNullable(sampler.sample(pool)), s -> s.ifPresent(samples::offer), e -> { });
    }

    /** The restore just started here: show it at once, before a snapshot says so. */
    void started() {
        seenRunning = true;
        ended.set(false);
        visible.set(true);
        progress.set(0);
        progressText.set("starting…");
        sampleNow();
    }

    /** Hides an ended restore's map. */
    public void dismiss() {
        if (!running.get()) {
            visible.set(false);
            sample.set(null);
        }
    }

    /** Stops sampling (the pool closes). */
    public void stop() {
        shown = false;
        if (sampling != null) {
            sampling.cancel();
            sampling = null;
        }
    }

    /**
     * Cancels the restore (after the confirmation): the volume stays partly restored, and the
     * verifying workloads forget the tracks not restored in the same instant.
     */
    public void cancel() {
        if (!bulk.cancelBlockedProperty().get().isEmpty()) {
            status.succeeded("The restore of " + volume + " had ended already"); // while the question was asked
            return;
        }
        status.started("Cancelling the restore of " + volume + "…");
        bridge.run(HolderAction.cancelJob(jobId, pool -> PairJobs.cancel(pool, jobId, expectations)), st -> status.succeeded(st.equals("CANCELLED")
                ? "The restore of " + volume + " is CANCELLED; the volume stays partly restored"
                : "The restore of " + volume + " ended (" + st + ") before it could be cancelled"), status::failed);
    }

    /** What cancelling leaves, for the confirmation. */
    /**
     * {@link #cancelSentences()} following the samples while the cancel dialog is open: the copy goes
     * on meanwhile, and the tracks it would leave not restored are the latest sample's (as the
     * instant restore's cancel dialog, f419acc).
     */
    public javafx.beans.value.ObservableValue<List<String>> cancelSentencesLive() {
        return javafx.beans.binding.Bindings.createObjectBinding(this::cancelSentences, sample);
    }

    public List<String> cancelSentences() {
        RestoreSample s = sample.get();
        long owed = s == null ? -1 : s.totalTracks() - s.currentTracks();
        return List.of("The copy stops and the restore ends: " + volume + " stays partly restored"
                        + (owed >= 0 ? ", with " + Format.tracks(owed) + " (" + Format.size(owed * s.trackSize())
                        + ") not restored" : "") + ".",
                "Tracks not restored hold what " + volume + " held before the restore; what hosts wrote meanwhile"
                        + " stays. Restore again to finish.");
    }
}
