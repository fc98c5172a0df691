package org.splitpoint.app.backup;

import java.nio.file.Path;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Format;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.BackupAdmin;
import org.splitpoint.engine.pool.PairAdmin;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PoolConfig.BackupRecord;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.SnapshotAdmin;
import org.splitpoint.engine.pool.VolumeState;

/**
 * "Back up now": a volume, full or incremental, as it is now or as one of its snapshots shows it,
 * into the selected store; its progress (percent, rate, ETA) from the backup's job, and its cancel. Backing up is enabled by the rules the engine
 * applies ({@link #whyNot}), so a refusal is seen before the click. When the job ends, the store is
 * listed again so the new image shows.
 */
public final class BackupNow {

    /** What a backup copies: the volume as it is now ({@code snapshot} null), or one of its snapshots. */
    public record Source(String snapshot, String label) {
        @Override
        public String toString() {
            return label;
        }
    }

    /** The volume as it is when the backup starts. */
    public static final Source NOW = new Source(null, "as it is now");

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final Runnable ended;
    private PoolSnapshot snapshot;
    private String watched;
    private JobState watchedState;
    private String suggestedFor;

    // ---- properties
    private final ObservableList<String> volumes = FXCollections.observableArrayList();
    private final ObjectProperty<String> volume = new SimpleObjectProperty<>();
    private final BooleanProperty full = new SimpleBooleanProperty(false);
    private final ObservableList<Source> sources = FXCollections.observableArrayList(NOW);
    private final ObjectProperty<Source> source = new SimpleObjectProperty<>(NOW);
    private final ReadOnlyObjectWrapper<StoreListing> store = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<PoolSnapshot> pool = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<List<PairView>> pairs = new ReadOnlyObjectWrapper<>(List.of());
    private final ReadOnlyStringWrapper blocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper cancelBlocked = new ReadOnlyStringWrapper("no backup is running");
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(-1);
    private final ReadOnlyStringWrapper progressText = new ReadOnlyStringWrapper("");

    /** {@code ended} runs (UI thread) when a backup job the model watched ended. */
    BackupNow(PoolBridge bridge, ActionStatus status, Runnable ended) {
        this.bridge = bridge;
        this.status = status;
        this.ended = ended;
        blocked.bind(Bindings.createStringBinding(() -> whyNot(volume.get(), full.get(), source.get(), store.get(),
                pool.get(), pairs.get(), status.isBusy()), volume, full, source, store, pool, pairs, status.busyProperty()));
        volume.addListener(o -> {
            showSources();
            suggestKind();
        });
        store.addListener(o -> suggestKind());
        source.addListener(o -> suggestKind());
    }

    /**
     * Incremental when there is a last backup to build on in this store, else full — chosen again
     * only when the volume, the store or the volume's last backup changes, so a choice made stays.
     */
    private void suggestKind() {
        StoreListing l = store.get();
        String v = volume.get();
        if (v == null || l == null) {
            return;
        }
        BackupRecord last = l.lastBackups().get(v);
        Source from = source.get();
        String key = v + "|" + l.dir() + "|" + (last == null ? "" : last.image()) + "|" + l.images().size() + "|"
                + (from == null ? "" : from.snapshot());
        if (!key.equals(suggestedFor)) {
            suggestedFor = key;
            full.set(incrementalProblem(v, l) != null || snapshotProblem(v, from, false, l, pool.get()) != null);
        }
    }

    /** The choices of what to back up for the volume chosen: now, or each of its valid snapshots (newest first). */
    private void showSources() {
        PoolSnapshot s = pool.get();
        String v = volume.get();
        java.util.List<Source> now = new java.util.ArrayList<>(List.of(NOW));
        if (s != null && v != null) {
            List<SnapshotAdmin.Info> snaps = new java.util.ArrayList<>(s.snapshotsOf(v));
            java.util.Collections.reverse(snaps);
            for (SnapshotAdmin.Info i : snaps) {
                if (SnapshotAdmin.VALID.equals(i.state())) {
                    now.add(new Source(i.name(), "as of snapshot " + i.name() + " (" + Format.when(i.createdAt()) + ")"));
                }
            }
        }
        if (!now.equals(sources)) {
            Source chosen = source.get();
            sources.setAll(now);
            // the same snapshot stays chosen; one deleted meanwhile gives way to the volume now
            source.set(now.stream().filter(x -> chosen != null && java.util.Objects.equals(x.snapshot(), chosen.snapshot()))
                    .findFirst().orElse(NOW));
        }
    }

    /** The pool's volumes, to pick from. */
    public ObservableList<String> volumes() {
        return volumes;
    }

    /** The volume to back up (input). */
    public ObjectProperty<String> volumeProperty() {
        return volume;
    }

    /** What the volume's backup copies: {@link #NOW} or one of its snapshots. */
    public ObservableList<Source> sources() {
        return sources;
    }

    /** The source chosen (input). */
    public ObjectProperty<Source> sourceProperty() {
        return source;
    }

    /** Full (every track, a new chain) or incremental (input). */
    public BooleanProperty fullProperty() {
        return full;
    }

    public ReadOnlyStringProperty blockedProperty() {
        return blocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty cancelBlockedProperty() {
        return cancelBlocked.getReadOnlyProperty();
    }

    /** 0..1 of the running backup; -1 when none is shown. */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    /** "backup of prod · 42.1% · 12.3 MB/s · ETA 0:12 · 12/256 tracks", or how it ended. */
    public ReadOnlyStringProperty progressTextProperty() {
        return progressText.getReadOnlyProperty();
    }

    /** Why the backup cannot be taken now; empty when it can. */
    static String whyNot(String volume, boolean full, Source source, StoreListing store, PoolSnapshot s,
                         List<PairView> pairs, boolean busy) {
        if (store == null) {
            return "add a backup store first (Add store…), or choose one";
        }
        if (store.problem() != null) {
            return store.problem();
        }
        if (volume == null || s == null || s.volume(volume) == null) {
            return "choose the volume to back up";
        }
        PoolSnapshot.VolumeView v = s.volume(volume);
        if (v.state() == VolumeState.FAILED) {
            return "volume " + volume + " is FAILED (" + v.stateReason() + "): there is no data to back up";
        }
        if (s.saveArea() != null && volume.equals(s.saveArea().volume())) {
            return BackupAdmin.saveAreaNotBackedUp(volume);
        }
        JobProgress running = job(s, "backup", volume);
        if (running != null) {
            return "a backup of " + volume + " is running already (job " + running.id() + ")";
        }
        if (job(s, "instant-restore", volume) != null) {
            return "volume " + volume + " is being restored from a backup; back it up once the restore finished";
        }
        if (s.snapshotRestore(volume) != null || job(s, "snapshot-restore", volume) != null) {
            return BackupAdmin.restoringToSnapshot(volume);
        }
        for (PairView p : pairs) { // hosts read its tracks not yet restored from the BCV: the image would be torn
            String fromBcv = PairAdmin.restoringFromBcv(volume, p.name(), p.std(), p.state());
            if (fromBcv != null) {
                return fromBcv + "; back it up once the restore finished";
            }
        }
        if (!full) {
            String why = incrementalProblem(volume, store);
            if (why != null) {
                return why;
            }
        }
        String why = snapshotProblem(volume, source, full, store, s);
        if (why != null) {
            return why;
        }
        return busy ? "another action is still running; wait for it to finish" : "";
    }

    /**
     * Why a backup of {@code volume} as of the snapshot {@code source} names cannot be taken (the
     * engine's rules: the snapshot there and valid; an incremental one only on a backup made before
     * the snapshot was taken), or null; null for the volume as it is now.
     */
    static String snapshotProblem(String volume, Source source, boolean full, StoreListing store, PoolSnapshot s) {
        if (source == null || source.snapshot() == null || s == null) {
            return null;
        }
        SnapshotAdmin.Info snap = s.snapshotsOf(volume).stream().filter(i -> i.name().equals(source.snapshot()))
                .findFirst().orElse(null);
        if (snap == null) {
            return "volume " + volume + " has no snapshot named '" + source.snapshot() + "' any more";
        }
        if (!SnapshotAdmin.VALID.equals(snap.state())) {
            return "snapshot " + snap.ref() + " is invalid (" + snap.why() + "): there is nothing to back up from it";
        }
        if (full || store == null) {
            return null;
        }
        return BackupAdmin.incrementalFromSnapshotProblem(volume, snap.name(), snap.afterBackup(),
                store.lastBackups().get(volume));
    }

    /** Why an incremental backup of {@code volume} into {@code store} cannot be taken (the engine's rule), or null. */
    static String incrementalProblem(String volume, StoreListing store) {
        if (store == null || store.problem() != null) {
            return null;
        }
        BackupRecord last = store.lastBackups().get(volume);
        if (last == null) {
            return "volume " + volume + " has no backup yet for an incremental one to build on; take a full backup first";
        }
        if (store.isNew() || !last.storeUuid().equals(store.uuid())) {
            return "the last backup of " + volume + " (image " + last.image() + ") is in the store at " + last.store()
                    + "; an incremental one builds on it there: choose that store, or take a full backup";
        }
        if (store.image(last.image()) == null) {
            return "the last backup of " + volume + " (image " + last.image() + ") is no longer in " + store.dir()
                    + "; take a full backup";
        }
        return null;
    }

    static JobProgress job(PoolSnapshot s, String kind, String target) {
        for (JobProgress j : s.jobs()) {
            if (j.kind().equals(kind) && j.target().equals(target) && !j.state().isFinished()) {
                return j;
            }
        }
        return null;
    }

    void apply(PoolSnapshot s) {
        snapshot = s;
        List<String> names = s.volumes().stream().map(PoolSnapshot.VolumeView::name).toList();
        if (!names.equals(volumes)) {
            volumes.setAll(names);
        }
        if (volume.get() == null && !names.isEmpty()) {
            volume.set(names.get(0));
        }
        pool.set(s);
        showSources();
        showJob(s);
    }

    /** The pairs as {@code pair query} shows them: one restoring the volume from its BCV blocks its backup. */
    void apply(List<PairView> p) {
        pairs.set(List.copyOf(p));
    }

    void apply(StoreListing selected) {
        store.set(selected);
    }

    private void showJob(PoolSnapshot s) {
        JobProgress running = null;
        JobProgress mine = null;
        for (JobProgress p : s.jobs()) {
            if (!p.kind().equals("backup")) {
                continue;
            }
            if (p.id().equals(watched)) {
                mine = p;
            }
            if (!p.state().isFinished() && (running == null || p.id().equals(watched))) {
                running = p;
            }
        }
        boolean mineEnded = mine != null && mine.state().isFinished() && watchedState != null && !watchedState.isFinished();
        JobProgress j = running != null ? running : mine;
        if (j == null) {
            cancelBlocked.set("no backup is running");
            return;
        }
        watched = j.id();
        watchedState = j.state();
        String what = "backup of " + j.target();
        if (!j.state().isFinished()) {
            cancelBlocked.set("");
            progress.set(j.fraction());
            progressText.set(what + " · " + Format.progress(j.fraction(), j.bytesPerSecond(), j.etaSeconds(),
                    j.state() == JobState.PAUSED) + " · " + Format.count(j.doneTracks()) + "/" + Format.count(j.totalTracks())
                    + " tracks");
            if (mineEnded) {
                ended.run(); // another backup began before this one's end was seen
            }
            return;
        }
        cancelBlocked.set("no backup is running");
        switch (j.state()) {
            case DONE -> {
                progress.set(1);
                progressText.set(what + " finished · 100%");
            }
            case CANCELLED -> {
                progress.set(-1);
                progressText.set(what + " cancelled: no image was made; its tracks count for the next backup");
            }
            default -> {
                progress.set(-1);
                progressText.set(what + " failed: " + j.message());
            }
        }
        if (mineEnded) {
            ended.run();
        }
    }

    // ---- commands

    /** Starts the backup chosen into the selected store. */
    public void backUp() {
        if (!blocked.get().isEmpty()) {
            return;
        }
        String v = volume.get();
        boolean f = full.get();
        String snap = source.get() == null ? null : source.get().snapshot();
        String asOf = snap == null ? "" : " as of snapshot " + v + "@" + snap;
        Path dir = store.get().dir();
        status.started("Starting " + (f ? "a full" : "an incremental") + " backup of " + v + asOf + "…");
        progress.set(0);
        progressText.set("backup of " + v + " starting…");
        bridge.run(org.splitpoint.app.bridge.HolderAction.ofState(org.splitpoint.app.bridge.HolderCommands.backup(v, dir, f,
                        snap), (out, state) -> org.splitpoint.app.bridge.HolderCommands.startedJob("backup", v, out, state),
                pool -> pool.backups().backup(v, dir, f, 0, snap).progress()), p -> {
            watched = p.id();
            watchedState = JobState.RUNNING;
            status.succeededWhileRunning("Backup of " + v + asOf + " started: " + org.splitpoint.engine.pool.BackupAdmin
                    .startCount(Format.tracks(p.totalTracks()), f) + " into " + dir, "backup", v, p.id()); // goes when the backup ends
            if (snapshot != null) {
                showJob(snapshot);
            }
        }, why -> {
            progress.set(-1);
            progressText.set("");
            status.failed(why);
        });
    }

    /** Cancels the running backup: no image is made, and its tracks count for the next one. */
    public void cancel() {
        String id = watched;
        if (id == null || !cancelBlocked.get().isEmpty()) {
            return;
        }
        status.started("Cancelling " + id + "…");
        bridge.run(org.splitpoint.app.bridge.HolderAction.cancelJob(id), st -> status.succeeded("Job " + id + " is " + st), status::failed);
    }
}
