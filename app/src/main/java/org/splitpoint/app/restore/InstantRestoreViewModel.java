package org.splitpoint.app.restore;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.splitpoint.app.backup.KnownStores;
import org.splitpoint.app.backup.StoreListing;
import org.splitpoint.app.bridge.Coalescer;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.bridge.TaskExecutor;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Confirmation;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.VolumeState;

/**
 * One volume's instant restore, as its view shows it: the overwrite map sampled ten times a second
 * while shown (coalesced, latest wins), the on-demand fetch counter and the two rates (fetches per
 * second, bulk MB/s), the image restored, the bulk copy's progress with throttle, pause and cancel
 * ({@link BulkControl}); and, while the volume is FAILED, the banner offering a restore with the
 * newest image of the known stores, and the dialog's model ({@link RestoreForm}); or, when the
 * volume has a staged backup journal that can rebuild it, the rebuild from backup + journal
 * ({@link RebuildOffer}), which runs as an instant restore and is shown here labelled as a rebuild.
 */
public final class InstantRestoreViewModel {

    public static final Duration SAMPLE_PERIOD = Duration.ofMillis(100);

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final Expectations expectations;
    private final KnownStores stores;
    private final String volume;
    private final Runnable started;
    private final RestoreSampler sampler;
    private final Coalescer<RestoreSample> samples;
    private final BulkControl bulk;
    private final RebuildOffer rebuild;
    private final RateSeries fetchRates = new RateSeries();
    private final RateSeries bulkRates = new RateSeries();
    private TaskExecutor.Repeating sampling;
    private PoolSnapshot snapshot;
    private List<PairView> pairs = List.of();
    /** The restore dialog's form opened last: it follows the pairs while open. */
    private RestoreForm form;
    private boolean seenRunning;

    // ---- properties
    private final ReadOnlyObjectWrapper<VolumeState> volumeState = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyBooleanWrapper restoring = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper banner = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<ImageChoice> newest = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper imageLine = new ReadOnlyStringWrapper("");
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper progressText = new ReadOnlyStringWrapper("no restore running");
    private final ReadOnlyStringWrapper onDemand = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<RestoreSample> sample = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyLongWrapper tick = new ReadOnlyLongWrapper();

    public InstantRestoreViewModel(PoolBridge bridge, ActionStatus status, Expectations expectations, KnownStores stores,
                                   String volume, Runnable started) {
        this.bridge = bridge;
        this.status = status;
        this.expectations = expectations;
        this.stores = stores;
        this.volume = volume;
        this.started = started;
        this.sampler = new RestoreSampler(volume, pool -> pool.instantRestores().restoreOf(volume), jobId(volume));
        this.samples = new Coalescer<>(bridge.ui(), Coalescer.latestWins(), this::applySample);
        this.bulk = new BulkControl(bridge, status);
        this.rebuild = new RebuildOffer(bridge, status, volume, () -> {
            seenRunning = true; // as for a restore: a rebuild that ends before a snapshot shows it still says so
            sampleNow();
            started.run();
        });
        rebuild.refusedProperty().addListener(o -> refreshBanner());
        stores.list().addListener((javafx.collections.ListChangeListener<Path>) c -> findNewest());
    }

    public static String jobId(String volume) {
        return org.splitpoint.engine.pool.RestoreAdmin.restoreJobId(volume);
    }

    public String volume() {
        return volume;
    }

    // ---- properties

    public ReadOnlyObjectProperty<VolumeState> volumeStateProperty() {
        return volumeState.getReadOnlyProperty();
    }

    /** True while the restore's bulk copy runs or is paused. */
    public ReadOnlyBooleanProperty restoringProperty() {
        return restoring.getReadOnlyProperty();
    }

    /** The FAILED banner's text; empty when no banner is shown. */
    public ReadOnlyStringProperty bannerProperty() {
        return banner.getReadOnlyProperty();
    }

    /** The newest image of this volume in the known stores (preselected), or null. */
    public ReadOnlyObjectProperty<ImageChoice> newestProperty() {
        return newest.getReadOnlyProperty();
    }

    /** "Image prod-… (incremental, 2026-12-02 00:28:54; a chain of 3 images)". */
    public ReadOnlyStringProperty imageLineProperty() {
        return imageLine.getReadOnlyProperty();
    }

    /** 0..1: tracks current of all. */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    /** "42.1% · 12.3 MB/s · ETA 0:12", or how the restore ended ("restore finished · 100%"). */
    public ReadOnlyStringProperty progressTextProperty() {
        return progressText.getReadOnlyProperty();
    }

    /** "1,234 tracks fetched on demand · 56/s". */
    public ReadOnlyStringProperty onDemandProperty() {
        return onDemand.getReadOnlyProperty();
    }

    /** The latest overwrite map; null until sampled. */
    public ReadOnlyObjectProperty<RestoreSample> sampleProperty() {
        return sample.getReadOnlyProperty();
    }

    /** Changes whenever the rate series got a sample (the charts redraw). */
    public ReadOnlyLongProperty tickProperty() {
        return tick.getReadOnlyProperty();
    }

    /** On-demand fetches per second, the last minute. */
    public RateSeries fetchRates() {
        return fetchRates;
    }

    /** Bulk copy bytes per second, the last minute. */
    public RateSeries bulkRates() {
        return bulkRates;
    }

    public BulkControl bulk() {
        return bulk;
    }

    /** The rebuild from backup + journal (offered while the volume is FAILED and has a journal). */
    public RebuildOffer rebuild() {
        return rebuild;
    }

    /** The engine said a restore of the volume began, a rebuild with {@code entries} of the journal or a plain one. */
    public void markRebuilding(boolean on, long entries) {
        rebuild.markRebuilding(on, entries, -1);
    }

    // ---- updates

    /** True while the progress line shows a restore under way whose copy is not running. */
    private boolean stoppedShown;

    /** Takes a new snapshot (UI thread): the volume's state and the restore's job. */
    public void apply(PoolSnapshot s) {
        snapshot = s;
        PoolSnapshot.VolumeView v = s.volume(volume);
        VolumeState was = volumeState.get();
        volumeState.set(v == null ? null : v.state());
        JobProgress j = null;
        for (JobProgress p : s.jobs()) {
            if (p.id().equals(jobId(volume))) {
                j = p;
            }
        }
        bulk.apply(j, v != null && v.restore() != null ? volume : null);
        boolean live = j != null && !j.state().isFinished();
        // a job DONE while the volume still shows its restore: the restore's end is being recorded, the
        // copy did not stop (a sample between the two said "the bulk copy stopped", then "restore ended")
        boolean finishing = j != null && j.state() == JobState.DONE;
        restoring.set(live);
        if (live) {
            seenRunning = true;
            progress.set(j.fraction());
            progressText.set(Format.progress(j.fraction(), j.bytesPerSecond(), j.etaSeconds(),
                    j.state() == JobState.PAUSED)); // the tracks current are over the map
        } else if (v != null && v.restore() != null && !finishing) { // under way, its copy not running (failed, or no job yet)
            progress.set(j == null ? 0 : j.fraction());
            progressText.set(j == null ? (v.restore().waiting() != null ? "the restore waits: its backup store cannot be"
                    + " read; Cancel ends it" : "the bulk copy stopped (" + (v.restore().copyStopped() != null
                    ? v.restore().copyStopped() : "its reason is in the events") + "); Cancel ends the restore")
                    : "the bulk copy stopped: " + j.message() + (j.message().contains("next opening of the pool") ? ""
                    : "; it resumes when the pool is next opened, or Cancel ends the restore"));
            stoppedShown = true;
        } else if (stoppedShown && !finishing) { // such a restore ended (cancelled here or elsewhere)
            stoppedShown = false;
            progressText.set("restore ended: the tracks not restored keep what " + volume + " held before; restore again"
                    + " to finish");
        } else if (j != null && seenRunning) {
            stoppedShown = false;
            progressText.set(ended(j));
            if (j.state() == JobState.DONE) {
                progress.set(1);
            }
        }
        boolean failed = v != null && v.state() == VolumeState.FAILED && !live;
        if (failed && was != VolumeState.FAILED) {
            findNewest();
        }
        banner.set(failed ? bannerText(v) : "");
        if (form != null) {
            form.applySnapshot(s); // an open dialog follows the pool (a service window closed meanwhile)
        }
        rebuild.apply(s, live);
    }

    /** Takes the pairs of a new query (a pair that mirrors the volume blocks a restore). */
    public void apply(List<PairView> p) {
        pairs = List.copyOf(p);
        if (form != null) {
            form.applyPairs(pairs);
        }
        rebuild.apply(p);
    }

    /** Takes the journals' status (a journal that can rebuild the volume is offered instead of a restore). */
    public void apply(java.util.Map<String, org.splitpoint.engine.pool.JournalAdmin.Status> journals) {
        rebuild.apply(journals.get(volume), restoring.get());
    }

    private void refreshBanner() {
        PoolSnapshot.VolumeView v = snapshot == null ? null : snapshot.volume(volume);
        if (!banner.get().isEmpty() && v != null) {
            banner.set(bannerText(v));
        }
    }

    private String ended(JobProgress j) {
        String what = rebuild.rebuildingProperty().get() ? "rebuild" : "restore";
        return switch (j.state()) {
            case DONE -> what + " finished · 100%";
            case CANCELLED -> what + " cancelled with " + Format.tracks(j.totalTracks() - j.doneTracks()) + " not restored:"
                    + " they hold what " + volume + " held before (one being copied then perhaps partly restored);"
                    + " restore again to finish";
            default -> "the bulk copy stopped: " + j.message()
                    + (j.message().contains("next opening of the pool") ? "" : "; it resumes when the pool is next opened");
        };
    }

    /**
     * A volume FAILED while one of its members is OFFLINE in a service window (a drill's second
     * failure) comes back when that drive returns: the banner led with a restore from a backup, which
     * loses every write since that backup, when the return loses at most the tracks written in the
     * window (none in repository mode, seed 001).
     */
    private String wayBack(PoolSnapshot.VolumeView v) {
        PoolSnapshot s = snapshot;
        if (s == null) {
            return "";
        }
        for (PoolSnapshot.DriveView d : s.drives()) {
            PoolSnapshot.ServiceView w = d.service();
            if (w != null && volume.equals(w.volume())) {
                String cost = w.logMode() == org.splitpoint.engine.pool.LogMode.REPOSITORY ? "with no write lost"
                        : v.lostTracks().isEmpty() ? "losing at most the tracks written in the window"
                        : "losing only the " + Format.tracks(v.lostTracks().size()) + " written in the window";
                return "Drive " + d.name() + " is OFFLINE in a service window (" + w.logMode().word() + " log): 'Bring"
                        + " online' in the drive bay brings " + volume + " back, " + cost + "; a restore from a backup"
                        + " loses every write made since the backup. ";
            }
        }
        return "";
    }

    private String bannerText(PoolSnapshot.VolumeView v) {
        ImageChoice n = newest.get();
        String journal = rebuild.refusedProperty().get().isEmpty() ? ""
                : "Its journal cannot rebuild it: " + rebuild.refusedProperty().get() + ". ";
        return "Volume " + volume + " is FAILED (" + v.stateReason() + "): its data is unavailable. " + wayBack(v) + journal
                + (n == null ? "No image of " + volume + " in the known backup stores; choose one in any store."
                : "Newest backup: " + n.image().id() + " (" + n.image().kind().word() + ", "
                + Format.when(n.image().createdAt()) + ") in " + n.store() + ".");
    }

    /** Looks for the newest image of this volume in the known stores (in the background). */
    public void findNewest() {
        List<Path> dirs = List.copyOf(stores.list());
        bridge.run(StoreListing.reading(read -> {
            ImageChoice best = null;
            for (Path d : dirs) {
                StoreListing l = read.apply(d);
                List<org.splitpoint.engine.backup.ImageInfo> mine = l.imagesOf(volume);
                if (!mine.isEmpty() && (best == null || mine.get(0).createdAt().compareTo(best.image().createdAt()) > 0)) {
                    best = new ImageChoice(d, mine.get(0));
                }
            }
            return java.util.Optional.ofNullable(best);
        }), b -> {
            newest.set(b.orElse(null));
            refreshBanner();
        }, why -> { });
    }

    private void applySample(RestoreSample s) {
        if (RestoreSample.older(s, sample.get())) {
            return;
        }
        sample.set(s);
        onDemand.set(Format.count(s.fetches()) + (s.fetches() == 1 ? " track" : " tracks") + " fetched on demand · "
                + String.format(java.util.Locale.ROOT, "%.0f/s", s.ended() ? 0 : s.fetchesPerSecond()));
        if (s.image() != null) {
            imageLine.set("Image " + s.image().id() + " (" + s.image().kind().word() + ", "
                    + Format.when(s.image().createdAt()) + (s.chainImages() > 1 ? "; a chain of " + s.chainImages()
                    + " images" : "") + ")" + (s.writeThrough() == null ? "" : "; writes also go to image "
                    + s.writeThrough()));
        } else if (s.unavailable() != null) {
            imageLine.set("The backup store cannot be read: " + s.unavailable());
        }
        if (!s.ended()) {
            fetchRates.add(s.nanos(), s.fetchesPerSecond());
            bulkRates.add(s.nanos(), s.bulkBytesPerSecond());
        } else if (s.job() != null && s.job().state().isFinished()) {
            // the engine drops the restore a moment before its job says DONE: a job still RUNNING here
            // is that moment, and the next snapshot says how it ended
            seenRunning = true;
            progressText.set(ended(s.job()));
            progress.set(s.job().state() == JobState.DONE ? 1 : (double) s.currentTracks() / Math.max(1, s.totalTracks()));
        }
        tick.set(tick.get() + 1);
    }

    // ---- sampling

    /** Starts sampling the map (the view is shown). */
    public void startSampling() {
        if (sampling == null && bridge.attachedTo() != null) { // the holder samples: its stream brings the map
            sampling = bridge.watchRestore(volume, false, jobId(volume), m -> {
                try {
                    samples.offer(sampler.sample(m));
                } catch (java.io.IOException | RuntimeException e) {
                    // a message this version cannot read: the next one may
                }
            });
            return;
        }
        if (sampling == null) {
            sampling = bridge.every(SAMPLE_PERIOD, pool -> {
                RestoreSample s = sampler.sample(pool);
                if (s != null) {
                    samples.offer(s);
                }
                return null;
            });
            sampleNow();
        }
    }

    /** Stops sampling (the view is hidden). */
    public void stopSampling() {
        if (sampling != null) {
            sampling.cancel();
            sampling = null;
        }
    }

    /** Takes one sample now, in the background. */
    public void sampleNow() {
        bridge.run(pool -> java.util.Optional.ofNullable(sampler.sample(pool)), s -> s.ifPresent(samples::offer), e -> { });
    }

    // ---- commands

    /** The NBD clients using a volume now (their addresses), named in the restore dialog. */
    private java.util.function.Function<String, List<String>> clientsOf = org.splitpoint.app.common.ServedClients.NONE;

    /** {@code clients} gives the addresses of the NBD clients using a volume now (the app's server). */
    public void servedClients(java.util.function.Function<String, List<String>> clients) {
        clientsOf = clients;
    }

    /** The model of the restore dialog, with {@code want} (or the newest image) preselected once loaded. */
    public RestoreForm restoreForm(ImageChoice want) {
        RestoreForm f = new RestoreForm(bridge, status, expectations, stores, volume, snapshot, pairs, () -> {
            seenRunning = true; // a restore that ends before a snapshot shows it running still says how it ended
            sampleNow();
            started.run();
        });
        f.servedClients(clientsOf);
        f.load(want != null ? want : newest.get());
        form = f;
        return f;
    }

    /**
     * {@link #cancelConfirmation()} following the samples while its dialog is open: the bulk copy
     * goes on meanwhile, and the tracks it would leave not restored are those of the latest sample.
     */
    public javafx.beans.value.ObservableValue<Confirmation> cancelConfirmationLive() {
        return javafx.beans.binding.Bindings.createObjectBinding(this::cancelConfirmation, sample);
    }

    /** What cancelling the restore leaves, for the typed confirmation (the volume's name is typed). */
    public Confirmation cancelConfirmation() {
        RestoreSample s = sample.get();
        long owed = s == null ? -1 : s.totalTracks() - s.currentTracks();
        List<String> lines = new ArrayList<>();
        lines.add("The bulk copy stops and the restore ends: " + volume + " stays partly restored"
                + (owed >= 0 ? ", with " + Format.tracks(owed) + " (" + Format.size(owed * s.trackSize()) + ") not restored" : "")
                + ".");
        lines.add("Tracks not restored hold whatever " + volume + " held before (blank, for drives replaced after a"
                + " failure; one being copied at that moment perhaps partly restored); reads of them no longer come"
                + " from the backup.");
        lines.add("What hosts wrote meanwhile stays. Restore again to finish.");
        return new Confirmation("Cancel restore of " + volume, "Stop restoring " + volume + "?", lines, volume,
                "Cancel restore");
    }
}
