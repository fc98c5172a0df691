package org.splitpoint.app.lifecycle;

import java.util.ArrayList;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.HolderCommands;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PairRules;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.Refusal;
import org.splitpoint.engine.pool.Sizes;

/**
 * "New pair": a name, the STD (a volume in no pair, not the save area) and the BCV, offered only
 * among the other such volumes of the STD's size, as a pair needs. The pair starts NeverEstab.
 * Create pair waits while the engine's rule refuses the chosen volumes ({@link PairRules#create}:
 * one being restored), saying its sentence, and follows the pool's snapshots while the dialog is
 * open ({@link #applySnapshot}): the restore's end enables it.
 */
public final class NewPairForm extends LifecycleForm {

    private final List<PoolSnapshot.VolumeView> free;
    private final List<String> taken;
    private final ObjectProperty<PoolSnapshot> snapshot = new SimpleObjectProperty<>();

    // ---- properties
    private final StringProperty name = new SimpleStringProperty();
    private final ObjectProperty<String> std = new SimpleObjectProperty<>();
    private final ObjectProperty<String> bcv = new SimpleObjectProperty<>();
    private final ObservableList<String> bcvChoices = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper rule = new ReadOnlyStringWrapper();

    NewPairForm(PoolBridge bridge, ActionStatus status, PoolSnapshot s, List<PairView> pairs) {
        super(bridge, status);
        this.snapshot.set(s);
        this.free = freeVolumes(s, pairs);
        this.taken = pairs.stream().map(PairView::name).toList();
        name.set(NewVolumeForm.freeName(taken, "pair"));
        std.addListener((o, was, now) -> {
            bcvChoices.setAll(bcvsFor(now));
            bcv.set(bcvChoices.isEmpty() ? null : bcvChoices.get(0));
        });
        // the first STD that has a BCV to go with it
        std.set(free.stream().map(PoolSnapshot.VolumeView::name).filter(v -> !bcvsFor(v).isEmpty()).findFirst()
                .orElse(free.isEmpty() ? null : free.get(0).name()));
        rule.bind(Bindings.createStringBinding(this::ruleLine, std, bcv));
        follow(snapshot);
        watch(name, std, bcv);
    }

    /** Takes a new snapshot while the dialog is open (a restore of a chosen volume started or ended meanwhile). */
    void applySnapshot(PoolSnapshot s) {
        snapshot.set(s);
    }

    /** Volumes that may join a pair: in none yet, and not the snapshots' save area. */
    static List<PoolSnapshot.VolumeView> freeVolumes(PoolSnapshot s, List<PairView> pairs) {
        List<PoolSnapshot.VolumeView> out = new ArrayList<>();
        String saveArea = s.saveArea() == null ? null : s.saveArea().volume();
        for (PoolSnapshot.VolumeView v : s.volumes()) {
            boolean paired = pairs.stream().anyMatch(p -> p.std().equals(v.name()) || p.bcv().equals(v.name()));
            if (!paired && !v.name().equals(saveArea)) {
                out.add(v);
            }
        }
        return out;
    }

    private List<String> bcvsFor(String stdName) {
        PoolSnapshot.VolumeView s = volume(stdName);
        if (s == null) {
            return List.of();
        }
        return free.stream().filter(v -> !v.name().equals(stdName) && v.size() == s.size())
                .map(PoolSnapshot.VolumeView::name).toList();
    }

    private PoolSnapshot.VolumeView volume(String n) {
        return free.stream().filter(v -> v.name().equals(n)).findFirst().orElse(null);
    }

    public StringProperty nameProperty() {
        return name;
    }

    /** The volumes that may be the STD. */
    public List<String> stdChoices() {
        return free.stream().map(PoolSnapshot.VolumeView::name).toList();
    }

    public ObjectProperty<String> stdProperty() {
        return std;
    }

    /** The volumes that may be the chosen STD's BCV: free, of its size. */
    public ObservableList<String> bcvChoices() {
        return bcvChoices;
    }

    public ObjectProperty<String> bcvProperty() {
        return bcv;
    }

    /** What the pair will be, or why no BCV fits. */
    public ReadOnlyStringProperty ruleProperty() {
        return rule.getReadOnlyProperty();
    }

    private String ruleLine() {
        PoolSnapshot.VolumeView s = volume(std.get());
        if (s == null) {
            return "A pair needs two volumes of the same size that are in no pair yet.";
        }
        if (bcv.get() == null) {
            return "No other free volume has " + s.name() + "'s size (" + Sizes.format(s.size()) + "): make one with"
                    + " New volume… and size " + Sizes.format(s.size()) + ".";
        }
        return "STD " + s.name() + " and BCV " + bcv.get() + " are both " + Sizes.format(s.size()) + ". The pair starts"
                + " NeverEstab; establish copies " + s.name() + " onto " + bcv.get() + ", overwriting what it holds.";
    }

    @Override
    protected Problem check() {
        String n = name.get() == null ? "" : name.get().trim();
        String bad = nameProblem("pair", n);
        if (bad != null) {
            return Problem.of("name", bad);
        }
        if (taken.contains(n)) {
            return Problem.of("name", "a pair named '" + n + "' already exists; choose another name");
        }
        if (free.size() < 2) {
            return Problem.of("std", "a pair needs two volumes in no pair; the pool has " + free.size()
                    + " (make one with New volume…)");
        }
        if (std.get() == null) {
            return Problem.of("std", "choose the STD");
        }
        if (bcv.get() == null) {
            return Problem.of("bcv", "no volume can be " + std.get() + "'s BCV: a BCV is a free volume of the same size");
        }
        Refusal restored = snapshot.get() == null ? null : PairRules.create(snapshot.get(), n, std.get(), bcv.get());
        if (restored != null) {
            // the field of the volume the sentence names ("volume a (the STD of pair p) is being restored ...")
            return Problem.of(restored.sentence().startsWith("volume " + std.get() + " ") ? "std" : "bcv", restored.sentence());
        }
        return Problem.NONE;
    }

    @Override
    protected Submission<?> submission() {
        String n = name.get().trim();
        String s = std.get();
        String b = bcv.get();
        return new Submission<Void>(HolderAction.of(HolderCommands.createPair(n, s, b), pool -> {
            pool.pairs().create(n, s, b);
            return null;
        }), ok -> status.succeeded("Created pair " + n + ": STD " + s + ", BCV " + b + "; NeverEstab"));
    }
}
