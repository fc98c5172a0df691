package org.splitpoint.app.lifecycle;

import javafx.scene.control.ChoiceBox;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.splitpoint.app.common.StateLook;

/**
 * "New pair": name, STD and BCV pickers (the BCV's offers only volumes of the STD's size) and the
 * rule line. Ids: {@code #newPairName}, {@code #newPairStd}, {@code #newPairBcv}, {@code #newPairRule},
 * {@code #newPairProblem}, {@code #newPairGo}.
 */
public final class NewPairDialog {

    private NewPairDialog() {
    }

    public static boolean ask(Window owner, NewPairForm form) {
        TextField name = new TextField();
        name.setId("newPairName");
        FormDialog.field(name, "name");
        name.textProperty().bindBidirectional(form.nameProperty());
        ChoiceBox<String> std = new ChoiceBox<>();
        std.setId("newPairStd");
        FormDialog.field(std, "std");
        std.getItems().setAll(form.stdChoices());
        std.valueProperty().bindBidirectional(form.stdProperty());
        ChoiceBox<String> bcv = new ChoiceBox<>(form.bcvChoices());
        bcv.setId("newPairBcv");
        FormDialog.field(bcv, "bcv");
        bcv.valueProperty().bindBidirectional(form.bcvProperty());

        GridPane g = FormDialog.grid();
        g.addRow(0, FormDialog.key("Name"), name);
        g.addRow(1, FormDialog.key("STD"), std);
        g.addRow(2, FormDialog.key("BCV"), bcv);
        g.add(FormDialog.note("newPairRule", form.ruleProperty()), 1, 3);
        VBox fields = new VBox(8, FormDialog.sentence("A BCV pair keeps a business-continuance copy of a standard"
                + " volume: establish copies the STD to the BCV, split freezes the copy, restore copies it back."), g);
        return FormDialog.show(owner, "New pair", "Pair a standard volume with a BCV",
                new StateLook("", StateLook.Glyph.JOINED, StateLook.Tone.OK), fields, "Create pair", "newPair", form);
    }
}
