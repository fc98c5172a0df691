package org.splitpoint.app.lifecycle;

import java.util.ArrayList;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
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
import org.splitpoint.engine.pool.ThinProvisioning;

/**
 * "Add drives": how many blank SPARE drives, and their size (empty: the size of the pool's drives).
 * The images are sparse, so drives larger together than the free space of the pool's file system
 * are added, thin, as the CLI adds them; but the form says so as the numbers are typed
 * ({@link #provisioningProperty}, the engine's {@link ThinProvisioning} sentence) and, only when
 * they outgrow the free space, Add waits for "I know the drives are thin" to be ticked: 64 drives of
 * 64 TiB on 77 GiB free went in with one click and no word.
 */
public final class AddDrivesForm extends LifecycleForm {

    static final int MAX = 64;

    private final long usualSize;
    private final long free;

    // ---- properties
    private final StringProperty count = new SimpleStringProperty("1");
    private final StringProperty size = new SimpleStringProperty("");
    private final BooleanProperty thinAccepted = new SimpleBooleanProperty(false);
    private final ReadOnlyObjectWrapper<ThinProvisioning> provisioning = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper provisioningLine = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper thin = new ReadOnlyBooleanWrapper(false);

    /** {@code free}: the bytes free on the pool's file system when the dialog opened ({@link ThinProvisioning#freeSpace}, -1 unknown). */
    AddDrivesForm(PoolBridge bridge, ActionStatus status, PoolSnapshot s, long free) {
        super(bridge, status);
        this.usualSize = s.drives().isEmpty() ? 0 : s.drives().get(0).size();
        this.free = free;
        provisioning.bind(Bindings.createObjectBinding(this::typedProvisioning, count, size));
        provisioningLine.bind(Bindings.createStringBinding(() -> provisioning.get() == null ? "" : provisioning.get().sentence(),
                provisioning));
        thin.bind(Bindings.createBooleanBinding(() -> provisioning.get() != null && provisioning.get().thin(), provisioning));
        // a tick given for one total is no answer for a larger one: it is asked again when the numbers change
        provisioning.addListener((o, was, now) -> thinAccepted.set(false));
        watch(count, size, thinAccepted);
    }

    /**
     * "8 drives × 8 TiB = 64 TiB of images on a file system with 77 GiB free: the drives are thin;
     * writes fail with 'no space' once 77 GiB are used" while the count and size are right, else "".
     */
    public ReadOnlyStringProperty provisioningProperty() {
        return provisioningLine.getReadOnlyProperty();
    }

    /** True while the drives typed can outgrow the free space: then Add waits for {@link #thinAcceptedProperty}. */
    public ReadOnlyBooleanProperty thinProperty() {
        return thin.getReadOnlyProperty();
    }

    /** "I know the drives are thin": ticked, drives that outgrow the free space are added; untouched otherwise. */
    public BooleanProperty thinAcceptedProperty() {
        return thinAccepted;
    }

    private ThinProvisioning typedProvisioning() {
        try {
            long b = bytes();
            return b <= 0 ? null : ThinProvisioning.newDrives(drives(), b, free);
        } catch (IllegalArgumentException e) {
            return null; // the field's own problem is said
        }
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
        if (thin.get() && !thinAccepted.get()) {
            return Problem.of("thin", "the drives can outgrow the free space: tick 'I know the drives are thin' to add them");
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
