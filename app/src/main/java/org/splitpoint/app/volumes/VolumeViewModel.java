package org.splitpoint.app.volumes;

import java.util.ArrayList;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import org.splitpoint.app.bridge.Coalescer;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.workload.WorkloadViewModel;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.PoolSnapshot.VolumeView;
import org.splitpoint.engine.pool.VolumeState;
import org.splitpoint.engine.raid.ParityVolume;

/**
 * One volume in detail: its layout (which drives, and where parity lives, as the engine places it),
 * state with the reason, size, pair role, a verify with its mismatch count, the I/O rate history and
 * its built-in host workload.
 */
public final class VolumeViewModel {

    /** Stripes shown in the layout diagram: one full turn of RAID5's parity rotation, at most 6. */
    static final int STRIPES_SHOWN = 6;

    /** One member: its drive and state. */
    public record Member(String drive, DriveState state) { }

    private final PoolBridge bridge;
    private final String name;
    private final RateHistory rates;
    private final WorkloadViewModel workload;
    private final Coalescer<Double> verifyProgress;

    // ---- properties
    private final ReadOnlyObjectWrapper<VolumeState> state = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<org.splitpoint.app.common.StateLook> look = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper reason = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper layout = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper size = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper role = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<List<Member>> members = new ReadOnlyObjectWrapper<>(List.of());
    private final ReadOnlyObjectWrapper<int[][]> placement = new ReadOnlyObjectWrapper<>(new int[0][]);
    private final ReadOnlyObjectWrapper<Layout> layoutKind = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper verifyResult = new ReadOnlyStringWrapper("not verified since the pool was opened");
    private final ReadOnlyDoubleWrapper verifyFraction = new ReadOnlyDoubleWrapper(-1);
    private final SimpleBooleanProperty verifying = new SimpleBooleanProperty();
    private final ReadOnlyStringWrapper verifyBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper rateLine = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<Long> tick = new ReadOnlyObjectWrapper<>(0L);
    private long memberRows = 1;
    /** True while the parity placement is being read (UI thread). */
    private boolean readingPlacement;
    /** The engine's refusal of a verify now (VolumeRules.verify: FAILED, or nothing left to check), "" when allowed. */
    private final ReadOnlyStringWrapper verifyRefused = new ReadOnlyStringWrapper("");

    public VolumeViewModel(PoolBridge bridge, String name, RateHistory rates, WorkloadViewModel workload) {
        this.bridge = bridge;
        this.name = name;
        this.rates = rates;
        this.workload = workload;
        this.verifyProgress = new Coalescer<>(bridge.ui(), Coalescer.latestWins(), verifyFraction::set);
        verifyBlocked.bind(Bindings.createStringBinding(() -> verifying.get() ? "a verify of " + name + " is running"
                : !verifyRefused.get().isEmpty() ? verifyRefused.get()
                : state.get() == null ? "the volume is still loading" : "", verifying, verifyRefused, state));
        loadParity();
    }

    public String name() {
        return name;
    }

    public ReadOnlyObjectProperty<VolumeState> stateProperty() {
        return state.getReadOnlyProperty();
    }

    /** The header's badge: the state's, or RESTORING while OPTIMAL and restored, as the table and tree show it. */
    public ReadOnlyObjectProperty<org.splitpoint.app.common.StateLook> lookProperty() {
        return look.getReadOnlyProperty();
    }

    /**
     * Why the volume is in its state, beside the header's badge, which says the state: "d3 FAILED", or
     * "" when there is no why (OPTIMAL). The state is not said again: "FAILED: d1 FAILED, d2 MISSING"
     * beside the FAILED badge read "FAILED FAILED".
     */
    public ReadOnlyStringProperty reasonProperty() {
        return reason.getReadOnlyProperty();
    }

    /** "raid5 over d1, d2, d3 · strip 64 KiB". */
    public ReadOnlyStringProperty layoutProperty() {
        return layout.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty sizeProperty() {
        return size.getReadOnlyProperty();
    }

    /** "STD of pair prod-pair: Split", or "in no pair" (not "(establishing (SyncInProg))"). */
    public ReadOnlyStringProperty roleProperty() {
        return role.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<List<Member>> membersProperty() {
        return members.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Layout> layoutKindProperty() {
        return layoutKind.getReadOnlyProperty();
    }

    /**
     * Where the engine puts the first stripes: {@code [stripe][member]} is the data strip number
     * held there, or -1 for the stripe's parity; empty for raid1 (every member holds all data).
     */
    public ReadOnlyObjectProperty<int[][]> placementProperty() {
        return placement.getReadOnlyProperty();
    }

    /** "0 mismatched sectors (verified 12:01:02)". */
    public ReadOnlyStringProperty verifyResultProperty() {
        return verifyResult.getReadOnlyProperty();
    }

    /** 0..1 while a verify runs, else -1. */
    public ReadOnlyDoubleProperty verifyFractionProperty() {
        return verifyFraction.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty verifyBlockedProperty() {
        return verifyBlocked.getReadOnlyProperty();
    }

    /** "R 1.2 MB/s · W 0.4 MB/s" (host I/O plus copies, from the volume's counters). */
    public ReadOnlyStringProperty rateLineProperty() {
        return rateLine.getReadOnlyProperty();
    }

    /** Changes whenever the rate history got a point (the chart redraws). */
    public ReadOnlyObjectProperty<Long> tickProperty() {
        return tick.getReadOnlyProperty();
    }

    public RateHistory rates() {
        return rates;
    }

    public WorkloadViewModel workload() {
        return workload;
    }

    /** Takes a new snapshot (UI thread). */
    public void apply(PoolSnapshot s) {
        VolumeView v = s.volume(name);
        if (v == null) {
            return;
        }
        state.set(v.state());
        verifyRefused.set(org.splitpoint.engine.pool.Refusal.sentenceOf(org.splitpoint.engine.pool.VolumeRules.verify(s, name)));
        look.set(VolumeLook.of(v, s));
        reason.set(v.stateReason() == null ? "" : v.stateReason());
        layout.set(v.layout().word() + " over " + String.join(", ", v.drives())
                + (v.layout() == Layout.RAID1 ? " (mirrors)" : " · strip " + Format.size(v.stripUnit())));
        layoutKind.set(v.layout());
        if (v.layout() != Layout.RAID1 && placement.get().length == 0 && !readingPlacement) {
            loadParity(); // its first read failed (or ran before the volume was there): the diagram waits for it
        }
        size.set(Format.size(v.size()));
        List<Member> m = new ArrayList<>();
        for (String d : v.drives()) {
            PoolSnapshot.DriveView dv = s.drive(d);
            m.add(new Member(d, dv == null ? DriveState.MISSING : dv.state()));
        }
        if (!m.equals(members.get())) {
            members.set(List.copyOf(m));
        }
        RateHistory.Point p = rates.latest(System.nanoTime());
        rateLine.set("R " + Format.rate(p.read()) + " · W " + Format.rate(p.write()));
        tick.set(tick.get() + 1);
    }

    /** Takes the pairs of a new query (UI thread): this volume's role. */
    public void apply(List<PairView> pairs) {
        String r = "in no pair";
        for (PairView p : pairs) {
            if (p.std().equals(name)) {
                r = "STD of pair " + p.name() + ": " + p.state().described();
            } else if (p.bcv().equals(name)) {
                r = "BCV of pair " + p.name() + ": " + p.state().described();
            }
        }
        role.set(r);
    }

    private void loadParity() {
        readingPlacement = true;
        bridge.run(pool -> {
            var v = pool.volume(name);
            memberRows = v.memberRows();
            if (!(v instanceof ParityVolume pv)) {
                return new int[0][];
            }
            int n = v.members().size();
            int[][] out = new int[STRIPES_SHOWN][n];
            for (int s = 0; s < STRIPES_SHOWN; s++) {
                out[s][pv.parityMember(s)] = -1;
                for (int k = 0; k < n - 1; k++) {
                    out[s][pv.dataMember(s, k)] = s * (n - 1) + k;
                }
            }
            return out;
        }, p -> {
            readingPlacement = false;
            placement.set(p);
        }, e -> {
            readingPlacement = false;
            LOG.log(System.Logger.Level.WARNING, "the parity placement of " + name + " could not be read: " + e
                    + "; read again at the next snapshot"); // the diagram shows its members only meanwhile
        });
    }

    private static final System.Logger LOG = System.getLogger(VolumeViewModel.class.getName());

    // ---- commands

    /**
     * A verify of this volume that ran anywhere: a drill's last step, a shell's 'volume verify' run
     * by this process or its holder, this page's own (UI thread). The page heard only its own Verify
     * button, so after a drill it still said "not verified since the window opened".
     */
    public void verified(org.splitpoint.engine.event.Event e) {
        org.splitpoint.engine.pool.VerifyEvent v = org.splitpoint.engine.pool.VerifyEvent.of(e);
        if (verifying.get() || v == null || !v.volume().equals(name)) {
            return; // while this page's verify runs, its own result is the one to say
        }
        verifyResult.set(mismatches(v.mismatches()) + (v.repaired() ? " repaired" : "") + " (verified "
                + org.splitpoint.app.common.Format.clock(e.time()) + ")");
    }

    private static String mismatches(long n) {
        return Format.count(n) + (n == 1 ? " mismatched sector" : " mismatched sectors");
    }

    /** Checks mirrors or parity in the background and reports the mismatch count. */
    public void verify() {
        if (!verifyBlocked.get().isEmpty()) {
            return;
        }
        verifying.set(true);
        verifyFraction.set(0);
        verifyResult.set("verifying…");
        long rows = Math.max(1, memberRows);
        bridge.run(HolderAction.verify(name, false,
                pool -> pool.admin().verify(name, false, done -> verifyProgress.offer(Math.min(1.0, (double) done / rows)))),
                n -> {
                    verifying.set(false);
                    verifyProgress.offer(-1.0);
                    verifyResult.set(mismatches(n) + " (verified " + org.splitpoint.app.common.Format.clock(java.time.Instant.now()) + ")");
                }, why -> {
                    verifying.set(false);
                    verifyProgress.offer(-1.0);
                    verifyResult.set("verify failed: " + why);
                });
    }
}
