package org.splitpoint.app.drives;

import javafx.beans.binding.Bindings;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.HolderCommands;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.engine.pool.DriveState;
import org.splitpoint.engine.pool.LogMode;
import org.splitpoint.engine.pool.OfflineReason;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * The "Take offline" dialog's model: the reason and the log mode (pointers by default), each with
 * its one-line meaning, where a repository would live, and the engine's refusal in its own words
 * (the dialog stays open on it, so it is read where it was made).
 */
public final class TakeOfflineForm {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final String drive;
    private final String volume;
    private final String spare;

    // ---- properties
    private final ObjectProperty<OfflineReason> reason = new SimpleObjectProperty<>(OfflineReason.FIRMWARE);
    private final ObjectProperty<LogMode> mode = new SimpleObjectProperty<>(LogMode.POINTERS);
    private final ReadOnlyStringWrapper reasonNote = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper modeNote = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper refused = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper working = new ReadOnlyBooleanWrapper(false);

    TakeOfflineForm(PoolBridge bridge, ActionStatus status, PoolSnapshot s, String drive) {
        this.bridge = bridge;
        this.status = status;
        this.drive = drive;
        PoolSnapshot.DriveView d = s == null ? null : s.drive(drive);
        this.volume = d == null ? null : d.volume();
        this.spare = s == null ? null : repositorySpare(s);
        reasonNote.bind(Bindings.createStringBinding(() -> reason.get() == null ? "" : ServiceWords.explain(reason.get()),
                reason));
        modeNote.bind(Bindings.createStringBinding(() -> mode.get() == null ? "" : ServiceWords.explain(mode.get())
                + (mode.get() == LogMode.REPOSITORY ? " Here: " + (spare == null ? "a file in meta/ (no SPARE is free)."
                : "SPARE drive " + spare + ".") : ""), mode));
    }

    /** The SPARE a repository would go to (the largest free one, as the engine picks), or null. */
    public static String repositorySpare(PoolSnapshot s) {
        PoolSnapshot.DriveView best = null;
        for (PoolSnapshot.DriveView d : s.drives()) {
            if (d.state() == DriveState.SPARE && d.journal() == null && d.repository() == null
                    && (best == null || d.size() > best.size())) {
                best = d;
            }
        }
        return best == null ? null : best.name();
    }

    public String drive() {
        return drive;
    }

    /** The drive's volume (it goes SERVICE), or null. */
    public String volume() {
        return volume;
    }

    public ObjectProperty<OfflineReason> reasonProperty() {
        return reason;
    }

    public ObjectProperty<LogMode> modeProperty() {
        return mode;
    }

    /** What the chosen reason does, in a sentence. */
    public ReadOnlyStringProperty reasonNoteProperty() {
        return reasonNote.getReadOnlyProperty();
    }

    /** What the chosen log mode keeps, and where (the repository's SPARE), in a sentence or two. */
    public ReadOnlyStringProperty modeNoteProperty() {
        return modeNote.getReadOnlyProperty();
    }

    /** The engine's refusal of the last try, as it said it; empty when none. */
    public ReadOnlyStringProperty refusedProperty() {
        return refused.getReadOnlyProperty();
    }

    /** True while the engine is taking the drive out. */
    public ReadOnlyBooleanProperty workingProperty() {
        return working.getReadOnlyProperty();
    }

    // ---- commands

    /** Takes the drive offline; {@code done} runs (UI thread) once the engine did, else the refusal is shown. */
    public void take(Runnable done) {
        OfflineReason r = reason.get();
        LogMode m = mode.get();
        if (r == null || m == null || working.get()) {
            return;
        }
        working.set(true);
        refused.set("");
        bridge.run(HolderAction.of(HolderCommands.offlineDrive(drive, r.word(), m.word()),
                out -> r == OfflineReason.FIRMWARE || r == OfflineReason.DIAGNOSTICS, // the reasons with steps
                pool -> pool.service().offline(drive, r, m) != null), steps -> {
            working.set(false);
            status.succeeded("Drive " + drive + " is OFFLINE (" + r.word() + ")" + (volume == null ? ""
                    : "; volume " + volume + " is in SERVICE, writes kept as " + m.word())
                    + (steps ? "; the " + r.word() + " steps run as a job" : ""));
            done.run();
        }, why -> {
            working.set(false);
            refused.set(why);
        });
    }
}
