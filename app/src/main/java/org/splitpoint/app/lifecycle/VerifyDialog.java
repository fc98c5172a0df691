package org.splitpoint.app.lifecycle;

import javafx.beans.binding.Bindings;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.splitpoint.app.common.StateLook;

/**
 * "Verify": Repair as a check box, progress and the result, which stays until Close. Ids:
 * {@code #verifyRepair}, {@code #verifyProgress}, {@code #verifyOutcome}, {@code #verifyGo}, {@code #verifyCancel}.
 */
public final class VerifyDialog {

    private VerifyDialog() {
    }

    public static void show(Window owner, VerifyForm form) {
        CheckBox repair = new CheckBox("Repair: rewrite the mirror copies or parity that disagree");
        repair.setId("verifyRepair");
        repair.selectedProperty().bindBidirectional(form.repairProperty());
        repair.disableProperty().bind(form.workingProperty());
        ProgressBar bar = new ProgressBar();
        bar.setId("verifyProgress");
        bar.setMaxWidth(Double.MAX_VALUE);
        bar.progressProperty().bind(form.fractionProperty());
        bar.visibleProperty().bind(Bindings.greaterThanOrEqual(form.fractionProperty(), 0));
        Label outcome = new Label();
        outcome.setId("verifyOutcome");
        outcome.setWrapText(true);
        outcome.textProperty().bind(form.resultProperty());
        VBox fields = new VBox(8, FormDialog.sentence("Verify reads every stripe of " + form.volume() + " and checks"
                + " that its mirror copies or parity agree; it counts the 512-byte sectors that do not. Hosts keep"
                + " using the volume meanwhile."), repair, bar, outcome);
        FormDialog.show(owner, "Verify " + form.volume(), "Verify volume " + form.volume(),
                new StateLook("", StateLook.Glyph.CHECK, StateLook.Tone.IDLE), fields, "Verify", "verify", form, false);
    }
}
