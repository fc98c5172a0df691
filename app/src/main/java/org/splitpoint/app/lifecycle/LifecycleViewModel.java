package org.splitpoint.app.lifecycle;

import java.util.List;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.engine.pool.DriveRules;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.Layout;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.Refusal;
import org.splitpoint.engine.pool.ThinProvisioning;

/**
 * The pool's lifecycle verbs: add drives, new and delete volume, verify (and repair), new and
 * delete pair, a SPARE in a FAILED drive's place. Each has a "why not" from the latest snapshot and
 * the selection (the volume or pair on display, the drive selected in the bay), empty when it may
 * be tried; the engine has the last word in each dialog. It also says what an empty pool needs next.
 */
public final class LifecycleViewModel {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final Consumer<String> stopWorkload;
    private final Consumer<String> deleted;

    // ---- properties
    private final SimpleObjectProperty<PoolSnapshot> snapshot = new SimpleObjectProperty<>();
    private final SimpleObjectProperty<List<PairView>> pairs = new SimpleObjectProperty<>(List.of());
    private final StringProperty selectedVolume = new SimpleStringProperty();
    private final StringProperty selectedPair = new SimpleStringProperty();
    private final StringProperty selectedDrive = new SimpleStringProperty();
    private final ReadOnlyStringWrapper addDrivesBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper newVolumeBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper deleteVolumeBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper verifyBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper newPairBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper deletePairBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper spareBlocked = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper nextStep = new ReadOnlyStringWrapper("");
    /** The New pair dialog's form opened last: it follows the pool's snapshots while open. */
    private NewPairForm pairForm;

    /**
     * {@code stopWorkload} stops the built-in workload of a volume about to be deleted; {@code deleted}
     * hears "volume:NAME" or "pair:NAME" once one is gone (the window leaves its page).
     */
    public LifecycleViewModel(PoolBridge bridge, ActionStatus status, Consumer<String> stopWorkload, Consumer<String> deleted) {
        this.bridge = bridge;
        this.status = status;
        this.stopWorkload = stopWorkload;
        this.deleted = deleted;
        addDrivesBlocked.bind(Bindings.createStringBinding(() -> snapshot.get() == null ? "the pool is still loading"
                : Refusal.sentenceOf(DriveRules.add(snapshot.get(), 1)), snapshot));
        newVolumeBlocked.bind(Bindings.createStringBinding(this::whyNotNewVolume, snapshot));
        deleteVolumeBlocked.bind(Bindings.createStringBinding(this::whyNotDeleteVolume, snapshot, selectedVolume, pairs));
        verifyBlocked.bind(Bindings.createStringBinding(this::whyNotVerify, snapshot, selectedVolume));
        newPairBlocked.bind(Bindings.createStringBinding(this::whyNotNewPair, snapshot, pairs));
        deletePairBlocked.bind(Bindings.createStringBinding(() -> pair(selectedPair.get()) == null
                ? "open a pair's console first" : "", pairs, selectedPair));
        spareBlocked.bind(Bindings.createStringBinding(this::whyNotSpare, snapshot, selectedDrive));
        nextStep.bind(Bindings.createStringBinding(this::nextStepLine, snapshot));
    }

    // ---- properties

    /** The volume whose page is on display (set by the window), or null. */
    public StringProperty selectedVolumeProperty() {
        return selectedVolume;
    }

    /** The pair whose console is on display, or null. */
    public StringProperty selectedPairProperty() {
        return selectedPair;
    }

    /** The drive selected in the bay, or null. */
    public StringProperty selectedDriveProperty() {
        return selectedDrive;
    }

    public ReadOnlyStringProperty addDrivesBlockedProperty() {
        return addDrivesBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty newVolumeBlockedProperty() {
        return newVolumeBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty deleteVolumeBlockedProperty() {
        return deleteVolumeBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty verifyBlockedProperty() {
        return verifyBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty newPairBlockedProperty() {
        return newPairBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty deletePairBlockedProperty() {
        return deletePairBlocked.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty spareBlockedProperty() {
        return spareBlocked.getReadOnlyProperty();
    }

    /** For a pool with no volume yet, what to do next (a sentence); empty once it has one. */
    public ReadOnlyStringProperty nextStepProperty() {
        return nextStep.getReadOnlyProperty();
    }

    public void apply(PoolSnapshot s) {
        snapshot.set(s);
        if (pairForm != null) {
            pairForm.applySnapshot(s); // an open New pair dialog follows the pool (a restore ended meanwhile)
        }
    }

    public void apply(List<PairView> p) {
        pairs.set(List.copyOf(p));
    }

    // ---- rules (what may be tried; the engine decides in the dialog)

    private String whyNotNewVolume() {
        PoolSnapshot s = snapshot.get();
        if (s == null) {
            return "the pool is still loading";
        }
        return NewVolumeForm.freeSpares(s).size() < Layout.RAID1.minDrives()
                ? "a volume needs at least 2 free SPARE drives; add drives first" : "";
    }

    private String whyNotVolume(String verb) {
        PoolSnapshot s = snapshot.get();
        if (s == null) {
            return "the pool is still loading";
        }
        String v = selectedVolume.get();
        return v == null || s.volume(v) == null ? "open a volume's page first (to " + verb + " it)" : "";
    }

    /**
     * Delete volume…: a volume's page, then the engine's rule as far as the snapshot tells (in a pair,
     * snapshots, a journal, a restore, a window, a job). It opened the typed confirmation for a
     * volume in a pair, to show there only that it could not be deleted; the engine still checks what
     * a snapshot cannot tell (NBD clients), and the dialog shows that refusal.
     */
    private String whyNotDeleteVolume() {
        String why = whyNotVolume("delete");
        return !why.isEmpty() ? why : org.splitpoint.app.common.AppWords.of(Refusal.sentenceOf(
                org.splitpoint.engine.pool.VolumeRules.delete(snapshot.get(), pairs.get(), selectedVolume.get())));
    }

    /** Verify / repair…: a volume's page, then the engine's rule (not on a FAILED volume). */
    private String whyNotVerify() {
        String why = whyNotVolume("verify");
        return !why.isEmpty() ? why : org.splitpoint.app.common.AppWords.of(org.splitpoint.engine.pool.Refusal.sentenceOf(
                org.splitpoint.engine.pool.VolumeRules.verify(snapshot.get(), selectedVolume.get())));
    }

    private String whyNotNewPair() {
        PoolSnapshot s = snapshot.get();
        if (s == null) {
            return "the pool is still loading";
        }
        return NewPairForm.freeVolumes(s, pairs.get()).size() < 2
                ? "a pair needs two volumes of the same size in no pair; make volumes first" : "";
    }

    private String whyNotSpare() {
        PoolSnapshot s = snapshot.get();
        String name = selectedDrive.get();
        PoolSnapshot.DriveView d = s == null || name == null ? null : s.drive(name);
        if (d == null) {
            return "select a FAILED drive in the bay first";
        }
        if (d.state() != DriveState.FAILED && d.state() != DriveState.MISSING) {
            return "drive " + name + " is " + d.state() + "; only a FAILED drive is replaced by a spare";
        }
        if (d.volume() == null) {
            return "drive " + name + " is in no volume; nothing for a spare to take over";
        }
        boolean any = NewVolumeForm.freeSpares(s).stream().anyMatch(sp -> sp.size() >= d.size());
        return any ? "" : "no free SPARE drive is as large as " + name + "; add drives first";
    }

    private String nextStepLine() {
        PoolSnapshot s = snapshot.get();
        if (s == null || !s.volumes().isEmpty()) {
            return "";
        }
        int spares = NewVolumeForm.freeSpares(s).size();
        if (spares < 2) {
            return "This pool has no volume yet" + (spares == 1 ? " and one SPARE drive" : " and no free SPARE drive")
                    + ". Add drives, then make a volume from them.";
        }
        return "This pool has no volume yet. Its " + spares + " SPARE drives are ready: make a volume from them (choose a"
                + " layout and the drives)" + (DriveRules.add(s, 1) == null ? ", or add drives first" : "")
                + ". Then make a second volume of the same size to pair"
                + " it with a BCV.";
    }

    private PairView pair(String name) {
        return name == null ? null : pairs.get().stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }

    // ---- commands: the dialogs' models

    public AddDrivesForm addDrivesForm() {
        // the free space asked once as the dialog opens (a statfs of the pool's directory, which the engine is using)
        return addDrivesBlocked.get().isEmpty() ? new AddDrivesForm(bridge, status, snapshot.get(),
                ThinProvisioning.freeSpace(bridge.poolDir())) : null;
    }

    public NewVolumeForm newVolumeForm() {
        return newVolumeBlocked.get().isEmpty() ? new NewVolumeForm(bridge, status, snapshot.get()) : null;
    }

    public NewPairForm newPairForm() {
        pairForm = newPairBlocked.get().isEmpty() ? new NewPairForm(bridge, status, snapshot.get(), pairs.get()) : null;
        return pairForm;
    }

    public SpareForm spareForm() {
        return spareBlocked.get().isEmpty() ? new SpareForm(bridge, status, snapshot.get(), selectedDrive.get()) : null;
    }

    public VerifyForm verifyForm() {
        if (!verifyBlocked.get().isEmpty()) {
            return null;
        }
        PoolSnapshot.VolumeView v = snapshot.get().volume(selectedVolume.get());
        long rows = v.layout() == Layout.RAID1 ? v.size() : v.size() / Math.max(1, v.drives().size() - 1);
        return new VerifyForm(bridge, status, v.name(), rows);
    }

    public VolumeDeletion volumeDeletion() {
        if (!deleteVolumeBlocked.get().isEmpty()) {
            return null;
        }
        String name = selectedVolume.get();
        return new VolumeDeletion(bridge, status, snapshot.get(), name, () -> stopWorkload.accept(name),
                () -> deleted.accept("volume:" + name));
    }

    public PairDeletion pairDeletion() {
        PairView p = pair(selectedPair.get());
        if (p == null) {
            return null;
        }
        return new PairDeletion(bridge, status, p, () -> deleted.accept("pair:" + p.name()));
    }
}
