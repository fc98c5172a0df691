package org.splitpoint.app.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import org.splitpoint.app.bridge.Coalescer;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;

/**
 * The pool's built-in host workloads, one per volume, made when first asked for; their counters
 * reach the UI twice a second, coalesced; they stop before the pool closes. Also the host I/O rate
 * for the status bar (these workloads are the hosts of this process).
 */
public final class Workloads {

    public static final Duration STATS_PERIOD = Duration.ofMillis(500);

    private final PoolBridge bridge;
    private final Expectations expectations;
    private final ActionStatus status;
    private final Map<String, WorkloadViewModel> byVolume = new LinkedHashMap<>();
    private final Map<String, Workload> running = new java.util.concurrent.ConcurrentHashMap<>();
    private final Coalescer<Map<String, WorkloadStats>> stats;
    private final WorkloadErrors errors = new WorkloadErrors();
    private final ReadOnlyDoubleWrapper hostRead = new ReadOnlyDoubleWrapper();
    private final ReadOnlyDoubleWrapper hostWrite = new ReadOnlyDoubleWrapper();

    public Workloads(PoolBridge bridge, Expectations expectations, ActionStatus status) {
        this.bridge = bridge;
        this.expectations = expectations;
        this.status = status;
        this.stats = new Coalescer<>(bridge.ui(), Coalescer.latestWins(), this::apply);
        bridge.guardPairs(expectations); // pair changes from the CLI move the expectations too
        bridge.guardSnapshots(expectations); // and snapshots taken, restored to or deleted from the CLI
        bridge.beforeClose(this::stopAll);
        bridge.onPairs(this::applyPairs);
        bridge.onSnapshot(this::applyProblems);
        bridge.every(STATS_PERIOD, pool -> {
            pollNow();
            errors.report(pool, running);
            return null;
        });
    }

    /** The workload of {@code volume} (UI thread). */
    public WorkloadViewModel of(String volume) {
        return byVolume.computeIfAbsent(volume, v -> {
            Workload w = new Workload(v, bridge::device, expectations, WorkloadSettings.LIGHT);
            running.put(v, w);
            String holder = bridge.attachedTo();
            WorkloadViewModel vm = new WorkloadViewModel(w, status, holder == null ? "" : "the pool is held by " + holder
                    + " and the built-in workload writes only where the pool is held; use a client of its NBD exports");
            vm.setWritesRefused(writesRefused(pairs, v));
            vm.runningProperty().addListener(o -> noteVerifying(v, vm));
            vm.verifyProperty().addListener(o -> noteVerifying(v, vm));
            noteVerifying(v, vm);
            return vm;
        });
    }

    private List<org.splitpoint.engine.pool.PairAdmin.PairView> pairs = List.of();

    /** The pairs changed: a workload on a BCV learns whether hosts may write it now. */
    private void applyPairs(List<org.splitpoint.engine.pool.PairAdmin.PairView> now) {
        pairs = now;
        byVolume.forEach((v, vm) -> vm.setWritesRefused(writesRefused(now, v)));
    }

    /** Why hosts cannot write {@code volume} in the pairs' states (the engine's own rule and sentence), or empty. */
    static String writesRefused(List<org.splitpoint.engine.pool.PairAdmin.PairView> pairs, String volume) {
        for (var p : pairs) {
            if (p.bcv().equals(volume)) {
                String why = p.state().bcvWriteRefusal(p.name(), p.bcv());
                if (why != null) {
                    return why;
                }
            }
        }
        return "";
    }

    /** A repair cleared a volume's workload-errors problem: its workload's count becomes history. */
    private void applyProblems(org.splitpoint.engine.pool.PoolSnapshot s) {
        java.time.Instant now = java.time.Instant.now();
        byVolume.forEach((v, vm) -> vm.applyProblem(errorsProblemStands(s, v), now));
    }

    /** Whether {@code volume} has a standing problem of the workload's lost writes in {@code s}. */
    static boolean errorsProblemStands(org.splitpoint.engine.pool.PoolSnapshot s, String volume) {
        var v = s.volume(volume);
        return v != null && v.problems().stream()
                .anyMatch(p -> p.kind() == org.splitpoint.engine.pool.VolumeProblem.Kind.WORKLOAD_ERRORS);
    }

    private final javafx.collections.ObservableSet<String> verifying = javafx.collections.FXCollections.observableSet();

    private void noteVerifying(String volume, WorkloadViewModel vm) {
        if (vm.runningProperty().get() && vm.verifyProperty().get()) {
            verifying.add(volume);
        } else {
            verifying.remove(volume);
        }
    }

    /** The volumes whose workload runs with verification now (UI thread; observable). */
    public javafx.collections.ObservableSet<String> verifying() {
        return verifying;
    }

    /** The volumes whose workload runs now, in the order first asked for (UI thread). */
    public List<String> runningVolumes() {
        return byVolume.entrySet().stream().filter(e -> e.getValue().runningProperty().get()).map(Map.Entry::getKey)
                .toList();
    }

    /** Reads every workload's counters now and posts them (any thread; the timer calls it). */
    public void pollNow() {
        Map<String, WorkloadStats> m = new LinkedHashMap<>();
        running.forEach((v, w) -> m.put(v, w.stats()));
        if (!m.isEmpty()) {
            stats.offer(m);
        }
    }

    private void apply(Map<String, WorkloadStats> m) {
        double r = 0;
        double w = 0;
        for (Map.Entry<String, WorkloadStats> e : m.entrySet()) {
            WorkloadViewModel vm = byVolume.get(e.getKey());
            if (vm != null) {
                vm.apply(e.getValue());
            }
            r += e.getValue().readRate();
            w += e.getValue().writeRate();
        }
        hostRead.set(r);
        hostWrite.set(w);
    }

    /** Bytes per second the workloads read, in all. */
    public ReadOnlyDoubleProperty hostReadProperty() {
        return hostRead.getReadOnlyProperty();
    }

    public ReadOnlyDoubleProperty hostWriteProperty() {
        return hostWrite.getReadOnlyProperty();
    }

    /**
     * Stops every workload and waits for each, also for one a Stop click is still stopping (the pool
     * is closing: no workload may write after this). All are asked first, then awaited together, so
     * the wait is bounded by one stop's, not their sum; one that does not end is logged by its Workload.
     */
    public void stopAll() {
        List<Workload> all = new ArrayList<>(running.values());
        all.forEach(Workload::requestStop);
        long deadline = System.nanoTime() + Workload.STOP_WAIT_MILLIS * 1_000_000L;
        all.forEach(w -> w.awaitStopped(deadline));
    }

    public Expectations expectations() {
        return expectations;
    }
}
