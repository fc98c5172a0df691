package org.splitpoint.app.lifecycle;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.app.common.Format;

/**
 * "Verify": reads every stripe of a volume and checks its mirrors or parity, like md's check; with
 * Repair ticked it rewrites what disagrees (md's repair). Progress reaches the UI coalesced (one post
 * pending at most, the latest fraction wins); the result stays in the dialog.
 */
public final class VerifyForm extends LifecycleForm {

    private final String volume;
    private final long rows;

    // ---- properties
    private final BooleanProperty repair = new SimpleBooleanProperty(false);
    private final ReadOnlyDoubleWrapper fraction = new ReadOnlyDoubleWrapper(-1);
    private final ReadOnlyStringWrapper result = new ReadOnlyStringWrapper("");
    private final AtomicLong latest = new AtomicLong();
    private final AtomicBoolean posted = new AtomicBoolean();

    /** {@code memberRows}: the bytes of a member verify reads (its progress counts these). */
    VerifyForm(PoolBridge bridge, ActionStatus status, String volume, long memberRows) {
        super(bridge, status);
        this.volume = volume;
        this.rows = Math.max(1, memberRows);
        watch(repair);
    }

    public String volume() {
        return volume;
    }

    /** Rewrite the copies or parity that disagree. */
    public BooleanProperty repairProperty() {
        return repair;
    }

    /** 0..1 while running; -1 before. */
    public ReadOnlyDoubleProperty fractionProperty() {
        return fraction.getReadOnlyProperty();
    }

    /** "0 mismatched sectors: the copies agree" / "12 mismatched sectors repaired". */
    public ReadOnlyStringProperty resultProperty() {
        return result.getReadOnlyProperty();
    }

    private void progress(long done) {
        latest.set(done);
        if (posted.compareAndSet(false, true)) {
            bridge.ui().execute(() -> {
                posted.set(false);
                fraction.set(Math.min(1.0, (double) latest.get() / rows));
            });
        }
    }

    @Override
    protected Problem check() {
        return Problem.NONE; // any volume may be verified; the engine refuses one it cannot read, in its words
    }

    @Override
    protected Submission<?> submission() {
        boolean fix = repair.get();
        fraction.set(0);
        result.set(fix ? "Verifying and repairing " + volume + "…" : "Verifying " + volume + "…");
        return new Submission<>(HolderAction.verify(volume, fix,
                pool -> pool.admin().verify(volume, fix, this::progress)), mismatches -> {
            fraction.set(1);
            result.set(mismatches == 0 ? "0 mismatched sectors: every copy and parity agrees."
                    : Format.count(mismatches) + " mismatched sectors" + (fix ? " repaired." : "; tick Repair and verify"
                    + " again to rewrite them."));
            status.succeeded("Verify of " + volume + ": " + Format.count(mismatches) + " mismatched sectors"
                    + (fix && mismatches > 0 ? " repaired" : ""));
        });
    }
}
