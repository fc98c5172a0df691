package org.splitpoint.app.lifecycle;

import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.splitpoint.app.common.StateLook;

/** "Add drives": count and size. Ids: {@code #addDrivesCount}, {@code #addDrivesSize}, {@code #addDrivesProblem}, {@code #addDrivesGo}. */
public final class AddDrivesDialog {

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
        VBox fields = new VBox(8, FormDialog.sentence("New drives are blank image files in the pool's drives/ folder;"
                + " they join the bay as SPARE drives, for new volumes, journals or to replace failed drives."), g);
        return FormDialog.show(owner, "Add drives", "Add blank SPARE drives to the bay",
                new StateLook("", StateLook.Glyph.HOLLOW_SQUARE, StateLook.Tone.IDLE), fields, "Add drives", "addDrives", form);
    }
}
