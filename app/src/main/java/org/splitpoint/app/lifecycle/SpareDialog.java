package org.splitpoint.app.lifecycle;

import javafx.scene.control.ChoiceBox;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.splitpoint.app.common.StateLook;

/**
 * "Replace with spare": the SPARE to take the FAILED drive's place and an optional rebuild speed
 * limit. Ids: {@code #spareChoice}, {@code #spareLimit}, {@code #spareProblem}, {@code #spareGo}.
 */
public final class SpareDialog {

    private SpareDialog() {
    }

    public static boolean ask(Window owner, SpareForm form) {
        ChoiceBox<String> spare = new ChoiceBox<>();
        spare.setId("spareChoice");
        FormDialog.field(spare, "spare");
        spare.getItems().setAll(form.spares());
        spare.valueProperty().bindBidirectional(form.spareProperty());
        TextField limit = new TextField();
        limit.setId("spareLimit");
        FormDialog.field(limit, "limit");
        limit.setPromptText("no limit");
        limit.setPrefColumnCount(8);
        limit.textProperty().bindBidirectional(form.limitProperty());
        GridPane g = FormDialog.grid();
        g.addRow(0, FormDialog.key("Spare"), spare);
        g.addRow(1, FormDialog.key("Rebuild limit"), limit);
        g.add(FormDialog.note("spareLimitNote", new javafx.beans.property.SimpleStringProperty(
                "MB/s; empty: as fast as the drives go. Hosts' I/O competes with the rebuild; a limit leaves them more.")), 1, 2);
        VBox fields = new VBox(8, FormDialog.sentence("The chosen SPARE takes " + form.failed() + "'s place in volume "
                + form.volume() + " and is rebuilt from the other members; the volume keeps serving meanwhile. "
                + form.failed() + " leaves the volume and stays FAILED in the bay, to be pulled or replaced."), g);
        return FormDialog.show(owner, "Replace " + form.failed() + " with a spare", "Rebuild volume " + form.volume()
                        + " onto a SPARE drive", new StateLook("", StateLook.Glyph.ARROWS, StateLook.Tone.BUSY), fields,
                "Replace and rebuild", "spare", form);
    }
}
