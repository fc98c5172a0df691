package org.splitpoint.app.lifecycle;

import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.splitpoint.app.bridge.HolderAction;
import org.splitpoint.app.bridge.HolderCommands;
import org.splitpoint.app.bridge.PoolBridge;
import org.splitpoint.app.common.ActionStatus;
import org.splitpoint.engine.pool.DriveRules;
import org.splitpoint.engine.pool.PoolSnapshot;
import org.splitpoint.engine.pool.Refusal;
import org.splitpoint.engine.pool.Sizes;

/** "Add drives": how many blank SPARE drives, and their size (empty: the size of the pool's drives). */
public final class AddDrivesForm extends LifecycleForm {

    static final int MAX = 64;

    private final long usualSize;

    // ---- properties
    private final StringProperty count = new SimpleStringProperty("1");
    private final StringProperty size = new SimpleStringProperty("");

    AddDrivesForm(PoolBridge bridge, ActionStatus status, PoolSnapshot s) {
        super(bridge, status);
        this.usualSize = s.drives().isEmpty() ? 0 : s.drives().get(0).size();
        watch(count, size);
    }

    public StringProperty countProperty() {
        return count;
    }

    /** The size typed ("2G"); empty: the pool's drive size. */
    public StringProperty sizeProperty() {
        return size;
    }

    /** The size of the pool's first drive, which an empty size means ("" when the pool has none: then the pool's own). */
    public String usualSize() {
        return usualSize == 0 ? "the pool's drive size" : Sizes.format(usualSize);
    }

    private int drives() {
        String t = count.get() == null ? "" : count.get().trim();
        try {
            int n = Integer.parseInt(t);
            if (n >= 1 && n <= MAX) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("the number of drives must be a whole number from 1 to " + MAX + ", not '" + t + "'");
    }

    /** The size typed, judged as the engine judges a drive's size, so the field is marked before Add is pressed. */
    private long bytes() {
        String t = size.get() == null ? "" : size.get().trim();
        if (t.isEmpty()) {
            return usualSize;
        }
        long b = Sizes.parse(t);
        Sizes.checkDriveSize(b);
        return b;
    }

    @Override
    protected Problem check() {
        try {
            drives();
        } catch (IllegalArgumentException e) {
            return Problem.of("count", e.getMessage());
        }
        try {
            bytes();
        } catch (IllegalArgumentException e) {
            return Problem.of("size", e.getMessage());
        }
        return Problem.NONE;
    }

    @Override
    protected Submission<?> submission() {
        int n = drives();
        long b = bytes();
        return new Submission<>(HolderAction.of(HolderCommands.addDrives(n, b), HolderCommands::addedDrives, pool -> {
            Refusal.check(DriveRules.add(pool.snapshot(), n)); // refused whole rather than stopped part way, as the CLI does
            List<String> added = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                added.add(pool.admin().addDrive(b));
            }
            return added;
        }), added -> status.succeeded("Added " + (added.size() == 1 ? "drive " : "drives ") + String.join(", ", added)
                + " as SPARE (" + Sizes.format(b) + " each)"));
    }
}
