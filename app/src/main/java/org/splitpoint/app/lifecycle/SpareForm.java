package org.splitpoint.app.lifecycle;

import java.util.List;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.HolderCommands;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.engine.pool.PoolSnapshot;

/**
 * "Replace with spare": a FAILED drive's place in its volume taken by a chosen SPARE, rebuilt from
 * the other members, optionally at a limited speed. The engine's rule (whyNotReplaceWithSpare) is
 * asked again whenever the choice changes, so the dialog says what the engine would say.
 */
public final class SpareForm extends LifecycleForm {

    private final String failed;
    private final String volume;
    private final List<String> spares;

    // ---- properties
    private final ObjectProperty<String> spare = new SimpleObjectProperty<>();
    private final StringProperty limit = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper engineSays = new ReadOnlyStringWrapper("");

    SpareForm(PoolBridge bridge, ActionStatus status, PoolSnapshot s, String failed) {
        super(bridge, status);
        this.failed = failed;
        PoolSnapshot.DriveView d = s.drive(failed);
        this.volume = d == null ? null : d.volume();
        long need = d == null ? 0 : d.size();
        this.spares = NewVolumeForm.freeSpares(s).stream().filter(sp -> sp.size() >= need)
                .map(NewVolumeForm.Spare::name).toList();
        spare.addListener((o, was, now) -> askEngine());
        spare.set(spares.isEmpty() ? null : spares.get(0));
        watch(spare, limit, engineSays);
        askEngine();
    }

    private void askEngine() {
        String f = failed;
        String s = spare.get();
        bridge.run(HolderAction.of(HolderCommands.checkReplaceWithSpare(f, s), out -> "", pool -> {
            String why = pool.admin().whyNotReplaceWithSpare(f, s);
            return why == null ? "" : why;
        }), why -> {
            if (java.util.Objects.equals(s, spare.get())) {
                engineSays.set(why);
            }
        }, engineSays::set);
    }

    public String failed() {
        return failed;
    }

    /** The failed drive's volume, or null. */
    public String volume() {
        return volume;
    }

    /** Free SPARE drives at least as large as the failed one. */
    public List<String> spares() {
        return spares;
    }

    public ObjectProperty<String> spareProperty() {
        return spare;
    }

    /** The rebuild's limit in MB/s as typed; empty or 0: none. */
    public StringProperty limitProperty() {
        return limit;
    }

    private long limitBytes() {
        String t = limit.get() == null ? "" : limit.get().trim();
        if (t.isEmpty()) {
            return 0;
        }
        try {
            double mb = Double.parseDouble(t);
            if (mb >= 0 && !Double.isInfinite(mb) && (mb == 0 || mb * 1e6 >= 1)) {
                return Math.round(mb * 1e6);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("the speed limit is a rate in MB/s (0 or empty: none), not '" + t + "'");
    }

    @Override
    protected Problem check() {
        if (spares.isEmpty()) {
            return Problem.of("spare", "no free SPARE drive is as large as " + failed
                    + "; add drives first (Drive → Add drives…)");
        }
        if (spare.get() == null) {
            return Problem.of("spare", "choose the SPARE that takes " + failed + "'s place");
        }
        try {
            limitBytes();
        } catch (IllegalArgumentException e) {
            return Problem.of("limit", e.getMessage());
        }
        return Problem.of("spare", engineSays.get()); // the engine's rule about this spare, in its words
    }

    @Override
    protected Submission<?> submission() {
        String s = spare.get();
        long l = limitBytes();
        return new Submission<>(HolderAction.of(HolderCommands.replaceWithSpare(failed, s, l), HolderCommands::startedJob,
                pool -> pool.admin().replaceWithSpare(failed, s, l).id()), job ->
                status.succeededWhileRunning("Spare drive " + s + " takes the place of " + failed + " in volume "
                        + volume + "; rebuilding" + (l > 0 ? " at up to " + org.splitpoint.app.common.Format.rate(l) : "")
                        + "; " + failed + " stays FAILED", "rebuild", s + " of " + volume, job));
        // present tense ("rebuilding"): the line goes when the rebuild ends, as the drive bay's Replace does
    }
}
