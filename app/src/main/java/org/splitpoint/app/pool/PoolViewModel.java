package org.splitpoint.app.pool;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.splitpoint.app.backup.BackupsViewModel;
import org.splitpoint.app.backup.KnownStores;
import org.splitpoint.app.bridge.DemoPool;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.drill.DrillViewModel;
import org.splitpoint.app.drives.DrivesViewModel;
import org.splitpoint.app.events.EventsViewModel;
import org.splitpoint.app.jobs.JobsViewModel;
import org.splitpoint.app.journal.JournalCardViewModel;
import org.splitpoint.app.nav.NavItem;
import org.splitpoint.app.nav.NavViewModel;
import org.splitpoint.app.pair.PairConsoleViewModel;
import org.splitpoint.app.pair.PairsViewModel;
import org.splitpoint.app.restore.InstantRestoreViewModel;
import org.splitpoint.app.snapshot.SnapshotCardViewModel;
import org.splitpoint.app.volumes.VolumeViewModel;
import org.splitpoint.app.volumes.VolumesViewModel;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.app.workload.WorkloadSettings;
import org.splitpoint.app.workload.Workloads;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.job.JobProgress;
import org.splitpoint.engine.job.JobState;
import org.splitpoint.engine.pool.JournalAdmin;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * The main window's model: one open pool. It feeds each snapshot and pair query from the bridge to
 * the feature view models (navigation, drives, volumes, pairs, jobs, events, drills) and keeps what
 * the title and status bar show: health in three levels and the host I/O rate. Volume and pair detail
 * models are made when first shown and kept, so their histories survive switching views.
 */
public final class PoolViewModel {

    private final PoolBridge bridge;
    private final org.splitpoint.app.serve.ServeViewModel serve;
    private final Expectations expectations = new Expectations();
    private final Map<String, VolumeViewModel> volumeDetails = new HashMap<>();
    /** The last verify of each volume since the window opened ({@link #noticeVerifies}), UI thread. */
    private final Map<String, Event> lastVerifies = new HashMap<>();
    private final Map<String, PairConsoleViewModel> consoles = new HashMap<>();
    private final Map<String, InstantRestoreViewModel> restores = new HashMap<>();
    private final Map<String, JournalCardViewModel> journalCards = new HashMap<>();
    private final org.splitpoint.app.jobs.JobHistoryViewModel jobHistory;
    private final org.splitpoint.app.notify.NoticeFeed notices;
    private final javafx.beans.property.ReadOnlyDoubleWrapper jobsProgress = new javafx.beans.property.ReadOnlyDoubleWrapper();
    private final Map<String, org.splitpoint.app.volumes.VolumeProblemViewModel> volumeProblems = new HashMap<>();
    private final Map<String, SnapshotCardViewModel> snapshotCards = new HashMap<>();
    private final java.util.Set<String> restoreJobsSeen = new java.util.HashSet<>();
    private final KnownStores stores;
    /** The journals' stores seen in this session (each is added to the known stores once). */
    private final java.util.Set<String> journalStoresSeen = new java.util.HashSet<>();
    private final BackupsViewModel backups;
    private final DrillViewModel drills;
    private PoolSnapshot lastSnapshot;
    private List<PairView> lastPairs = List.of();
    private Map<String, JournalAdmin.Status> lastJournals = Map.of();

    // ---- properties
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper poolPath = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper holderLine = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<PoolSnapshot.Health> health = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("Loading…");
    private final ReadOnlyStringWrapper problems = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper hostIo = new ReadOnlyStringWrapper("");
    private final ActionStatus status = new ActionStatus();
    private final JobsViewModel jobs;
    private final DrivesViewModel drives;
    private final VolumesViewModel volumes = new VolumesViewModel();
    private final EventsViewModel events = new EventsViewModel();
    private final NavViewModel nav;
    private final PairsViewModel pairs;
    private final Workloads workloads;
    private final org.splitpoint.app.lifecycle.LifecycleViewModel lifecycle;

    public PoolViewModel(PoolBridge bridge) {
        this(bridge, KnownStores.Memory.inMemory(List.of()));
    }

    /** {@code storeMemory} keeps the backup stores known between runs (the app's preferences). */
    public PoolViewModel(PoolBridge bridge, KnownStores.Memory storeMemory) {
        this.bridge = bridge;
        this.notices = org.splitpoint.app.notify.NoticeFeed.onTimer(bridge.ui());
        this.stores = new KnownStores(storeMemory);
        this.jobs = new JobsViewModel(bridge, status, expectations);
        this.jobHistory = new org.splitpoint.app.jobs.JobHistoryViewModel(bridge);
        jobHistory.onEnded(notices::jobsEnded); // one notification per burst of ended jobs
        notices.historyBefore(bridge.since()); // the log's old critical events are not notified again
        bridge.onEvents(notices::events); // and of critical events
        this.drives = new DrivesViewModel(bridge, status);
        this.workloads = new Workloads(bridge, expectations, status);
        // an image removed or resized under the app fails its drive (a critical event, the bay shows it);
        // a restore waiting for its backup store goes on once the store can be read
        bridge.every(org.splitpoint.engine.pool.HolderChecks.PERIOD, org.splitpoint.engine.pool.HolderChecks::run);
        this.nav = new NavViewModel(bridge.poolDir().getFileName() == null ? bridge.poolDir().toString()
                : bridge.poolDir().getFileName().toString());
        this.pairs = new PairsViewModel();
        this.serve = new org.splitpoint.app.serve.ServeViewModel(bridge);
        this.backups = new BackupsViewModel(bridge, status, stores);
        this.drills = new DrillViewModel(bridge, status);
        drills.runningProperty().addListener((o, was, now) -> nav.drilling(now));
        // the bay's Bring online is not for the drilled drive while its window is open (End drill now is)
        drives.inDrillProperty().bind(Bindings.createStringBinding(() -> drills.endBlockedProperty().get().isEmpty()
                ? drills.runningDrive() : null, drills.endBlockedProperty(), drills.runningProperty()));
        Bindings.bindContent(drills.form().verifiedWorkloads(), workloads.verifying());
        drills.onTestData(workloads.expectations()::forget);
        this.lifecycle = new org.splitpoint.app.lifecycle.LifecycleViewModel(bridge, status,
                v -> workloads.of(v).stop(), this::leaveDeleted);
        lifecycle.selectedDriveProperty().bind(drives.selectedDriveProperty());
        lifecycle.selectedVolumeProperty().bind(nav.selectedProperty().map(k -> {
            String[] snap = NavItem.snapshotIn(k);
            return snap != null ? snap[0] : NavItem.nameIn(k, "volume");
        }));
        lifecycle.selectedPairProperty().bind(nav.selectedProperty().map(k -> NavItem.nameIn(k, "pair")));
        poolPath.set(bridge.poolDir().toString());
        if (bridge.attachedTo() != null) { // the header says it too: a window manager may show no title bar
            String holder = bridge.attachedTo();
            holderLine.set("attached to " + holder + ": the holder carries out every action");
            bridge.onHolderGone(why -> holderLine.set("not live: its holder (" + holder + ") went away"));
        }
        title.set("Splitpoint — " + bridge.poolDir()
                + (bridge.attachedTo() == null ? "" : " (attached to " + bridge.attachedTo() + ")"));
        // host I/O: the built-in workloads plus NBD clients (the copy jobs are not host I/O)
        hostIo.bind(Bindings.createStringBinding(() -> "host I/O  R "
                + Format.rate(workloads.hostReadProperty().get() + serve.readRateProperty().get())
                + " · W " + Format.rate(workloads.hostWriteProperty().get() + serve.writeRateProperty().get()),
                workloads.hostReadProperty(), workloads.hostWriteProperty(), serve.readRateProperty(),
                serve.writeRateProperty()));
        bridge.onSnapshot(this::apply);
        bridge.onPairs(this::applyPairs);
        bridge.onJournals(this::applyJournals);
        bridge.onEvents(events::add);
        bridge.onEvents(this::noticeRebuilds);
        bridge.onEvents(this::noticeVerifies);
        bridge.onEvents(drills::addEvents);
    }

    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty poolPathProperty() {
        return poolPath.getReadOnlyProperty();
    }

    /** "attached to serve, pid N: ..." while attached to the pool's holder, "not live: ..." once it went away; else "". */
    public ReadOnlyStringProperty holderLineProperty() {
        return holderLine.getReadOnlyProperty();
    }

    /** HEALTHY, WARNING or CRITICAL; null until the first snapshot. */
    public ReadOnlyObjectProperty<PoolSnapshot.Health> healthProperty() {
        return health.getReadOnlyProperty();
    }

    /** "6 drives · 2 volumes · 1 pair · 1 job running". */
    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    /** Problems found at open that still stand (missing or wrong-size images), one line; empty if none. */
    public ReadOnlyStringProperty problemsProperty() {
        return problems.getReadOnlyProperty();
    }

    /** "host I/O  R 1.4 MB/s · W 0.6 MB/s": the built-in workloads, the hosts of this process. */
    public ReadOnlyStringProperty hostIoProperty() {
        return hostIo.getReadOnlyProperty();
    }

    public ActionStatus status() {
        return status;
    }

    public DrivesViewModel drives() {
        return drives;
    }

    public VolumesViewModel volumes() {
        return volumes;
    }

    public JobsViewModel jobs() {
        return jobs;
    }

    public EventsViewModel events() {
        return events;
    }

    public NavViewModel nav() {
        return nav;
    }

    /** Serving the pool's volumes over NBD from the app. */
    public org.splitpoint.app.serve.ServeViewModel serve() {
        return serve;
    }

    public PairsViewModel pairs() {
        return pairs;
    }

    public Workloads workloads() {
        return workloads;
    }

    /** The lifecycle verbs: drives added, volumes and pairs made and deleted, verify, a spare in a failed drive's place. */
    public org.splitpoint.app.lifecycle.LifecycleViewModel lifecycle() {
        return lifecycle;
    }

    /** The bridge to the open pool (for hosts of the pool in this process, and tests). */
    public PoolBridge bridge() {
        return bridge;
    }

    /** A volume or pair ("volume:NAME", "pair:NAME") was deleted: its page closes, the list of its kind shows. */
    private void leaveDeleted(String what) {
        String key = nav.selectedProperty().get();
        String[] kindName = what.split(":", 2);
        String[] snap = NavItem.snapshotIn(key);
        String on = snap != null ? snap[0] : NavItem.nameIn(key, kindName[0]);
        if (kindName[1].equals(on)) {
            nav.selectedProperty().set(kindName[0].equals("pair") ? NavItem.PAIRS : NavItem.VOLUMES);
        }
    }

    /**
     * The last VERIFY event of each volume since the window opened, for the volume pages: a page is
     * made on first use, after a drill's verify perhaps (UI thread).
     */
    private void noticeVerifies(List<Event> batch) {
        for (Event e : batch) {
            org.splitpoint.engine.pool.VerifyEvent v = org.splitpoint.engine.pool.VerifyEvent.of(e);
            if (v != null && !e.time().isBefore(bridge.since())) {
                lastVerifies.put(v.volume(), e);
                VolumeViewModel page = volumeDetails.get(v.volume());
                if (page != null) {
                    page.verified(e);
                }
            }
        }
    }

    /** The detail model of volume {@code name}, made on first use. */
    public VolumeViewModel volume(String name) {
        return volumeDetails.computeIfAbsent(name, n -> {
            VolumeViewModel vm = new VolumeViewModel(bridge, n, volumes.rates(n), workloads.of(n));
            if (lastSnapshot != null) {
                vm.apply(lastSnapshot);
            }
            vm.apply(lastPairs);
            Event verified = lastVerifies.get(n);
            if (verified != null) {
                vm.verified(verified);
            }
            return vm;
        });
    }

    /** Notifications: jobs that ended and critical events, one per burst. */
    public org.splitpoint.app.notify.NoticeFeed notices() {
        return notices;
    }

    /** How far the running jobs are together (0..1; 0 when none runs), for the status bar. */
    public javafx.beans.property.ReadOnlyDoubleProperty jobsProgressProperty() {
        return jobsProgress.getReadOnlyProperty();
    }

    /** The Jobs panel's History (jobs that ended). */
    public org.splitpoint.app.jobs.JobHistoryViewModel jobHistory() {
        return jobHistory;
    }

    /** The Backups view's model. */
    public BackupsViewModel backups() {
        return backups;
    }

    /** The Drills view's model (made with the window: it keeps the history of drills from the event log). */
    public DrillViewModel drills() {
        return drills;
    }

    /** The instant restore model of volume {@code name} (its view and the FAILED banner), made on first use. */
    public InstantRestoreViewModel restore(String name) {
        return restores.computeIfAbsent(name, n -> {
            InstantRestoreViewModel vm = new InstantRestoreViewModel(bridge, status, expectations, stores, n,
                    () -> nav.selectedProperty().set(NavItem.restore(n)));
            vm.servedClients(v -> serve().clientsUsing(v));
            if (lastSnapshot != null) {
                vm.apply(lastSnapshot);
            }
            vm.apply(lastPairs);
            vm.apply(lastJournals);
            return vm;
        });
    }

    /** The journal card model of volume {@code name}, made on first use. */
    public JournalCardViewModel journal(String name) {
        return journalCards.computeIfAbsent(name, n -> {
            JournalCardViewModel vm = new JournalCardViewModel(bridge, status, stores, n);
            if (lastSnapshot != null) {
                vm.apply(lastSnapshot);
            }
            vm.apply(lastJournals);
            return vm;
        });
    }

    /** The problem banner's model of volume {@code name} (a verify's mismatches, lost writes), made on first use. */
    public org.splitpoint.app.volumes.VolumeProblemViewModel problem(String name) {
        return volumeProblems.computeIfAbsent(name, n -> {
            var vm = new org.splitpoint.app.volumes.VolumeProblemViewModel(bridge, status, expectations, n);
            if (lastSnapshot != null) {
                vm.apply(lastSnapshot);
            }
            return vm;
        });
    }

    /** The snapshot card model of volume {@code name}, made on first use. */
    public SnapshotCardViewModel snapshots(String name) {
        return snapshotCards.computeIfAbsent(name, n -> {
            SnapshotCardViewModel vm = new SnapshotCardViewModel(bridge, status, expectations, n);
            vm.servedClients(v -> serve().clientsUsing(v));
            vm.apply(lastPairs);
            if (lastSnapshot != null) {
                vm.apply(lastSnapshot);
            }
            return vm;
        });
    }

    /** The console model of pair {@code name}, made on first use. */
    public PairConsoleViewModel pair(String name) {
        return consoles.computeIfAbsent(name, n -> {
            PairConsoleViewModel vm = new PairConsoleViewModel(bridge, status, expectations, n);
            vm.servedClients(v -> serve().clientsUsing(v));
            vm.apply(lastPairs);
            if (lastSnapshot != null) {
                vm.apply(lastSnapshot);
            }
            return vm;
        });
    }

    // ---- commands

    /** Starts live updates: events, the refresh timer, the event history. */
    public void start() {
        bridge.start();
        drills.loadHistory();
    }

    /**
     * The demo's first minute: show the pair console, give copies a visible pace, and, when the
     * administrator chose so ({@code workload}: File → Run the demo workload, remembered), start a
     * light verified workload on the STD. It writes to the volume, so it never starts unasked.
     */
    public void startDemo(boolean workload) {
        nav.selectedProperty().set(NavItem.pair(DemoPool.PAIR));
        pair(DemoPool.PAIR).copy().throttleProperty().set(20_000_000);
        var load = workloads.of(DemoPool.STD);
        load.readPercentProperty().set(WorkloadSettings.LIGHT.readPercent());
        if (workload) {
            load.start();
        }
    }

    /** Closes the pool (workloads stop first): running jobs stop at a checkpoint and resume on the next open. */
    public void close() {
        consoles.values().forEach(PairConsoleViewModel::stopSampling);
        drills.map().stop();
        restores.values().forEach(InstantRestoreViewModel::stopSampling);
        snapshotCards.values().forEach(c -> c.restore().stop());
        bridge.close();
    }

    void apply(PoolSnapshot s) {
        boolean first = lastSnapshot == null;
        lastSnapshot = s;
        drives.apply(s);
        volumes.apply(s);
        jobs.apply(s);
        nav.apply(s);
        volumeDetails.values().forEach(v -> v.apply(s));
        consoles.values().forEach(c -> c.apply(s));
        backups.apply(s);
        drills.apply(s);
        lifecycle.apply(s);
        status.jobs(s.jobs()); // a started restore's line goes when it ends
        for (PoolSnapshot.VolumeView v : s.volumes()) {
            if (v.state() == org.splitpoint.engine.pool.VolumeState.FAILED) {
                restore(v.name()); // its banner needs the newest image, looked up now
            }
            if (v.restore() != null && v.restore().rebuild()) { // also one resumed at open, whose event is gone
                restore(v.name()).markRebuilding(true, v.restore().journalEntries());
                nav.rebuilding(v.name(), true);
            }
        }
        restores.values().forEach(r -> r.apply(s));
        journalCards.values().forEach(j -> j.apply(s));
        snapshotCards.values().forEach(c -> c.apply(s));
        volumeProblems.values().forEach(c -> c.apply(s));
        jobsProgress.set(s.jobs().stream().filter(j -> !j.state().isFinished()).mapToDouble(JobProgress::fraction)
                .average().orElse(0));
        showNewRestores(s, first);
        showHealth();
        updateSummary();
    }

    /** The status bar's health and problems, from the snapshot and the journals (each may change alone). */
    private void showHealth() {
        PoolSnapshot s = lastSnapshot;
        if (s == null) {
            return;
        }
        List<String> gaps = JournalGaps.lines(lastJournals, s);
        health.set(s.health() == PoolSnapshot.Health.HEALTHY && !gaps.isEmpty() ? PoolSnapshot.Health.WARNING : s.health());
        nav.health(health.get()); // the tree's pool entry says the same
        List<String> all = new java.util.ArrayList<>(s.problems());
        all.addAll(s.warnings()); // why the health says WARNING: a journal's damaged store, found at open
        s.volumes().stream().map(PoolSnapshot.VolumeView::problemLine).filter(java.util.Objects::nonNull).forEach(all::add);
        for (PoolSnapshot.VolumeView v : s.volumes()) {
            if (!v.lostTracks().isEmpty()) { // why the health says CRITICAL
                all.add("volume " + v.name() + ": " + org.splitpoint.app.common.Format.tracks(v.lostTracks().size())
                        + " lost by a second failure; reads of them fail until they are written whole or restored");
            }
            if (s.restoreStopped(v)) { // why the health says WARNING
                all.add(s.restoreStoppedLine(v) + "; its Instant restore page can cancel it");
            }
        }
        all.addAll(gaps); // why the health says WARNING
        problems.set(org.splitpoint.app.common.AppWords.of(String.join("; ", all))); // a drive image's problem names 'drive replace'
    }

    /**
     * A restore that began (here, from a shell, or resumed at open) is shown at once when the window
     * just opened or the volume's page is on display; elsewhere its tree entry appears.
     */
    private void showNewRestores(PoolSnapshot s, boolean first) {
        for (JobProgress j : s.jobs()) {
            if (!j.kind().equals("instant-restore") || j.state().isFinished() || !restoreJobsSeen.add(j.id())) {
                continue;
            }
            String key = nav.selectedProperty().get();
            if (first || NavItem.volume(j.target()).equals(key)) {
                restore(j.target());
                nav.selectedProperty().set(NavItem.restore(j.target()));
            }
        }
        s.jobs().stream().filter(j -> j.state().isFinished()).forEach(j -> restoreJobsSeen.remove(j.id()));
    }

    private void updateSummary() {
        PoolSnapshot s = lastSnapshot;
        if (s == null) {
            return;
        }
        // a paused job is said paused: "1 job running" while the only job was paused read as a job moving
        long running = s.jobs().stream().filter(j -> j.state() == JobState.RUNNING).count();
        long paused = s.jobs().stream().filter(j -> j.state() == JobState.PAUSED).count();
        String jobs = running == 0 && paused == 0 ? "no jobs running"
                : running == 0 ? plural(paused, "job") + " paused"
                : plural(running, "job") + " running" + (paused == 0 ? "" : ", " + paused + " paused");
        summary.set(plural(s.drives().size(), "drive") + " · " + plural(s.volumes().size(), "volume") + " · "
                + plural(lastPairs.size(), "pair") + " · " + jobs);
    }

    void applyPairs(List<PairView> p) {
        lastPairs = p;
        expectations.observeLater(p);
        nav.apply(p);
        pairs.apply(p);
        lifecycle.apply(p);
        consoles.values().forEach(c -> c.apply(p));
        volumeDetails.values().forEach(v -> v.apply(p));
        restores.values().forEach(r -> r.apply(p));
        snapshotCards.values().forEach(c -> c.apply(p));
        backups.apply(p);
        drills.applyPairs(p);
        updateSummary(); // it counts pairs
    }

    void applyJournals(Map<String, JournalAdmin.Status> j) {
        lastJournals = j;
        for (JournalAdmin.Status s : j.values()) {
            // a journal enabled from a shell ships into a store the Backups view should list; once a
            // session, so a store removed from the list stays removed until the app opens the pool again
            if (s.store() != null && journalStoresSeen.add(s.store())) {
                stores.add(java.nio.file.Path.of(s.store()));
            }
        }
        journalCards.values().forEach(c -> c.apply(j));
        restores.values().forEach(r -> r.apply(j));
        showHealth();
    }

    /**
     * A restore that began is a rebuild from backup + journal or a plain one: its RESTORE event says
     * which as it starts (the snapshot's restore view says it too, for one resumed at open).
     */
    private void noticeRebuilds(List<Event> batch) {
        for (Event e : batch) {
            if (!e.type().equals("RESTORE") || e.source() == null) {
                continue;
            }
            java.util.regex.Matcher m = REBUILD_STARTED.matcher(e.message());
            if (m.lookingAt() && m.group(1).equals(e.source())) {
                restore(e.source()).markRebuilding(true, Long.parseLong(m.group(2)));
                nav.rebuilding(e.source(), true);
            } else if (PLAIN_STARTED.matcher(e.message()).lookingAt()
                    && e.message().startsWith("instant restore of " + e.source() + " ")) { // not its "… finished"
                restore(e.source()).markRebuilding(false, 0);
                nav.rebuilding(e.source(), false);
            }
        }
    }

    private static final java.util.regex.Pattern PLAIN_STARTED = java.util.regex.Pattern.compile(
            "instant restore of \\S+ from image \\S+ started");
    private static final java.util.regex.Pattern REBUILD_STARTED = java.util.regex.Pattern.compile(
            "rebuild of (\\S+) started from image \\S+ plus (\\d+) journal entr(?:y|ies)");

    private static String plural(long n, String word) {
        return org.splitpoint.engine.pool.Sizes.count(n, word);
    }
}
