package org.splitpoint.app.drill;

import java.util.List;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.app.bridge.Coalescer;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.common.StateLook;
import org.splitpoint.app.drives.ServiceWords;
import org.splitpoint.engine.event.Event;
import org.splitpoint.engine.pool.Drill;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * The Drills view's model: the plan's choices ({@link DrillPlanForm}: volume, drive, reason, log
 * mode, writes, second failure), Start, and the drill as it runs — the engine's {@link Drill} on a
 * worker thread, its steps reaching the UI thread coalesced (concatenated: no step is lost) and its
 * write counter too (latest wins); the timeline ({@link DrillTimeline}), live; the volume's window
 * track map ({@link WindowMap}, sampled while shown); the result card ({@link DrillFigures}); and
 * the history of past drills from the event log ({@link DrillHistory}). Attached to {@code serve}, the
 * holder runs the drill and prints it line by line ({@link org.splitpoint.engine.pool.DrillLines}),
 * and the lines feed the same coalescers, so the view moves as when the app holds the pool. A drill
 * is not cancelled (interrupting its thread would fail a drive: a closed channel) but ended early
 * ({@link #endNow}: the engine's {@link Drill#endNow}, attached the holder's {@code drill end}): its
 * window closes now and it goes on as at its planned end, the drive back with its delta resynced
 * and everything verified. While it runs, the writes' step says how far into the window it is and
 * when it ends, the counter the workload's rate, the resync its job's rate and ETA.
 */
public final class DrillViewModel {

    private static final System.Logger LOG = System.getLogger(DrillViewModel.class.getName());

    /** A step began, as the drill's thread saw it. */
    record StepEvent(String name, String detail, long nanos) { }

    private final PoolBridge bridge;
    private final ActionStatus status;
    /** Told the volume a drill is about to write test data over (the workloads forget what they expected of it). */
    private java.util.function.Consumer<String> overwrites = v -> { };
    private final DrillPlanForm form;
    private final WindowMap map;
    private final DrillHistory history = new DrillHistory();
    private final Coalescer<List<StepEvent>> stepEvents;
    private final Coalescer<long[]> writeCounts;
    private DrillTimeline timeline;
    private PoolSnapshot snapshot;
    private Drill.Plan plan;
    private String subStep = "";
    /**
     * The names of a timed job's steps by number, as its step events said them ("activate" for 3): the
     * timeline names the step its job's progress is in, never the one the latest event announced.
     */
    private final java.util.Map<Long, String> stepNames = new java.util.HashMap<>();
    /** "activate (step 3 of 4)", after the reason and drive: a timed step's event. */
    private static final java.util.regex.Pattern STEP_EVENT = java.util.regex.Pattern.compile("^(.+) \\(step (\\d+) of \\d+\\)$");
    /** When the window opened (the step after "offline" began), System.nanoTime; -1 before. */
    private long windowNanos = -1;

    // ---- properties
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(false);
    private final ObservableList<DrillTimeline.Row> steps = FXCollections.observableArrayList();
    private final ObservableList<DrillTimeline.Row> stepsView = FXCollections.unmodifiableObservableList(steps);
    private final ReadOnlyStringWrapper writes = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<Drill.Result> result = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<DrillFigures> figures = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper stopped = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper endBlocked = new ReadOnlyStringWrapper(NOT_RUNNING);
    /** The end was asked for (the drill's thread acts on it at its next look). */
    private boolean endAsked;
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper("No drill run yet");
    private final ReadOnlyStringWrapper driveName = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<StateLook> driveLook = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper driveLine = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper volumeName = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<StateLook> volumeLook = new ReadOnlyObjectWrapper<>();

    public DrillViewModel(PoolBridge bridge, ActionStatus status) {
        this.bridge = bridge;
        this.status = status;
        this.form = new DrillPlanForm(running.getReadOnlyProperty());
        this.map = new WindowMap(bridge, this::applyTick);
        this.stepEvents = new Coalescer<>(bridge.ui(), DrillViewModel::concat, this::applySteps);
        this.writeCounts = new Coalescer<>(bridge.ui(), Coalescer.latestWins(), this::applyWrites);
        // before the first drill, the timeline shows what the plan would do; the states and the map follow the
        // plan's drive and volume while no drill runs
        javafx.beans.InvalidationListener planChanged = o -> {
            if (!running.get()) {
                showPlan();
                refreshStates();
            }
        };
        for (javafx.beans.Observable o : List.of(form.volumeProperty(), form.driveProperty(), form.reasonProperty(),
                form.modeProperty(), form.writesForProperty(), form.secondFailureProperty(),
                form.secondFailureAfterProperty(), form.testDataProperty())) {
            o.addListener(planChanged);
        }
        // the drive's line counts the delta from the map's picture (deltaShown): a new picture, the line again
        map.sampleProperty().addListener(o -> refreshStates());
        form.volumeProperty().addListener(o -> {
            if (!running.get()) {
                map.sampleNow(); // another volume: its window (or none) at once, not at the next tick
            }
        });
    }

    /** No drill yet: the timeline is the plan's, all to come. */
    private void showPlan() {
        if (plan != null || form.volumeProperty().get() == null || form.driveProperty().get() == null) {
            return;
        }
        Drill.Plan p = form.plan();
        steps.setAll(new DrillTimeline(p).rows());
        title.set("Planned: " + describe(p));
    }

    /** "drill on prod/d2 (firmware, pointers, second failure after 2 s)". */
    private static String describe(Drill.Plan p) {
        return "drill on " + p.volume() + "/" + p.drive() + " (" + p.reason().word() + ", " + p.mode().word()
                + (p.secondFailureAfter() == null ? "" : ", second failure after " + p.secondFailureAfter().toSeconds() + " s")
                + ")";
    }

    private static <E> List<E> concat(List<E> a, List<E> b) {
        List<E> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    // ---- properties

    /** The plan's choices and whether Start is allowed. */
    public DrillPlanForm form() {
        return form;
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** The timeline: the plan's steps, marked as they run; the engine's exact timeline once done. */
    public ObservableList<DrillTimeline.Row> steps() {
        return stepsView;
    }

    /** Said while a drill without test data runs: the map shows the delta the hosts' writes make. */
    static final String HOSTS_ONLY = "the hosts' writes only (no test data)";

    /**
     * "1,234 writes · 19.3 MiB" while the workload writes (and after); without test data {@link #HOSTS_ONLY},
     * then what the hosts' writes put in the delta; empty before a drill.
     */
    public ReadOnlyStringProperty writesProperty() {
        return writes.getReadOnlyProperty();
    }

    /** The chosen (or drilled) volume's window track map. */
    public WindowMap map() {
        return map;
    }

    /** The last drill's result (this session), or null. */
    public ReadOnlyObjectProperty<Drill.Result> resultProperty() {
        return result.getReadOnlyProperty();
    }

    /** The result card's content, or null while none is shown. */
    public ReadOnlyObjectProperty<DrillFigures> figuresProperty() {
        return figures.getReadOnlyProperty();
    }

    /** Why the last drill stopped before its result (the engine's sentence); empty otherwise. */
    public ReadOnlyStringProperty stoppedProperty() {
        return stopped.getReadOnlyProperty();
    }

    /** The drive of the drill running, or null. */
    public String runningDrive() {
        return running.get() && plan != null ? plan.drive() : null;
    }

    /** Why End drill now is not offered: empty while a drill runs in its window and no end was asked. */
    public ReadOnlyStringProperty endBlockedProperty() {
        return endBlocked.getReadOnlyProperty();
    }

    static final String NOT_RUNNING = "no drill is running";

    /** The sentences of End drill now's confirmation: what ending the window now does, for the drill running. */
    public java.util.List<String> endConsequences() {
        if (plan == null) {
            return List.of();
        }
        String d = plan.drive();
        List<String> out = new java.util.ArrayList<>();
        out.add("The window closes now instead of " + plan.writesFor().toSeconds() + " s after " + d + " went OFFLINE"
                + (plan.workload() ? ": the drill's writes stop." : "."));
        DrillTimeline.Row r = timeline == null ? null : timeline.running();
        if (r != null && r.name().equals(plan.reason().word()) && plan.reason() != org.splitpoint.engine.pool.OfflineReason.REPLACEMENT
                && plan.reason() != org.splitpoint.engine.pool.OfflineReason.DIAGNOSTICS) {
            out.add("The " + plan.reason().word() + " steps still running are cancelled.");
        } else if (r != null && r.name().equals("diagnostics")) {
            out.add("The diagnostics scan still running is cancelled.");
        }
        if (plan.secondFailureAfter() != null && result.get() == null && !secondFailed()) {
            out.add("The second failure planned " + plan.secondFailureAfter().toSeconds() + " s into the window does not happen.");
        }
        out.add(d + " comes back ONLINE and only its delta is resynced; then " + (plan.workload()
                ? "every block written is read back and " : "") + "the volume is verified, as at the window's planned end.");
        return out;
    }

    private boolean secondFailed() {
        return timeline != null && timeline.rows().stream().anyMatch(r -> r.name().equals("second failure")
                && r.state() != DrillTimeline.StepState.PENDING && r.state() != DrillTimeline.StepState.SKIPPED);
    }

    /** "Drill on prod/d2 (firmware, pointers) — running" and the like. */
    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    /** The drive drilled (or chosen), its state as the bay shows it, and its window ("firmware · pointers · 37 tracks"). */
    public ReadOnlyStringProperty driveNameProperty() {
        return driveName.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<StateLook> driveLookProperty() {
        return driveLook.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty driveLineProperty() {
        return driveLine.getReadOnlyProperty();
    }

    /** The volume drilled (or chosen) and its state (SERVICE while the drive is out). */
    public ReadOnlyStringProperty volumeNameProperty() {
        return volumeName.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<StateLook> volumeLookProperty() {
        return volumeLook.getReadOnlyProperty();
    }

    public ObservableList<DrillHistory.Row> history() {
        return history.rows();
    }

    // ---- updates (UI thread)

    public void apply(PoolSnapshot s) {
        snapshot = s;
        form.apply(s);
        refreshStates();
        // the running step's progress from this snapshot, in the pulse the Jobs panel shows its job from it:
        // taken at the map's next tick instead, the timeline read "70.0%" beside the panel's "75.0%"
        applyTick(System.nanoTime());
    }

    /** The pool's pairs, for the test-data confirmation's word on a pair's copy. */
    public void applyPairs(java.util.List<org.splitpoint.engine.pool.PairAdmin.PairView> p) {
        form.applyPairs(p);
    }

    /**
     * The map's volume and drive, and the states shown, for the drill running or else the plan. Once a
     * drill ran, the states shown are its drive's and volume's, as its title names them: the form's
     * choice follows the pool (a member replaced by a spare leaves the volume, and the form proposed the
     * next member), and the header said "d11 ONLINE" beside "Drill on prod/d1 — PASSED".
     */
    private void refreshStates() {
        PoolSnapshot s = snapshot;
        if (s == null) {
            return;
        }
        String volume = running.get() ? plan.volume() : form.volumeProperty().get();
        PoolSnapshot.VolumeView v = volume == null ? null : s.volume(volume);
        map.lost(v == null ? List.of() : v.lostTracks());
        String inWindow = volume == null ? null : DrillPlanForm.driveInWindow(s, volume);
        String drive = inWindow != null ? inWindow : running.get() ? plan.drive() : form.driveProperty().get();
        map.follow(volume, drive);
        if (plan != null && !running.get()) {
            showStates(s, plan.volume(), plan.drive()); // the past drill's, beside its title
        } else {
            showStates(s, volume, drive);
        }
    }

    /** The drive's and the volume's state, as the bay and the volume page show them. */
    private void showStates(PoolSnapshot s, String volume, String drive) {
        PoolSnapshot.DriveView d = drive == null ? null : s.drive(drive);
        PoolSnapshot.VolumeView v = volume == null ? null : s.volume(volume);
        driveName.set(d == null ? drive == null ? "" : drive : d.name());
        driveLook.set(d == null ? null : StateLook.of(d.state()));
        String line = d == null ? drive == null ? "" : "no longer in the pool" : d.reason() == null ? ""
                : d.reason().word();
        String window = d == null ? "" : ServiceWords.slotLine(d.service(), deltaShown(d));
        driveLine.set(line.isEmpty() || window.isEmpty() ? line + window : line + " · " + window);
        volumeName.set(v == null ? "" : v.name());
        // RESTORING while being restored (OPTIMAL to the engine), TRACKS LOST…, as the tree says it
        volumeLook.set(v == null ? null : org.splitpoint.app.volumes.VolumeLook.of(v, s));
    }

    /**
     * The drive's delta as the map's latest picture counts it, when that picture is of the drive's window,
     * else as the pool's snapshot does. The line over the timeline and the map's caption said the delta
     * twice from two samples taken apart (the snapshot every 500 ms, the map every 200 ms): "66 tracks"
     * beside "65 tracks owed to d1" while the writes went on. Both count the same bits (the window's
     * pointers, or its log's tracks).
     */
    private long deltaShown(PoolSnapshot.DriveView d) {
        PoolSnapshot.ServiceView sv = d.service();
        DrillSample m = map.sampleProperty().get();
        boolean sameWindow = sv != null && m != null && "window".equals(m.phase()) && !"resync".equals(sv.phase())
                && sv.volume().equals(m.volume()) && d.name().equals(m.drive());
        return sameWindow ? m.owed() : sv == null ? 0 : sv.deltaTracks();
    }

    /** Takes a batch of events: finished drills for the history; a service step's name for the timeline. */
    public void addEvents(List<Event> batch) {
        history.add(batch);
        if (running.get()) {
            for (Event e : batch) {
                if ("SERVICE_STEP".equals(e.type()) && plan.drive().equals(e.source()) && e.message().contains(": ")) {
                    subStep = e.message().substring(e.message().indexOf(": ") + 2); // "download (step 1 of 4)"
                    java.util.regex.Matcher m = STEP_EVENT.matcher(subStep);
                    if (m.matches()) {
                        stepNames.put(Long.parseLong(m.group(2)), m.group(1));
                    }
                }
            }
        }
    }

    /** Reads the finished drills of the whole event log (the bridge's history holds only the last events). */
    public void loadHistory() {
        bridge.run(pool -> org.splitpoint.engine.event.EventBus.readLog(
                new org.splitpoint.engine.pool.PoolPaths(pool.dir()).events(), 20_000).stream()
                .filter(e -> DrillHistory.TYPE.equals(e.type())).toList(), history::add, why -> { });
    }

    private void applySteps(List<StepEvent> batch) {
        if (timeline == null) {
            return;
        }
        for (StepEvent e : batch) {
            timeline.began(e.name(), e.detail(), e.nanos());
            subStep = "";
            if (windowNanos < 0 && !e.name().equals("offline")) {
                windowNanos = e.nanos(); // the drive is OFFLINE: the window's clock runs from here
            }
            if (PAST_WINDOW.contains(e.name()) && running.get()) {
                endBlocked.set("the drill is past its window: " + plan.drive() + " is back and its delta is being"
                        + " resynced and checked");
            }
        }
        steps.setAll(timeline.rows());
    }

    /** The steps from the drive's return on: no window is left to end. */
    private static final java.util.Set<String> PAST_WINDOW = java.util.Set.of("online", "resync", "rebuild", "replace", "verify");

    private void applyWrites(long[] counts) {
        if (plan != null && !plan.workload()) {
            writes.set(HOSTS_ONLY); // the drill writes nothing: its 0 would deny the hosts' writes
            return;
        }
        // the workload's rate while it writes ("· 4.2 MB/s"), from the window's start; none once it stopped
        double secs = windowNanos < 0 ? 0 : (System.nanoTime() - windowNanos) / 1e9;
        boolean writing = running.get() && endBlocked.get().isEmpty() && secs >= 1 && counts[1] > 0;
        writes.set(Format.count(counts[0]) + (counts[0] == 1 ? " write" : " writes") + " · " + Format.size(counts[1])
                + (writing ? " · " + Format.rate(counts[1] / secs) : ""));
    }

    private void applyTick(long nanos) {
        if (timeline != null && running.get()) {
            timeline.tick(nanos, live(timeline.running()));
            steps.setAll(timeline.rows());
        }
    }

    /** What the running step does now: its job's percent (and a firmware step's name), from the snapshot and events. */
    private String live(DrillTimeline.Row r) {
        if (r == null || snapshot == null) {
            return "";
        }
        boolean reasonSteps = r.name().equals(plan.reason().word());
        if (r.name().equals("writes")) {
            return windowLeft();
        }
        if (!reasonSteps && !r.name().equals("resync") && !r.name().equals("rebuild")) {
            return "";
        }
        for (org.splitpoint.engine.job.JobProgress j : snapshot.jobs()) {
            boolean mine = j.target().equals(plan.drive()) || j.target().startsWith(plan.drive() + " ");
            if (j.kind().equals(r.name()) && mine && !j.state().isFinished()) {
                if (reasonSteps && j.timed()) {
                    return Format.percent(j.fraction()) + " · " + stepOf(j);
                }
                if (reasonSteps) {
                    return Format.percent(j.fraction()) + (!subStep.isEmpty() ? " · " + subStep : "");
                }
                // a copy: its rate and when it ends, as the Jobs list says them
                return Format.progress(j.fraction(), j.bytesPerSecond(), j.etaSeconds(),
                        j.state() == org.splitpoint.engine.job.JobState.PAUSED);
            }
        }
        return "";
    }

    /**
     * "activate (step 3 of 4)": the step a timed job is in by its own count (the one after its steps
     * done, which the Jobs panel says as "2 of 4 steps"), named as its event named it; "step 3 of 4"
     * before that event is here. The latest event alone named a step ahead of or behind the percent.
     */
    private String stepOf(org.splitpoint.engine.job.JobProgress j) {
        long k = Math.min(j.doneSteps() + 1, j.totalSteps());
        String name = stepNames.get(k);
        return name == null ? "step " + k + " of " + j.totalSteps() : name + " (step " + k + " of " + j.totalSteps() + ")";
    }

    /**
     * "12 s of 30 s in the window · 18 s left" while the writes run: the window ends at the plan's
     * writes-for, or half a second after a second failure due later; "ending now" once asked to.
     */
    private String windowLeft() {
        if (windowNanos < 0) {
            return "";
        }
        if (endAsked) {
            return "ending now, as asked";
        }
        long in = Math.max(0, (System.nanoTime() - windowNanos) / 1_000_000_000L);
        long planned = plan.writesFor().toSeconds();
        if (plan.secondFailureAfter() != null) {
            planned = Math.max(planned, (plan.secondFailureAfter().toMillis() + 500 + 999) / 1000);
        }
        return Format.duration(Math.min(in, planned)) + " of " + Format.duration(planned) + " in the window · "
                + Format.duration(Math.max(0, planned - in)) + " left";
    }

    // ---- commands

    /**
     * Ends the running drill's window now (asked first by the view): the engine's {@link Drill#endNow}
     * here, the holder's {@code drill end} attached. The drill goes on to its result as at its planned
     * end, its timeline with an "ended early" step.
     */
    public void endNow() {
        if (!endBlocked.get().isEmpty() || plan == null) {
            return;
        }
        String volume = plan.volume();
        endAsked = true;
        endBlocked.set("the end was asked for: " + plan.drive() + " is coming back");
        bridge.run(org.splitpoint.app.bridge.HolderAction.of(org.splitpoint.app.bridge.HolderCommands.endDrill(volume),
                        out -> out.strip(), pool -> Drill.endNow(pool, volume)),
                said -> status.succeeded("Ending the drill on " + volume + " now: " + plan.drive()
                        + " comes back ONLINE and its delta is resynced"),
                why -> {
                    endAsked = false;
                    status.failed("The drill on " + volume + " could not be ended: " + why);
                });
    }

    /**
     * {@code volumeOverwritten} hears the volume a drill is about to write its random test data over:
     * the built-in workload, stopped as the form asks, still expected the blocks it wrote there and,
     * started again after the drill, counted every block the test data replaced as a lost write
     * (the demo pool went CRITICAL: "the verifying workload found 180 blocks of volume prod not
     * holding what it wrote").
     */
    public void onTestData(java.util.function.Consumer<String> volumeOverwritten) {
        this.overwrites = volumeOverwritten;
    }

    /** Runs the drill the form describes, off the UI thread; the timeline, map and counter follow it. */
    public void start() {
        if (!form.startBlockedProperty().get().isEmpty()) {
            return;
        }
        Drill.Plan p = form.plan();
        if (p.workload()) {
            overwrites.accept(p.volume()); // confirmed by the name typed: what it held is overwritten
        }
        plan = p;
        subStep = "";
        stepNames.clear();
        windowNanos = -1;
        endAsked = false;
        endBlocked.set("");
        timeline = new DrillTimeline(p);
        steps.setAll(timeline.rows());
        result.set(null);
        figures.set(null);
        stopped.set("");
        writes.set(p.workload() ? "0 writes" : HOSTS_ONLY);
        String what = describe(p);
        title.set(Character.toUpperCase(what.charAt(0)) + what.substring(1) + " — running");
        map.follow(p.volume(), p.drive());
        running.set(true);
        // not status.started: that would hold every other action of the window for the whole drill
        status.succeeded("Started the " + what);
        // attached to serve, the holder runs it (its test data is host I/O, which only the holder
        // writes) and prints it as it runs (drill run --json-lines): its lines feed the same coalescers
        // the engine's drill feeds here, so the timeline, the count and the map move alike both ways;
        // the exact timeline comes with the result, its last line
        bridge.run(org.splitpoint.app.bridge.HolderAction.following(org.splitpoint.app.bridge.HolderCommands.drill(p),
                this::follow, org.splitpoint.app.bridge.HolderCommands::drillResult,
                pool -> Drill.run(pool, p, listener(pool))), r -> finished(r, what), why -> failed(why, what));
    }

    /**
     * A line the holder's drill printed (on the thread running its command; never waits for the UI):
     * the same coalescers the engine's drill feeds here, so both ways show alike.
     */
    private void follow(String text) {
        org.splitpoint.engine.pool.DrillLines.Line line;
        try {
            line = org.splitpoint.engine.pool.DrillLines.read(text);
        } catch (java.io.IOException e) {
            LOG.log(System.Logger.Level.WARNING, "a line of the holder's drill was not understood: " + e.getMessage());
            return;
        }
        if (line instanceof org.splitpoint.engine.pool.DrillLines.Began b) {
            // when the step began in the holder, on this clock (the control socket is local: one host, one
            // clock), so a step's length is the holder's, not the gap between two lines' arrivals
            long ago = java.time.Duration.between(b.at(), java.time.Instant.now()).toNanos();
            began(b.step(), b.detail(), System.nanoTime() - Math.max(0, ago));
        } else if (line instanceof org.splitpoint.engine.pool.DrillLines.Writes w) {
            writeCounts.offer(new long[] {w.writes(), w.bytes()});
        } else if (line instanceof org.splitpoint.engine.pool.DrillLines.Window w) {
            map.show(w);
        } // else the result (read from the last line when the command ends), or a later version's line
    }

    /** Step {@code name} began at {@code nanos} (System.nanoTime), told by the drill's thread or the holder's lines. */
    private void began(String name, String detail, long nanos) {
        stepEvents.offer(List.of(new StepEvent(name, detail, nanos)));
        bridge.refresh(); // the drive bay and the volume show the step's state at once (attached: the stream does)
    }

    /** Told by the drill's thread; never waits for the UI. */
    private Drill.Listener listener(org.splitpoint.engine.pool.Pool pool) {
        return new Drill.Listener() {
            @Override
            public void step(String name, String detail) {
                if (name.equals("online")) {
                    map.sampleOn(pool); // the writes have stopped: the delta is final now
                }
                began(name, detail, System.nanoTime());
            }

            @Override
            public void writes(long n, long bytes) {
                writeCounts.offer(new long[] {n, bytes});
            }
        };
    }

    private void finished(Drill.Result r, String what) {
        endBlocked.set(NOT_RUNNING);
        running.set(false);
        timeline.finished(r);
        steps.setAll(timeline.rows());
        if (r.testData()) {
            applyWrites(new long[] {r.writes(), r.bytesWritten()});
        } else {
            writes.set(DrillFigures.hostsDelta(r.deltaTracks(), r.deltaBytes()));
        }
        result.set(r);
        DrillFigures f = DrillFigures.of(r, plan);
        figures.set(f);
        title.set(Character.toUpperCase(what.charAt(0)) + what.substring(1) + " — " + f.verdict().word());
        status.succeeded("Drill on " + r.volume() + "/" + r.drive() + ": " + f.verdict().word() + " · "
                + DrillFigures.percent(r.resyncFraction()) + " of a full rebuild resynced");
        map.sampleNow(); // the window is over: the map's last picture
    }

    private void failed(String why, String what) {
        endBlocked.set(NOT_RUNNING);
        running.set(false);
        timeline.failed(System.nanoTime(), why);
        steps.setAll(timeline.rows());
        PoolSnapshot.DriveView d = snapshot == null ? null : snapshot.drive(plan.drive());
        boolean out = d != null && d.service() != null;
        stopped.set(why + (out ? ". " + plan.drive() + " is still in its service window: bring it online from the drive"
                + " bay" : ""));
        title.set(Character.toUpperCase(what.charAt(0)) + what.substring(1) + " — stopped");
        status.failed("The " + what + " stopped: " + why);
        map.sampleNow();
    }
}
