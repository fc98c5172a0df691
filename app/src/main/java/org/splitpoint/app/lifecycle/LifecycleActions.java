package org.splitpoint.app.lifecycle;

import java.util.function.Supplier;
import javafx.beans.value.ObservableStringValue;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.MenuItem;
import javafx.scene.layout.StackPane;
import javafx.stage.Window;
import org.splitpoint.app.common.Actions;
import org.splitpoint.app.common.TypedConfirmDialog;

/**
 * The lifecycle verbs as the window offers them: each opens its dialog over {@code owner} and is
 * made into buttons and menu items bound to the view model's "why not" (a refused action says why
 * in its tooltip or text). Used by the menus, the drive bay, the volume page, the pair lists and
 * the empty pool's guide.
 */
public final class LifecycleActions {

    private final LifecycleViewModel model;
    private final Supplier<Window> owner;

    public LifecycleActions(LifecycleViewModel model, Supplier<Window> owner) {
        this.model = model;
        this.owner = owner;
    }

    public LifecycleViewModel model() {
        return model;
    }

    public void addDrives() {
        AddDrivesForm f = model.addDrivesForm();
        if (f != null) {
            AddDrivesDialog.ask(owner.get(), f);
        }
    }

    public void newVolume() {
        NewVolumeForm f = model.newVolumeForm();
        if (f != null) {
            NewVolumeDialog.ask(owner.get(), f);
        }
    }

    public void deleteVolume() {
        VolumeDeletion d = model.volumeDeletion();
        if (d != null && TypedConfirmDialog.ask(owner.get(), d.confirmation(), null, d.refusedProperty())) {
            d.delete();
        }
    }

    public void verify() {
        VerifyForm f = model.verifyForm();
        if (f != null) {
            VerifyDialog.show(owner.get(), f);
        }
    }

    /** The verify dialog with Repair ticked (the volume page's Repair…). */
    public void repair() {
        VerifyForm f = model.verifyForm();
        if (f != null) {
            f.repairProperty().set(true);
            VerifyDialog.show(owner.get(), f);
        }
    }

    public void newPair() {
        NewPairForm f = model.newPairForm();
        if (f != null) {
            NewPairDialog.ask(owner.get(), f);
        }
    }

    public void deletePair() {
        PairDeletion d = model.pairDeletion();
        if (d == null) {
            return;
        }
        CheckBox stop = null;
        if (d.copying()) {
            stop = new CheckBox(d.stopWords());
            stop.setId("deletePairStop");
            stop.selectedProperty().bindBidirectional(d.stopCopyProperty());
        }
        if (TypedConfirmDialog.ask(owner.get(), d.confirmation(), stop, d.refusedProperty())) {
            d.delete();
        }
    }

    public void replaceWithSpare() {
        SpareForm f = model.spareForm();
        if (f != null) {
            SpareDialog.ask(owner.get(), f);
        }
    }

    // ---- controls

    /** A button (in its tooltip wrapper) for {@code action}; {@code id} names the button. */
    public static StackPane button(String id, String text, ObservableStringValue whyNot, String does, Runnable action) {
        Button b = new Button(text);
        b.setId(id);
        b.setOnAction(e -> action.run());
        b.setMinWidth(Button.USE_PREF_SIZE); // a verb is never cut ("Del..." at 1024 px): the line beside it gives way
        StackPane wrap = new StackPane(b);
        wrap.setMinWidth(StackPane.USE_PREF_SIZE);
        Actions.bind(b, wrap, whyNot, does);
        return wrap;
    }

    /** A menu item for {@code action}, its text saying why when it is refused. */
    public static MenuItem item(String label, String keys, ObservableStringValue whyNot, Runnable action) {
        MenuItem i = new MenuItem();
        if (keys != null) {
            i.setAccelerator(javafx.scene.input.KeyCombination.keyCombination(keys));
        }
        i.setOnAction(e -> action.run());
        Actions.bind(i, whyNot, label);
        return i;
    }
}
