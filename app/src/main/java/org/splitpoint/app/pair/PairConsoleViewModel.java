package org.splitpoint.app.pair;

import java.time.Duration;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import org.splitpoint.app.bridge.Coalescer;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.HolderCommands;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.bridge.TaskExecutor;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Confirmation;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.pair.PairState;
import org.splitpoint.engine.pool.BcvWrites;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PairRules;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.StdWrites;

/**
 * The pair console's model: one pair's state, invalid tracks, the running copy and the track map,
 * and the verbs Establish, Split, Restore (with Full and Protect). Each verb has a "why not" from
 * the engine's {@link PairRules} (through {@link PairWords}), the sentence the CLI would print;
 * restore and establish first need the {@link Confirmation} the view asks for (typed, or one click
 * for an establish that loses only the BCV's point-in-time image). The track map is sampled ten times a second off the UI thread while the console is
 * shown, coalesced (latest sample wins). The copy's progress, throttle, pause and cancel are in
 * {@link CopyControl}.
 */
public final class PairConsoleViewModel {

    public static final Duration SAMPLE_PERIOD = Duration.ofMillis(100);

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final Expectations expectations;
    private final String name;
    private final TrackSampler sampler = new TrackSampler();
    private final Coalescer<TrackSample> samples;
    private final CopyControl copy;
    private TaskExecutor.Repeating sampling;
    private PoolSnapshot snapshot;
    /** The NBD clients using a volume now (their addresses), named in a restore's and an establish's confirmation. */
    private java.util.function.Function<String, List<String>> clientsOf = org.splitpoint.app.common.ServedClients.NONE;

    // ---- properties
    private final ReadOnlyObjectWrapper<PairView> view = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<PairState> state = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<org.splitpoint.app.common.StateLook> look = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<PairWords.Direction> direction = new ReadOnlyObjectWrapper<>(PairWords.Direction.NONE);
    private final ReadOnlyStringWrapper meaning = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper stdInvalid = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper bcvInvalid = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper onDemand = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper pointInTime = new ReadOnlyStringWrapper("");
    private final javafx.beans.property.ReadOnlyBooleanWrapper holdsImage = new javafx.beans.property.ReadOnlyBooleanWrapper();
    private final ReadOnlyObjectWrapper<TrackSample> sample = new ReadOnlyObjectWrapper<>();
    private final BooleanProperty full = new SimpleBooleanProperty(false);
    private final BooleanProperty protect = new SimpleBooleanProperty(true);
    private final ReadOnlyStringWrapper establishBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper splitBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper restoreBlocked = new ReadOnlyStringWrapper();

    public PairConsoleViewModel(PoolBridge bridge, ActionStatus status, Expectations expectations, String name) {
        this.bridge = bridge;
        this.status = status;
        this.expectations = expectations;
        this.name = name;
        this.samples = new Coalescer<>(bridge.ui(), Coalescer.latestWins(), this::applySample);
        this.copy = new CopyControl(bridge, status, expectations);
        establishBlocked.bind(Bindings.createStringBinding(() -> PairWords.whyNot(view.get(), status.isBusy(),
                PairRules::establish), view, status.busyProperty()));
        splitBlocked.bind(Bindings.createStringBinding(() -> PairWords.whyNot(view.get(), status.isBusy(),
                PairRules::split), view, status.busyProperty()));
        restoreBlocked.bind(Bindings.createStringBinding(() -> PairWords.whyNot(view.get(), status.isBusy(),
                PairRules::restore), view, status.busyProperty()));
    }

    public String name() {
        return name;
    }

    /** The pair as the last query showed it; null until the first. */
    public ReadOnlyObjectProperty<PairView> viewProperty() {
        return view.getReadOnlyProperty();
    }

    /** The state's badge, or the FAILED side's ({@link PairLook}). */
    public ReadOnlyObjectProperty<org.splitpoint.app.common.StateLook> lookProperty() {
        return look.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<PairState> stateProperty() {
        return state.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<PairWords.Direction> directionProperty() {
        return direction.getReadOnlyProperty();
    }

    /** What the state means for hosts, one line. */
    public ReadOnlyStringProperty meaningProperty() {
        return meaning.getReadOnlyProperty();
    }

    /** "12 tracks changed (768 KiB)" on the STD side ("to copy" while establishing). */
    public ReadOnlyStringProperty stdInvalidProperty() {
        return stdInvalid.getReadOnlyProperty();
    }

    /** "12 tracks changed (768 KiB)" on the BCV side ("to restore" while restoring). */
    public ReadOnlyStringProperty bcvInvalidProperty() {
        return bcvInvalid.getReadOnlyProperty();
    }

    /** "1,234 reads served from the BCV · 56/s". */
    public ReadOnlyStringProperty onDemandProperty() {
        return onDemand.getReadOnlyProperty();
    }

    /** The latest track map sample; null until sampled. */
    public ReadOnlyObjectProperty<TrackSample> sampleProperty() {
        return sample.getReadOnlyProperty();
    }

    /** Copy every track, not only the invalid ones (input). */
    public BooleanProperty fullProperty() {
        return full;
    }

    /** Restore keeping the BCV split and unchanged (input). */
    public BooleanProperty protectProperty() {
        return protect;
    }

    public ReadOnlyStringProperty establishBlockedProperty() {
        return establishBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty splitBlockedProperty() {
        return splitBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty restoreBlockedProperty() {
        return restoreBlocked.getReadOnlyProperty();
    }

    /** The running copy: progress, rate, ETA, throttle, pause and cancel. */
    public CopyControl copy() {
        return copy;
    }

    /** Takes the pairs of a new query (UI thread). */
    public void apply(List<PairView> pairs) {
        PairView p = pairs.stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
        if (p == null) {
            return;
        }
        view.set(p);
        state.set(p.state());
        look.set(PairLook.of(p));
        direction.set(PairLook.direction(p));
        meaning.set(PairWords.meaning(p));
        PairState st = p.state();
        stdInvalid.set(invalid(p.stdInvalidTracks(), p, st == PairState.SyncInProg ? "to copy"
                : st == PairState.NeverEstab ? "never copied" : "changed"));
        bcvInvalid.set(invalid(p.bcvInvalidTracks(), p, st == PairState.RestInProg ? "to restore" : "changed"));
        if (sample.get() == null) {
            onDemand.set(onDemandLine(p.onDemandReads(), 0));
        }
        copy.apply(p);
        tick(java.time.Instant.now());
    }

    /**
     * When the BCV's point-in-time image was taken, and how old it is ("BCV image taken 2026-12-03
     * 01:04:31 (12 min ago)"), while the BCV holds one; else that it holds none and how one is taken
     * ({@link #holdsImageProperty()} false); empty before the first query. The line is always there,
     * so a split does not push the verbs below it down under the mouse. The view calls
     * {@link #tick} every second so the age moves.
     */
    public ReadOnlyStringProperty pointInTimeProperty() {
        return pointInTime.getReadOnlyProperty();
    }

    /** True while the BCV holds a point-in-time image ({@link #pointInTimeProperty()} says when it was taken). */
    public javafx.beans.property.ReadOnlyBooleanProperty holdsImageProperty() {
        return holdsImage.getReadOnlyProperty();
    }

    /** Recomputes the image's age at {@code now} (UI thread). */
    public void tick(java.time.Instant now) {
        PairView p = view.get();
        holdsImage.set(p != null && p.holdsImage());
        pointInTime.set(p == null ? "" : p.holdsImage() ? PointInTime.line(java.time.Instant.parse(p.splitAt()), now)
                : PointInTime.none(p.state()));
    }

    /** Takes a new pool snapshot (UI thread): the STD's size, for the confirmations. */
    public void apply(PoolSnapshot s) {
        snapshot = s;
    }

    private long stdSize() {
        PairView p = view.get();
        PoolSnapshot.VolumeView v = p == null || snapshot == null ? null : snapshot.volume(p.std());
        return v == null ? 0 : v.size();
    }

    private static String invalid(long tracks, PairView p, String what) {
        return Format.tracks(tracks) + " " + what + " (" + Format.size(tracks * p.trackSize()) + ")";
    }

    private static String onDemandLine(long reads, double perSecond) {
        return Format.count(reads) + (reads == 1 ? " read" : " reads") + " served from the BCV · "
                + String.format(java.util.Locale.ROOT, "%.0f/s", perSecond);
    }

    private void applySample(TrackSample s) {
        sample.set(s);
        onDemand.set(onDemandLine(s.onDemandReads(), s.onDemandPerSecond()));
    }

    // ---- track map sampling

    /** Starts sampling the track map (the console is shown). */
    public void startSampling() {
        if (sampling == null && bridge.attachedTo() != null) { // the holder samples: its stream brings the map
            sampling = bridge.watchPair(name, m -> {
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
                samples.offer(sampler.sample(pool.pairs().get(name)));
                return null;
            });
            sampleNow();
        }
    }

    /** Stops sampling (the console is hidden): no work for a map nobody sees. */
    public void stopSampling() {
        if (sampling != null) {
            sampling.cancel();
            sampling = null;
        }
    }

    /** Takes one sample now, in the background. */
    public void sampleNow() {
        bridge.run(pool -> sampler.sample(pool.pairs().get(name)), samples::offer, e -> { });
    }

    // ---- commands

    /**
     * What an establish overwrites when it needs a confirmation. From Split, which ends the BCV's
     * point-in-time image: typed when hosts wrote to the BCV since the split (the engine's {@link
     * PairRules#establishLosesBcvWrites}, as the CLI asks), else one click, full or incremental — every
     * establish of a Split pair asked for the BCV's name, also for the daily one that loses nothing
     * but the image it is meant to replace, and a full one still did after that. The first establish
     * (or a full one from another state) overwrites a BCV whose writes nothing tracked: typed. Null if
     * none is needed (Restored: no image to lose).
     */
    public Confirmation establishConfirmation() {
        PairView p = view.get();
        if (p == null) {
            return null;
        }
        if (p.state() == PairState.Split && !PairRules.establishLosesBcvWrites(p)) {
            // full or not, it loses only the point-in-time image (a full one copies more, it loses no
            // more): one click, as the CLI asks nothing; a BCV write after the click is refused
            return CopyPlan.imageReplaced(p, full.get() ? p.totalTracks() : changedTracks(p), full.get(), stdSize(),
                    clientsOf.apply(p.bcv()));
        }
        if (PairRules.establishOverwritesAll(p, full.get())) {
            return CopyPlan.fullEstablish(p, stdSize(), clientsOf.apply(p.bcv()));
        }
        if (p.state() != PairState.Split) {
            return null;
        }
        return CopyPlan.incrementalEstablish(p, changedTracks(p), stdSize(), clientsOf.apply(p.bcv()));
    }

    /**
     * As {@link #establishConfirmation()}, handed to {@code ask} (null: none needed) as a value that
     * follows the pair while {@code ask} runs (its dialog is open): hosts keep writing while the
     * administrator reads it and types the name, and an incremental establish from Split then
     * overwrites more of the BCV's image than a count taken when the dialog opened said.
     */
    public void establishConfirmation(java.util.function.Consumer<javafx.beans.value.ObservableValue<Confirmation>> ask) {
        // a null recount (the pair left Split meanwhile) is not shown: the dialog keeps the last sentences
        ask.accept(establishConfirmation() == null ? null
                : javafx.beans.binding.Bindings.createObjectBinding(this::establishConfirmation, view, sample));
    }

    /** Tracks changed on either side since the split: the track map's union, else the two counts' sum. */
    private long changedTracks(PairView p) {
        TrackSample s = sample.get();
        long union = s != null ? s.cells().union() : p.stdInvalidTracks() + p.bcvInvalidTracks();
        return Math.min(p.totalTracks(), union);
    }

    /**
     * What a restore with the current options overwrites, counted by the engine (the same counts
     * the restore starts from, not a sample's), handed to {@code ask} on the FX thread. Hosts keep
     * writing while {@code ask} runs (its dialog is open): the value is counted again whenever the
     * pair's counts move meanwhile, so what is confirmed is what the restore overwrites then.
     */
    public void restoreConfirmation(java.util.function.Consumer<javafx.beans.value.ObservableValue<Confirmation>> ask) {
        if (view.get() == null) {
            return;
        }
        boolean f = full.get();
        boolean prot = protect.get();
        countRestore(f, prot, first -> {
            if (first == null) {
                ask.accept(null); // nothing to overwrite: no name to type, as pair restore on the CLI asks nothing
                return;
            }
            ReadOnlyObjectWrapper<Confirmation> plan = new ReadOnlyObjectWrapper<>(first);
            javafx.beans.value.ChangeListener<PairView> recount = (o, was, now) -> countRestore(f, prot, plan::set);
            view.addListener(recount);
            try {
                ask.accept(plan.getReadOnlyProperty());
            } finally {
                view.removeListener(recount);
            }
        });
    }

    /**
     * Counts, in the background, what a restore overwrites now; {@code then} gets it on the FX thread,
     * null when an incremental restore overwrites nothing (no track changed on either side since the
     * split: the dialog said "0 tracks (0 B) ... are overwritten" and asked for the STD's name).
     * Attached to another holder, from the pair as its state last showed it (the engine's count was
     * refused there, and the Restore button only said so).
     */
    private void countRestore(boolean f, boolean prot, java.util.function.Consumer<Confirmation> then) {
        long size = stdSize();
        // attached to another holder, the engine's count cannot be asked: the holder's state, as shown, gives it
        PairView shown = view.get();
        org.splitpoint.engine.pair.Pair.Changes asShown = shown == null ? null : new org.splitpoint.engine.pair.Pair.Changes(
                shown.stdInvalidTracks(), shown.bcvInvalidTracks(), changedTracks(shown));
        bridge.run(HolderAction.fromState(state -> asShown, pool -> pool.pairs().get(name).changes()), ch -> {
            PairView p = view.get();
            if (p != null && ch != null) {
                then.accept(!f && ch.either() == 0 ? null : CopyPlan.restore(p, f, prot, ch, size, clientsOf.apply(p.std())));
            }
        }, this::failed);
    }

    /** {@code clients} gives the addresses of the NBD clients using a volume now (the app's server). */
    public void servedClients(java.util.function.Function<String, List<String>> clients) {
        clientsOf = clients;
    }

    /** Establishes as {@link #establish(BcvWrites)} without an agreement to overwrite BCV writes (nothing typed). */
    public void establish() {
        establish(BcvWrites.REFUSE_IF_ANY);
    }

    /**
     * Establishes with the current options. {@code bcvWrites}: what the administrator agreed to — the BCV's
     * name typed overwrites what hosts wrote to it since the split; one click (or no question) agreed to
     * none, and the engine refuses, as the establish starts, if a host wrote to the BCV after the question
     * was answered; the refusal is said in the status bar as the engine's other refusals are.
     */
    public void establish(BcvWrites bcvWrites) {
        if (!establishBlocked.get().isEmpty()) {
            return;
        }
        boolean f = full.get();
        PairView p = view.get();
        copy.starting("establish");
        status.started("Establishing " + name + (f ? " (full)" : "") + "…");
        long limit = copy.limitForStart();
        // the workloads' expectations follow through the pool's pair guard (Expectations)
        bridge.run(HolderAction.of(HolderCommands.establish(name, f, limit, bcvWrites),
                pool -> pool.pairs().establish(name, f, limit, bcvWrites)), j -> { // the limit holds from the first step
            copy.started(j == null ? null : j.id());
            // as a restore's: the line goes when the copy ends (it stayed, reading as a copy under way)
            status.succeededWhileRunning("Establish of " + name + " started: " + p.std() + " → " + p.bcv(),
                    "establish", name, j == null ? null : j.id());
        }, this::failed);
    }

    public void split() {
        if (!splitBlocked.get().isEmpty()) {
            return;
        }
        PairView p = view.get();
        status.started("Splitting " + name + "…");
        bridge.run(HolderAction.of(HolderCommands.split(List.of(name)), pool -> {
            pool.pairs().split(List.of(name));
            return null;
        }), ok -> status.succeededWhileState("Pair " + name + " is Split: " + p.bcv() + " holds the point-in-time image",
                        state, PairState.Split, st -> "Pair " + name + " is now " + st.described()),
                this::failed);
    }

    /** Restores as {@link #restore(StdWrites)} without an agreement to overwrite STD writes (nothing typed). */
    public void restore() {
        restore(StdWrites.REFUSE_IF_ANY);
    }

    /**
     * Restores with the current options. {@code stdWrites}: what the administrator agreed to — the STD's name
     * typed (always asked for a full restore) overwrites what hosts wrote to it since the split; a restore that
     * asked nothing, no track having changed on either side, agreed to none, and the engine refuses, as the
     * restore starts, if a host wrote to the STD after that count; the refusal is said in the status bar as
     * the engine's other refusals are.
     */
    public void restore(StdWrites stdWrites) {
        if (!restoreBlocked.get().isEmpty()) {
            return;
        }
        boolean f = full.get();
        boolean keep = protect.get();
        PairView p = view.get();
        copy.starting("restore");
        status.started("Restoring " + p.std() + " from " + p.bcv() + "…");
        long limit = copy.limitForStart();
        bridge.run(HolderAction.of(HolderCommands.restore(name, f, keep, limit, stdWrites),
                pool -> pool.pairs().restore(name, f, keep, limit, stdWrites)), j -> {
            copy.started(j == null ? null : j.id());
            status.succeededWhileRunning("Restore of " + p.std() + " from " + p.bcv() + " started"
                    + (keep ? "; the BCV stays protected" : ""), "restore", name, j == null ? null : j.id());
        }, this::failed);
    }

    private void failed(String why) {
        copy.starting(null);
        status.failed(why);
    }
}
