package org.splitpoint.app.lifecycle;

import javafx.css.PseudoClass;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.splitpoint.app.common.StateLook;

/**
 * "Add drives": count and size, and under them what the drives can grow to against the free space
 * of the pool's file system (orange, with the "I know the drives are thin" box, when they can
 * outgrow it). Ids: {@code #addDrivesCount}, {@code #addDrivesSize}, {@code #addDrivesProvisioning},
 * {@code #addDrivesThin}, {@code #addDrivesProblem}, {@code #addDrivesGo}.
 */
public final class AddDrivesDialog {

    /** The provisioning line while the drives can outgrow the free space ({@code .form-note:thin}, the warning colour). */
    private static final PseudoClass THIN = PseudoClass.getPseudoClass("thin");

    private AddDrivesDialog() {
    }

    public static boolean ask(Window owner, AddDrivesForm form) {
        TextField count = new TextField();
        count.setId("addDrivesCount");
        FormDialog.field(count, "count");
        count.setPrefColumnCount(4);
        count.textProperty().bindBidirectional(form.countProperty());
        TextField size = new TextField();
        size.setId("addDrivesSize");
        FormDialog.field(size, "size");
        size.setPromptText(form.usualSize());
        size.textProperty().bindBidirectional(form.sizeProperty());
        GridPane g = FormDialog.grid();
        g.addRow(0, FormDialog.key("Drives"), count);
        g.addRow(1, FormDialog.key("Size each"), size);
        g.add(FormDialog.note("addDrivesSizeNote", new javafx.beans.property.SimpleStringProperty(
                "Empty: " + form.usualSize() + ". Sizes like 64M, 1.5G or 64 MiB; from 1M to 64T, a multiple of 4K.")), 1, 2);
        Label provisioning = FormDialog.note("addDrivesProvisioning", form.provisioningProperty());
        provisioning.pseudoClassStateChanged(THIN, form.thinProperty().get());
        form.thinProperty().addListener((o, was, now) -> provisioning.pseudoClassStateChanged(THIN, now));
        CheckBox thin = FormDialog.field(new CheckBox("I know the drives are thin"), "thin");
        thin.setId("addDrivesThin");
        thin.selectedProperty().bindBidirectional(form.thinAcceptedProperty());
        // its row's room is kept while it is hidden: shown when the sizes typed made the drives thin, it
        // grew the dialog at its top and moved the fields above 40 px under the typing (the next click
        // landed in Drives, a GUI pass)
        thin.visibleProperty().bind(form.thinProperty());
        // two lines' room from the start: the thin sentence takes two, and growing to it moved the fields above
        g.add(org.splitpoint.app.common.DialogLook.twoLinesTall(provisioning), 1, 3);
        g.add(thin, 1, 4);
        VBox fields = new VBox(8, FormDialog.sentence("New drives are blank image files in the pool's drives/ folder;"
                + " they join the bay as SPARE drives, for new volumes, journals or to replace failed drives."), g);
        return FormDialog.show(owner, "Add drives", "Add blank SPARE drives to the bay",
                new StateLook("", StateLook.Glyph.HOLLOW_SQUARE, StateLook.Tone.IDLE), fields, "Add drives", "addDrives", form);
    }
}
