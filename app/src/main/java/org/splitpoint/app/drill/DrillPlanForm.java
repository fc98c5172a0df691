package org.splitpoint.app.drill;

import java.time.Duration;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.splitpoint.app.drives.DriveChecks;
import org.splitpoint.app.drives.ServiceWords;
import org.splitpoint.engine.pool.DriveRules;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.Drill;
import org.splitpoint.engine.pool.LogMode;
import org.splitpoint.engine.pool.OfflineReason;
import org.splitpoint.engine.pool.PairAdmin.PairView;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * A drill's plan as the Drills view asks for it: the volume (its members offered as the drive),
 * the reason and the log mode (each with its one-line meaning), how long the workload writes, and
 * an optional second failure after N seconds; "why not" for Start from the latest snapshot, the
 * same rules the drive bay's Take offline has (the engine's refusals, before it would refuse).
 */
public final class DrillPlanForm {

    public static final int MAX_SECONDS = 600;

    private final ReadOnlyBooleanProperty running;
    private final ObjectProperty<PoolSnapshot> snapshot = new SimpleObjectProperty<>();
    /** The pool's pairs, for what a drill's test data does to a pair's copy (see {@link #testDataConfirmation}). */
    private List<PairView> pairs = List.of();

    // ---- properties
    private final ObservableList<String> volumes = FXCollections.observableArrayList();
    private final ObservableList<String> drives = FXCollections.observableArrayList();
    private final StringProperty volume = new SimpleStringProperty();
    private final StringProperty drive = new SimpleStringProperty();
    private final ObjectProperty<OfflineReason> reason = new SimpleObjectProperty<>(OfflineReason.FIRMWARE);
    private final ObjectProperty<LogMode> mode = new SimpleObjectProperty<>(LogMode.POINTERS);
    private final IntegerProperty writesFor = new SimpleIntegerProperty(5);
    private final BooleanProperty secondFailure = new SimpleBooleanProperty(false);
    /** The drill writes its own verified test data over the volume's blocks (else: the hosts' writes only). */
    private final BooleanProperty testData = new SimpleBooleanProperty(true);
    /** The volumes whose built-in workload runs with verification now (kept by the pool's view model). */
    private final javafx.collections.ObservableSet<String> verifiedWorkloads = javafx.collections.FXCollections.observableSet();
    private final IntegerProperty secondFailureAfter = new SimpleIntegerProperty(2);
    private final ReadOnlyStringWrapper reasonNote = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper modeNote = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper secondNote = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper startBlocked = new ReadOnlyStringWrapper();
    private String shownSecondNote = "";
    /** The drive is the form's own proposal (not one the administrator picked): a window opening may move it. */
    private boolean driveProposed;
    private boolean proposing;

    DrillPlanForm(ReadOnlyBooleanProperty running) {
        this.running = running;
        reasonNote.bind(Bindings.createStringBinding(() -> reason.get() == null ? "" : ServiceWords.explain(reason.get()),
                reason));
        modeNote.bind(Bindings.createStringBinding(() -> mode.get() == null ? "" : ServiceWords.explain(mode.get())
                + (mode.get() == LogMode.REPOSITORY && snapshot.get() != null ? " Here: " + repositoryHere() : ""),
                mode, snapshot));
        secondNote.bind(Bindings.createStringBinding(() -> {
            if (!running.get()) { // a running drill's plan stays as it was started, whatever fails meanwhile
                shownSecondNote = secondNote();
            }
            return shownSecondNote;
        }, running, secondFailure, secondFailureAfter, writesFor, volume, drive, reason, snapshot));
        startBlocked.bind(Bindings.createStringBinding(this::whyNotStart, running, snapshot, volume, drive, reason, mode,
                writesFor, secondFailure, secondFailureAfter, testData, verifiedWorkloads));
        volume.addListener((o, was, now) -> fillDrives());
        drive.addListener((o, was, now) -> driveProposed = proposing);
    }

    // ---- properties

    /** The volumes whose built-in workload runs with verification now: a drill writing test data there is refused. */
    public javafx.collections.ObservableSet<String> verifiedWorkloads() {
        return verifiedWorkloads;
    }

    /** The pool's volumes, by name. */
    public ObservableList<String> volumes() {
        return volumes;
    }

    /** The chosen volume's members. */
    public ObservableList<String> drives() {
        return drives;
    }

    public StringProperty volumeProperty() {
        return volume;
    }

    public StringProperty driveProperty() {
        return drive;
    }

    public ObjectProperty<OfflineReason> reasonProperty() {
        return reason;
    }

    public ObjectProperty<LogMode> modeProperty() {
        return mode;
    }

    /** Seconds the workload writes while the drive is out (1..600). */
    public IntegerProperty writesForProperty() {
        return writesFor;
    }

    public BooleanProperty testDataProperty() {
        return testData;
    }

    /**
     * What the administrator confirms, by typing the volume's name, before a drill that writes
     * test data over the volume's blocks.
     */
    public org.splitpoint.app.common.Confirmation testDataConfirmation() {
        String v = volume.get();
        List<String> lines = new java.util.ArrayList<>();
        lines.add("For " + writesFor.get() + " s the drill writes random 16 KiB blocks all over " + v + " (about "
                + writesFor.get() * 4 + " MiB), and reads each back at the end to verify it. Whatever those blocks"
                + " held is overwritten.");
        for (PairView p : pairs) {
            if (v != null && v.equals(p.bcv())) {
                lines.add(v + " is the BCV of pair " + p.name() + " (" + p.state() + "): the copy of " + p.std()
                        + " it holds is changed where the drill writes.");
            } else if (v != null && v.equals(p.std()) && p.state() == org.splitpoint.engine.pair.PairState.Synchronized) {
                lines.add(v + " is the STD of pair " + p.name() + ", which mirrors every write: the test data goes to "
                        + p.bcv() + " too.");
            }
        }
        lines.add("Use a scratch volume, or untick \"Write test data\" to rehearse with the hosts' own writes only.");
        return new org.splitpoint.app.common.Confirmation("Run a drill on " + v, "Overwrite blocks of " + v + " with test data?",
                List.copyOf(lines), v, "Run the drill");
    }

    /**
     * What the administrator confirms before Start, by typing the volume's name: the test data it
     * writes (see {@link #testDataConfirmation}) and a second failure's cost (a member failed for
     * real, the volume FAILED beyond its redundancy until the drive is back, what the log mode
     * loses, the member wiped and rebuilt); null when the drill needs no confirmation.
     */
    public org.splitpoint.app.common.Confirmation startConfirmation() {
        org.splitpoint.app.common.Confirmation data = testData.get() ? testDataConfirmation() : null;
        if (!secondFailure.get()) {
            return data;
        }
        String v = volume.get();
        String other = secondVictim();
        String failed = other == null ? "another member" : other;
        List<String> lines = new java.util.ArrayList<>();
        if (data != null) {
            lines.addAll(data.sentences().subList(0, data.sentences().size() - 1));
        }
        lines.add("The drill fails " + failed + " of " + v + " for real " + secondFailureAfter.get() + " s into the window,"
                + " while " + drive.get() + " is out.");
        PoolSnapshot s = snapshot.get();
        PoolSnapshot.VolumeView vv = s == null || v == null ? null : s.volume(v);
        if (vv == null || vv.layout().redundancy(vv.drives().size()) < 2) {
            lines.add(v + " is then FAILED, beyond its redundancy, until " + drive.get() + " is back: hosts' and NBD"
                    + " clients' reads that need both drives fail" + (mode.get() == LogMode.REPOSITORY
                    ? " (their writes go on into the repository)." : ", and their writes are refused."));
            if (mode.get() == LogMode.POINTERS) {
                lines.add("With a pointers log, the tracks written in the window before then are lost: they cannot be"
                        + " rebuilt on " + drive.get() + ". Choose data or repository to lose nothing.");
            }
        }
        lines.add("Afterwards " + failed + " is replaced by a blank drive and rebuilt.");
        lines.add(data != null ? data.sentences().get(data.sentences().size() - 1)
                : "Use a scratch volume to rehearse a second failure.");
        return new org.splitpoint.app.common.Confirmation("Run a drill on " + v,
                (data != null ? "Overwrite blocks of " + v + " with test data and fail " : "Fail ") + failed + " of " + v + "?",
                List.copyOf(lines), v, "Run the drill");
    }

    /** The pool's pairs now (UI thread). */
    void applyPairs(List<PairView> p) {
        pairs = p == null ? List.of() : List.copyOf(p);
    }

    public BooleanProperty secondFailureProperty() {
        return secondFailure;
    }

    /** Seconds into the window when another member fails (if {@link #secondFailureProperty()}). */
    public IntegerProperty secondFailureAfterProperty() {
        return secondFailureAfter;
    }

    public ReadOnlyStringProperty reasonNoteProperty() {
        return reasonNote.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty modeNoteProperty() {
        return modeNote.getReadOnlyProperty();
    }

    /** What the second failure will do (which member fails, what the mode promises), or "" when off. */
    public ReadOnlyStringProperty secondNoteProperty() {
        return secondNote.getReadOnlyProperty();
    }

    /** Why Start is not allowed now; empty when it is. */
    public ReadOnlyStringProperty startBlockedProperty() {
        return startBlocked.getReadOnlyProperty();
    }

    /** The plan the choices make (Start allowed). */
    public Drill.Plan plan() {
        return new Drill.Plan(volume.get(), drive.get(), reason.get(), mode.get(), Duration.ofSeconds(writesFor.get()),
                secondFailure.get() ? Duration.ofSeconds(secondFailureAfter.get()) : null, testData.get());
    }

    // ---- updates

    void apply(PoolSnapshot s) {
        List<String> names = s.volumes().stream().map(PoolSnapshot.VolumeView::name).toList();
        if (!names.equals(volumes)) {
            volumes.setAll(names);
        }
        snapshot.set(s);
        if (volume.get() == null || !names.contains(volume.get())) {
            // the first volume a drill can run on, else the first
            volume.set(names.stream().filter(n -> firstOnline(s, n) != null).findFirst()
                    .orElse(names.isEmpty() ? null : names.get(0)));
        } else {
            fillDrives();
        }
    }

    private void fillDrives() {
        PoolSnapshot s = snapshot.get();
        PoolSnapshot.VolumeView v = s == null || volume.get() == null ? null : s.volume(volume.get());
        List<String> members = v == null ? List.of() : v.drives();
        if (!members.equals(drives)) {
            drives.setAll(members);
        }
        // a volume with a drive in a service window takes no other drive out until that one is back: it is
        // the proposal (Start then names it and says to bring it back), unless the administrator picked a drive
        String out = v == null ? null : driveInWindow(s, v.name());
        if (drive.get() == null || !members.contains(drive.get()) || (driveProposed && out != null && !running.get())) {
            String first = out != null ? out : v == null ? null : firstOnline(s, v.name());
            proposing = true;
            try {
                drive.set(first != null ? first : members.isEmpty() ? null : members.get(0));
            } finally {
                proposing = false;
            }
        }
    }

    /** The member of {@code volume} in a service window (the engine allows one at a time), or null. */
    static String driveInWindow(PoolSnapshot s, String volume) {
        for (PoolSnapshot.DriveView d : s.drives()) {
            if (d.service() != null && d.service().volume().equals(volume)) {
                return d.name();
            }
        }
        return null;
    }

    private static String firstOnline(PoolSnapshot s, String volume) {
        PoolSnapshot.VolumeView v = s.volume(volume);
        for (String d : v.drives()) {
            if (DriveChecks.whyNot(s, d, DriveRules::offline).isEmpty()) {
                return d;
            }
        }
        return null;
    }

    private String whyNotStart() {
        PoolSnapshot s = snapshot.get();
        if (running.get()) {
            return "a drill is running; wait for its result";
        }
        if (s == null) {
            return "the pool is still loading";
        }
        if (s.volumes().isEmpty()) {
            return "the pool has no volume to drill on";
        }
        PoolSnapshot.VolumeView v = volume.get() == null ? null : s.volume(volume.get());
        if (v == null) {
            return "choose a volume";
        }
        if (drive.get() == null || !v.drives().contains(drive.get())) {
            return "choose a drive of " + v.name();
        }
        String why = DriveChecks.whyNot(s, drive.get(), DriveRules::offline);
        if (!why.isEmpty()) {
            return why;
        }
        if (testData.get() && s.saveArea() != null && v.name().equals(s.saveArea().volume())) {
            // the save area's host view refuses writes: every test write would come back refused
            return "volume " + v.name() + " is the snapshots' save area and takes no host writes: untick Write test data";
        }
        if (testData.get() && verifiedWorkloads.contains(v.name())) {
            // the workload checks every block it wrote; the drill's random test data over them would
            // read back as thousands of "lost writes" and mark the volume with a problem
            return "the built-in workload verifies " + v.name() + " and would count the drill's test writes as lost"
                    + " writes: stop it first, or untick Write test data";
        }
        if (reason.get() == null || mode.get() == null) {
            return "choose a reason and a log mode";
        }
        if (writesFor.get() < 1 || writesFor.get() > MAX_SECONDS) {
            return "the writes last 1 to " + MAX_SECONDS + " s, not " + writesFor.get() + " s";
        }
        if (secondFailure.get() && (secondFailureAfter.get() < 0 || secondFailureAfter.get() > MAX_SECONDS)) {
            return "the second failure comes 0 to " + MAX_SECONDS + " s into the window, not " + secondFailureAfter.get()
                    + " s";
        }
        return "";
    }

    /** Where a repository would go now. */
    private String repositoryHere() {
        String spare = org.splitpoint.app.drives.TakeOfflineForm.repositorySpare(snapshot.get());
        return spare == null ? "a file in meta/ (no SPARE is free)." : "SPARE drive " + spare + ".";
    }

    /** The member the second failure fails (the engine's choice: the first other ONLINE one), or null. */
    private String secondVictim() {
        PoolSnapshot s = snapshot.get();
        PoolSnapshot.VolumeView v = s == null || volume.get() == null ? null : s.volume(volume.get());
        String other = null;
        if (v != null) {
            for (String d : v.drives()) {
                PoolSnapshot.DriveView dv = s.drive(d);
                if (other == null && !d.equals(drive.get()) && dv != null && dv.state() == DriveState.ONLINE) {
                    other = d;
                }
            }
        }
        return other;
    }

    private String secondNote() {
        if (!secondFailure.get()) {
            return "";
        }
        String other = secondVictim();
        int after = secondFailureAfter.get();
        String longer = after + 1 > writesFor.get() ? "; the writes go on until half a second after it" : "";
        OfflineReason r = reason.get();
        String steps = r == null || r == OfflineReason.REPLACEMENT ? "" : " (during the " + r.word() + " steps if they run that long)";
        return (other == null ? "Another member" : other) + " FAILS " + after + " s into the window" + steps + longer
                + ". Afterwards it is replaced by a blank drive and rebuilt.";
    }
}
