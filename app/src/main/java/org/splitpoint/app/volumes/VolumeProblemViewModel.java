package org.splitpoint.app.volumes;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.HolderCommands;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Format;
import org.splitpoint.app.workload.Expectations;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.VolumeProblem;

/**
 * A volume's standing data problem (mismatches a verify found, writes the verifying workload found
 * lost) as the engine records it, and the Repair it offers: a verify with repair, which clears the
 * problem; the workloads then forget what they expected of the volume (what a repair cannot bring
 * back is not counted again, a new loss is).
 */
public final class VolumeProblemViewModel {

    private final PoolBridge bridge;
    private final ActionStatus status;
    private final Expectations expectations;
    private final String name;
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper critical = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper repairing = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper repairBlocked = new ReadOnlyStringWrapper("");

    public VolumeProblemViewModel(PoolBridge bridge, ActionStatus status, Expectations expectations, String name) {
        this.bridge = bridge;
        this.status = status;
        this.expectations = expectations;
        this.name = name;
        repairBlocked.bind(javafx.beans.binding.Bindings.when(repairing).then("a repair of " + name + " is running")
                .otherwise(""));
    }

    /** The problem in one sentence, empty when the volume has none. */
    public ReadOnlyStringProperty problemProperty() {
        return problem.getReadOnlyProperty();
    }

    /** True for a lost write (red), false for mismatches a repair resolves. */
    public ReadOnlyBooleanProperty criticalProperty() {
        return critical.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty repairingProperty() {
        return repairing.getReadOnlyProperty();
    }

    /** Why Repair is refused now, empty when it is allowed. */
    public ReadOnlyStringProperty repairBlockedProperty() {
        return repairBlocked.getReadOnlyProperty();
    }

    /** Takes a new snapshot (UI thread). */
    public void apply(PoolSnapshot s) {
        PoolSnapshot.VolumeView v = s.volume(name);
        String line = v == null ? null : v.problemLine();
        problem.set(line == null ? "" : org.splitpoint.app.common.AppWords.of(line)); // its Repair button, not the CLI's verb
        critical.set(v != null && v.problems().stream().anyMatch(VolumeProblem::critical));
    }

    /** Verify with repair: rewrites what disagrees and clears the volume's problem. */
    public void repair() {
        if (!repairBlocked.get().isEmpty()) {
            return;
        }
        repairing.set(true);
        status.started("Repairing " + name + " (verify with repair)…");
        bridge.run(HolderAction.of(HolderCommands.verifyVolume(name, true), HolderCommands::firstNumber, pool -> {
            long n = pool.admin().verify(name, true, null);
            expectations.forget(name); // its data is what it is now
            return n;
        }), n -> {
            repairing.set(false);
            status.succeeded("Volume " + name + " repaired: " + Format.count(n)
                    + (n == 1 ? " mismatched sector rewritten" : " mismatched sectors rewritten"));
            bridge.refresh();
        }, why -> {
            repairing.set(false);
            status.failed("Repair of " + name + " failed: " + why);
        });
    }
}
